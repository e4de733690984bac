"""Reads shared by the REST API, the gateway and the actions."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, String, cast, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from supportdesk.accounts.models import Agent
from supportdesk.attachments.models import Attachment
from supportdesk.contacts.models import Contact
from supportdesk.contacts.queries import contact_matches, like_pattern
from supportdesk.conversations.models import Conversation, Message, SenderType, Status
from supportdesk.conversations.schemas import MessagePublic
from supportdesk.errors import NotFound

MAX_PAGE = 200


async def access_conversation_for_staff(
    session: AsyncSession, conversation_id: int
) -> Conversation:
    conversation = await session.get(Conversation, conversation_id)
    if conversation is None:
        raise NotFound(f"conversation {conversation_id} not found")
    return conversation


async def access_conversation_for_contact(
    session: AsyncSession, contact_id: int, conversation_id: int
) -> Conversation:
    """Another visitor's conversation answers "not found", exactly like a missing one."""
    conversation = await session.get(Conversation, conversation_id)
    if conversation is None or conversation.contact_id != contact_id:
        raise NotFound(f"conversation {conversation_id} not found")
    return conversation


async def message_publics(
    session: AsyncSession, messages: Sequence[Message]
) -> list[MessagePublic]:
    """Shape messages with their attachments and senders in two queries, whatever their number."""
    ids = [m.id for m in messages]
    attachments: dict[int, list[Attachment]] = defaultdict(list)
    if ids:
        rows = await session.scalars(
            select(Attachment).where(Attachment.message_id.in_(ids)).order_by(Attachment.id)
        )
        for attachment in rows:
            attachments[attachment.message_id or 0].append(attachment)
    agent_ids = {m.sender_agent_id for m in messages if m.sender_agent_id is not None}
    names: dict[int, str] = {}
    if agent_ids:
        names = dict(
            (
                await session.execute(select(Agent.id, Agent.name).where(Agent.id.in_(agent_ids)))
            ).all()
        )
    return [
        MessagePublic.of(m, attachments.get(m.id, []), _sender_name(m, names)) for m in messages
    ]


def _sender_name(message: Message, names: dict[int, str]) -> str:
    if message.sender_agent_id is not None:
        return names.get(message.sender_agent_id, "")
    # Contacts and the bot are named by each reader's UI, in the reader's language.
    if message.sender_type in (SenderType.CONTACT, SenderType.BOT):
        return ""
    return message.sender_type.value


async def list_messages(
    session: AsyncSession,
    conversation_id: int,
    *,
    include_internal: bool,
    after_id: int = 0,
    before_id: int | None = None,
    limit: int = 100,
) -> list[MessagePublic]:
    """Oldest first. ``before_id`` pages backwards through history, ``after_id`` forwards."""
    stmt = select(Message).where(Message.conversation_id == conversation_id, Message.id > after_id)
    if not include_internal:
        stmt = stmt.where(Message.is_internal.is_(False))
    if before_id is not None:
        stmt = stmt.where(Message.id < before_id).order_by(Message.id.desc()).limit(limit)
        rows = list(reversed(list(await session.scalars(stmt))))
    else:
        rows = list(await session.scalars(stmt.order_by(Message.id).limit(limit)))
    return await message_publics(session, rows)


ACTIVE_STATUSES = (Status.BOT, Status.QUEUED, Status.OPEN, Status.PENDING)
PREVIEW_CHARS = 140


def conversations_query(
    *,
    status: Status | None = None,
    active: bool = False,
    assignee_id: int | None = None,
    unassigned: bool = False,
    team_id: int | None = None,
    contact_id: int | None = None,
    q: str | None = None,
) -> Select[Conversation]:
    stmt = select(Conversation)
    if status is not None:
        stmt = stmt.where(Conversation.status == status)
    if active:
        stmt = stmt.where(Conversation.status.in_(ACTIVE_STATUSES))
    if unassigned:
        stmt = stmt.where(Conversation.assignee_id.is_(None))
    elif assignee_id is not None:
        stmt = stmt.where(Conversation.assignee_id == assignee_id)
    if team_id is not None:
        stmt = stmt.where(Conversation.team_id == team_id)
    if contact_id is not None:
        stmt = stmt.where(Conversation.contact_id == contact_id)
    if q:
        stmt = stmt.where(_search_clause(q.strip()))
    return stmt


def _search_clause(q: str) -> ColumnElement[bool]:
    pattern = like_pattern(q)
    by_contact = select(Contact.id).where(contact_matches(pattern))
    by_text = select(Message.conversation_id).where(func.lower(Message.body).like(pattern))
    clauses: list[ColumnElement[bool]] = [
        Conversation.contact_id.in_(by_contact),
        Conversation.id.in_(by_text),
        func.lower(Conversation.subject).like(pattern),
    ]
    if q.lstrip("#").isdigit():
        clauses.append(cast(Conversation.id, String) == q.lstrip("#"))
    return or_(*clauses)


