"""Routing in the database: place queued conversations in a team, serve teams' queues.

Writers ask for routing with :func:`request_routing` (a conversation entered the queue)
or :func:`request_capacity` (an agent may have room: came online, finished a chat); the
work runs once, as the first step before their transaction commits, so it sees every
write of the transaction and its assignments commit with it.

Concurrency (docs/routing.md, "Two nodes"): the agent rows of every team served are
locked with one ``SELECT … FOR UPDATE`` in id order before their loads are counted, so two
transactions that could give work to the same agent take turns, and the second counts the
first one's assignments (READ COMMITTED: each statement sees what committed before it).
Queued conversations are taken with ``SKIP LOCKED``: one being handed off by another
transaction is that transaction's to route. Locks are always taken in the order
conversation → agents → event streams (routing runs before the events are numbered), so
no two transactions wait for each other in a cycle. SQLite has one writer: no locks needed.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from supportdesk.accounts.models import Agent, AgentPresence, Presence, Team, TeamMember
from supportdesk.accounts.queries import effective
from supportdesk.conversations.models import Conversation, Status
from supportdesk.db.base import utcnow
from supportdesk.realtime.events import contact_stream, emit
from supportdesk.routing.assign import AgentView, Need, TeamView, pick_agent, target_team
from supportdesk.routing.hours import (
    DEFAULT_WEEK,
    Schedule,
    Span,
    next_opening,
    open_intervals,
    parse_interval,
)
from supportdesk.routing.models import RoutingExclusion, TeamHoliday
from supportdesk.routing.settings import routing_rules

DEFAULT_PRESENCE_TIMEOUT = 90.0
# Statuses that hold a place in an agent's capacity.
ACTIVE = (Status.OPEN, Status.PENDING)
HANDLING_SAMPLE = 50
HANDLING_WINDOW = timedelta(days=7)
_PENDING_KEY = "routing"


@dataclass(slots=True)
class _Pending:
    conversations: set[int] = field(default_factory=set)
    agents: set[int] = field(default_factory=set)
    teams: set[int] = field(default_factory=set)


_node_presence_timeout = DEFAULT_PRESENCE_TIMEOUT


def configure(*, presence_timeout_seconds: float) -> None:
    """Set once at start-up from the node's settings (maintenance.run_forever)."""
    global _node_presence_timeout
    _node_presence_timeout = presence_timeout_seconds


def presence_timeout(session: AsyncSession) -> float:
    """The node's presence timeout (a session may carry its own, for tests)."""
    return float(session.info.get("presence_timeout", _node_presence_timeout))


def _pending(session: AsyncSession) -> _Pending | None:
    steps = session.info.get("before_commit")
    if steps is None:
        return None  # not a Database.transaction(): nothing commits, nothing to route
    pending = session.info.get(_PENDING_KEY)
    if pending is None:
        pending = session.info[_PENDING_KEY] = _Pending()
        # First, not last: routing locks agents, and must do so before the event step
        # locks the stream rows (see the module docstring).
        steps.insert(0, _route_step)
    assert isinstance(pending, _Pending)
    return pending


def request_routing(session: AsyncSession, conversation_id: int) -> None:
    pending = _pending(session)
    if pending is not None:
        pending.conversations.add(conversation_id)


def request_capacity(
    session: AsyncSession, *, agent_id: int | None = None, team_id: int | None = None
) -> None:
    pending = _pending(session)
    if pending is None:
        return
    if agent_id is not None:
        pending.agents.add(agent_id)
    if team_id is not None:
        pending.teams.add(team_id)


async def _route_step(session: AsyncSession) -> None:
    pending = session.info.pop(_PENDING_KEY, None)
    if not isinstance(pending, _Pending):
        return
    await route(
        session,
        conversation_ids=pending.conversations,
        agent_ids=pending.agents,
        team_ids=pending.teams,
    )


async def route(
    session: AsyncSession,
    *,
    conversation_ids: Iterable[int] = (),
    agent_ids: Iterable[int] = (),
    team_ids: Iterable[int] = (),
    now: datetime | None = None,
) -> list[int]:
    """Place the conversations, then serve the queues of their teams and of the agents'
    teams, oldest first. Returns the ids of the conversations assigned."""
    now = now or utcnow()
    teams = await team_views(session, now)
    rules = await routing_rules(session)
    to_serve = set(team_ids) | await _teams_of(session, set(agent_ids))
    joined: dict[int, set[int]] = {}
    left: set[int] = set()
    for conversation_id in sorted(set(conversation_ids)):
        conversation = await session.get(Conversation, conversation_id)
        if conversation is None or not _waiting(conversation):
            continue
        before = conversation.team_id
        team_id = place(conversation, teams, rules.overflow, now)
        if before is not None and before != team_id:
            left.add(before)
        if team_id is not None:
            to_serve.add(team_id)
            joined.setdefault(team_id, set()).add(conversation_id)
    open_ids = {t.id for t in teams if t.is_open}
    assigned = await serve(session, sorted(to_serve & open_ids), now)
    left |= set(assigned.values())
    for team_id in sorted(left | set(joined)):
        await notify_queue(session, team_id, now, None if team_id in left else joined[team_id])
    return sorted(assigned)


