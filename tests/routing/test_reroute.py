"""Chats taken back by the routing sweep: silent agents and closed consoles."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine
from sqlalchemy import select

from supportdesk.conversations.models import Message, Status
from supportdesk.maintenance import route_once
from supportdesk.routing.models import RoutingExclusion
from tests.routing.world import (
    API,
    ask_for_help,
    conversation_row,
    go_online,
    make_agent,
    make_team,
    new_visitor,
)

T0 = datetime(2026, 3, 4, 10, 0, tzinfo=UTC)


async def _requeue_reasons(services, conversation_id):
    async with services.db.session() as session:
        rows = await session.scalars(
            select(Message.system_data).where(Message.conversation_id == conversation_id)
        )
        return [r["reason"] for r in rows if r and r.get("kind") == "requeued"]


async def test_an_agent_who_does_not_answer_in_time_loses_the_chat_to_a_colleague(
    app, services, admin_dave
):
    carol = await make_agent(services, "Carol")
    erin = await make_agent(services, "Erin")
    await make_team(services, "Desk", languages=["en"], members=[carol, erin])
    await admin_dave.client.put(
        f"{API}/routing/settings", json={"overflow": "english", "no_answer_seconds": 120}
    )
    with time_machine.travel(T0, tick=True):
        await go_online(services, carol)
        chat = await ask_for_help(await new_visitor(app, "Ann"))
        answered = await ask_for_help(await new_visitor(app, "Ben"))
        assert (await conversation_row(services, chat)).assignee_id == carol.id
    # Carol answers Ben's chat only; Erin comes online later.
    with time_machine.travel(T0 + timedelta(seconds=60), tick=True):
        await go_online(services, carol)
        reply = await _agent_reply(app, services, carol, answered)
        assert reply == 201
    with time_machine.travel(T0 + timedelta(seconds=100), tick=True):
        await go_online(services, carol)
        await go_online(services, erin)
        await route_once(services)  # not yet two minutes
        assert (await conversation_row(services, chat)).assignee_id == carol.id
    with time_machine.travel(T0 + timedelta(seconds=125), tick=True):
        await route_once(services)
        row = await conversation_row(services, chat)
    assert (row.status, row.assignee_id) == (Status.OPEN, erin.id)
    assert (await conversation_row(services, answered)).assignee_id == carol.id
    assert await _requeue_reasons(services, chat) == ["no_answer"]
    async with services.db.session() as session:
        assert list(await session.scalars(select(RoutingExclusion.agent_id))) == [carol.id]


async def _agent_reply(app, services, agent, conversation_id) -> int:
    import httpx

    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as http:
        login = await http.post(
            "/api/v1/auth/login",
            json={"email": agent.email, "password": "correct horse battery staple"},
        )
        assert login.status_code == 200, login.text
        http.headers["X-CSRF-Token"] = login.json()["csrf_token"]
        sent = await http.post(
            f"/api/v1/conversations/{conversation_id}/messages", json={"body": "On it"}
        )
        return sent.status_code


async def test_a_closed_console_gives_its_chats_back_after_the_presence_timeout(app, services):
    carol = await make_agent(services, "Carol")
    erin = await make_agent(services, "Erin")
    await make_team(services, "Desk", languages=["en"], members=[carol, erin])
    with time_machine.travel(T0, tick=True):
        await go_online(services, carol)
        chat = await ask_for_help(await new_visitor(app, "Ann"))
    timeout = services.settings.presence_timeout_seconds
    with time_machine.travel(T0 + timedelta(seconds=timeout / 2), tick=True):
        await go_online(services, erin)
        await route_once(services)  # Carol's heartbeat is still fresh: she keeps it
        assert (await conversation_row(services, chat)).assignee_id == carol.id
    with time_machine.travel(T0 + timedelta(seconds=timeout + 5), tick=True):
        await go_online(services, erin)
        await route_once(services)
        assert (await conversation_row(services, chat)).assignee_id == erin.id
    assert await _requeue_reasons(services, chat) == ["offline"]
