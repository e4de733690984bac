"""Who may call each REST endpoint, and who may not: one row per route, every persona.

``ROUTES`` has a row for every (method, path) under ``/api/v1``; a new endpoint without a row
fails ``test_every_route_has_an_authorization_row``, so nobody adds a route without deciding
who may call it. For each row, one test sends the same request as every persona below and
checks the status code and, for refusals, the JSON error shape and its code:

- ``anonymous``: no credentials at all;
- ``alice`` (a visitor who owns the conversation) and ``bob`` (another visitor);
- ``carol`` (agent), ``sam`` (supervisor), ``dave`` (admin, cookie + CSRF header);
- ``dave_token``: the admin with an API token (``Authorization: Bearer sd_…``), no cookie;
- ``carol_no_csrf``: carol's session cookie without the ``X-CSRF-Token`` header;
- ``frank_cookie`` / ``frank_token``: an agent deactivated after logging in and creating a token.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from supportdesk.accounts.actions import do_create_api_token, do_create_team
from supportdesk.accounts.models import Agent, Role
from supportdesk.app import create_app
from supportdesk.config import load_settings
from supportdesk.services import Services
from tests.conftest import (
    PASSWORD,
    StaffPersona,
    VisitorPersona,
    create_agent,
    login,
    make_client,
)
from tests.routing import authz as routing
from tests.tickets import authz as tickets

API = "/api/v1"


class Access(Enum):
    PUBLIC = "anyone"
    VISITOR = "a visitor token"
    STAFF = "any active staff member"
    MANAGER = "a supervisor or an admin"
    ADMIN = "an admin"
    SELF_OR_ADMIN = "the agent themself (not their role) or an admin"
    OWNER_OR_ADMIN = "the token's owner or an admin"
    STAFF_OR_VISITOR = "any active staff member, or the visitor who owns the conversation"


@dataclass
class Persona:
    name: str
    client: httpx.AsyncClient
    kind: str  # anonymous | visitor | staff | deactivated
    role: Role | None = None
    csrf: bool = True
    agent: Agent | None = None
    contact_id: int | None = None


@dataclass
class World:
    """Everything a row needs to build its request; created fresh for each test."""

    app: FastAPI
    services: Services
    alice: VisitorPersona
    carol: StaffPersona
    erin: StaffPersona
    conversation: dict[str, Any]
    first_message_id: int
    personas: list[Persona] = field(default_factory=list)


Request = tuple[str, dict[str, Any]]  # the path, and httpx keyword arguments (json=, files=)
Build = Callable[[World, Persona], Awaitable[Request]]


@dataclass(frozen=True)
class Row:
    method: str
    path: str
    access: Access
    build: Build
    ok: int = 200
    # A visitor who does not own the conversation in the path gets 404, as for a missing one.
    owned_by_alice: bool = False


def fixed(path: str, body: dict[str, Any] | None = None) -> Build:
    async def build(world: World, persona: Persona) -> Request:
        return path.format(**_ids(world)), {} if body is None else {"json": body}

    return build


def _ids(world: World) -> dict[str, int]:
    return {
        "conversation_id": world.conversation["id"],
        "contact_id": world.alice.contact_id,
        "carol_id": world.carol.agent.id,
        "erin_id": world.erin.agent.id,
    }


async def _login(world: World, persona: Persona) -> Request:
    # Staff log in as themselves (a deactivated agent is refused); others use erin's login.
    email = persona.agent.email if persona.agent is not None else world.erin.agent.email
    return "/auth/login", {"json": {"email": email, "password": PASSWORD}}


async def _new_agent(world: World, persona: Persona) -> Request:
    email = f"new-{persona.name.replace('_', '-')}@example.com"
    return "/agents", {"json": {"email": email, "name": "New", "password": PASSWORD}}


async def _new_team(world: World, persona: Persona) -> Request:
    return "/teams", {"json": {"name": f"Team {persona.name}", "timezone": "Asia/Singapore"}}


async def _team_members(world: World, persona: Persona) -> Request:
    async with world.services.db.transaction() as session:
        team = await do_create_team(
            session, name=f"Members {persona.name}", region="", timezone="UTC", languages=[]
        )
    return f"/teams/{team.id}/members", {"json": {"agent_ids": [world.carol.agent.id]}}


async def _erins_token(world: World, persona: Persona) -> Request:
    async with world.services.db.transaction() as session:
        new = await do_create_api_token(session, world.erin.agent, f"for {persona.name}")
    return f"/auth/tokens/{new.record.id}", {}


async def _staff_reply(world: World, persona: Persona) -> Request:
    path = f"/conversations/{world.conversation['id']}/messages"
    return path, {"json": {"body": "Looking into it.", "client_id": uuid.uuid4().hex}}


async def _visitor_message(world: World, persona: Persona) -> Request:
    path = f"/widget/conversations/{world.conversation['id']}/messages"
    return path, {"json": {"body": "Any news?", "client_id": uuid.uuid4().hex}}


async def _read(world: World, persona: Persona, prefix: str) -> Request:
    path = f"{prefix}/{world.conversation['id']}/read"
    return path, {"json": {"message_id": world.first_message_id}}


async def _visitor_read(world: World, persona: Persona) -> Request:
    return await _read(world, persona, "/widget/conversations")


async def _staff_read(world: World, persona: Persona) -> Request:
    return await _read(world, persona, "/conversations")


RECEIPT = ("receipt.txt", b"tx 0xabc confirmed at 12:03", "text/plain")


async def _visitor_upload(world: World, persona: Persona) -> Request:
    return f"/widget/conversations/{world.conversation['id']}/attachments", {
        "files": {"file": RECEIPT}
    }


async def _staff_upload(world: World, persona: Persona) -> Request:
    return f"/conversations/{world.conversation['id']}/attachments", {"files": {"file": RECEIPT}}


async def _alices_attachment(world: World, persona: Persona) -> Request:
    path, kwargs = await _visitor_upload(world, persona)
    response = await world.alice.client.post(API + path, **kwargs)
    assert response.status_code == 201, response.text
    return f"/attachments/{response.json()['id']}", {}


async def _canned_reply(world: World, persona: Persona) -> int:
    from supportdesk.canned.actions import do_create_canned_reply
    from supportdesk.canned.schemas import CannedReplyCreate

    data = CannedReplyCreate(
        shortcut=f"hi-{persona.name.replace('_', '-')}",
        title="Greeting",
        bodies={"en": "Hi {{contact.name}}!", "es": "¡Hola {{contact.name}}!"},
    )
    async with world.services.db.transaction() as session:
        reply = await do_create_canned_reply(session, data, world.carol.agent)
    return reply.id


async def _new_canned(world: World, persona: Persona) -> Request:
    body = {
        "shortcut": f"new-{persona.name.replace('_', '-')}",
        "title": "T",
        "bodies": {"en": "x"},
    }
    return "/canned-replies", {"json": body}


async def _edit_canned(world: World, persona: Persona) -> Request:
    return f"/canned-replies/{await _canned_reply(world, persona)}", {"json": {"title": "Hello"}}


async def _delete_canned(world: World, persona: Persona) -> Request:
    return f"/canned-replies/{await _canned_reply(world, persona)}", {}


async def _render_canned(world: World, persona: Persona) -> Request:
    reply_id = await _canned_reply(world, persona)
    body = {"conversation_id": world.conversation["id"]}
    return f"/canned-replies/{reply_id}/render", {"json": body}


async def _bot_choice(world: World, persona: Persona) -> Request:
    from supportdesk.conversations.models import Conversation, Status

    async with world.services.db.transaction() as session:
        conversation = await session.get(Conversation, world.conversation["id"])
        assert conversation is not None
        conversation.status = Status.BOT
    return f"/widget/conversations/{world.conversation['id']}/bot", {"json": {"choice": "human"}}


async def _article_feedback(world: World, persona: Persona) -> Request:
    from tests.search.articles import add_article

    key = f"fees-{persona.name.replace('_', '-')}"
    await add_article(world.services.db, key, {"en": ("Trading fees", "Maker 0.1%, taker 0.1%.")})
    return f"/help/articles/{key}/feedback", {"json": {"locale": "en", "helpful": True}}


def _slug(persona: Persona, prefix: str) -> str:
    return f"{prefix}-{persona.name.replace('_', '-')}"


async def _help_article(world: World, persona: Persona, prefix: str = "art") -> str:
    from supportdesk.helpcenter.actions import do_upsert_translation

    key = _slug(persona, prefix)
    async with world.services.db.transaction() as session:
        await do_upsert_translation(
            session, key=key, locale="en", title="Fees", body="Maker 0.1%.", category_slug="fees"
        )
    return key


async def _new_category(world: World, persona: Persona) -> Request:
    return "/help/categories", {"json": {"slug": _slug(persona, "cat"), "names": {"en": "Cat"}}}


async def _category(world: World, persona: Persona) -> str:
    from supportdesk.helpcenter.actions import do_create_category

    slug = _slug(persona, "c")
    async with world.services.db.transaction() as session:
        await do_create_category(session, slug=slug, names={})
    return slug


async def _rename_category(world: World, persona: Persona) -> Request:
    return f"/help/categories/{await _category(world, persona)}", {"json": {"names": {"en": "X"}}}


async def _delete_category(world: World, persona: Persona) -> Request:
    return f"/help/categories/{await _category(world, persona)}", {}


async def _order_categories(world: World, persona: Persona) -> Request:
    return "/help/categories/order", {"json": {"slugs": [await _category(world, persona)]}}


async def _sections(world: World, persona: Persona) -> str:
    from supportdesk.helpcenter.queries import access_category
    from supportdesk.helpcenter.sections import do_create_section

    slug = await _category(world, persona)
    async with world.services.db.transaction() as session:
        category = await access_category(session, slug)
        await do_create_section(session, category, slug="basics", names={})
    return f"/help/categories/{slug}/sections"


async def _list_sections(world: World, persona: Persona) -> Request:
    return await _sections(world, persona), {}


async def _new_section(world: World, persona: Persona) -> Request:
    return await _sections(world, persona), {"json": {"slug": "more"}}


async def _rename_section(world: World, persona: Persona) -> Request:
    return f"{await _sections(world, persona)}/basics", {"json": {"names": {"en": "X"}}}


async def _delete_section(world: World, persona: Persona) -> Request:
    return f"{await _sections(world, persona)}/basics", {}


async def _order_sections(world: World, persona: Persona) -> Request:
    return f"{await _sections(world, persona)}/order", {"json": {"slugs": ["basics"]}}


async def _upload_help_media(world: World, persona: Persona) -> Request:
    from io import BytesIO

    from PIL import Image

    out = BytesIO()
    Image.new("RGB", (4, 4)).save(out, "PNG")
    return "/help/media", {"files": {"file": ("dot.png", out.getvalue(), "image/png")}}


async def _article_path(world: World, persona: Persona) -> Request:
    return f"/help/articles/{await _help_article(world, persona)}/translations", {}


async def _put_translation(world: World, persona: Persona) -> Request:
    body = {"title": "Comisiones", "body": "Maker 0,1 %.", "status": "published"}
    return f"/help/articles/{await _help_article(world, persona)}/translations/es", {"json": body}


async def _translation_action(world: World, persona: Persona, action: str) -> Request:
    return f"/help/articles/{await _help_article(world, persona)}/translations/en{action}", {}


async def _publish(world: World, persona: Persona) -> Request:
    return await _translation_action(world, persona, "/publish")


async def _unpublish(world: World, persona: Persona) -> Request:
    return await _translation_action(world, persona, "/unpublish")


async def _delete_translation(world: World, persona: Persona) -> Request:
    return await _translation_action(world, persona, "")


async def _delete_article(world: World, persona: Persona) -> Request:
    return f"/help/articles/{await _help_article(world, persona)}", {}


async def _public_article(world: World, persona: Persona) -> Request:
    return f"/help/articles/{await _help_article(world, persona)}?locale=en", {}


C = "/conversations/{conversation_id}"
WC = "/widget/conversations/{conversation_id}"

ROUTES: list[Row] = [
    # accounts
    Row("POST", "/auth/login", Access.PUBLIC, _login),
    Row("POST", "/auth/logout", Access.STAFF, fixed("/auth/logout"), ok=204),
    Row("GET", "/auth/me", Access.STAFF, fixed("/auth/me")),
    Row("GET", "/auth/tokens", Access.STAFF, fixed("/auth/tokens")),
    Row("POST", "/auth/tokens", Access.STAFF, fixed("/auth/tokens", {"name": "ci"}), ok=201),
    Row("DELETE", "/auth/tokens/{token_id}", Access.OWNER_OR_ADMIN, _erins_token, ok=204),
    Row("GET", "/agents", Access.STAFF, fixed("/agents")),
    Row("POST", "/agents", Access.ADMIN, _new_agent, ok=201),
    Row("GET", "/agents/{agent_id}", Access.STAFF, fixed("/agents/{erin_id}")),
    Row(
        "PATCH",
        "/agents/{agent_id}",
        Access.SELF_OR_ADMIN,
        fixed("/agents/{carol_id}", {"name": "Carol C."}),
    ),
    Row(
        "POST", "/agents/{agent_id}/deactivate", Access.ADMIN, fixed("/agents/{erin_id}/deactivate")
    ),
    Row(
        "POST", "/agents/{agent_id}/reactivate", Access.ADMIN, fixed("/agents/{erin_id}/reactivate")
    ),
    Row("PUT", "/presence", Access.STAFF, fixed("/presence", {"status": "away"})),
    Row("GET", "/teams", Access.STAFF, fixed("/teams")),
    Row("POST", "/teams", Access.ADMIN, _new_team, ok=201),
    Row("PUT", "/teams/{team_id}/members", Access.MANAGER, _team_members),
    # contacts and the widget's session
    Row("POST", "/widget/session", Access.PUBLIC, fixed("/widget/session", {"locale": "es"})),
    Row("GET", "/widget/me", Access.VISITOR, fixed("/widget/me")),
    Row("PATCH", "/widget/me", Access.VISITOR, fixed("/widget/me", {"name": "Renamed"})),
    Row("GET", "/widget/status", Access.PUBLIC, fixed("/widget/status")),
    Row("GET", "/contacts", Access.STAFF, fixed("/contacts")),
    Row("GET", "/contacts/{contact_id}", Access.STAFF, fixed("/contacts/{contact_id}")),
    Row(
        "PATCH",
        "/contacts/{contact_id}",
        Access.STAFF,
        fixed("/contacts/{contact_id}", {"attributes": {"tier": "vip"}}),
    ),
    Row(
        "GET",
        "/contacts/{contact_id}/conversations",
        Access.STAFF,
        fixed("/contacts/{contact_id}/conversations"),
    ),
    # conversations: the visitor's side
    Row("GET", "/widget/conversations", Access.VISITOR, fixed("/widget/conversations")),
    Row(
        "POST",
        "/widget/conversations",
        Access.VISITOR,
        fixed("/widget/conversations", {"body": "Hello"}),
        ok=201,
    ),
    Row("GET", WC, Access.VISITOR, fixed(WC), owned_by_alice=True),
    Row("GET", WC + "/messages", Access.VISITOR, fixed(WC + "/messages"), owned_by_alice=True),
    Row("POST", WC + "/messages", Access.VISITOR, _visitor_message, ok=201, owned_by_alice=True),
    Row("POST", WC + "/read", Access.VISITOR, _visitor_read, owned_by_alice=True),
    # conversations: the staff's side
    Row("GET", "/conversations", Access.STAFF, fixed("/conversations?assignee=none")),
    Row("GET", "/conversations/counts", Access.STAFF, fixed("/conversations/counts")),
    Row("GET", C, Access.STAFF, fixed(C)),
    Row("PATCH", C, Access.STAFF, fixed(C, {"priority": "high"})),
    Row("GET", C + "/messages", Access.STAFF, fixed(C + "/messages")),
    Row("POST", C + "/messages", Access.STAFF, _staff_reply, ok=201),
    Row("POST", C + "/read", Access.STAFF, _staff_read),
    # attachments
    Row("POST", WC + "/attachments", Access.VISITOR, _visitor_upload, ok=201, owned_by_alice=True),
    Row("POST", C + "/attachments", Access.STAFF, _staff_upload, ok=201),
    Row(
        "GET",
        "/attachments/{attachment_id}",
        Access.STAFF_OR_VISITOR,
        _alices_attachment,
        owned_by_alice=True,
    ),
    # canned replies
    Row("GET", "/canned-replies", Access.STAFF, fixed("/canned-replies")),
    Row("POST", "/canned-replies", Access.STAFF, _new_canned, ok=201),
    Row("PATCH", "/canned-replies/{reply_id}", Access.STAFF, _edit_canned),
    Row("DELETE", "/canned-replies/{reply_id}", Access.STAFF, _delete_canned, ok=204),
    Row("POST", "/canned-replies/{reply_id}/render", Access.STAFF, _render_canned),
    # the answer bot and help-center search
    Row("POST", WC + "/bot", Access.VISITOR, _bot_choice, owned_by_alice=True),
    Row("POST", "/bot/answer", Access.PUBLIC, fixed("/bot/answer", {"text": "reset my password"})),
    Row("GET", "/bot/rules", Access.ADMIN, fixed("/bot/rules")),
    Row("PUT", "/bot/rules", Access.ADMIN, fixed("/bot/rules", {"min_confidence": 0.05})),
    Row("GET", "/help/search", Access.PUBLIC, fixed("/help/search?q=password&locale=en")),
    Row("POST", "/help/articles/{key}/feedback", Access.PUBLIC, _article_feedback, ok=201),
    # help-center content
    Row("GET", "/help/categories", Access.STAFF, fixed("/help/categories")),
    Row("POST", "/help/categories", Access.MANAGER, _new_category, ok=201),
    Row("PATCH", "/help/categories/{slug}", Access.MANAGER, _rename_category),
    Row("DELETE", "/help/categories/{slug}", Access.MANAGER, _delete_category, ok=204),
    Row("PUT", "/help/categories/order", Access.MANAGER, _order_categories, ok=204),
    Row("GET", "/help/categories/{slug}/sections", Access.STAFF, _list_sections),
    Row("POST", "/help/categories/{slug}/sections", Access.MANAGER, _new_section, ok=201),
    Row("PUT", "/help/categories/{slug}/sections/order", Access.MANAGER, _order_sections, ok=204),
    Row("PATCH", "/help/categories/{slug}/sections/{section}", Access.MANAGER, _rename_section),
    Row(
        "DELETE",
        "/help/categories/{slug}/sections/{section}",
        Access.MANAGER,
        _delete_section,
        ok=204,
    ),
    Row("POST", "/help/media", Access.STAFF, _upload_help_media, ok=201),
    Row("GET", "/help/articles", Access.STAFF, fixed("/help/articles")),
    Row("GET", "/help/articles/{key}/translations", Access.STAFF, _article_path),
    Row(
        "PUT", "/help/articles/{key}/translations/{locale}", Access.STAFF, _put_translation, ok=201
    ),
    Row("POST", "/help/articles/{key}/translations/{locale}/publish", Access.STAFF, _publish),
    Row("POST", "/help/articles/{key}/translations/{locale}/unpublish", Access.STAFF, _unpublish),
    Row(
        "DELETE",
        "/help/articles/{key}/translations/{locale}",
        Access.MANAGER,
        _delete_translation,
        ok=204,
    ),
    Row("DELETE", "/help/articles/{key}", Access.MANAGER, _delete_article, ok=204),
    Row("GET", "/help/articles/{key}", Access.PUBLIC, _public_article),
    Row("POST", "/help/preview", Access.STAFF, fixed("/help/preview", {"markdown": "**Hi**"})),
    # UI strings
    Row("GET", "/i18n/{locale}", Access.PUBLIC, fixed("/i18n/zh-CN")),
    # routing: teams' hours, holidays, skills, capacity and coverage
    Row("GET", "/teams/{team_id}/hours", Access.STAFF, routing.read_hours),
    Row("PUT", "/teams/{team_id}/hours", Access.MANAGER, routing.set_hours),
    Row("GET", "/teams/{team_id}/holidays", Access.STAFF, routing.list_holidays),
    Row("POST", "/teams/{team_id}/holidays", Access.MANAGER, routing.add_holiday, ok=201),
    Row(
        "DELETE",
        "/teams/{team_id}/holidays/{holiday_id}",
        Access.MANAGER,
        routing.delete_holiday,
        ok=204,
    ),
    Row("POST", "/teams/{team_id}/holidays/import", Access.MANAGER, routing.import_holidays),
    Row("PUT", "/teams/{team_id}/skills", Access.MANAGER, routing.set_skills),
    Row("PUT", "/agents/{agent_id}/capacity", Access.MANAGER, routing.set_capacity),
    Row("GET", "/coverage", Access.STAFF, fixed("/coverage?days=7")),
    # email tickets
    Row("GET", C + "/emails", Access.STAFF, fixed(C + "/emails")),
    Row("GET", "/emails/unparseable", Access.ADMIN, fixed("/emails/unparseable")),
    Row("GET", "/emails/{email_id}/original", Access.STAFF, tickets.email_original),
    Row("GET", "/emails/{email_id}/raw", Access.STAFF, tickets.email_raw),
    # routing: the admin's rules, the visitor's queue and "ask for another agent"
    Row("GET", "/routing/settings", Access.ADMIN, fixed("/routing/settings")),
    Row("PUT", "/routing/settings", Access.ADMIN, routing.routing_settings),
    Row("GET", WC + "/queue", Access.VISITOR, fixed(WC + "/queue"), owned_by_alice=True),
    Row("POST", WC + "/another-agent", Access.VISITOR, routing.another_agent, owned_by_alice=True),
]


def _row_id(row: Row) -> str:
    return f"{row.method} {row.path}"


# --- the table covers the app -------------------------------------------------------------


def _app_operations(app: FastAPI) -> set[tuple[str, str]]:
    """(method, path) of every HTTP route under /api/v1, read from the routing table."""
    try:
        from fastapi.routing import iter_route_contexts
    except ImportError:  # FastAPI before routers were included lazily: routes are flat
        contexts: Any = app.routes
    else:
        contexts = iter_route_contexts(app.routes)
    found = set()
    for route in contexts:
        path, methods = getattr(route, "path", None), getattr(route, "methods", None)
        if path and methods and path.startswith(API + "/"):
            found |= {(m, path.removeprefix(API)) for m in methods if m != "HEAD"}
    return found


def _openapi_operations(app: FastAPI) -> set[tuple[str, str]]:
    return {
        (method.upper(), path.removeprefix(API))
        for path, item in app.openapi()["paths"].items()
        if path.startswith(API + "/")
        for method in item
    }


def test_every_route_has_an_authorization_row(tmp_path):
    app = create_app(load_settings(env="test", data_dir=tmp_path, secret_key="k" * 48))
    table = {(row.method, row.path) for row in ROUTES}
    assert len(table) == len(ROUTES), "a route has two rows"
    openapi = _openapi_operations(app)
    assert not openapi - table, f"routes without an authorization row: {sorted(openapi - table)}"
    assert not table - openapi, f"rows for routes that do not exist: {sorted(table - openapi)}"
    routed = _app_operations(app)
    assert routed == openapi, f"routes missing from the OpenAPI document: {routed ^ openapi}"


# --- every persona against every row -----------------------------------------------------


def expected(row: Row, persona: Persona, method: str) -> tuple[int, str | None]:
    """(status, error code) that ``persona`` must get from ``row``; code None on success."""
    ok = (row.ok, None)
    if row.access is Access.PUBLIC:
        if row.path == "/auth/login" and persona.kind == "deactivated":
            return 403, "account_deactivated"
        return ok
    if row.access is Access.STAFF_OR_VISITOR and persona.kind == "visitor":
        return (404, "not_found") if persona.name != "alice" else ok
    if row.access is Access.VISITOR:
        if persona.kind != "visitor":
            return 401, "not_authenticated"
        if row.owned_by_alice and persona.name != "alice":
            return 404, "not_found"
        return ok
    if persona.kind in ("anonymous", "visitor"):
        return 401, "not_authenticated"
    if persona.kind == "deactivated":
        return 401, "session_expired" if persona.name.endswith("cookie") else "token_invalid"
    if not persona.csrf and method not in ("GET", "HEAD"):
        return 403, "csrf_failed"
    return _staff_expected(row, persona)


def _staff_expected(row: Row, persona: Persona) -> tuple[int, str | None]:
    role = persona.role
    if row.access is Access.ADMIN and role is not Role.ADMIN:
        return 403, "role_required"
    if row.access is Access.MANAGER and role not in (Role.ADMIN, Role.SUPERVISOR):
        return 403, "role_required"
    if row.access is Access.SELF_OR_ADMIN and role is not Role.ADMIN and persona.name != "carol":
        return 403, "role_required"
    if row.access is Access.OWNER_OR_ADMIN and role is not Role.ADMIN:
        return 404, "not_found"  # another agent's token is "not found", like a missing one
    return row.ok, None


async def _personas(world: World, visitor_bob, supervisor_sam, admin_dave) -> list[Persona]:
    app, services = world.app, world.services
    carol_no_csrf, _ = await login(app, world.carol.agent.email)
    del carol_no_csrf.headers["X-CSRF-Token"]
    dave_token = make_client(app)
    async with services.db.transaction() as session:
        secret = (await do_create_api_token(session, admin_dave.agent, "automation")).secret
    dave_token.headers["Authorization"] = f"Bearer {secret}"
    frank, frank_cookie, frank_token = await _deactivated_agent(world, admin_dave)
    return [
        Persona("anonymous", make_client(app), "anonymous"),
        Persona("alice", world.alice.client, "visitor", contact_id=world.alice.contact_id),
        Persona("bob", visitor_bob.client, "visitor", contact_id=visitor_bob.contact_id),
        Persona(
            "carol_no_csrf", carol_no_csrf, "staff", Role.AGENT, csrf=False, agent=world.carol.agent
        ),
        Persona("frank_cookie", frank_cookie, "deactivated", Role.AGENT, agent=frank),
        Persona("frank_token", frank_token, "deactivated", Role.AGENT, agent=frank),
        Persona("carol", world.carol.client, "staff", Role.AGENT, agent=world.carol.agent),
        Persona("sam", supervisor_sam.client, "staff", Role.SUPERVISOR, agent=supervisor_sam.agent),
        Persona("dave", admin_dave.client, "staff", Role.ADMIN, agent=admin_dave.agent),
        Persona("dave_token", dave_token, "staff", Role.ADMIN, agent=admin_dave.agent),
    ]


async def _deactivated_agent(
    world: World, admin: StaffPersona
) -> tuple[Agent, httpx.AsyncClient, httpx.AsyncClient]:
    """Frank logs in and makes an API token; then an admin deactivates him."""
    frank = await create_agent(world.services, "frank@example.com", "Frank", Role.AGENT)
    cookie_client, _ = await login(world.app, frank.email)
    response = await cookie_client.post(f"{API}/auth/tokens", json={"name": "laptop"})
    assert response.status_code == 201, response.text
    token_client = make_client(world.app)
    token_client.headers["Authorization"] = f"Bearer {response.json()['token']}"
    assert (await token_client.get(f"{API}/auth/me")).status_code == 200
    response = await admin.client.post(f"{API}/agents/{frank.id}/deactivate")
    assert response.status_code == 200, response.text
    return frank, cookie_client, token_client


def assert_error_shape(response: httpx.Response, code: str) -> None:
    body = response.json()
    assert set(body) == {"error"}, body
    assert body["error"]["code"] == code, body
    assert isinstance(body["error"]["message"], str) and body["error"]["message"], body


@pytest.mark.parametrize("row", ROUTES, ids=_row_id)
async def test_who_may_call_each_endpoint(
    row: Row,
    app,
    services,
    visitor_alice,
    visitor_bob,
    agent_carol,
    agent_erin,
    supervisor_sam,
    admin_dave,
    alice_conversation,
):
    messages = await visitor_alice.client.get(
        f"{API}/widget/conversations/{alice_conversation['id']}/messages"
    )
    world = World(
        app,
        services,
        visitor_alice,
        agent_carol,
        agent_erin,
        alice_conversation,
        messages.json()["messages"][0]["id"],
    )
    personas = await _personas(world, visitor_bob, supervisor_sam, admin_dave)
    wrong = []
    try:
        for persona in personas:
            path, kwargs = await row.build(world, persona)
            response = await persona.client.request(row.method, API + path, **kwargs)
            status, code = expected(row, persona, row.method)
            got_code = _code(response)
            if response.status_code != status or (code is not None and got_code != code):
                wrong.append(
                    f"{persona.name}: expected {status} {code or ''}, "
                    f"got {response.status_code} {response.text[:200]}"
                )
            elif code is not None:
                assert_error_shape(response, code)
    finally:
        for persona in personas[:1] + personas[3:6] + personas[-1:]:
            await persona.client.aclose()
    assert not wrong, f"{row.method} {row.path} ({row.access.value}):\n" + "\n".join(wrong)


def _code(response: httpx.Response) -> str | None:
    try:
        return response.json()["error"]["code"]  # type: ignore[no-any-return]
    except (ValueError, KeyError, TypeError):
        return None


# --- rules the table cannot express --------------------------------------------------------


async def test_visitor_cannot_read_another_visitors_conversation(visitor_bob, alice_conversation):
    conversation_id = alice_conversation["id"]
    theirs = await visitor_bob.client.get(f"{API}/widget/conversations/{conversation_id}")
    missing = await visitor_bob.client.get(f"{API}/widget/conversations/{conversation_id + 1000}")
    assert theirs.status_code == missing.status_code == 404
    assert_error_shape(theirs, "not_found")
    assert theirs.json()["error"]["message"] == f"conversation {conversation_id} not found"
    listed = await visitor_bob.client.get(f"{API}/widget/conversations")
    assert listed.json() == []


async def test_visitor_cannot_post_into_another_visitors_conversation(
    visitor_alice, visitor_bob, alice_conversation
):
    path = f"{API}/widget/conversations/{alice_conversation['id']}/messages"
    response = await visitor_bob.client.post(path, json={"body": "let me in"})
    assert response.status_code == 404
    assert_error_shape(response, "not_found")
    bodies = [m["body"] for m in (await visitor_alice.client.get(path)).json()["messages"]]
    assert "let me in" not in bodies


async def test_agent_cannot_change_their_own_role(agent_carol):
    response = await agent_carol.client.patch(
        f"{API}/agents/{agent_carol.agent.id}", json={"role": "admin"}
    )
    assert response.status_code == 403
    assert_error_shape(response, "role_required")
    me = await agent_carol.client.get(f"{API}/auth/me")
    assert me.json()["agent"]["role"] == "agent"


async def test_supervisor_cannot_change_another_agent(supervisor_sam, agent_carol):
    response = await supervisor_sam.client.patch(
        f"{API}/agents/{agent_carol.agent.id}", json={"name": "Someone else"}
    )
    assert response.status_code == 403
    assert_error_shape(response, "role_required")


async def test_admin_can_change_a_role(admin_dave, agent_carol):
    response = await admin_dave.client.patch(
        f"{API}/agents/{agent_carol.agent.id}", json={"role": "supervisor"}
    )
    assert response.status_code == 200
    assert response.json()["role"] == "supervisor"


async def test_deactivated_agent_cannot_log_in_again(app, admin_dave, agent_carol):
    response = await admin_dave.client.post(f"{API}/agents/{agent_carol.agent.id}/deactivate")
    assert response.status_code == 200
    assert response.json()["is_active"] is False
    refused = await agent_carol.client.get(f"{API}/auth/me")
    assert refused.status_code == 401
    async with make_client(app) as http:
        again = await http.post(
            f"{API}/auth/login", json={"email": agent_carol.agent.email, "password": PASSWORD}
        )
    assert again.status_code == 403
    assert_error_shape(again, "account_deactivated")


async def test_admin_cannot_deactivate_themself(admin_dave):
    response = await admin_dave.client.post(f"{API}/agents/{admin_dave.agent.id}/deactivate")
    assert response.status_code == 422
    assert_error_shape(response, "cannot_deactivate_self")


async def test_wrong_csrf_token_is_refused_like_a_missing_one(agent_carol):
    response = await agent_carol.client.put(
        f"{API}/presence", json={"status": "away"}, headers={"X-CSRF-Token": "forged"}
    )
    assert response.status_code == 403
    assert_error_shape(response, "csrf_failed")


async def test_api_token_needs_no_csrf_header_and_revoked_token_is_refused(agent_carol, app):
    created = await agent_carol.client.post(f"{API}/auth/tokens", json={"name": "ci"})
    token = created.json()["token"]
    assert token.startswith("sd_")
    async with make_client(app) as bot:
        bot.headers["Authorization"] = f"Bearer {token}"
        assert (await bot.put(f"{API}/presence", json={"status": "away"})).status_code == 200
        revoke = await agent_carol.client.delete(f"{API}/auth/tokens/{created.json()['id']}")
        assert revoke.status_code == 204
        refused = await bot.get(f"{API}/auth/me")
    assert refused.status_code == 401
    assert_error_shape(refused, "token_invalid")


async def test_logged_out_session_cookie_is_refused_when_replayed(app, agent_carol):
    cookie = agent_carol.client.cookies["sd_session"]
    assert (await agent_carol.client.post(f"{API}/auth/logout")).status_code == 204
    async with make_client(app) as replay:
        replay.cookies.set("sd_session", cookie)
        response = await replay.get(f"{API}/auth/me")
    assert response.status_code == 401
    assert_error_shape(response, "session_expired")


async def test_forged_session_cookie_is_refused(app):
    async with make_client(app) as http:
        http.cookies.set("sd_session", "not-a-session")
        response = await http.get(f"{API}/auth/me")
    assert response.status_code == 401
    assert_error_shape(response, "session_expired")