def _waiting(conversation: Conversation) -> bool:
    return conversation.status == Status.QUEUED and conversation.assignee_id is None


def place(
    conversation: Conversation, teams: list[TeamView], overflow: str, now: datetime
) -> int | None:
    """Put a waiting conversation in the team that should take it now (follow the sun)."""
    need = Need(
        language=conversation.locale, topic=conversation.topic, team_id=conversation.team_id
    )
    team = target_team(teams, need, overflow)
    if conversation.queued_at is None:
        conversation.queued_at = now
    if team is None:
        return None
    conversation.team_id = team.id
    return team.id


@lru_cache(maxsize=1024)
def _schedule(timezone: str, weekly: str, holidays: tuple[date, ...]) -> Schedule:
    """Parsing a week is most of a routing decision's time; teams rarely change."""
    intervals = json.loads(weekly)
    return Schedule(
        timezone or "UTC",
        DEFAULT_WEEK
        if intervals is None
        else tuple(parse_interval(i["day"], i["start"], i["end"]) for i in intervals),
        frozenset(holidays),
    )


@lru_cache(maxsize=4096)
def _hour_spans(schedule: Schedule, hour: datetime) -> tuple[Span, ...]:
    return tuple(open_intervals(schedule, hour, hour + timedelta(hours=1)))


def open_at(schedule: Schedule, now: datetime) -> bool:
    """``is_open``, from the schedule's open spans within the hour around ``now``, cached:
    the same answer (the spans are exact), without walking the week for every team."""
    hour = now.replace(minute=0, second=0, microsecond=0)
    return any(span.start <= now < span.end for span in _hour_spans(schedule, hour))


async def _team_schedules(session: AsyncSession) -> list[tuple[_TeamRow, Schedule]]:
    """Every team's routing fields and schedule: plain rows, not entities (it is hot)."""
    rows = [
        _TeamRow(*row)
        for row in await session.execute(
            select(Team.id, Team.timezone, Team.weekly_hours, Team.languages, Team.skills).order_by(
                Team.id
            )
        )
    ]
    closed: dict[int, list[date]] = {}
    for team_id, day in await session.execute(
        select(TeamHoliday.team_id, TeamHoliday.date).order_by(TeamHoliday.date)
    ):
        closed.setdefault(team_id, []).append(day)
    return [
        (
            row,
            _schedule(
                row.timezone,
                json.dumps(row.weekly_hours, sort_keys=True),
                tuple(closed.get(row.id, ())),
            ),
        )
        for row in rows
    ]


@dataclass(frozen=True, slots=True)
class _TeamRow:
    id: int
    timezone: str
    weekly_hours: list[dict[str, str]] | None
    languages: list[str] | None
    skills: list[str] | None


async def team_views(session: AsyncSession, now: datetime) -> list[TeamView]:
    staffed = set(
        await session.scalars(
            select(TeamMember.team_id)
            .join(Agent, Agent.id == TeamMember.agent_id)
            .where(Agent.is_active.is_(True))
            .distinct()
        )
    )
    return [
        TeamView(
            id=team.id,
            languages=tuple(team.languages or ()),
            skills=tuple(team.skills or ()),
            is_open=open_at(schedule, now),
            staffed=team.id in staffed,
        )
        for team, schedule in await _team_schedules(session)
    ]


async def _teams_of(session: AsyncSession, agent_ids: set[int]) -> set[int]:
    if not agent_ids:
        return set()
    rows = await session.scalars(
        select(TeamMember.team_id).where(TeamMember.agent_id.in_(sorted(agent_ids)))
    )
    return set(rows)


