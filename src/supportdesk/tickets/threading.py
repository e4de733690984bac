"""Which conversation an inbound mail belongs to.

In order: its ``In-Reply-To`` and ``References`` against the Message-IDs the desk stored
(RFC 5322 section 3.6.4), then the reply token in the address it was sent to, then — only
for a subject that reads as a reply ("Re: …", "[#42] …") — the same contact's recent
ticket with the same normalised subject. A closed conversation is never reopened by mail:
the mail starts a new ticket.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from supportdesk.channels.email import ParsedEmail, thread_subject, ticket_number
from supportdesk.contacts.models import Contact
from supportdesk.conversations.models import Conversation, Status
from supportdesk.db.base import utcnow
from supportdesk.tickets.models import EmailRecord, EmailThread

SUBJECT_WINDOW = timedelta(days=30)


async def find_conversation(
    session: AsyncSession, parsed: ParsedEmail, contact: Contact
) -> Conversation | None:
    for finder in (_by_headers, _by_token, _by_subject):
        conversation = await finder(session, parsed, contact)
        if conversation is not None and conversation.status != Status.CLOSED:
            return conversation
    return None


async def _by_headers(
    session: AsyncSession, parsed: ParsedEmail, _contact: Contact
) -> Conversation | None:
    ids = [i for i in (parsed.in_reply_to, *parsed.references) if i]
    if not ids:
        return None
    conversation_id = await session.scalar(
        select(EmailRecord.conversation_id)
        .where(EmailRecord.message_id.in_(ids), EmailRecord.conversation_id.is_not(None))
        .order_by(EmailRecord.id.desc())
        .limit(1)
    )
    return await session.get(Conversation, conversation_id) if conversation_id else None


async def _by_token(
    session: AsyncSession, parsed: ParsedEmail, _contact: Contact
) -> Conversation | None:
    if not parsed.reply_token:
        return None
    thread = await session.scalar(
        select(EmailThread).where(EmailThread.reply_token == parsed.reply_token)
    )
    return await session.get(Conversation, thread.conversation_id) if thread else None


async def _by_subject(
    session: AsyncSession, parsed: ParsedEmail, contact: Contact
) -> Conversation | None:
    key = thread_subject(parsed.subject)
    number = ticket_number(parsed.subject)
    if number is not None:
        tagged = await session.get(Conversation, number)
        if tagged is not None and tagged.contact_id == contact.id:
            return tagged
    if not key or key == " ".join(parsed.subject.split()).casefold():
        return None  # not a reply: a new mail with a common subject is a new ticket
    conversation: Conversation | None = await session.scalar(
        select(Conversation)
        .join(EmailThread, EmailThread.conversation_id == Conversation.id)
        .where(
            Conversation.contact_id == contact.id,
            EmailThread.subject_key == key[:300],
            Conversation.updated_at >= utcnow() - SUBJECT_WINDOW,
        )
        .order_by(Conversation.updated_at.desc())
        .limit(1)
    )
    return conversation
