"""Mail the desk sends: built from templates in the contact's language, queued in the outbox
in the same transaction as the message it carries (so a reply is mailed exactly when it is
stored), sent by :mod:`supportdesk.tickets.outbox` after the commit.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from supportdesk.channels.email.sender import OutgoingEmail, build_message
from supportdesk.contacts.models import Contact
from supportdesk.conversations.models import Conversation
from supportdesk.conversations.schemas import MessagePublic
from supportdesk.db.engine import on_commit
from supportdesk.i18n import negotiate, translate
from supportdesk.tickets.desk import EmailDesk, desk_of
from supportdesk.tickets.models import EmailRecord, EmailThread, OutboxEmail

log = logging.getLogger(__name__)

TEMPLATES = Path(__file__).parents[1] / "web" / "templates" / "email"
MAX_REFERENCES = 20  # the newest ids of the thread; enough for every client to thread


@cache
def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(enabled_extensions=("html",), default=False),
        keep_trailing_newline=True,
    )


@dataclass(frozen=True, slots=True)
class Rendered:
    subject: str
    text: str
    html: str


def render(template: str, locale: str, **context: Any) -> Rendered:
    """``<template>.txt`` and ``<template>.html`` with ``t(key, **params)`` in ``locale``."""
    env = _environment()

    def t(key: str, **params: object) -> str:
        return translate(locale, key, **params)

    values = {**context, "t": t, "locale": locale}
    text = env.get_template(f"{template}.txt").render(values)
    html = env.get_template(f"{template}.html").render(values)
    subject = env.get_template(f"{template}.subject.txt").render(values).strip()
    return Rendered(" ".join(subject.split()), text, html)


async def enqueue_reply(
    session: AsyncSession, conversation: Conversation, message: MessagePublic
) -> None:
    """Mail an agent's reply in an email ticket to the customer (never an internal note:
    the caller passes only messages the contact may see)."""
    desk = desk_of(session)
    contact = await session.get(Contact, conversation.contact_id)
    if desk is None or desk.address is None or contact is None or not contact.email:
        log.warning(
            "reply %s in ticket %s not mailed: no desk address", message.id, conversation.id
        )
        return
    locale = negotiate(contact.locale)
    rendered = render(
        "reply",
        locale,
        number=conversation.id,
        subject=conversation.subject or translate(locale, "email.no_subject"),
        name=contact.name,
        agent=message.sender.name,
        desk=desk.name,
        paragraphs=_paragraphs(message.body),
        attachments=[a.filename for a in message.attachments],
    )
    await _enqueue(session, desk, conversation, contact, rendered, "reply", message.id)


async def enqueue_acknowledgement(
    session: AsyncSession,
    conversation: Conversation,
    contact: Contact,
    *,
    thread: EmailThread | None = None,
    answering: EmailRecord | None = None,
) -> None:
    """Tell a customer whose mail opened a ticket that it arrived. Marked auto-generated
    (RFC 3834), and only ever sent for normal mail, so two desks never answer each other."""
    desk = desk_of(session)
    if desk is None or desk.address is None or not contact.email:
        return
    locale = negotiate(contact.locale)
    rendered = render(
        "acknowledgement",
        locale,
        number=conversation.id,
        subject=conversation.subject or translate(locale, "email.no_subject"),
        name=contact.name,
        desk=desk.name,
    )
    await _enqueue(
        session, desk, conversation, contact, rendered, "acknowledgement", None, thread, answering
    )


def _paragraphs(body: str) -> list[list[str]]:
    """Paragraphs of lines, for the HTML part (the template escapes each line)."""
    blocks = [block.strip("\n") for block in body.replace("\r\n", "\n").split("\n\n")]
    return [block.split("\n") for block in blocks if block.strip()]


async def _enqueue(
    session: AsyncSession,
    desk: EmailDesk,
    conversation: Conversation,
    contact: Contact,
    rendered: Rendered,
    purpose: str,
    chat_message_id: int | None,
    thread: EmailThread | None = None,
    parent: EmailRecord | None = None,
) -> None:
    """``thread`` and ``parent`` (the mail answered) are looked up when not given."""
    assert desk.address is not None and contact.email is not None
    thread = thread or await _thread(session, conversation)
    parent = parent or await _thread_parent(session, conversation.id)
    references = [*parent.references.split(), parent.message_id or ""] if parent else []
    message_id = f"{uuid.uuid4().hex}@{desk.domain or 'supportdesk.invalid'}"
    outgoing = OutgoingEmail(
        sender=desk.address,
        to=[(contact.name, contact.email)],
        subject=rendered.subject,
        text=rendered.text,
        html=rendered.html,
        reply_to=(desk.name, desk.reply_address(thread.reply_token)),
        in_reply_to=parent.message_id if parent else None,
        references=[r for r in references if r][-MAX_REFERENCES:],
        message_id=message_id,
        auto_submitted="auto-generated" if purpose != "reply" else None,
        language=negotiate(contact.locale),
    )
    content = build_message(outgoing).as_bytes()
    session.add_all([_outbox_row(desk, conversation, contact, purpose, message_id, content)])
    session.add(
        EmailRecord(
            message_id=message_id,
            in_reply_to=outgoing.in_reply_to,
            references=" ".join(outgoing.references),
            direction="out",
            kind="normal",
            kind_reason=purpose,
            conversation_id=conversation.id,
            chat_message_id=chat_message_id,
            contact_id=contact.id,
            from_address=desk.address[1],
            to_address=contact.email,
            subject=rendered.subject[:1000],
            size=len(content),
        )
    )
    await session.flush()
    on_commit(session, _wake)


def _outbox_row(
    desk: EmailDesk,
    conversation: Conversation,
    contact: Contact,
    purpose: str,
    message_id: str,
    content: bytes,
) -> OutboxEmail:
    assert desk.address is not None and contact.email is not None
    return OutboxEmail(
        conversation_id=conversation.id,
        purpose=purpose,
        mail_from=desk.address[1],
        recipients=contact.email,
        message_id=message_id,
        content=content,
    )


async def _wake() -> None:
    from supportdesk.tickets.outbox import wake_outbox_workers

    wake_outbox_workers()


async def _thread(session: AsyncSession, conversation: Conversation) -> EmailThread:
    """The conversation's reply token; a chat answered by email gets one on first use."""
    thread = await session.get(EmailThread, conversation.id)
    if thread is None:
        thread = EmailThread(
            conversation_id=conversation.id,
            reply_token=uuid.uuid4().hex[:16],
            subject_key="",
        )
        session.add(thread)
        await session.flush()
    return thread


async def _thread_parent(session: AsyncSession, conversation_id: int) -> EmailRecord | None:
    """What the new mail answers: the customer's newest mail, else the desk's newest."""
    for direction in ("in", "out"):
        record: EmailRecord | None = await session.scalar(
            select(EmailRecord)
            .where(
                EmailRecord.conversation_id == conversation_id,
                EmailRecord.direction == direction,
                EmailRecord.message_id.is_not(None),
                EmailRecord.kind.in_(("normal", "auto_reply", "bulk")),
            )
            .order_by(EmailRecord.id.desc())
            .limit(1)
        )
        if record is not None:
            return record
    return None
