"""The queue in the widget: a visitor waits, sees their place, an agent comes online and
gets the chat; the visitor asks for another agent. Real Chromium against a real server."""

from __future__ import annotations

from playwright.async_api import Page, expect
from sqlalchemy import select

from supportdesk.accounts.actions import do_set_team_members
from supportdesk.accounts.models import Agent, Team
from supportdesk.db.engine import Database
from tests.e2e.test_widget import (
    agent_message,
    current_conversation,
    open_widget,
    reply,
    send,
    until,
)
from tests.realtime.wsharness import Server, Staff, create_agent, login, open_socket
from tests.routing.world import ALL_WEEK


async def _team_of(database_url: str, email: str) -> None:
    db = Database(database_url)
    try:
        async with db.transaction() as session:
            team = Team(name="Desk", timezone="UTC", languages=["en"], weekly_hours=ALL_WEEK)
            session.add(team)
            await session.flush()
            agent_id = await session.scalar(select(Agent.id).where(Agent.email == email))
            await do_set_team_members(session, team, [agent_id])
    finally:
        await db.dispose()


async def test_a_queued_visitor_sees_the_place_and_gets_the_agent_who_comes_online(
    page: Page, server: Server, database_url: str
):
    await create_agent(database_url, "carol@example.com", "Carol Diaz", "agent")
    await _team_of(database_url, "carol@example.com")
    carol: Staff = await login(server, "carol@example.com")
    frame = await open_widget(page, f"{server.http}/demo")
    await send(frame, "My deposit has not arrived")
    conversation_id = await current_conversation(frame)
    line = frame.locator("#queue-line")
    await expect(line).to_have_text("You're next in line.")

    console = await open_socket(f"{server.ws}/console", cookie=carol.cookie, origin=server.http)
    try:
        await expect(line).to_be_hidden()

        async def assigned() -> bool:
            got = await carol.http.get(f"/api/v1/conversations/{conversation_id}")
            return got.json()["assignee_id"] == carol.agent_id

        await until(assigned)
        await reply(carol, conversation_id, "Hi, I am looking at it")
        await expect(agent_message(frame, "I am looking at it")).to_be_visible()

        # The visitor would rather talk to someone else: back in the queue, Carol excluded.
        another = frame.locator("#another-agent")
        await expect(another).to_have_text("Ask for another agent")
        await another.click()
        await expect(frame.locator("#queue-said")).to_have_text("We're finding you another agent.")
        await expect(line).to_have_text("You're next in line.")
        await expect(another).to_be_hidden()
        got = await carol.http.get(f"/api/v1/conversations/{conversation_id}")
        assert (got.json()["status"], got.json()["assignee_id"]) == ("queued", None)
    finally:
        await console.close()
        await carol.http.aclose()
