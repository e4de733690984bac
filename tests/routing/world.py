"""Building blocks of routing tests: teams open around the clock, agents online, visitors."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from sqlalchemy import select

from supportdesk.accounts.actions import (
    do_console_connected,
    do_create_agent,
    do_create_team,
    do_set_team_members,
)
from supportdesk.accounts.models import Agent, Role, Team
from supportdesk.conversations.models import Conversation
from supportdesk.services import Services

API = "/api/v1"
ALL_WEEK = [
    {"day": d, "start": "00:00", "end": "24:00"}
    for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
]


async def make_team(
    services: Services,
    name: str,
    *,
    languages: list[str],
    skills: list[str] | None = None,
    timezone: str = "UTC",
    hours: list[dict[str, str]] | None = ALL_WEEK,
    members: list[Agent] = (),  # type: ignore[assignment]
) -> int:
    """``hours=None`` is the default week (Mon–Fri 09:00–18:00 in ``timezone``)."""
    async with services.db.transaction() as session:
        team = await do_create_team(
            session, name=name, region="", timezone=timezone, languages=languages, skills=skills
        )
        team.weekly_hours = hours
        await do_set_team_members(session, team, [a.id for a in members])
        return team.id


async def make_agent(services: Services, name: str, *, max_chats: int = 5) -> Agent:
    async with services.db.transaction() as session:
        agent = await do_create_agent(
            session,
            email=f"{name.lower()}-{uuid.uuid4().hex[:6]}@example.com",
            name=name,
            role=Role.AGENT,
            password="correct horse battery staple",
        )
        agent.max_chats = max_chats
        return agent


async def go_online(services: Services, agent: Agent) -> None:
    """What a console opening does: the agent comes online and may get waiting chats."""
    async with services.db.transaction() as session:
        await do_console_connected(session, await session.get(Agent, agent.id))  # type: ignore[arg-type]


async def new_visitor(app: Any, name: str, locale: str = "en") -> httpx.AsyncClient:
    http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")
    response = await http.post(f"{API}/widget/session", json={"name": name, "locale": locale})
    assert response.status_code == 200, response.text
    http.headers["X-Visitor-Token"] = response.json()["visitor_token"]
    return http


async def ask_for_help(visitor: httpx.AsyncClient, body: str = "My deposit is missing") -> int:
    response = await visitor.post(
        f"{API}/widget/conversations", json={"body": body, "client_id": uuid.uuid4().hex}
    )
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


async def queue_of(visitor: httpx.AsyncClient, conversation_id: int) -> dict[str, Any]:
    response = await visitor.get(f"{API}/widget/conversations/{conversation_id}/queue")
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


async def conversation_row(services: Services, conversation_id: int) -> Conversation:
    async with services.db.session() as session:
        row = await session.scalar(select(Conversation).where(Conversation.id == conversation_id))
        assert row is not None
        return row


async def team_id_named(services: Services, name: str) -> int:
    async with services.db.session() as session:
        return int(await session.scalar(select(Team.id).where(Team.name == name)))  # type: ignore[arg-type]
