"""Taking conversations back: from agents who went offline or did not answer, and the
periodic sweep that also serves every open team's queue (the safety net of routing)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from supportdesk.accounts.models import AgentPresence, Presence, Team
from supportdesk.accounts.queries import effective
from supportdesk.conversations.models import Conversation, Message, SenderType, Status
from supportdesk.db.base import utcnow
from supportdesk.errors import Conflict
from supportdesk.realtime.events import STAFF_STREAM, emit
from supportdesk.routing.queue import presence_timeout, route, team_views
from supportdesk.routing.settings import routing_rules


async def _open_conversations(session: AsyncSession, *conditions: object) -> list[Conversation]:
    """Open, assigned conversations, locked; ones another transaction holds are skipped
    (another node's sweep or a writer is dealing with them)."""
    return list(
        await session.scalars(
            select(Conversation)
            .where(
                Conversation.status == Status.OPEN,
                Conversation.assignee_id.is_not(None),
                *conditions,  # type: ignore[arg-type]
            )
            .order_by(Conversation.id)
            .with_for_update(skip_locked=True)
            .execution_options(populate_existing=True)
        )
    )


async def do_requeue_agent(session: AsyncSession, agent_id: int, *, reason: str) -> list[int]:
    """Every open conversation of the agent goes back to the queue (they went offline)."""
    from supportdesk.conversations.workflow import do_requeue

    taken = []
    for conversation in await _open_conversations(session, Conversation.assignee_id == agent_id):
        await do_requeue(session, conversation, reason=reason, exclude=False)
        taken.append(conversation.id)
    return taken


async def offline_assignees(session: AsyncSession) -> list[int]:
    """Agents who hold open conversations but count as offline (stopped heartbeats)."""
    assignees = await session.scalars(
        select(Conversation.assignee_id).where(
            Conversation.status == Status.OPEN, Conversation.assignee_id.is_not(None)
        )
    )
    ids = sorted({a for a in assignees if a is not None})
    if not ids:
        return []
    records = {
        p.agent_id: p
        for p in await session.scalars(select(AgentPresence).where(AgentPresence.agent_id.in_(ids)))
    }
    timeout = presence_timeout(session)
    return [a for a in ids if effective(records.get(a), timeout) == Presence.OFFLINE]


async def do_requeue_unanswered(session: AsyncSession, now: datetime, seconds: int) -> list[int]:
    """Conversations whose agent has not written since getting them, ``seconds`` ago or
    more, while the customer waits: back to the queue, that agent excluded for them."""
    from supportdesk.conversations.workflow import do_requeue

    if seconds <= 0:
        return []
    answered = exists().where(
        and_(
            Message.conversation_id == Conversation.id,
            Message.sender_type == SenderType.AGENT,
            Message.sender_agent_id == Conversation.assignee_id,
            Message.created_at >= Conversation.assigned_at,
        )
    )
    stale = await _open_conversations(
        session,
        Conversation.assigned_at < now - timedelta(seconds=seconds),
        Conversation.waiting_since.is_not(None),
        ~answered,
    )
    for conversation in stale:
        await do_requeue(session, conversation, reason="no_answer", exclude=True)
    return [c.id for c in stale]


async def do_sweep(session: AsyncSession, *, now: datetime | None = None) -> list[int]:
    """One pass of the safety net; returns the conversations assigned by it.

    Takes chats back from offline and silent agents, moves waiting conversations out of
    closed teams when another team can take them (follow the sun), and serves every open
    team's queue oldest first: a team that has just opened gets its offline conversations.
    """
    now = now or utcnow()
    requeued: list[int] = []
    for agent_id in await offline_assignees(session):
        requeued += await do_requeue_agent(session, agent_id, reason="offline")
    rules = await routing_rules(session)
    requeued += await do_requeue_unanswered(session, now, rules.no_answer_seconds)
    teams = await team_views(session, now)
    closed = [t.id for t in teams if not t.is_open]
    misplaced = await session.scalars(
        select(Conversation.id).where(
            Conversation.status == Status.QUEUED,
            Conversation.assignee_id.is_(None),
            (Conversation.team_id.is_(None)) | (Conversation.team_id.in_(closed)),
        )
    )
    all_teams = await session.scalars(select(Team.id))
    return await route(
        session,
        conversation_ids=set(misplaced) | set(requeued),
        team_ids=set(all_teams),
        now=now,
    )


async def do_ask_another_agent(session: AsyncSession, conversation: Conversation) -> None:
    """The customer asks for someone else: back to the queue without the current agent,
    who is excluded for this conversation; supervisors hear of it."""
    from supportdesk.conversations.workflow import do_requeue

    if conversation.status not in (Status.OPEN, Status.PENDING) or conversation.assignee_id is None:
        raise Conflict("no agent has this conversation", code="no_agent")
    agent_id = await do_requeue(session, conversation, reason="visitor_asked", exclude=True)
    await emit(
        session,
        STAFF_STREAM,
        "routing.another_agent_requested",
        {"conversation_id": conversation.id, "agent_id": agent_id, "team_id": conversation.team_id},
    )
