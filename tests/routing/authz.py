"""Requests for the routing rows of tests/test_authorization.py: each builds its own team."""

from __future__ import annotations

from datetime import date
from typing import Any

from supportdesk.accounts.actions import do_create_team
from supportdesk.accounts.models import Team
from supportdesk.routing.actions import do_add_holiday
from tests.routing.calendars import SPAIN_2026

Request = tuple[str, dict[str, Any]]


async def _team_id(world: Any, persona: Any, prefix: str) -> int:
    async with world.services.db.transaction() as session:
        team = await do_create_team(
            session,
            name=f"{prefix} {persona.name}",
            region="",
            timezone="Europe/Madrid",
            languages=[],
        )
    return team.id


async def read_hours(world: Any, persona: Any) -> Request:
    return f"/teams/{await _team_id(world, persona, 'read-hours')}/hours", {}


async def set_hours(world: Any, persona: Any) -> Request:
    body = {"intervals": [{"day": "fri", "start": "22:00", "end": "06:00"}]}
    return f"/teams/{await _team_id(world, persona, 'set-hours')}/hours", {"json": body}


async def list_holidays(world: Any, persona: Any) -> Request:
    return f"/teams/{await _team_id(world, persona, 'list-holidays')}/holidays", {}


async def add_holiday(world: Any, persona: Any) -> Request:
    body = {"date": "2026-12-25", "name": "Navidad"}
    return f"/teams/{await _team_id(world, persona, 'add-holiday')}/holidays", {"json": body}


async def delete_holiday(world: Any, persona: Any) -> Request:
    team_id = await _team_id(world, persona, "delete-holiday")
    async with world.services.db.transaction() as session:
        team = await session.get(Team, team_id)
        holiday = await do_add_holiday(session, team, date(2026, 12, 25), "Navidad")
    return f"/teams/{team_id}/holidays/{holiday.id}", {}


async def import_holidays(world: Any, persona: Any) -> Request:
    team_id = await _team_id(world, persona, "import-holidays")
    files = {"file": ("spain.ics", SPAIN_2026, "text/calendar")}
    return f"/teams/{team_id}/holidays/import", {"files": files}


async def set_skills(world: Any, persona: Any) -> Request:
    body = {"skills": ["payments"]}
    return f"/teams/{await _team_id(world, persona, 'skills')}/skills", {"json": body}


async def set_capacity(world: Any, persona: Any) -> Request:
    return f"/agents/{world.erin.agent.id}/capacity", {"json": {"max_chats": 3}}


async def routing_settings(world: Any, persona: Any) -> Request:
    return "/routing/settings", {"json": {"overflow": "wait", "no_answer_seconds": 120}}


async def another_agent(world: Any, persona: Any) -> Request:
    """Alice's conversation is first given to Carol: asking for another agent needs one."""
    from supportdesk.conversations.actions import Author
    from supportdesk.conversations.models import Conversation, SenderType
    from supportdesk.conversations.workflow import do_assign

    async with world.services.db.transaction() as session:
        conversation = await session.get(Conversation, world.conversation["id"])
        await do_assign(
            session, conversation, actor=Author(SenderType.SYSTEM), agent=world.carol.agent
        )
    return f"/widget/conversations/{world.conversation['id']}/another-agent", {}