async def locked_agents(
    session: AsyncSession, team_ids: list[int]
) -> tuple[dict[int, AgentView], dict[int, list[int]]]:
    """Lock the active members of these teams (id order) and read their load and presence.

    Returns (agent id → view, team id → member ids). The load is counted after the lock,
    so it includes every assignment committed by a transaction that held it before.
    """
    members: dict[int, list[int]] = {team_id: [] for team_id in team_ids}
    capacity: dict[int, int] = {}
    presence: dict[int, AgentPresence | None] = {}
    rows = await session.execute(
        select(TeamMember.team_id, Agent.id, Agent.max_chats, AgentPresence)
        .join(Agent, Agent.id == TeamMember.agent_id)
        .outerjoin(AgentPresence, AgentPresence.agent_id == Agent.id)
        .where(TeamMember.team_id.in_(team_ids), Agent.is_active.is_(True))
        .order_by(Agent.id)
        .with_for_update(of=Agent)
    )
    for team_id, agent_id, max_chats, record in rows:
        members[team_id].append(agent_id)
        capacity[agent_id] = max_chats
        presence[agent_id] = record
    if not capacity:
        return {}, members
    return await _views(session, capacity, presence), members


async def _views(
    session: AsyncSession,
    capacity: dict[int, int],
    records: dict[int, AgentPresence | None] | None = None,
) -> dict[int, AgentView]:
    ids = sorted(capacity)
    timeout = presence_timeout(session)
    if records is None:
        records = {
            p.agent_id: p
            for p in await session.scalars(
                select(AgentPresence).where(AgentPresence.agent_id.in_(ids))
            )
        }
    presence = {a: effective(records.get(a), timeout) for a in ids}
    loads = await session.execute(
        select(
            Conversation.assignee_id,
            func.count().filter(Conversation.status.in_(ACTIVE)),
            func.max(Conversation.assigned_at),
        )
        .where(Conversation.assignee_id.in_(ids))
        .group_by(Conversation.assignee_id)
    )
    load: dict[int, tuple[int, datetime | None]] = {
        int(a): (int(n), last) for a, n, last in loads if a is not None
    }
    return {
        agent_id: AgentView(
            id=agent_id,
            online=presence.get(agent_id) == Presence.ONLINE,
            load=load.get(agent_id, (0, None))[0],
            capacity=capacity[agent_id],
            last_assigned_at=load.get(agent_id, (0, None))[1],
        )
        for agent_id in ids
    }


async def serve(session: AsyncSession, team_ids: list[int], now: datetime) -> dict[int, int]:
    """Give each served team's queued conversations, oldest first, to its free agents.

    Returns conversation id → team id of each assignment.
    """
    from supportdesk.conversations.workflow import do_route_to_agent

    if not team_ids:
        return {}
    agents, members = await locked_agents(session, team_ids)
    assigned: dict[int, int] = {}
    for team_id in team_ids:
        for conversation in await _queue_head(session, team_id, agents, members[team_id]):
            excluded = await excluded_agents(session, conversation.id)
            pick = pick_agent((agents[a] for a in members[team_id]), excluded)
            if pick is None:
                continue
            agent = await session.get(Agent, pick.id)
            assert agent is not None
            await do_route_to_agent(session, conversation, agent, now=now)
            agents[pick.id] = replace(pick, load=pick.load + 1, last_assigned_at=now)
            assigned[conversation.id] = team_id
    return assigned


async def _queue_head(
    session: AsyncSession, team_id: int, agents: dict[int, AgentView], member_ids: list[int]
) -> list[Conversation]:
    """The oldest waiting conversations that the team's free seats could take.

    ``SKIP LOCKED``: a conversation locked by another transaction (its own hand-off, or
    another node's pass) is left to it rather than waited for.
    """
    seats = sum(max(agents[a].spare, 0) for a in member_ids if agents[a].online)
    if seats <= 0:
        return []
    return list(
        await session.scalars(
            select(Conversation)
            .where(
                Conversation.status == Status.QUEUED,
                Conversation.team_id == team_id,
                Conversation.assignee_id.is_(None),
            )
            .order_by(Conversation.queued_at, Conversation.id)
            # Room for conversations whose only free agents are excluded from them.
            .limit(seats + 20)
            .with_for_update(skip_locked=True)
            .execution_options(populate_existing=True)
        )
    )


async def excluded_agents(session: AsyncSession, conversation_id: int) -> frozenset[int]:
    rows = await session.scalars(
        select(RoutingExclusion.agent_id).where(RoutingExclusion.conversation_id == conversation_id)
    )
    return frozenset(rows)


# --- the queue as the visitor sees it ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class QueueState:
    conversation_id: int
    team_id: int | None
    queue_position: int | None
    expected_wait_seconds: int | None
    next_opening: datetime | None

    def payload(self) -> dict[str, object]:
        return {
            "conversation_id": self.conversation_id,
            "queue_position": self.queue_position,
            "expected_wait_seconds": self.expected_wait_seconds,
            "next_opening": self.next_opening.isoformat() if self.next_opening else None,
        }


