"""Routing at desk scale: the decision's latency, and a burst of hand-offs.

    python bench/routing.py                                   # SQLite in a temporary dir
    python bench/routing.py --database-url postgresql+asyncpg://postgres@127.0.0.1/bench

The database must be empty (it is migrated here). Builds 50 teams × 10 agents (500, all
online, capacity 5, all seats taken: a team has a queue only when its agents are full) and
5,000 waiting conversations spread over the teams, then:

1. **decision**: for a new hand-off, the routing decision as the server makes it — the
   teams and their hours, the follow-the-sun choice, the agent rows locked and their load
   and presence read, the pick (``routing.queue``) — in a transaction rolled back after,
   so every sample sees the same desk. **hand-off**: the whole ``route()`` of a new
   conversation: the decision, serving the team's queue head oldest first, the notes and
   events, and ``queue.updated`` to every visitor waiting in that team (rolled back too).
   **baseline (naive)**: the same decision done the obvious way — every agent, membership
   and active conversation loaded and counted in Python.
2. **burst**: 1,000 conversations handed off at once (``asyncio.gather``, 25 in flight at
   a time as a node's connection pool allows; one transaction each, through
   ``do_start_conversation`` as the widget does) on a fresh desk of 5 teams (one per
   language) × 100 agents with one seat each, visitors' languages in turn; then checks
   that no conversation was given twice and no agent holds more than one.

Prints one JSON document (milliseconds).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from supportdesk.accounts.models import Agent, AgentPresence, Presence, Team, TeamMember
from supportdesk.bot.metrics import percentile
from supportdesk.contacts.models import Contact
from supportdesk.conversations.models import Conversation, Message, Status
from supportdesk.db.base import utcnow
from supportdesk.db.engine import Database
from supportdesk.db.migrate import migrate
from supportdesk.routing.assign import Need, pick_agent, target_team
from supportdesk.routing.queue import ACTIVE, locked_agents, route, team_views
from supportdesk.routing.settings import routing_rules

LANGUAGES = ["en", "es", "zh", "fr", "de"]
SKILLS = ["payments", "futures", "tier-2", "kyc", "security"]
ALL_WEEK = [
    {"day": d, "start": "00:00", "end": "24:00"}
    for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
]


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def timings(values: Sequence[float]) -> dict[str, float]:
    return {
        "p50": round(percentile(values, 50) or 0.0, 3),
        "p99": round(percentile(values, 99) or 0.0, 3),
        "max": round(max(values), 3),
        "n": len(values),
    }


async def build_desk(
    db: Database, *, teams: int, per_team: int, seats: int, busy: int, waiting: int
) -> None:
    now = utcnow()
    async with db.transaction() as session:
        team_rows = [
            Team(
                name=f"team-{t}",
                timezone="UTC",
                languages=[LANGUAGES[t % len(LANGUAGES)]],
                skills=[SKILLS[(t // len(LANGUAGES)) % len(SKILLS)]],
                weekly_hours=ALL_WEEK,
            )
            for t in range(teams)
        ]
        session.add_all(team_rows)
        agents = [
            # No login accepts "x" as a hash: these agents only route.
            Agent(email=f"a{i}@bench.test", name=f"A{i}", password_hash="x", max_chats=seats)  # noqa: S106
            for i in range(teams * per_team)
        ]
        session.add_all(agents)
        await session.flush()
        for i, agent in enumerate(agents):
            session.add(TeamMember(team_id=team_rows[i // per_team].id, agent_id=agent.id))
            session.add(
                AgentPresence(
                    agent_id=agent.id,
                    status=Presence.ONLINE,
                    heartbeat_at=now + timedelta(days=1),  # stays fresh for the whole run
                    connections=1,
                )
            )
        contacts = [Contact() for _ in range(len(agents) * busy + waiting)]
        session.add_all(contacts)
        await session.flush()
        rows = [
            Conversation(
                contact_id=contacts[i * busy + k].id,
                status=Status.OPEN,
                team_id=team_rows[i // per_team].id,
                assignee_id=agent.id,
                assigned_at=now - timedelta(minutes=k + 1),
            )
            for i, agent in enumerate(agents)
            for k in range(busy)
        ]
        offset = len(agents) * busy
        for w in range(waiting):
            team = team_rows[w % teams]
            rows.append(
                Conversation(
                    contact_id=contacts[offset + w].id,
                    status=Status.QUEUED,
                    team_id=team.id,
                    locale=team.languages[0],
                    queued_at=now - timedelta(seconds=waiting - w),
                )
            )
        session.add_all(rows)


async def decision(db: Database, language: str) -> float:
    """The decision alone, as routing.queue makes it; rolled back."""
    async with db.write_sessionmaker() as session, session.begin():
        start = time.perf_counter()
        now = utcnow()
        teams = await team_views(session, now)
        rules = await routing_rules(session)
        team = target_team(teams, Need(language=language, topic="payments"), rules.overflow)
        assert team is not None
        agents, members = await locked_agents(session, [team.id])
        pick_agent(agents[a] for a in members[team.id])
        elapsed = (time.perf_counter() - start) * 1000
        await session.rollback()
    return elapsed


async def naive_decision(db: Database, language: str) -> float:
    """The obvious way: load everything, count in Python."""
    async with db.session() as session:
        start = time.perf_counter()
        teams = list(await session.scalars(select(Team)))
        team = next(t for t in teams if language in t.languages)
        members = [
            m.agent_id for m in await session.scalars(select(TeamMember)) if m.team_id == team.id
        ]
        presence = {p.agent_id: p for p in await session.scalars(select(AgentPresence))}
        agents = {a.id: a for a in await session.scalars(select(Agent))}
        loads: Counter[int] = Counter()
        for c in await session.scalars(select(Conversation)):
            if c.status in ACTIVE and c.assignee_id is not None:
                loads[c.assignee_id] += 1
        free = [
            a
            for a in members
            if presence[a].status == Presence.ONLINE and loads[a] < agents[a].max_chats
        ]
        max(free, key=lambda a: agents[a].max_chats - loads[a], default=None)
        return (time.perf_counter() - start) * 1000


async def hand_off(db: Database, language: str) -> float:
    """A new conversation's whole route(): decision, assignment, notes, queue events."""
    async with db.write_sessionmaker() as session, session.begin():
        session.info["events"] = []
        session.info["before_commit"] = []
        contact = Contact()
        session.add(contact)
        await session.flush()
        conversation = Conversation(
            contact_id=contact.id, status=Status.QUEUED, locale=language, queued_at=utcnow()
        )
        session.add(conversation)
        await session.flush()
        start = time.perf_counter()
        await route(session, conversation_ids=[conversation.id])
        for step in session.info["before_commit"]:  # the events are numbered and stored
            await step(session)
        elapsed = (time.perf_counter() - start) * 1000
        await session.rollback()
    return elapsed


