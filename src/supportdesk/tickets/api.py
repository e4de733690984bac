"""Staff routes of email tickets: a ticket's mail log, the original of a mail (full text,
sanitised HTML, the raw .eml), and the admins' list of mail that could not be parsed."""

from __future__ import annotations

import asyncio
from typing import Annotated

import nh3
from fastapi import APIRouter, Query, Response
from sqlalchemy import select

from supportdesk.channels.email import parse_email
from supportdesk.conversations.queries import access_conversation_for_staff
from supportdesk.deps import AdminDep, ServicesDep, StaffDep
from supportdesk.errors import NotFound
from supportdesk.schemas_common import Id
from supportdesk.services import Services
from supportdesk.tickets.models import EmailRecord, OutboxEmail
from supportdesk.tickets.queries import (
    access_email,
    conversation_emails,
    email_publics,
    unparseable_emails,
)
from supportdesk.tickets.schemas import EmailOriginal, EmailPublic

router = APIRouter(tags=["email"])


@router.get("/conversations/{conversation_id}/emails", response_model=list[EmailPublic])
async def ticket_emails(
    conversation_id: Id, _staff: StaffDep, services: ServicesDep
) -> list[EmailPublic]:
    """Every mail in and out of the conversation, oldest first, with outbound delivery state."""
    async with services.db.session() as session:
        await access_conversation_for_staff(session, conversation_id)
        return await email_publics(session, conversation_emails(conversation_id))


@router.get("/emails/unparseable", response_model=list[EmailPublic])
async def unparseable(
    _admin: AdminDep,
    services: ServicesDep,
    before: Annotated[Id | None, Query(description="page: ids below this one")] = None,
) -> list[EmailPublic]:
    """Mail that could not be read as email, newest first; kept raw, never dropped."""
    async with services.db.session() as session:
        return await email_publics(session, unparseable_emails(before))


@router.get("/emails/{email_id}/original", response_model=EmailOriginal)
async def email_original(email_id: Id, _staff: StaffDep, services: ServicesDep) -> EmailOriginal:
    """The whole mail as received: untrimmed text, HTML sanitised for display, headers."""
    record, raw = await _raw(services, email_id)
    parsed = await asyncio.to_thread(parse_email, raw)
    html = await asyncio.to_thread(nh3.clean, parsed.html) if parsed.html else None
    return EmailOriginal(
        id=record.id,
        subject=parsed.subject,
        parseable=parsed.parseable,
        error=parsed.error,
        headers=_headers(raw),
        text=parsed.text if parsed.parseable else raw.decode("utf-8", "replace"),
        html=html,
        attachments=[a.filename or "" for a in parsed.attachments],
    )


@router.get(
    "/emails/{email_id}/raw",
    response_class=Response,
    responses={200: {"description": "The mail exactly as received (message/rfc822)"}},
)
async def email_raw(email_id: Id, _staff: StaffDep, services: ServicesDep) -> Response:
    record, raw = await _raw(services, email_id)
    headers = {
        "Content-Disposition": f'attachment; filename="email-{record.id}.eml"',
        "X-Content-Type-Options": "nosniff",
    }
    return Response(content=raw, media_type="message/rfc822", headers=headers)


async def _raw(services: Services, email_id: int) -> tuple[EmailRecord, bytes]:
    async with services.db.session() as session:
        record = await access_email(session, email_id)
        sent = await session.scalar(
            select(OutboxEmail.content).where(OutboxEmail.message_id == record.message_id)
        )
    if sent is not None and record.direction == "out":
        return record, sent
    if record.raw_key is None:
        raise NotFound(f"email {email_id} has no stored original", code="no_original")
    try:
        return record, await services.storage.get(record.raw_key)
    except FileNotFoundError:
        raise NotFound(f"email {email_id} has no stored original", code="no_original") from None


def _headers(raw: bytes) -> list[tuple[str, str]]:
    from email import message_from_bytes, policy

    try:
        message = message_from_bytes(raw, policy=policy.default)
        return [(name, str(value)) for name, value in message.items()]
    except Exception:  # a header the parser cannot read: the raw download still has it
        return []
