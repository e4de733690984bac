"""Status, assignment and priority: the one place that says which status may follow which."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from supportdesk.accounts.models import Agent, Team
from supportdesk.conversations.actions import Author
from supportdesk.conversations.models import Conversation, Priority, Status
from supportdesk.conversations.notify import do_system_note, notify_conversation
from supportdesk.db.base import utcnow
from supportdesk.errors import Conflict, InvalidInput

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
    if status == Status.QUEUED:
        conversation.assignee_id = None
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
    conversation.assignee_id = agent.id if agent else None
    if set_team:
        conversation.team_id = team.id if team else None
    if agent is not None and conversation.status in (Status.QUEUED, Status.BOT):
        conversation.status = Status.OPEN
    elif agent is None and conversation.status == Status.OPEN:
        conversation.status = Status.QUEUED
    conversation.updated_at = utcnow()
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


async def do_set_priority(
    session: AsyncSession, conversation: Conversation, priority: Priority
) -> Conversation:
    conversation.priority = priority
    conversation.updated_at = utcnow()
    await session.flush()
    await notify_conversation(session, conversation, "conversation.updated", to_contact=False)
    return conversation