async def handling_seconds(session: AsyncSession, team_id: int, now: datetime) -> float | None:
    """The mean time from assignment to resolution of the team's recent conversations."""
    rows = await session.execute(
        select(Conversation.assigned_at, Conversation.resolved_at)
        .where(
            Conversation.team_id == team_id,
            Conversation.assigned_at.is_not(None),
            Conversation.resolved_at.is_not(None),
            Conversation.resolved_at >= now - HANDLING_WINDOW,
        )
        .order_by(Conversation.resolved_at.desc())
        .limit(HANDLING_SAMPLE)
    )
    spans = [(done - start).total_seconds() for start, done in rows if start and done]
    spans = [s for s in spans if s >= 0]
    return sum(spans) / len(spans) if spans else None


def expected_wait(position: int, seats: int, handling: float | None) -> int | None:
    """Conversations leave the queue as seats free: position N waits about ceil(N / seats)
    handling times, ``seats`` being the online team's total capacity (at least one)."""
    if handling is None:
        return None
    return int(math.ceil(position / max(seats, 1)) * handling)


async def _team_seats(session: AsyncSession, team_id: int) -> int:
    members = await session.scalars(
        select(TeamMember.agent_id).where(TeamMember.team_id == team_id)
    )
    capacity = _pairs(
        await session.execute(
            select(Agent.id, Agent.max_chats).where(
                Agent.id.in_(list(members)), Agent.is_active.is_(True)
            )
        )
    )
    views = await _views(session, capacity) if capacity else {}
    return sum(v.capacity for v in views.values() if v.online)


async def queue_states(session: AsyncSession, team_id: int, now: datetime) -> list[QueueState]:
    """Every waiting conversation of the team with its position (1 = next), oldest first."""
    ids = list(
        await session.scalars(
            select(Conversation.id)
            .where(
                Conversation.status == Status.QUEUED,
                Conversation.team_id == team_id,
                Conversation.assignee_id.is_(None),
            )
            .order_by(Conversation.queued_at, Conversation.id)
        )
    )
    if not ids:
        return []
    opening = await _team_opening(session, team_id, now)
    handling = None if opening else await handling_seconds(session, team_id, now)
    seats = 0 if opening else await _team_seats(session, team_id)
    return [
        QueueState(
            conversation_id=cid,
            team_id=team_id,
            queue_position=n,
            expected_wait_seconds=None if opening else expected_wait(n, seats, handling),
            next_opening=opening,
        )
        for n, cid in enumerate(ids, start=1)
    ]


async def _team_opening(session: AsyncSession, team_id: int, now: datetime) -> datetime | None:
    """When the team opens next; None when it is open now (or never opens)."""
    for team, schedule in await _team_schedules(session):
        if team.id == team_id:
            opening = next_opening(schedule, now)
            return opening if opening is not None and opening > now else None
    return None


async def queue_state(session: AsyncSession, conversation: Conversation) -> QueueState:
    if not _waiting(conversation) or conversation.team_id is None:
        return QueueState(conversation.id, conversation.team_id, None, None, None)
    for state in await queue_states(session, conversation.team_id, utcnow()):
        if state.conversation_id == conversation.id:
            return state
    return QueueState(conversation.id, conversation.team_id, None, None, None)


async def notify_queue(
    session: AsyncSession, team_id: int, now: datetime, joined: set[int] | None = None
) -> None:
    """Tell the visitors waiting in the team their new place (``queue.updated``).

    ``joined``: only these conversations entered the queue (nobody left it), so only
    they and those they went ahead of have a new place — usually just themselves, at the
    end: a burst of hand-offs costs one event each, not one per waiting visitor.
    """
    states = await queue_states(session, team_id, now)
    if joined is not None:
        first = min(
            (s.queue_position or 0 for s in states if s.conversation_id in joined), default=0
        )
        states = [s for s in states if first and (s.queue_position or 0) >= first]
    if not states:
        return
    contacts = _pairs(
        await session.execute(
            select(Conversation.id, Conversation.contact_id).where(
                Conversation.id.in_([s.conversation_id for s in states])
            )
        )
    )
    for state in states:
        await emit(
            session,
            contact_stream(contacts[state.conversation_id]),
            "queue.updated",
            state.payload(),
        )


def _pairs(rows: Iterable[Any]) -> dict[Any, Any]:
    return {key: value for key, value in rows}
