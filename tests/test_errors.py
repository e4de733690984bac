"""Bad input gets a clear 4xx JSON error, ``{"error": {"code", "message"}}``, and writes nothing."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx
import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import func, select

from supportdesk.accounts.models import Agent, Team
from supportdesk.config import ConfigError, load_settings
from supportdesk.contacts.models import Contact
from supportdesk.conversations.models import Conversation, Message
from supportdesk.services import Services
from supportdesk.tokens import identity_hash
from tests.conftest import IDENTITY_SECRET, PASSWORD, make_client

API = "/api/v1"
MISSING = 987654


def assert_error(response: httpx.Response, status: int, code: str, *in_message: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    error = response.json()["error"]
    assert error["code"] == code, error
    for text in in_message:
        assert text in error["message"], error


async def count(services: Services, model: Any, *where: Any) -> int:
    async with services.db.session() as session:
        return int(await session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


async def message_count(services: Services, conversation_id: int) -> int:
    return await count(services, Message, Message.conversation_id == conversation_id)


# --- the body is not what the endpoint takes ----------------------------------------------


async def test_malformed_json_is_refused_and_nothing_is_written(services, visitor_alice):
    response = await visitor_alice.client.post(
        f"{API}/widget/conversations",
        content=b'{"body": "my withdrawal',
        headers={"Content-Type": "application/json"},
    )
    assert_error(response, 422, "invalid", "JSON decode error")
    assert await count(services, Conversation) == 0


@pytest.mark.parametrize("body", [[1, 2], "text", 42, None])
async def test_body_that_is_not_an_object_is_refused(services, visitor_alice, body):
    response = await visitor_alice.client.post(f"{API}/widget/conversations", json=body)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid"
    assert await count(services, Conversation) == 0


async def test_wrong_type_names_the_field_and_changes_nothing(agent_carol, alice_conversation):
    path = f"{API}/conversations/{alice_conversation['id']}"
    response = await agent_carol.client.patch(path, json={"priority": 5, "status": ["open"]})
    assert_error(response, 422, "invalid", "priority", "status")
    fields = {tuple(d["loc"]) for d in response.json()["error"]["details"]}
    assert ("body", "priority") in fields
    after = (await agent_carol.client.get(path)).json()
    assert (after["priority"], after["status"]) == ("normal", alice_conversation["status"])


async def test_missing_fields_are_each_named(services, admin_dave):
    before = await count(services, Agent)
    response = await admin_dave.client.post(f"{API}/agents", json={"name": "No Email"})
    assert_error(response, 422, "invalid", "email: Field required", "password: Field required")
    assert await count(services, Agent) == before


async def test_unknown_field_is_an_error_not_silently_ignored(visitor_alice):
    response = await visitor_alice.client.patch(f"{API}/widget/me", json={"nmae": "Alice A."})
    assert_error(response, 422, "invalid", "nmae")
    assert (await visitor_alice.client.get(f"{API}/widget/me")).json()["name"] == "Alice"


async def test_short_password_is_refused_and_no_agent_created(services, admin_dave):
    before = await count(services, Agent)
    response = await admin_dave.client.post(
        f"{API}/agents", json={"email": "new@example.com", "name": "New", "password": "short"}
    )
    assert_error(response, 422, "invalid", "password")
    assert await count(services, Agent) == before


async def test_invalid_email_is_refused(services, admin_dave):
    response = await admin_dave.client.post(
        f"{API}/agents", json={"email": "not-an-email", "name": "New", "password": PASSWORD}
    )
    assert_error(response, 422, "invalid", "email")
    assert await count(services, Agent, Agent.email == "not-an-email") == 0


@pytest.mark.parametrize(
    "query",
    ["limit=0", "limit=201", "status=lost", "assignee=someone", "before=yesterday", "team_id=-1"],
)
async def test_bad_query_parameters_are_refused(agent_carol, query):
    response = await agent_carol.client.get(f"{API}/conversations?{query}")
    assert_error(response, 422, "invalid", query.split("=")[0])


# --- unknown ids: 404 naming the id -------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "body", "what"),
    [
        ("GET", "/conversations/{missing}", None, "conversation"),
        ("GET", "/conversations/{missing}/messages", None, "conversation"),
        ("POST", "/conversations/{missing}/messages", {"body": "hi"}, "conversation"),
        ("PATCH", "/conversations/{missing}", {"priority": "high"}, "conversation"),
        ("GET", "/agents/{missing}", None, "agent"),
        ("PATCH", "/agents/{missing}", {"name": "X"}, "agent"),
        ("POST", "/agents/{missing}/deactivate", None, "agent"),
        ("GET", "/contacts/{missing}", None, "contact"),
        ("GET", "/contacts/{missing}/conversations", None, "contact"),
        ("PUT", "/teams/{missing}/members", {"agent_ids": []}, "team"),
        ("DELETE", "/auth/tokens/{missing}", None, "API token"),
        ("PATCH", "/conversations/{conversation}", {"assignee_id": MISSING}, "agent"),
        ("PATCH", "/conversations/{conversation}", {"team_id": MISSING}, "team"),
        ("POST", "/conversations/{conversation}/read", {"message_id": MISSING}, "message"),
    ],
)
async def test_unknown_id_is_404_naming_it(
    services, admin_dave, alice_conversation, method, path, body, what
):
    before = await message_count(services, alice_conversation["id"])
    url = API + path.format(missing=MISSING, conversation=alice_conversation["id"])
    response = await admin_dave.client.request(method, url, json=body)
    assert_error(response, 404, "not_found", f"{what} {MISSING} not found")
    assert await message_count(services, alice_conversation["id"]) == before


async def test_visitor_unknown_conversation_is_404_naming_it(visitor_alice):
    response = await visitor_alice.client.get(f"{API}/widget/conversations/{MISSING}/messages")
    assert_error(response, 404, "not_found", f"conversation {MISSING} not found")


async def test_unknown_agent_in_team_members_is_named(services, admin_dave, agent_carol):
    team = await admin_dave.client.post(f"{API}/teams", json={"name": "APAC"})
    path = f"{API}/teams/{team.json()['id']}/members"
    response = await admin_dave.client.put(
        path, json={"agent_ids": [agent_carol.agent.id, MISSING]}
    )
    assert_error(response, 422, "unknown_agent", str(MISSING))
    teams = (await admin_dave.client.get(f"{API}/teams")).json()
    assert teams[0]["member_ids"] == []


@pytest.mark.parametrize("huge", [2**31, 2**63, 10**30])
async def test_id_beyond_the_database_range_is_refused_not_a_server_error(
    admin_dave, visitor_alice, alice_conversation, huge
):
    for client, path, body in [
        (admin_dave.client, f"/conversations/{huge}", None),
        (admin_dave.client, f"/agents/{huge}", None),
        (admin_dave.client, f"/conversations?team_id={huge}", None),
        (
            admin_dave.client,
            f"/conversations/{alice_conversation['id']}/messages?after_id={huge}",
            None,
        ),
        (visitor_alice.client, f"/widget/conversations/{huge}", None),
    ]:
        response = await client.request("GET", API + path, json=body)
        assert_error(response, 422, "invalid")
    response = await admin_dave.client.patch(
        f"{API}/conversations/{alice_conversation['id']}", json={"assignee_id": huge}
    )
    assert_error(response, 422, "invalid", "assignee_id")


# --- message length -----------------------------------------------------------------------


async def test_message_over_the_default_limit_is_too_long(
    services, visitor_alice, alice_conversation
):
    assert services.settings.max_message_chars == 10_000
    path = f"{API}/widget/conversations/{alice_conversation['id']}/messages"
    before = await message_count(services, alice_conversation["id"])
    response = await visitor_alice.client.post(path, json={"body": "x" * 10_001})
    assert_error(response, 422, "too_long", "10001 characters", "limit is 10000")
    assert await message_count(services, alice_conversation["id"]) == before
    assert (await visitor_alice.client.post(path, json={"body": "x" * 10_000})).status_code == 201


async def test_first_message_too_long_starts_no_conversation(services, visitor_alice):
    response = await visitor_alice.client.post(
        f"{API}/widget/conversations", json={"body": "x" * 10_001}
    )
    assert_error(response, 422, "too_long")
    assert await count(services, Conversation) == 0


async def test_staff_reply_too_long_is_refused(services, agent_carol, alice_conversation):
    path = f"{API}/conversations/{alice_conversation['id']}/messages"
    before = await message_count(services, alice_conversation["id"])
    response = await agent_carol.client.post(path, json={"body": "y" * 10_001, "internal": True})
    assert_error(response, 422, "too_long")
    assert await message_count(services, alice_conversation["id"]) == before


async def test_message_limit_follows_the_setting(
    services, visitor_alice, alice_conversation, monkeypatch
):
    monkeypatch.setattr(services.settings, "max_message_chars", 20)
    path = f"{API}/widget/conversations/{alice_conversation['id']}/messages"
    response = await visitor_alice.client.post(path, json={"body": "z" * 21})
    assert_error(response, 422, "too_long", "limit is 20")
    assert (await visitor_alice.client.post(path, json={"body": "z" * 20})).status_code == 201


def test_message_limit_is_read_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("SUPPORTDESK_MAX_MESSAGE_CHARS", "500")
    assert load_settings(env="test", data_dir=tmp_path).max_message_chars == 500
    monkeypatch.setenv("SUPPORTDESK_MAX_MESSAGE_CHARS", "0")
    with pytest.raises(ConfigError, match="SUPPORTDESK_MAX_MESSAGE_CHARS"):
        load_settings(env="test", data_dir=tmp_path)


async def test_empty_message_is_refused(services, visitor_alice, alice_conversation):
    path = f"{API}/widget/conversations/{alice_conversation['id']}/messages"
    response = await visitor_alice.client.post(path, json={"body": "   "})
    assert_error(response, 422, "empty_message")


async def test_huge_json_body_is_refused_and_nothing_is_written(
    services, visitor_alice, alice_conversation
):
    path = f"{API}/widget/conversations/{alice_conversation['id']}/messages"
    before = await message_count(services, alice_conversation["id"])
    response = await visitor_alice.client.post(path, json={"body": "x" * 3_000_000})
    assert_error(response, 413, "too_large", "over the limit")
    response = await visitor_alice.client.post(path, json={"body": "x" * 200_000})
    assert_error(response, 422, "too_long", "10000")
    junk = {f"field_{i}": "v" * 100 for i in range(5_000)}  # under the body limit
    response = await visitor_alice.client.patch(f"{API}/widget/me", json=junk)
    assert_error(response, 422, "invalid")
    assert len(response.text) < 10_000, "the error must not echo the whole body back"
    assert await message_count(services, alice_conversation["id"]) == before


async def test_a_chunked_body_over_the_limit_is_refused_without_reading_it_all(
    services, visitor_alice, alice_conversation
):
    path = f"{API}/widget/conversations/{alice_conversation['id']}/messages"

    async def chunks():
        yield b'{"body": "'
        for _ in range(300):
            yield b"x" * 10_000
        yield b'"}'

    response = await visitor_alice.client.post(
        path, content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert_error(response, 413, "too_large")
    small = await visitor_alice.client.post(
        path, content=_one_chunk(b'{"body": "fits"}'), headers={"Content-Type": "application/json"}
    )
    assert small.status_code == 201, small.text
    assert await message_count(services, alice_conversation["id"]) == 2


async def _one_chunk(data: bytes):
    yield data


async def test_too_many_contact_attributes_are_refused(services, agent_carol, visitor_alice):
    attributes = {f"a{i}": i for i in range(51)}
    response = await agent_carol.client.patch(
        f"{API}/contacts/{visitor_alice.contact_id}", json={"attributes": attributes}
    )
    assert_error(response, 422, "invalid", "at most 50")
    contact = (await agent_carol.client.get(f"{API}/contacts/{visitor_alice.contact_id}")).json()
    assert contact["attributes"] == {}


# --- visitor tokens -----------------------------------------------------------------------


class _LongAgoSigner(TimestampSigner):
    def get_timestamp(self) -> int:
        return int(time.time()) - 400 * 24 * 3600  # the default max age is 365 days


def _visitor_token(secret: str, contact_id: int, *, expired: bool = False) -> str:
    signer = _LongAgoSigner if expired else TimestampSigner
    serializer = URLSafeTimedSerializer(secret, salt="supportdesk.visitor", signer=signer)
    return serializer.dumps({"c": contact_id})


async def _try_with_token(app: Any, token: str) -> httpx.Response:
    async with make_client(app) as http:
        http.headers["X-Visitor-Token"] = token
        return await http.post(f"{API}/widget/conversations", json={"body": "hello"})


async def test_token_signed_with_another_secret_is_invalid(app, services, visitor_alice):
    forged = _visitor_token("another-secret-" + "x" * 40, visitor_alice.contact_id)
    response = await _try_with_token(app, forged)
    assert_error(response, 401, "token_invalid")
    assert await count(services, Conversation) == 0


async def test_expired_token_is_refused(app, services, settings, visitor_alice):
    expired = _visitor_token(settings.secret_key, visitor_alice.contact_id, expired=True)
    response = await _try_with_token(app, expired)
    assert_error(response, 401, "token_expired")
    assert await count(services, Conversation) == 0


async def test_genuine_token_made_the_same_way_is_accepted(app, settings, visitor_alice):
    # Proves the two tests above fail for the reason they name, not for the token's format.
    genuine = _visitor_token(settings.secret_key, visitor_alice.contact_id)
    assert (await _try_with_token(app, genuine)).status_code == 201


@pytest.mark.parametrize("token", ["garbage", "eyJjIjoxfQ.AAAA.BBBB", "x" * 600])
async def test_garbage_token_is_invalid(app, services, token):
    response = await _try_with_token(app, token)
    assert_error(response, 401, "token_invalid")
    assert await count(services, Conversation) == 0


async def test_token_for_unknown_contact_is_invalid(app, settings):
    response = await _try_with_token(app, _visitor_token(settings.secret_key, MISSING))
    assert_error(response, 401, "token_invalid", "unknown contact")


async def test_widget_session_with_forged_token_creates_no_contact(app, services, visitor_alice):
    forged = _visitor_token("another-secret-" + "x" * 40, visitor_alice.contact_id)
    before = await count(services, Contact)
    async with make_client(app) as http:
        response = await http.post(f"{API}/widget/session", json={"visitor_token": forged})
    assert_error(response, 401, "token_invalid")
    assert await count(services, Contact) == before


# --- identity verification ----------------------------------------------------------------


async def test_wrong_identity_hash_is_refused_and_no_contact_created(app, services):
    async with make_client(app) as http:
        response = await http.post(
            f"{API}/widget/session",
            json={"user_id": "user-42", "user_hash": identity_hash("wrong", "user-42")},
        )
    assert_error(response, 403, "identity_invalid")
    assert await count(services, Contact) == 0


async def test_identity_without_configured_secret_is_refused(app, services, monkeypatch):
    monkeypatch.setattr(services.settings, "identity_secret", "")
    async with make_client(app) as http:
        response = await http.post(
            f"{API}/widget/session",
            json={"user_id": "user-42", "user_hash": identity_hash(IDENTITY_SECRET, "user-42")},
        )
    assert_error(response, 422, "identity_not_configured", "SUPPORTDESK_IDENTITY_SECRET")
    assert await count(services, Contact) == 0


async def test_right_identity_hash_is_accepted(app):
    async with make_client(app) as http:
        response = await http.post(
            f"{API}/widget/session",
            json={"user_id": "user-42", "user_hash": identity_hash(IDENTITY_SECRET, "user-42")},
        )
    assert response.status_code == 200
    assert response.json()["contact"]["is_verified"] is True


# --- status transitions -------------------------------------------------------------------


async def test_closed_conversation_cannot_be_reopened(services, agent_carol, alice_conversation):
    path = f"{API}/conversations/{alice_conversation['id']}"
    closed = await agent_carol.client.patch(path, json={"status": "closed"})
    assert closed.status_code == 200
    before = await message_count(services, alice_conversation["id"])
    for status in ("open", "queued", "resolved"):
        response = await agent_carol.client.patch(path, json={"status": status})
        assert_error(
            response, 409, "invalid_transition", f"closed conversation cannot become {status}"
        )
    assert (await agent_carol.client.get(path)).json()["status"] == "closed"
    assert await message_count(services, alice_conversation["id"]) == before


async def test_visitor_cannot_write_into_a_closed_conversation(
    services, agent_carol, visitor_alice, alice_conversation
):
    conversation_id = alice_conversation["id"]
    path = f"{API}/conversations/{conversation_id}"
    assert (await agent_carol.client.patch(path, json={"status": "closed"})).status_code == 200
    before = await message_count(services, conversation_id)
    response = await visitor_alice.client.post(
        f"{API}/widget/conversations/{conversation_id}/messages", json={"body": "hello?"}
    )
    assert_error(response, 409, "conversation_closed")
    assert await message_count(services, conversation_id) == before


async def test_unknown_status_is_refused(agent_carol, alice_conversation):
    response = await agent_carol.client.patch(
        f"{API}/conversations/{alice_conversation['id']}", json={"status": "archived"}
    )
    assert_error(response, 422, "invalid", "status")


# --- locales and time zones ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("locale", "english!"),
        ("locale", "e"),
        ("locale", "en_US"),
        ("timezone", "Mars/Olympus_Mons"),
        ("timezone", "UTC+8"),
        ("timezone", "x" * 65),
    ],
)
async def test_bad_locale_or_timezone_is_refused(visitor_alice, field, value):
    response = await visitor_alice.client.patch(f"{API}/widget/me", json={field: value})
    assert_error(response, 422, "invalid", field)
    me = (await visitor_alice.client.get(f"{API}/widget/me")).json()
    assert me[field] != value


async def test_bad_timezone_names_the_zone_and_creates_no_team(services, admin_dave):
    response = await admin_dave.client.post(
        f"{API}/teams", json={"name": "Mars", "timezone": "Mars/Olympus_Mons"}
    )
    assert_error(response, 422, "invalid", "unknown time zone 'Mars/Olympus_Mons'")
    assert await count(services, Team) == 0


async def test_bad_locale_on_widget_session_creates_no_contact(app, services):
    async with make_client(app) as http:
        response = await http.post(f"{API}/widget/session", json={"locale": "klingon language"})
    assert_error(response, 422, "invalid", "locale")
    assert await count(services, Contact) == 0


# --- outside the API ----------------------------------------------------------------------


async def test_healthz_answers_ok(client):
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.parametrize("path", ["/api/v1/nothing-here", "/nothing-here", "/api/v2/conversations"])
async def test_unknown_route_is_a_json_404(client, path):
    assert_error(await client.get(path), 404, "not_found")


async def test_wrong_method_is_a_json_405(client, agent_carol):
    assert_error(await client.delete(f"{API}/widget/me"), 405, "method_not_allowed")
    response = await agent_carol.client.put(f"{API}/conversations", json={})
    assert_error(response, 405, "method_not_allowed")
    assert "GET" in response.headers.get("allow", "")


# --- text no database can store -----------------------------------------------------------


@pytest.mark.parametrize("text", ["before\x00after", "lone \ud800 surrogate"])
async def test_unstorable_text_is_refused_on_every_backend(
    services, visitor_alice, alice_conversation, text
):
    path = f"{API}/widget/conversations/{alice_conversation['id']}/messages"
    before = await message_count(services, alice_conversation["id"])
    raw = httpx_json({"body": text})
    response = await visitor_alice.client.post(
        path, content=raw, headers={"Content-Type": "application/json"}
    )
    assert_error(response, 422, "invalid", "body must not contain NUL")
    assert await message_count(services, alice_conversation["id"]) == before
    response = await visitor_alice.client.post(
        f"{API}/widget/session",
        content=httpx_json({"attributes": {"plan": text}}),
        headers={"Content-Type": "application/json"},
    )
    assert_error(response, 422, "invalid", "attributes.plan")


async def test_unstorable_search_text_is_refused(agent_carol):
    for path in ("/conversations", "/contacts"):
        response = await agent_carol.client.get(f"{API}{path}", params={"q": "a\x00b"})
        assert_error(response, 422, "invalid", "q")


def httpx_json(value: Any) -> bytes:
    """JSON with \\u escapes, so that a lone surrogate survives the trip (as a browser sends it)."""
    return json.dumps(value, ensure_ascii=True).encode()


def test_a_field_named_body_is_named_in_the_validation_message():
    from supportdesk.http import describe_validation

    errors = [
        {"loc": ("body", "body"), "msg": "String should have at most 10 characters"},
        {"loc": ("body",), "msg": "Field required"},
        {"loc": ("query", "limit"), "msg": "Input should be a valid integer"},
    ]
    assert describe_validation(errors) == (
        "body: String should have at most 10 characters; request: Field required; "
        "query.limit: Input should be a valid integer"
    )
