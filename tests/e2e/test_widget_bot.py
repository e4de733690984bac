"""The answer bot in the widget: it answers first, and a person takes over on request."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio
from playwright.async_api import Page, expect

from supportdesk.db.engine import Database
from tests.e2e.test_widget import (
    agent_message,
    carol,
    current_conversation,
    open_widget,
    send,
)
from tests.realtime.wsharness import Server, Staff
from tests.search.articles import add_help_center

__all__ = ["carol"]  # the fixture, imported so that pytest finds it here


@pytest_asyncio.fixture(loop_scope="session")
async def help_center(database_url: str, server: Server) -> AsyncIterator[None]:
    db = Database(database_url)
    try:
        await add_help_center(db)
    finally:
        await db.dispose()
    yield


async def test_the_bot_answers_and_talk_to_a_person_hands_the_chat_to_an_agent(
    page: Page, server: Server, help_center: None, carol: Staff
):
    frame = await open_widget(page, f"{server.http}/demo")
    await send(frame, "I forgot my password, how do I reset it?")

    card = frame.locator(".bot-answer")
    await expect(card.locator(".bot-article")).to_have_text("Reset a forgotten password")
    href = await card.locator(".bot-article").get_attribute("href")
    assert href == f"{server.http}/help/en/articles/reset-password"
    buttons = card.locator(".bot-actions")
    await expect(buttons.get_by_role("button", name="This solved it")).to_be_visible()
    # The log follows the conversation: the answer's buttons are scrolled into view.
    await expect(buttons.get_by_role("button", name="Talk to a person")).to_be_in_viewport()

    await buttons.get_by_role("button", name="Talk to a person").click()
    await expect(agent_message(frame, "connecting you with a person")).to_be_visible()
    await expect(buttons).to_be_hidden()

    conversation_id = await current_conversation(frame)
    seen = await carol.http.get(f"/api/v1/conversations/{conversation_id}/messages")
    kinds = [
        (m["sender"]["type"], (m["system"] or {}).get("kind")) for m in seen.json()["messages"]
    ]
    assert ("bot", "bot_answer") in kinds and ("bot", "handoff") in kinds
    status = await carol.http.get(f"/api/v1/conversations/{conversation_id}")
    assert status.json()["status"] == "queued"