async def list_conversations(
    session: AsyncSession,
    stmt: Select[Conversation],
    *,
    limit: int = 50,
    before: datetime | None = None,
    by_waiting: bool = False,
) -> list[Conversation]:
    """Newest activity first; or, ``by_waiting``, the customer waiting longest first.

    Conversations where nobody waits (the desk answered last) follow, newest activity first.
    """
    if by_waiting:
        stmt = stmt.order_by(
            Conversation.waiting_since.is_(None),
            Conversation.waiting_since,
            Conversation.updated_at.desc(),
            Conversation.id.desc(),
        )
    else:
        stmt = stmt.order_by(Conversation.updated_at.desc(), Conversation.id.desc())
    if before is not None:
        stmt = stmt.where(Conversation.updated_at < before)
    return list(await session.scalars(stmt.limit(min(limit, MAX_PAGE))))


async def inbox_counts(session: AsyncSession, agent_id: int) -> dict[str, Any]:
    """Active conversations per inbox view, and how many of them have unread messages.

    Two grouped queries whatever the number of teams: one over active conversations
    (mine / unassigned / all / per team), one over every status.
    """
    unread = (
        select(Message.id)
        .where(
            Message.conversation_id == Conversation.id,
            Message.sender_type == SenderType.CONTACT,
            Message.id > Conversation.agent_last_read_id,
        )
        .exists()
    )
    rows = await session.execute(
        select(Conversation.assignee_id, Conversation.team_id, unread.label("unread"), func.count())
        .where(Conversation.status.in_(ACTIVE_STATUSES))
        .group_by(Conversation.assignee_id, Conversation.team_id, "unread")
    )
    views: dict[str, dict[str, int]] = {
        name: {"total": 0, "unread": 0} for name in ("mine", "unassigned", "all")
    }
    teams: dict[str, dict[str, int]] = {}
    for assignee_id, team_id, has_unread, count in rows:
        buckets = [views["all"]]
        if assignee_id == agent_id:
            buckets.append(views["mine"])
        if assignee_id is None:
            buckets.append(views["unassigned"])
        if team_id is not None:
            buckets.append(teams.setdefault(str(team_id), {"total": 0, "unread": 0}))
        for bucket in buckets:
            bucket["total"] += count
            bucket["unread"] += count if has_unread else 0
    statuses = {status.value: 0 for status in Status}
    for status, count in await session.execute(
        select(Conversation.status, func.count()).group_by(Conversation.status)
    ):
        statuses[Status(status).value] = int(count)
    return {**views, "teams": teams, "statuses": statuses}


async def inbox_previews(
    session: AsyncSession, conversations: Sequence[Conversation], *, include_internal: bool = True
) -> tuple[dict[int, Message], dict[int, Contact], dict[int, int]]:
    """The latest message (the latest public one without ``include_internal``), the contact
    and that message's attachment count of each conversation, in three queries whatever
    their number."""
    if not conversations:
        return {}, {}, {}
    ids = [c.id for c in conversations]
    latest = (
        select(func.max(Message.id))
        .where(Message.conversation_id.in_(ids))
        .group_by(Message.conversation_id)
    )
    if not include_internal:
        latest = latest.where(Message.is_internal.is_(False))
    messages = {
        m.conversation_id: m
        for m in await session.scalars(select(Message).where(Message.id.in_(latest)))
    }
    contact_ids = {c.contact_id for c in conversations}
    contacts = {
        c.id: c for c in await session.scalars(select(Contact).where(Contact.id.in_(contact_ids)))
    }
    files: dict[int, int] = {}
    if messages:
        rows = await session.execute(
            select(Attachment.message_id, func.count())
            .where(Attachment.message_id.in_([m.id for m in messages.values()]))
            .group_by(Attachment.message_id)
        )
        files = {message_id: int(n) for message_id, n in rows if message_id is not None}
    return messages, contacts, files


async def unread_counts(
    session: AsyncSession, conversations: Sequence[Conversation]
) -> dict[int, int]:
    """Messages from the contact after the desk's read receipt, per conversation, one query."""
    if not conversations:
        return {}
    ids = [c.id for c in conversations]
    rows = await session.execute(
        select(Message.conversation_id, func.count())
        .join(Conversation, Conversation.id == Message.conversation_id)
        .where(
            Message.conversation_id.in_(ids),
            Message.sender_type == SenderType.CONTACT,
            Message.id > Conversation.agent_last_read_id,
        )
        .group_by(Message.conversation_id)
    )
    return {cid: int(n) for cid, n in rows}


async def conversation_of_client_id(
    session: AsyncSession, contact_id: int, client_id: str
) -> Conversation | None:
    """The conversation that a visitor's send with this client id started, if stored."""
    return await session.scalar(
        select(Conversation).where(
            Conversation.contact_id == contact_id, Conversation.client_id == client_id
        )
    )