async def burst(db: Database, count: int, concurrency: int) -> dict[str, Any]:
    from supportdesk.conversations.actions import do_start_conversation

    async with db.transaction() as session:
        contacts = [Contact(locale=LANGUAGES[i % len(LANGUAGES)]) for i in range(count)]
        session.add_all(contacts)
    ids = [c.id for c in contacts]

    gate = asyncio.Semaphore(concurrency)

    async def one(contact_id: int) -> None:
        async with gate, db.transaction() as session:
            contact = await session.get(Contact, contact_id)
            assert contact is not None
            await do_start_conversation(session, contact, status=Status.QUEUED)

    start = time.perf_counter()
    await asyncio.gather(*(one(i) for i in ids))
    elapsed = time.perf_counter() - start
    async with db.session() as session:
        rows = list(await session.scalars(select(Conversation)))
        routed = Counter(
            m.conversation_id
            for m in await session.scalars(select(Message))
            if (m.system_data or {}).get("kind") == "routed"
        )
        capacity = {a.id: a.max_chats for a in await session.scalars(select(Agent))}
    loads = Counter(r.assignee_id for r in rows if r.status in ACTIVE and r.assignee_id)
    return {
        "hand_offs": count,
        "in_flight": concurrency,
        "seconds": round(elapsed, 2),
        "per_second": round(count / elapsed, 1),
        "assigned": sum(loads.values()),
        "queued": sum(r.status == Status.QUEUED for r in rows),
        "given_twice": sum(1 for n in routed.values() if n > 1),
        "agents_over_capacity": sum(1 for a, n in loads.items() if n > capacity[a]),
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", help="an empty database (default: SQLite, temp dir)")
    parser.add_argument("--burst-database-url", help="a second empty database for the burst")
    parser.add_argument("--samples", type=int, default=1000)
    parser.add_argument("--burst", type=int, default=1000)
    parser.add_argument(
        "--concurrency",
        type=int,
        default=25,
        help="hand-offs in flight at once (a node's pool holds 30 connections)",
    )
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="routing-bench-"))
    url = args.database_url or f"sqlite+aiosqlite:///{tmp}/desk.db"
    burst_url = args.burst_database_url or f"sqlite+aiosqlite:///{tmp}/burst.db"
    db = Database(url)
    await migrate(db)
    log("building 50 teams, 500 agents, 2,500 open and 5,000 waiting conversations…")
    # Consistent: a team has a queue only when all its seats are taken.
    await build_desk(db, teams=50, per_team=10, seats=5, busy=5, waiting=5000)
    results: dict[str, Any] = {"database": url.split(":")[0]}
    for name, fn, n in (
        ("decision", decision, args.samples),
        ("baseline_naive_decision", naive_decision, max(args.samples // 10, 20)),
        ("hand_off", hand_off, max(args.samples // 5, 50)),
    ):
        log(f"{name}: {n} samples")
        samples = [await fn(db, LANGUAGES[i % len(LANGUAGES)]) for i in range(n)]
        results[name] = timings(samples)
    await db.dispose()
    burst_db = Database(burst_url)
    await migrate(burst_db)
    # One team per language, 100 agents with one seat each: 500 seats for 1,000 hand-offs.
    await build_desk(burst_db, teams=5, per_team=100, seats=1, busy=0, waiting=0)
    log(f"burst of {args.burst} hand-offs…")
    results["burst"] = await burst(burst_db, args.burst, args.concurrency)
    await burst_db.dispose()
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    asyncio.run(main())
