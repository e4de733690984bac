"""An inbound mail becomes a message in a ticket: parse, thread, store.

Every transport (the SMTP receiver, the IMAP poller) calls :func:`ingest_email`; when it
returns the mail is committed, and only then does the transport acknowledge it. Nothing is
ever dropped: a duplicate (same Message-ID) is recognised and skipped, a mail that cannot
be parsed is kept raw for admins, a bounce is recorded against the contact.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from supportdesk.attachments.actions import CleanFile, check_file
from supportdesk.attachments.models import Attachment
from supportdesk.attachments.storage import Storage
from supportdesk.channels.email import MailKind, ParsedEmail, parse_email, thread_subject
from supportdesk.channels.email.inbound import InboundMessage
from supportdesk.contacts.actions import do_find_or_create_contact_by_email, do_record_bounce
from supportdesk.contacts.models import Contact
from supportdesk.conversations.actions import MAX_ATTACHMENTS_PER_MESSAGE, Author, do_send_message
from supportdesk.conversations.models import Channel, Conversation, SenderType, Status
from supportdesk.conversations.notify import do_system_note
from supportdesk.db.engine import Database
from supportdesk.errors import AppError
from supportdesk.tickets.desk import EmailDesk
from supportdesk.tickets.email_out import enqueue_acknowledgement
from supportdesk.tickets.models import MAX_MESSAGE_ID, EmailRecord, EmailThread
from supportdesk.tickets.threading import find_conversation

log = logging.getLogger(__name__)


class Outcome(StrEnum):
    NEW_TICKET = "new_ticket"
    ADDED = "added"  # to an existing ticket
    DUPLICATE = "duplicate"
    BOUNCE = "bounce"
    UNPARSEABLE = "unparseable"


@dataclass(frozen=True, slots=True)
class Ingested:
    outcome: Outcome
    email_id: int | None = None
    conversation_id: int | None = None


@dataclass(frozen=True, slots=True)
class _Files:
    """Attachments that passed the upload checks (stored under ``keys``), and refusals."""

    clean: list[tuple[str, CleanFile]]
    refused: list[tuple[str, str]]  # (file name, reason)


async def ingest_email(
    db: Database, storage: Storage, desk: EmailDesk, inbound: InboundMessage
) -> Ingested:
    parsed = parse_email(inbound.raw, inbound.rcpt_tos)
    # Files first, so no row ever names a missing file; a duplicate (rare: a sender's
    # retry) is recognised inside the write transaction and its files deleted again.
    raw_key = secrets.token_urlsafe(32)
    await storage.put(raw_key, inbound.raw)
    files = await _check_files(storage, parsed, desk) if _wants_files(parsed) else _Files([], [])

    async def work(session: AsyncSession) -> Ingested:
        return await _store(session, desk, parsed, inbound, raw_key, files)

    try:
        result = await db.batched(work)
    except BaseException:
        await _discard(storage, [raw_key, *(key for key, _ in files.clean)])
        raise
    if result.outcome == Outcome.DUPLICATE:
        await _discard(storage, [raw_key, *(key for key, _ in files.clean)])
    return result


async def _discard(storage: Storage, keys: list[str]) -> None:
    for key in keys:
        try:
            await storage.delete(key)
        except Exception:  # a leftover file costs space only; the error that led here matters
            log.exception("could not delete the stored file %s", key)


def _wants_files(parsed: ParsedEmail) -> bool:
    return parsed.parseable and parsed.kind != MailKind.BOUNCE and bool(parsed.attachments)


async def _check_files(storage: Storage, parsed: ParsedEmail, desk: EmailDesk) -> _Files:
    """The same checks as an upload (size, type by content, images re-encoded)."""
    files = _Files([], [])
    for attachment in parsed.attachments:
        name = attachment.filename or "attachment"
        try:
            clean = await check_file(
                attachment.content, attachment.filename, max_bytes=desk.max_upload_bytes
            )
        except AppError as exc:
            files.refused.append((name, exc.message))
            continue
        key = secrets.token_urlsafe(32)
        await storage.put(key, clean.data)
        files.clean.append((key, clean))
    return files


async def _store(
    session: AsyncSession,
    desk: EmailDesk,
    parsed: ParsedEmail,
    inbound: InboundMessage,
    raw_key: str,
    files: _Files,
) -> Ingested:
    message_id = parsed.message_id[:MAX_MESSAGE_ID] if parsed.message_id else None
    if message_id is not None and await session.scalar(
        select(EmailRecord.id).where(EmailRecord.message_id == message_id)
    ):
        return Ingested(Outcome.DUPLICATE)  # the same mail, delivered twice at once
    record = _record(parsed, inbound, raw_key, message_id)
    sender = parsed.reply_address
    if not parsed.parseable or sender is None:
        record.kind, record.error = "unparseable", parsed.error or "no sender address"
        return await _add(session, record, Outcome.UNPARSEABLE)
    if parsed.kind == MailKind.BOUNCE:
        return await _store_bounce(session, parsed, record)
    contact, _ = await do_find_or_create_contact_by_email(session, sender.email, name=sender.name)
    conversation = await find_conversation(session, parsed, contact)
    thread = None
    if conversation is None:
        conversation, thread = await _new_ticket(session, parsed, contact)
    message_db_id = await _add_message(session, desk, conversation, contact, parsed, files)
    record.conversation_id, record.contact_id = conversation.id, contact.id
    record.chat_message_id = message_db_id
    result = await _add(session, record, Outcome.ADDED if thread is None else Outcome.NEW_TICKET)
    if thread is not None and parsed.may_auto_answer:
        await enqueue_acknowledgement(
            session, conversation, contact, thread=thread, answering=record
        )
    return Ingested(result.outcome, result.email_id, conversation.id)


def _record(
    parsed: ParsedEmail, inbound: InboundMessage, raw_key: str, message_id: str | None
) -> EmailRecord:
    sender = parsed.reply_address
    return EmailRecord(
        message_id=message_id,
        in_reply_to=(parsed.in_reply_to or "")[:MAX_MESSAGE_ID] or None,
        references=" ".join(parsed.references),
        direction="in",
        kind=parsed.kind.value,
        kind_reason=parsed.kind_reason[:200],
        from_address=(sender.email if sender else inbound.mail_from)[:320],
        to_address=", ".join(a.email for a in parsed.to)[:1000],
        subject=parsed.subject[:1000],
        raw_key=raw_key,
        size=len(inbound.raw),
    )


async def _add(session: AsyncSession, record: EmailRecord, outcome: Outcome) -> Ingested:
    session.add(record)
    await session.flush()
    return Ingested(outcome, record.id, record.conversation_id)


async def _new_ticket(
    session: AsyncSession, parsed: ParsedEmail, contact: Contact
) -> tuple[Conversation, EmailThread]:
    from supportdesk.conversations.actions import do_start_conversation

    conversation, _ = await do_start_conversation(
        session,
        contact,
        channel=Channel.EMAIL,
        subject=parsed.subject[:300],
        status=Status.QUEUED,
    )
    token = secrets.token_urlsafe(12)  # 16 characters, 96 random bits: not guessable
    thread = EmailThread(
        conversation_id=conversation.id,
        reply_token=token,
        subject_key=thread_subject(parsed.subject)[:300],
    )
    session.add(thread)
    await session.flush()
    return conversation, thread


async def _add_message(
    session: AsyncSession,
    desk: EmailDesk,
    conversation: Conversation,
    contact: Contact,
    parsed: ParsedEmail,
    files: _Files,
) -> int:
    attachments = [_attachment(key, clean, conversation, contact) for key, clean in files.clean]
    session.add_all(attachments)
    await session.flush()
    body = (parsed.visible_text or parsed.text).strip() or ("" if attachments else parsed.subject)
    public, _ = await do_send_message(
        session,
        conversation,
        Author(SenderType.CONTACT, contact=contact),
        body[: desk.max_message_chars] or "-",
        max_chars=desk.max_message_chars,
        attachment_ids=[a.id for a in attachments[:MAX_ATTACHMENTS_PER_MESSAGE]],
    )
    for extra in attachments[MAX_ATTACHMENTS_PER_MESSAGE:]:
        extra.message_id = public.id
    if files.refused:
        await _note_refused(session, conversation, files.refused)
    return public.id


def _attachment(
    key: str, clean: CleanFile, conversation: Conversation, contact: Contact
) -> Attachment:
    return Attachment(
        key=key,
        conversation_id=conversation.id,
        uploader_contact_id=contact.id,
        filename=clean.filename,
        content_type=clean.content_type,
        size=len(clean.data),
        width=clean.width,
        height=clean.height,
    )


async def _note_refused(
    session: AsyncSession, conversation: Conversation, refused: list[tuple[str, str]]
) -> None:
    lines = "; ".join(f"{name}: {reason}" for name, reason in refused)
    await do_system_note(
        session,
        conversation,
        f"Attachments not accepted from this email: {lines}",
        {"kind": "email_attachments_refused", "files": [n for n, _ in refused]},
        internal=True,
    )


async def _store_bounce(
    session: AsyncSession, parsed: ParsedEmail, record: EmailRecord
) -> Ingested:
    """Find whom the bounce is about: the mail it returns (by its Message-ID), else the
    failed recipient's address; flag that contact and tell the ticket's staff."""
    bounce = parsed.bounce
    original = None
    if bounce is not None and bounce.original_message_id:
        original = await session.scalar(
            select(EmailRecord).where(EmailRecord.message_id == bounce.original_message_id)
        )
    contact = await _bounced_contact(session, original, bounce.recipient if bounce else None)
    record.contact_id = contact.id if contact else None
    record.conversation_id = original.conversation_id if original else None
    reason = _bounce_reason(parsed)
    if contact is not None:
        await do_record_bounce(session, contact, reason, permanent=_permanent(parsed))
    if original is not None and original.conversation_id is not None:
        conversation = await session.get(Conversation, original.conversation_id)
        if conversation is not None:
            await do_system_note(
                session,
                conversation,
                f"Email to the customer bounced: {reason}",
                {"kind": "email_bounce", "reason": reason},
                internal=True,
            )
    return await _add(session, record, Outcome.BOUNCE)


async def _bounced_contact(
    session: AsyncSession, original: EmailRecord | None, recipient: str | None
) -> Contact | None:
    if original is not None and original.contact_id is not None:
        return await session.get(Contact, original.contact_id)
    if recipient:
        return await session.scalar(
            select(Contact).where(Contact.email == recipient.lower()).order_by(Contact.id).limit(1)
        )
    return None


def _permanent(parsed: ParsedEmail) -> bool:
    # A bounce without a DSN (status unknown) came from a MAILER-DAEMON saying it failed.
    return parsed.bounce is None or parsed.bounce.status is None or parsed.bounce.permanent


def _bounce_reason(parsed: ParsedEmail) -> str:
    bounce = parsed.bounce
    if bounce is None:
        return parsed.subject or "undeliverable"
    parts = [bounce.status, bounce.diagnostic or bounce.action]
    return " ".join(p for p in parts if p) or parsed.subject or "undeliverable"
