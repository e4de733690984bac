"""Every write to conversations and messages, and the events each one emits.

Visibility rule for events: staff hear everything on the ``staff`` stream; the contact hears
its own conversation on ``contact:<id>``, never internal notes and never staff-only fields.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from supportdesk.accounts.models import Agent, Team
from supportdesk.attachments.models import Attachment
from supportdesk.contacts.models import Contact
from supportdesk.conversations.models import (
    Channel,
    Conversation,
    Message,
    Priority,
    SenderType,
    Status,
)
from supportdesk.conversations.queries import conversation_of_client_id, message_publics
from supportdesk.conversations.schemas import (
    MessagePublic,
    conversation_payload,
    conversation_public_payload,
)
from supportdesk.db.base import utcnow
from supportdesk.errors import AppError, Conflict, InvalidInput, NotFound
from supportdesk.realtime.events import STAFF_STREAM, contact_stream, emit

# The one place that says which status may follow which.
TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.BOT: frozenset({Status.QUEUED, Status.OPEN, Status.RESOLVED, Status.CLOSED}),
    Status.QUEUED: frozenset({Status.OPEN, Status.PENDING, Status.RESOLVED, Status.CLOSED}),
    Status.OPEN: frozenset({Status.QUEUED, Status.PENDING, Status.RESOLVED, Status.CLOSED}),
    Status.PENDING: frozenset({Status.OPEN, Status.QUEUED, Status.RESOLVED, Status.CLOSED}),
    Status.RESOLVED: frozenset({Status.OPEN, Status.QUEUED, Status.CLOSED}),
    Status.CLOSED: frozenset(),
}

MAX_ATTACHMENTS_PER_MESSAGE = 10


def check_transition(current: Status, new: Status) -> None:
    if new != current and new not in TRANSITIONS[current]:
        allowed = ", ".join(sorted(s.value for s in TRANSITIONS[current])) or "none"
        raise Conflict(
            f"a {current.value} conversation cannot become {new.value} (allowed: {allowed})",
            code="invalid_transition",
        )


def check_body(body: str, *, max_chars: int, has_attachments: bool) -> str:
    if len(body) > max_chars:
        raise InvalidInput(
            f"message is {len(body)} characters; the limit is {max_chars}", code="too_long"
        )
    if not body.strip() and not has_attachments:
        raise InvalidInput("message is empty", code="empty_message")
    return body


@dataclass(frozen=True, slots=True)
class Author:
    """Who writes: the contact, an agent, the bot or the system."""

    type: SenderType
    agent: Agent | None = None
    contact: Contact | None = None

    @property
    def name(self) -> str:
        if self.agent is not None:
            return self.agent.name
        return "" if self.type == SenderType.CONTACT else self.type.value


async def do_start_conversation(
    session: AsyncSession,
    contact: Contact,
    *,
    channel: Channel = Channel.CHAT,
    subject: str = "",
    locale: str | None = None,
    status: Status = Status.QUEUED,
    priority: Priority = Priority.NORMAL,
    client_id: str | None = None,
) -> tuple[Conversation, bool]:
    """Returns (conversation, created); a retry with the same ``client_id`` finds the first."""
    if client_id is not None:
        existing = await conversation_of_client_id(session, contact.id, client_id)
        if existing is not None:
            return existing, False
    now = utcnow()
    conversation = Conversation(
        contact_id=contact.id,
        channel=channel,
        subject=subject,
        locale=locale or contact.locale,
        status=status,
        priority=priority,
        client_id=client_id,
        created_at=now,
        updated_at=now,
    )
    try:
        await _insert_once(session, conversation)
    except IntegrityError:
        # Two retries of one first send raced; the other one committed first.
        existing = (
            await conversation_of_client_id(session, contact.id, client_id) if client_id else None
        )
        if existing is None:
            raise
        return existing, False
    await _emit_conversation(session, conversation, "conversation.created")
    return conversation, True


async def do_send_message(
    session: AsyncSession,
    conversation: Conversation,
    author: Author,
    body: str,
    *,
    max_chars: int,
    internal: bool = False,
    client_id: str | None = None,
    attachment_ids: list[int] | None = None,
) -> tuple[MessagePublic, bool]:
    """Store a message and emit it. Returns (message, created).

    A retried send with the same ``client_id`` returns the stored message and created=False:
    the client was told "acknowledged" only after the first commit, so this is the same send.
    """
    try:
        attachments = await _check_send(
            session, conversation, author, body, max_chars, internal, attachment_ids or []
        )
    except AppError:
        # A retry of a send that was stored is answered with the stored message, even if
        # the send would not be allowed now (the conversation was closed in between).
        existing = await _find_by_client_id(session, conversation.id, author.type, client_id)
        if existing is None:
            raise
        return existing, False
    message = Message(
        conversation_id=conversation.id,
        sender_type=author.type,
        sender_agent_id=author.agent.id if author.agent else None,
        body=body,
        is_internal=internal,
        client_id=client_id,
        created_at=utcnow(),
    )
    stored_id = await _insert_unless_sent(session, message)
    if stored_id is None:
        # The same client id is already stored: this is a retry (maybe racing the first).
        existing = await _find_by_client_id(session, conversation.id, author.type, client_id)
        if existing is None:
            raise Conflict("this message conflicts with a stored one; retry", code="conflict")
        return existing, False
    message.id = stored_id
    for attachment in attachments:
        attachment.message_id = message.id
    public = MessagePublic.of(message, attachments, author.name)
    await _apply_message_effects(session, conversation, author, internal)
    await _emit_message(session, conversation, public)
    return public, True


async def _check_send(
    session: AsyncSession,
    conversation: Conversation,
    author: Author,
    body: str,
    max_chars: int,
    internal: bool,
    attachment_ids: list[int],
) -> list[Attachment]:
    if internal and author.type != SenderType.AGENT:
        raise InvalidInput("only agents can write internal notes", code="not_allowed")
    if conversation.status == Status.CLOSED:
        raise Conflict("this conversation is closed; start a new one", code="conversation_closed")
    check_body(body, max_chars=max_chars, has_attachments=bool(attachment_ids))
    return await _claimable_attachments(session, conversation, author, attachment_ids)


async def _insert_unless_sent(session: AsyncSession, message: Message) -> int | None:
    """Insert the message; None when its client id was already stored.

    ``ON CONFLICT DO NOTHING`` settles the race between two retries in the database (on
    PostgreSQL the second waits for the first to commit) without aborting the transaction.
    """
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    values = {
        column.key: getattr(message, column.key)
        for column in Message.__table__.columns
        if column.key != "id"
    }
    stmt = (
        insert(Message)
        .values(values)
        .on_conflict_do_nothing(index_elements=["conversation_id", "sender_type", "client_id"])
        .returning(Message.id)
    )
    result = await session.execute(stmt)
    stored = result.scalar_one_or_none()
    return None if stored is None else int(stored)


async def _insert_once(session: AsyncSession, row: Conversation) -> None:
    """Insert a row whose unique client id may have been taken by a concurrent retry.

    SQLite has a single writer, so the look-up before the insert already decided; on
    PostgreSQL a savepoint lets the caller recover from the unique violation and return
    the row the other transaction committed.
    """
    session.add(row)
    if session.get_bind().dialect.name == "sqlite":
        await session.flush()
        return
    async with session.begin_nested():
        await session.flush()


async def _find_by_client_id(
    session: AsyncSession, conversation_id: int, sender_type: SenderType, client_id: str | None
) -> MessagePublic | None:
    if client_id is None:
        return None
    message = await session.scalar(
        select(Message).where(
            Message.conversation_id == conversation_id,
            Message.sender_type == sender_type,
            Message.client_id == client_id,
        )
    )
    if message is None:
        return None
    return (await message_publics(session, [message]))[0]


async def _claimable_attachments(
    session: AsyncSession, conversation: Conversation, author: Author, ids: list[int]
) -> list[Attachment]:
    if len(ids) > MAX_ATTACHMENTS_PER_MESSAGE:
        raise InvalidInput(
            f"at most {MAX_ATTACHMENTS_PER_MESSAGE} attachments per message", code="too_many"
        )
    if not ids:
        return []
    rows = list(await session.scalars(select(Attachment).where(Attachment.id.in_(ids))))
    by_id = {a.id: a for a in rows}
    for attachment_id in ids:
        attachment = by_id.get(attachment_id)
        if (
            attachment is None
            or attachment.conversation_id != conversation.id
            or attachment.message_id is not None
            or not _uploaded_by(attachment, author)
        ):
            raise InvalidInput(
                f"attachment {attachment_id} is not an unsent upload of yours in this conversation",
                code="bad_attachment",
            )
    return [by_id[i] for i in dict.fromkeys(ids)]


def _uploaded_by(attachment: Attachment, author: Author) -> bool:
    if author.type == SenderType.CONTACT:
        return author.contact is not None and attachment.uploader_contact_id == author.contact.id
    if author.agent is not None:
        return attachment.uploader_agent_id == author.agent.id
    return False


async def _apply_message_effects(
    session: AsyncSession, conversation: Conversation, author: Author, internal: bool
) -> None:
    now = utcnow()
    conversation.updated_at = now
    if internal:
        return
    conversation.last_message_at = now
    if author.type == SenderType.CONTACT:
        if conversation.waiting_since is None:
            conversation.waiting_since = now
        if conversation.status in (Status.PENDING, Status.RESOLVED):
            conversation.status = Status.OPEN if conversation.assignee_id else Status.QUEUED
            conversation.resolved_at = None
    elif author.type == SenderType.AGENT and author.agent is not None:
        conversation.waiting_since = None
        if conversation.assignee_id is None:
            conversation.assignee_id = author.agent.id
        if conversation.status in (Status.QUEUED, Status.BOT):
            conversation.status = Status.OPEN
    await session.flush()


async def _emit_message(
    session: AsyncSession, conversation: Conversation, message: MessagePublic
) -> None:
    """``message.created`` carries the conversation as it is after the message, so one
    event per stream tells a client everything that changed."""
    body = message.model_dump(mode="json")
    await emit(
        session,
        STAFF_STREAM,
        "message.created",
        {"message": body, "conversation": conversation_payload(conversation)},
    )
    if not message.internal:
        await emit(
            session,
            contact_stream(conversation.contact_id),
            "message.created",
            {"message": body, "conversation": conversation_public_payload(conversation)},
        )


async def _emit_conversation(
    session: AsyncSession, conversation: Conversation, type_: str, *, to_contact: bool = True
) -> None:
    await emit(session, STAFF_STREAM, type_, {"conversation": conversation_payload(conversation)})
    if to_contact:
        await emit(
            session,
            contact_stream(conversation.contact_id),
            type_,
            {"conversation": conversation_public_payload(conversation)},
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
    await _system_note(
        session, conversation, f"{actor.name or actor.type.value} set status {status}"
    )
    await _emit_conversation(session, conversation, "conversation.updated")
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
    target = agent.name if agent else "nobody"
    text = f"{actor.name or actor.type.value} assigned the conversation to {target}"
    if team is not None:
        text += f" (team {team.name})"
    await _system_note(session, conversation, text + (f": {note}" if note else ""), internal=True)
    await _emit_conversation(session, conversation, "conversation.updated")
    return conversation


async def do_set_priority(
    session: AsyncSession, conversation: Conversation, priority: Priority
) -> Conversation:
    conversation.priority = priority
    conversation.updated_at = utcnow()
    await session.flush()
    await _emit_conversation(session, conversation, "conversation.updated", to_contact=False)
    return conversation


async def do_mark_read(
    session: AsyncSession, conversation: Conversation, side: SenderType, message_id: int
) -> Conversation:
    """Read receipts only move forward; an id beyond the newest message is refused."""
    newest = await session.scalar(
        select(Message.id)
        .where(Message.conversation_id == conversation.id)
        .order_by(Message.id.desc())
        .limit(1)
    )
    if newest is None or message_id > newest or message_id < 0:
        raise NotFound(f"message {message_id} not found in conversation {conversation.id}")
    field = "contact_last_read_id" if side == SenderType.CONTACT else "agent_last_read_id"
    if getattr(conversation, field) >= message_id:
        return conversation
    setattr(conversation, field, message_id)
    await session.flush()
    payload: dict[str, Any] = {
        "conversation_id": conversation.id,
        "reader": side.value,
        "message_id": message_id,
    }
    await emit(session, STAFF_STREAM, "conversation.read", payload)
    await emit(session, contact_stream(conversation.contact_id), "conversation.read", payload)
    return conversation


async def _system_note(
    session: AsyncSession, conversation: Conversation, text: str, *, internal: bool = False
) -> None:
    message = Message(
        conversation_id=conversation.id,
        sender_type=SenderType.SYSTEM,
        body=text,
        is_internal=internal,
        created_at=utcnow(),
    )
    session.add(message)
    await session.flush()
    await _emit_message(session, conversation, MessagePublic.of(message, [], "system"))


async def load_team(session: AsyncSession, team_id: int | None) -> Team | None:
    if team_id is None:
        return None
    team = await session.get(Team, team_id)
    if team is None:
        raise NotFound(f"team {team_id} not found")
    return team
