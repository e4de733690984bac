"""Status, assignment and priority: the one place that says which status may follow which."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from supportdesk.accounts.models import Agent, Team
from supportdesk.conversations.actions import Author
from supportdesk.conversations.models import Conversation, Priority, Status
from supportdesk.conversations.notify import do_system_note, notify_conversation
from supportdesk.db.base import utcnow
from supportdesk.errors import Conflict, InvalidInput
from supportdesk.routing.queue import request_capacity, request_routing

TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.BOT: frozenset({Status.QUEUED, Status.OPEN, Status.RESOLVED, Status.CLOSED}),
    Status.QUEUED: frozenset({Status.OPEN, Status.PENDING, Status.RESOLVED, Status.CLOSED}),
    Status.OPEN: frozenset({Status.QUEUED, Status.PENDING, Status.RESOLVED, Status.CLOSED}),
    Status.PENDING: frozenset({Status.OPEN, Status.QUEUED, Status.RESOLVED, Status.CLOSED}),
    Status.RESOLVED: frozenset({Status.OPEN, Status.QUEUED, Status.CLOSED}),
    Status.CLOSED: frozenset(),
}


def check_transition(current: Status, new: Status) -> None:
    if new != current and new not in TRANSITIONS[current]:
        allowed = ", ".join(sorted(s.value for s in TRANSITIONS[current])) or "none"
        raise Conflict(
            f"a {current.value} conversation cannot become {new.value} (allowed: {allowed})",
            code="invalid_transition",
        )


async def do_change_status(
    session: AsyncSession, conversation: Conversation, status: Status, *, actor: Author
) -> Conversation:
    if status == conversation.status:
        return conversation
    check_transition(conversation.status, status)
    previous = conversation.status
    conversation.status = status
    conversation.updated_at = utcnow()
    if status == Status.RESOLVED:
        conversation.resolved_at = conversation.updated_at
        conversation.waiting_since = None
    elif previous == Status.RESOLVED:
        conversation.resolved_at = None
    if previous in (Status.OPEN, Status.PENDING) and conversation.assignee_id is not None:
        request_capacity(session, agent_id=conversation.assignee_id)  # a seat frees
    if status == Status.QUEUED:
        conversation.assignee_id = None
        conversation.queued_at = conversation.updated_at
        request_routing(session, conversation.id)
    await session.flush()
    actor_name = actor.name or actor.type.value
    await do_system_note(
        session,
        conversation,
        f"{actor_name} set status {status}",
        {"kind": "status", "status": status.value, "actor": actor_name},
    )
    await notify_conversation(session, conversation, "conversation.updated")
    return conversation


async def do_assign(
    session: AsyncSession,
    conversation: Conversation,
    *,
    actor: Author,
    agent: Agent | None,
    team: Team | None = None,
    note: str = "",
    set_team: bool = False,
) -> Conversation:
    """Assign to an agent (None: unassign) and, when ``set_team``, to a team (None: no team)."""
    if conversation.status == Status.CLOSED:
        raise Conflict("this conversation is closed", code="conversation_closed")
    if agent is not None and not agent.is_active:
        raise InvalidInput(f"agent {agent.id} is deactivated", code="agent_inactive")
    now = utcnow()
    _track_assignment(session, conversation, agent.id if agent else None, now)
    conversation.assignee_id = agent.id if agent else None
    if set_team:
        conversation.team_id = team.id if team else None
    if agent is not None and conversation.status in (Status.QUEUED, Status.BOT):
        conversation.status = Status.OPEN
    elif agent is None and conversation.status == Status.OPEN:
        conversation.status = Status.QUEUED
        conversation.queued_at = now
    if conversation.status == Status.QUEUED and conversation.assignee_id is None:
        request_routing(session, conversation.id)  # to the new team's queue, or back
    conversation.updated_at = now
    await session.flush()
    actor_name = actor.name or actor.type.value
    target = agent.name if agent else "nobody"
    text = f"{actor_name} assigned the conversation to {target}"
    if team is not None:
        text += f" (team {team.name})"
    data = {
        "kind": "assignment",
        "actor": actor_name,
        "agent_id": agent.id if agent else None,
        "agent": agent.name if agent else None,
        "team_id": team.id if team else None,
        "team": team.name if team else None,
        "note": note,
    }
    await do_system_note(
        session, conversation, text + (f": {note}" if note else ""), data, internal=True
    )
    await notify_conversation(session, conversation, "conversation.updated")
    return conversation


def _track_assignment(
    session: AsyncSession, conversation: Conversation, agent_id: int | None, now: datetime
) -> None:
    """A new assignee starts the no-answer clock; the previous one has a seat free."""
    if agent_id == conversation.assignee_id:
        return
    if conversation.assignee_id is not None:
        request_capacity(session, agent_id=conversation.assignee_id)
    conversation.assigned_at = now if agent_id is not None else None


async def do_route_to_agent(
    session: AsyncSession, conversation: Conversation, agent: Agent, *, now: datetime
) -> None:
    """Routing gives a waiting conversation to an agent (routing/queue.py holds the locks)."""
    conversation.assignee_id = agent.id
    conversation.assigned_at = now
    conversation.status = Status.OPEN
    conversation.updated_at = now
    await session.flush()
    text = f"Routing assigned the conversation to {agent.name}"
    data = {
        "kind": "routed",
        "agent_id": agent.id,
        "agent": agent.name,
        "team_id": conversation.team_id,
    }
    await do_system_note(session, conversation, text, data, internal=True)
    await notify_conversation(session, conversation, "conversation.updated")


async def do_requeue(
    session: AsyncSession, conversation: Conversation, *, reason: str, exclude: bool
) -> int | None:
    """The assigned agent loses the conversation back to its team's queue, keeping its
    place (``queued_at`` is not reset). ``reason``: ``offline``, ``no_answer`` or
    ``visitor_asked``. With ``exclude`` routing will not give it to that agent again.
    Returns the agent's id (None when nobody had it)."""
    from supportdesk.routing.models import RoutingExclusion

    agent_id = conversation.assignee_id
    if agent_id is None or conversation.status == Status.CLOSED:
        return None
    request_capacity(session, agent_id=agent_id)
    if exclude:
        session.add(RoutingExclusion(conversation_id=conversation.id, agent_id=agent_id))
    now = utcnow()
    conversation.assignee_id = None
    conversation.assigned_at = None
    conversation.status = Status.QUEUED
    conversation.queued_at = conversation.queued_at or now
    conversation.updated_at = now
    await session.flush()
    agent = await session.get(Agent, agent_id)
    name = agent.name if agent else str(agent_id)
    data = {"kind": "requeued", "reason": reason, "agent_id": agent_id, "agent": name}
    await do_system_note(
        session, conversation, f"Back to the queue from {name} ({reason})", data, internal=True
    )
    await notify_conversation(session, conversation, "conversation.updated")
    request_routing(session, conversation.id)
    return agent_id


async def do_set_priority(
    session: AsyncSession, conversation: Conversation, priority: Priority
) -> Conversation:
    conversation.priority = priority
    conversation.updated_at = utcnow()
    await session.flush()
    await notify_conversation(session, conversation, "conversation.updated", to_contact=False)
    return conversation
