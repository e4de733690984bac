"""The visitor's session (widget) and the contacts seen by staff."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from sqlalchemy import select

from supportdesk.accounts.queries import count_online_agents
from supportdesk.contacts import actions
from supportdesk.contacts.models import Contact
from supportdesk.contacts.queries import contact_matches, like_pattern
from supportdesk.contacts.schemas import (
    ContactPublic,
    ContactStaff,
    ContactUpdate,
    VisitorSession,
    VisitorSessionRequest,
    VisitorUpdate,
    WidgetStatus,
)
from supportdesk.conversations.queries import conversations_query, list_conversations
from supportdesk.conversations.schemas import ConversationStaff
from supportdesk.db.base import utcnow
from supportdesk.deps import ContactDep, ServicesDep, StaffDep, client_ip
from supportdesk.errors import InvalidInput
from supportdesk.ratelimit import check_rate
from supportdesk.routing.queries import all_schedules, earliest_opening
from supportdesk.schemas_common import Id, SearchText
from supportdesk.services import Services

router = APIRouter(tags=["contacts"])


@router.post("/widget/session", response_model=VisitorSession)
async def start_visitor_session(
    body: VisitorSessionRequest, request: Request, services: ServicesDep
) -> VisitorSession:
    """Returns the visitor's token: the same contact when a valid token is sent back."""
    known_id = (
        services.visitor_tokens.contact_id(body.visitor_token) if body.visitor_token else None
    )
    if known_id is None:
        await check_rate(
            services.limiter, f"visitor-new:{client_ip(request)}", 60, 60, "new visitors"
        )
    async with services.db.transaction() as session:
        contact = await session.get(Contact, known_id) if known_id is not None else None
        if body.user_id is not None:
            contact = await actions.do_identify_contact(
                session,
                secret=_identity_secret(services),
                user_id=body.user_id,
                user_hash=body.user_hash or "",
                anonymous=contact,
            )
        if contact is None:
            contact = await actions.do_create_contact(session)
        await actions.do_update_contact(
            session,
            contact,
            name=body.name,
            email=body.email,
            locale=body.locale,
            timezone=body.timezone,
            attributes=body.attributes,
        )
    return VisitorSession(
        visitor_token=services.visitor_tokens.issue(contact.id),
        contact=ContactPublic.model_validate(contact),
    )


def _identity_secret(services: Services) -> str:
    if not services.settings.identity_secret:
        raise InvalidInput(
            "identity verification is not configured (SUPPORTDESK_IDENTITY_SECRET)",
            code="identity_not_configured",
        )
    return services.settings.identity_secret


@router.get("/widget/me", response_model=ContactPublic)
async def get_visitor(contact: ContactDep) -> Contact:
    return contact


@router.patch("/widget/me", response_model=ContactPublic)
async def update_visitor(
    body: VisitorUpdate, contact: ContactDep, services: ServicesDep
) -> Contact:
    async with services.db.transaction() as session:
        current = await actions.access_contact(session, contact.id)
        return await actions.do_update_contact(
            session,
            current,
            name=body.name,
            email=body.email,
            locale=body.locale,
            timezone=body.timezone,
        )


@router.get("/widget/status", response_model=WidgetStatus)
async def widget_status(services: ServicesDep) -> WidgetStatus:
    async with services.db.session() as session:
        online = await count_online_agents(session, services.settings.presence_timeout_seconds)
        schedules = [] if online else await all_schedules(session)
    now = utcnow()
    opening = earliest_opening([s for _, s in schedules], now)
    return WidgetStatus(
        agents_online=online,
        humans_available=online > 0,
        max_upload_bytes=services.settings.max_upload_bytes,
        # A team open with nobody online has no "next opening": it is open already.
        next_opening=opening if opening is not None and opening > now else None,
    )


@router.get("/contacts", response_model=list[ContactStaff])
async def list_contacts(
    _staff: StaffDep,
    services: ServicesDep,
    q: Annotated[SearchText | None, Query()] = None,
    limit: int = Query(default=50, ge=1, le=200),
) -> list[Contact]:
    stmt = select(Contact).order_by(Contact.id.desc()).limit(limit)
    if q:
        stmt = stmt.where(contact_matches(like_pattern(q)))
    async with services.db.session() as session:
        return list(await session.scalars(stmt))


@router.get("/contacts/{contact_id}", response_model=ContactStaff)
async def get_contact(contact_id: Id, _staff: StaffDep, services: ServicesDep) -> Contact:
    async with services.db.session() as session:
        return await actions.access_contact(session, contact_id)


@router.patch("/contacts/{contact_id}", response_model=ContactStaff)
async def update_contact(
    contact_id: Id, body: ContactUpdate, _staff: StaffDep, services: ServicesDep
) -> Contact:
    async with services.db.transaction() as session:
        contact = await actions.access_contact(session, contact_id)
        return await actions.do_update_contact(
            session,
            contact,
            name=body.name,
            email=body.email,
            locale=body.locale,
            timezone=body.timezone,
            attributes=body.attributes,
        )


@router.get("/contacts/{contact_id}/conversations", response_model=list[ConversationStaff])
async def contact_conversations(
    contact_id: Id, _staff: StaffDep, services: ServicesDep
) -> list[ConversationStaff]:
    async with services.db.session() as session:
        await actions.access_contact(session, contact_id)
        rows = await list_conversations(
            session, conversations_query(contact_id=contact_id), limit=200
        )
    return [ConversationStaff.model_validate(c) for c in rows]
