"""Contacts: anonymous visitors, and host-site users linked by identity verification."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from supportdesk.contacts.models import Contact
from supportdesk.conversations.models import Conversation
from supportdesk.db.base import utcnow
from supportdesk.errors import Forbidden, NotFound
from supportdesk.realtime.events import STAFF_STREAM, emit
from supportdesk.tokens import check_identity_hash


async def access_contact(session: AsyncSession, contact_id: int) -> Contact:
    contact = await session.get(Contact, contact_id)
    if contact is None:
        raise NotFound(f"contact {contact_id} not found")
    return contact


async def do_create_contact(
    session: AsyncSession,
    *,
    name: str = "",
    email: str | None = None,
    locale: str = "en",
    timezone: str = "",
    external_id: str | None = None,
    attributes: dict[str, Any] | None = None,
) -> Contact:
    contact = Contact(
        name=name,
        email=email,
        locale=locale,
        timezone=timezone,
        external_id=external_id,
        attributes=attributes or {},
        last_seen_at=utcnow(),
    )
    session.add(contact)
    await session.flush()
    return contact


async def do_find_or_create_contact_by_email(
    session: AsyncSession, email: str, *, name: str = "", locale: str = "en"
) -> tuple[Contact, bool]:
    """The oldest contact with this address (compared in lower case), else a new one.

    Returns (contact, created). An address is not proof of identity: mail only finds the
    contact so that a customer's emails and chats show as one history to staff.
    """
    address = email.strip().lower()
    contact = await session.scalar(
        select(Contact).where(Contact.email == address).order_by(Contact.id).limit(1)
    )
    if contact is not None:
        if not contact.name and name:
            contact.name = name[:200]
        return contact, False
    return await do_create_contact(session, name=name[:200], email=address, locale=locale), True


async def do_record_bounce(
    session: AsyncSession, contact: Contact, reason: str, *, permanent: bool
) -> None:
    """A delivery failure reported for ``contact``'s address; only permanent ones flag it."""
    if not permanent:
        return
    contact.email_bounced_at = utcnow()
    contact.email_bounce_reason = reason[:500]
    await session.flush()
    await emit(session, STAFF_STREAM, "contact.updated", {"contact_id": contact.id})


async def do_identify_contact(
    session: AsyncSession,
    *,
    secret: str,
    user_id: str,
    user_hash: str,
    anonymous: Contact | None,
) -> Contact:
    """Link a host-site user to a contact; an anonymous visitor's conversations move along.

    Precondition: the caller has already checked that identity verification is configured.
    """
    if not check_identity_hash(secret, user_id, user_hash):
        raise Forbidden("user_hash does not match user_id", code="identity_invalid")
    known = await session.scalar(select(Contact).where(Contact.external_id == user_id))
    if known is None and anonymous is not None and anonymous.external_id is None:
        anonymous.external_id = user_id
        await session.flush()
        return anonymous
    if known is None:
        return await do_create_contact(session, external_id=user_id)
    if anonymous is not None and anonymous.id != known.id and anonymous.external_id is None:
        await session.execute(
            update(Conversation)
            .where(Conversation.contact_id == anonymous.id)
            .values(contact_id=known.id)
        )
        await emit(
            session, STAFF_STREAM, "contact.merged", {"from_id": anonymous.id, "into_id": known.id}
        )
    return known


async def do_update_contact(
    session: AsyncSession,
    contact: Contact,
    *,
    name: str | None = None,
    email: str | None = None,
    locale: str | None = None,
    timezone: str | None = None,
    attributes: dict[str, Any] | None = None,
) -> Contact:
    changes: dict[str, Any] = {
        "name": name,
        "email": email.lower() if email is not None else None,
        "locale": locale,
        "timezone": timezone,
    }
    if attributes is not None:
        merged = {**contact.attributes, **attributes}
        changes["attributes"] = {k: v for k, v in merged.items() if v is not None}
    changed = False
    for field, value in changes.items():
        if value is not None and getattr(contact, field) != value:
            setattr(contact, field, value)
            changed = True
    if changed:
        await session.flush()
        await emit(session, STAFF_STREAM, "contact.updated", {"contact_id": contact.id})
    return contact
