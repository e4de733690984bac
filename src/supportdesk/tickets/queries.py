"""Reads of email records for the staff API."""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from supportdesk.errors import NotFound
from supportdesk.tickets.models import EmailRecord, OutboxEmail
from supportdesk.tickets.schemas import EmailPublic

MAX_LIST = 200


async def access_email(session: AsyncSession, email_id: int) -> EmailRecord:
    record = await session.get(EmailRecord, email_id)
    if record is None:
        raise NotFound(f"email {email_id} not found")
    return record


async def email_publics(session: AsyncSession, query: Select[EmailRecord]) -> list[EmailPublic]:
    """Records with the outbox's delivery state, in one query."""
    rows = await session.execute(
        query.add_columns(OutboxEmail.status, OutboxEmail.last_error).outerjoin(
            OutboxEmail, OutboxEmail.message_id == EmailRecord.message_id
        )
    )
    return [_public(record, status, error) for record, status, error in rows]


def conversation_emails(conversation_id: int) -> Select[EmailRecord]:
    return (
        select(EmailRecord)
        .where(EmailRecord.conversation_id == conversation_id)
        .order_by(EmailRecord.id)
        .limit(MAX_LIST)
    )


def unparseable_emails(before: int | None) -> Select[EmailRecord]:
    query = select(EmailRecord).where(EmailRecord.kind == "unparseable")
    if before is not None:
        query = query.where(EmailRecord.id < before)
    return query.order_by(EmailRecord.id.desc()).limit(MAX_LIST)


def _public(record: EmailRecord, status: str | None, error: str | None) -> EmailPublic:
    return EmailPublic(
        id=record.id,
        direction=record.direction,
        kind=record.kind,
        kind_reason=record.kind_reason,
        message_id=record.message_id,
        in_reply_to=record.in_reply_to,
        from_address=record.from_address,
        to_address=record.to_address,
        subject=record.subject,
        size=record.size,
        conversation_id=record.conversation_id,
        chat_message_id=record.chat_message_id,
        contact_id=record.contact_id,
        error=record.error,
        created_at=record.created_at,
        delivery=status,
        delivery_error=error or "",
        original_url=f"/api/v1/emails/{record.id}/original",
        raw_url=f"/api/v1/emails/{record.id}/raw",
    )
