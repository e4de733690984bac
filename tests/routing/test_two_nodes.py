"""Two `supportdesk serve` processes on one PostgreSQL database route hand-offs together.

Concurrent hand-offs through both nodes must never give a conversation twice nor give an
agent more chats than their capacity. PostgreSQL only: SQLite is the one-node deployment.
"""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from supportdesk.accounts.actions import do_set_team_members
from supportdesk.accounts.models import Agent, Role, Team
from supportdesk.conversations.models import Conversation, Message, Status
from supportdesk.db.engine import Database
from tests.conftest import plain_url
from tests.realtime.wsharness import (
    Server,
    Socket,
    create_agent,
    login,
    new_visitor,
    open_socket,
    start_server,
)
from tests.routing.world import ALL_WEEK

AGENTS = 3
SEATS = 2
VISITORS = 30


async def _desk(url: str) -> list[int]:
    ids = []
    for n in range(AGENTS):
        agent = await create_agent(url, f"agent{n}@desk.test", f"Agent {n}", Role.AGENT)
        ids.append(agent.id)
    db = Database(url)
    try:
        async with db.transaction() as session:
            team = Team(name="Desk", timezone="UTC", languages=["en"], weekly_hours=ALL_WEEK)
            session.add(team)
            await session.flush()
            await do_set_team_members(session, team, ids)
            for agent in await session.scalars(select(Agent).where(Agent.id.in_(ids))):
                agent.max_chats = SEATS
    finally:
        await db.dispose()
    return ids


async def _state(url: str) -> tuple[list[Conversation], Counter[int]]:
    db = Database(url)
    try:
        async with db.session() as session:
            rows = list(await session.scalars(select(Conversation).order_by(Conversation.id)))
            routed = Counter(
                m.conversation_id
                for m in await session.scalars(select(Message))
                if (m.system_data or {}).get("kind") == "routed"
            )
    finally:
        await db.dispose()
    return rows, routed


@pytest.mark.parametrize("backend", ["postgresql"])
async def test_concurrent_hand_offs_on_two_nodes_never_double_assign_nor_exceed_capacity(
    database_url: str, tmp_path: Path
) -> None:
    url = database_url
    nodes: list[Server] = []
    clients: list[httpx.AsyncClient] = []
    consoles: list[Socket] = []
    try:
        nodes += [
            await start_server(
                plain_url(url), tmp_path / name, tmp_path / f"{name}.log", rate_limits="off"
            )
            for name in ("a", "b")
        ]
        agent_ids = await _desk(url)
        for n in range(AGENTS):
            staff = await login(nodes[n % 2], f"agent{n}@desk.test")
            clients.append(staff.http)
            consoles.append(await open_socket(f"{nodes[n % 2].ws}/console", cookie=staff.cookie))
        visitors = [await new_visitor(nodes[i % 2], f"V{i}") for i in range(VISITORS)]
        clients += [v.http for v in visitors]

        async def hand_off(i: int) -> int:
            response = await visitors[i].http.post(
                "/api/v1/widget/conversations",
                json={"body": f"help {i}", "client_id": uuid.uuid4().hex},
            )
            assert response.status_code == 201, response.text
            return int(response.json()["id"])

        await asyncio.gather(*(hand_off(i) for i in range(VISITORS)))
        rows, routed = await _state(url)
        loads = Counter(r.assignee_id for r in rows if r.status == Status.OPEN)
        assert set(loads) == set(agent_ids) and set(loads.values()) == {SEATS}
        assert max(routed.values()) == 1  # no conversation was given twice
        assert sum(r.status == Status.QUEUED for r in rows) == VISITORS - AGENTS * SEATS

        # Every agent resolves one chat at once, through both nodes: three seats free, and
        # the three oldest waiting conversations fill them, again without going over.
        waiting = sorted((r.queued_at, r.id) for r in rows if r.status == Status.QUEUED)
        oldest_waiting = [conversation_id for _, conversation_id in waiting[:AGENTS]]
        staff = [await login(nodes[n % 2], f"agent{n}@desk.test") for n in range(AGENTS)]
        clients += [s.http for s in staff]
        first_of = {r.assignee_id: r.id for r in reversed(rows) if r.status == Status.OPEN}
        results = await asyncio.gather(
            *(
                s.http.patch(
                    f"/api/v1/conversations/{first_of[s.agent_id]}", json={"status": "resolved"}
                )
                for s in staff
            )
        )
        assert [r.status_code for r in results] == [200] * AGENTS
        rows, routed = await _state(url)
        loads = Counter(r.assignee_id for r in rows if r.status == Status.OPEN)
        assert set(loads.values()) == {SEATS}
        assert max(routed.values()) == 1
        now_open = {r.id for r in rows if r.status == Status.OPEN}
        assert set(oldest_waiting) <= now_open
    finally:
        for sock in consoles:
            await sock.close()
        for http in clients:
            await http.aclose()
        for node in nodes:
            node.stop()
