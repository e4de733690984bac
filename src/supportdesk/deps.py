"""FastAPI dependencies: the process's services, and who is asking."""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyCookie, APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from supportdesk.accounts.actions import find_api_token, find_session
from supportdesk.accounts.models import Agent, AuthSession, Role
from supportdesk.contacts.models import Contact
from supportdesk.errors import Forbidden, Unauthorized
from supportdesk.services import Services

SESSION_COOKIE = "sd_session"
CSRF_HEADER = "X-CSRF-Token"
VISITOR_HEADER = "X-Visitor-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

_cookie = APIKeyCookie(name=SESSION_COOKIE, auto_error=False, description="Console session")
_bearer = HTTPBearer(auto_error=False, description="API token (sd_…)")
_visitor = APIKeyHeader(name=VISITOR_HEADER, auto_error=False, description="Visitor token")


def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


@dataclass(frozen=True, slots=True)
class Staff:
    agent: Agent
    session: AuthSession | None  # None when authenticated by API token


async def current_staff(
    request: Request,
    services: ServicesDep,
    cookie: Annotated[str | None, Depends(_cookie)],
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Staff:
    async with services.db.session() as session:
        if bearer is not None:
            token = await find_api_token(session, bearer.credentials)
            return Staff(token.agent, None)
        if cookie:
            record = await find_session(session, cookie)
            check_csrf(request, record)
            return Staff(record.agent, record)
    raise Unauthorized("log in or send an API token", code="not_authenticated")


def check_csrf(request: Request, record: AuthSession) -> None:
    """Cookie-authenticated writes must echo the session's CSRF token in a header."""
    if request.method in SAFE_METHODS:
        return
    given = request.headers.get(CSRF_HEADER, "")
    if not hmac.compare_digest(given.encode(), record.csrf_token.encode()):
        raise Forbidden(f"missing or wrong {CSRF_HEADER} header", code="csrf_failed")


StaffDep = Annotated[Staff, Depends(current_staff)]


def require_role(*roles: Role) -> Callable[[Staff], Awaitable[Staff]]:
    async def _check(staff: StaffDep) -> Staff:
        if staff.agent.role not in roles:
            needed = " or ".join(r.value for r in roles)
            raise Forbidden(f"this needs the {needed} role", code="role_required")
        return staff

    return _check


AdminDep = Annotated[Staff, Depends(require_role(Role.ADMIN))]
ManagerDep = Annotated[Staff, Depends(require_role(Role.ADMIN, Role.SUPERVISOR))]


async def current_contact(
    services: ServicesDep, token: Annotated[str | None, Depends(_visitor)]
) -> Contact:
    if not token:
        raise Unauthorized(
            f"send the visitor token in the {VISITOR_HEADER} header", code="not_authenticated"
        )
    contact_id = services.visitor_tokens.contact_id(token)
    async with services.db.session() as session:
        contact = await session.get(Contact, contact_id)
    if contact is None:
        raise Unauthorized("visitor token names an unknown contact", code="token_invalid")
    return contact


ContactDep = Annotated[Contact, Depends(current_contact)]


async def staff_or_contact(
    request: Request,
    services: ServicesDep,
    cookie: Annotated[str | None, Depends(_cookie)],
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    visitor_token: Annotated[str | None, Depends(_visitor)],
) -> Staff | Contact:
    """Staff when staff credentials are valid, else the visitor of the token, else 401.

    A browser may hold both (an agent trying the widget): a stale console cookie must not
    hide a valid visitor token, so a failed staff check falls through to the visitor.
    """
    if cookie or bearer is not None:
        try:
            return await current_staff(request, services, cookie, bearer)
        except Unauthorized:
            if not visitor_token:
                raise
    if visitor_token:
        return await current_contact(services, visitor_token)
    raise Unauthorized(
        f"log in, send an API token, or send the visitor token in the {VISITOR_HEADER} header",
        code="not_authenticated",
    )


StaffOrContactDep = Annotated[Staff | Contact, Depends(staff_or_contact)]


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"
