"""Starting conversations, sending messages and read receipts: the writes and their events.

Status, assignment and priority live in ``workflow.py``; the events in ``notify.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from supportdesk.accounts.models import Agent
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
from supportdesk.conversations.notify import notify_conversation, notify_message
from supportdesk.conversations.queries import conversation_of_client_id, message_publics
from supportdesk.conversations.schemas import (
    MessagePublic,
)
from supportdesk.db.base import utcnow
from supportdesk.errors import AppError, Conflict, InvalidInput, NotFound
from supportdesk.realtime.events import STAFF_STREAM, contact_stream, emit
from supportdesk.routing.queue import request_routing

MAX_ATTACHMENTS_PER_MESSAGE = 10


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
    status: Status | None = None,
    priority: Priority = Priority.NORMAL,
    client_id: str | None = None,
) -> tuple[Conversation, bool]:
    """Returns (conversation, created); a retry with the same ``client_id`` finds the first.

    Without ``status``, a chat starts with the answer bot when the help center has
    published articles (``bot``), else in the people's queue (``queued``).
    """
    if client_id is not None:
        existing = await conversation_of_client_id(session, contact.id, client_id)
        if existing is not None:
            return existing, False
    if status is None:
        from supportdesk.bot.conversation import initial_status

        status = await initial_status(session) if channel == Channel.CHAT else Status.QUEUED
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
        queued_at=now if status == Status.QUEUED else None,
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
    await notify_conversation(session, conversation, "conversation.created")
    if status == Status.QUEUED:
        request_routing(session, conversation.id)
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
    await notify_message(session, conversation, public)
    if conversation.channel == Channel.EMAIL and author.type == SenderType.AGENT and not internal:
        from supportdesk.tickets.email_out import enqueue_reply

        await enqueue_reply(session, conversation, public)
    if author.type == SenderType.CONTACT and conversation.status == Status.BOT:
        from supportdesk.bot.conversation import schedule_bot_turn

        schedule_bot_turn(session, conversation.id, message.id)
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
            if conversation.status == Status.QUEUED:
                conversation.queued_at = now
                request_routing(session, conversation.id)
    elif author.type == SenderType.AGENT and author.agent is not None:
        conversation.waiting_since = None
        if conversation.assignee_id is None:
            conversation.assignee_id = author.agent.id
            conversation.assigned_at = now
        if conversation.status in (Status.QUEUED, Status.BOT):
            conversation.status = Status.OPEN
    await session.flush()


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
