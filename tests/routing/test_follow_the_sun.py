"""Follow the sun across teams' openings, with the clock under control (time-machine).

Three teams on their default week (Mon–Fri 09:00–18:00 local): Madrid and Mexico City
speak Spanish, Shanghai English. Wednesday 4 March 2026 (Madrid is UTC+1, Mexico UTC−6,
Shanghai UTC+8).
"""

from __future__ import annotations

from datetime import UTC, datetime

import time_machine

from supportdesk.conversations.models import Status
from supportdesk.maintenance import route_once
from tests.routing.world import (
    API,
    ask_for_help,
    conversation_row,
    go_online,
    make_agent,
    make_team,
    new_visitor,
    queue_of,
)


async def _teams(services):
    lucia = await make_agent(services, "Lucia", max_chats=1)
    diego = await make_agent(services, "Diego")
    wei = await make_agent(services, "Wei")
    madrid = await make_team(
        services, "Madrid", languages=["es"], timezone="Europe/Madrid", hours=None, members=[lucia]
    )
    mexico = await make_team(
        services,
        "Mexico",
        languages=["es"],
        timezone="America/Mexico_City",
        hours=None,
        members=[diego],
    )
    shanghai = await make_team(
        services, "Shanghai", languages=["en"], timezone="Asia/Shanghai", hours=None, members=[wei]
    )
    return (lucia, diego, wei), (madrid, mexico, shanghai)


async def _everyone_online(services, agents):
    for agent in agents:
        await go_online(services, agent)


async def test_in_madrid_hours_a_spanish_chat_stays_in_madrid(app, services):
    agents, (madrid, _, _) = await _teams(services)
    with time_machine.travel(datetime(2026, 3, 4, 9, 0, tzinfo=UTC), tick=True):
        await _everyone_online(services, agents)
        chat = await ask_for_help(await new_visitor(app, "Ana", "es"), "Hola")
        row = await conversation_row(services, chat)
    assert (row.team_id, row.assignee_id) == (madrid, agents[0].id)


async def test_after_madrid_closes_mexico_city_takes_spanish_chats(app, services):
    agents, (_, mexico, _) = await _teams(services)
    with time_machine.travel(datetime(2026, 3, 4, 20, 0, tzinfo=UTC), tick=True):
        await _everyone_online(services, agents)
        chat = await ask_for_help(await new_visitor(app, "Ana", "es"), "Hola")
        row = await conversation_row(services, chat)
    assert (row.team_id, row.assignee_id) == (mexico, agents[1].id)


async def test_with_no_spanish_team_open_the_english_rule_sends_it_to_shanghai(app, services):
    agents, (_, _, shanghai) = await _teams(services)
    with time_machine.travel(datetime(2026, 3, 5, 2, 0, tzinfo=UTC), tick=True):
        await _everyone_online(services, agents)
        chat = await ask_for_help(await new_visitor(app, "Ana", "es"), "Hola")
        row = await conversation_row(services, chat)
    assert (row.team_id, row.assignee_id) == (shanghai, agents[2].id)


async def test_the_wait_rule_keeps_it_for_madrid_served_oldest_first_at_the_opening(
    app, services, admin_dave
):
    agents, (madrid, _, _) = await _teams(services)
    lucia = agents[0]
    await admin_dave.client.put(
        f"{API}/routing/settings", json={"overflow": "wait", "no_answer_seconds": 0}
    )
    with time_machine.travel(datetime(2026, 3, 5, 2, 0, tzinfo=UTC), tick=True):
        await _everyone_online(services, agents)
        ana = await new_visitor(app, "Ana", "es")
        first = await ask_for_help(ana, "Hola")
    with time_machine.travel(datetime(2026, 3, 5, 2, 5, tzinfo=UTC), tick=True):
        bea = await new_visitor(app, "Bea", "es")
        second = await ask_for_help(bea, "Hola")
        state = await queue_of(ana, first)
    assert state["queue_position"] == 1
    # The visitor is told when Madrid opens: Thursday 09:00 CET is 08:00 UTC.
    assert state["next_opening"] == "2026-03-05T08:00:00Z"
    assert state["expected_wait_seconds"] is None
    row = await conversation_row(services, first)
    assert (row.team_id, row.status, row.assignee_id) == (madrid, Status.QUEUED, None)

    # Madrid opens; Lucia (one seat) comes online; the sweep serves the oldest chat first.
    with time_machine.travel(datetime(2026, 3, 5, 8, 0, 30, tzinfo=UTC), tick=True):
        await route_once(services)  # opening with nobody online assigns nothing
        assert (await conversation_row(services, first)).assignee_id is None
        await go_online(services, lucia)
        await route_once(services)
        assert (await conversation_row(services, first)).assignee_id == lucia.id
        assert (await conversation_row(services, second)).status == Status.QUEUED
        assert (await queue_of(bea, second))["queue_position"] == 1
        assert (await queue_of(ana, first))["queue_position"] is None
