"""Visitor tokens, identity verification and the contacts staff see."""

from __future__ import annotations

from supportdesk.tokens import identity_hash
from tests.conftest import IDENTITY_SECRET, make_client, start_conversation


async def test_a_returning_visitor_with_their_token_is_the_same_contact(client, visitor_alice):
    r = await client.post("/api/v1/widget/session", json={"visitor_token": visitor_alice.token})
    assert r.status_code == 200
    assert r.json()["contact"]["id"] == visitor_alice.contact_id
    assert r.json()["contact"]["name"] == "Alice"


async def test_a_returning_visitor_sees_their_conversations(app, visitor_alice):
    conversation = await start_conversation(visitor_alice)
    async with make_client(app) as later:
        later.headers["X-Visitor-Token"] = visitor_alice.token
        listed = (await later.get("/api/v1/widget/conversations")).json()
    assert [c["id"] for c in listed] == [conversation["id"]]


async def test_a_forged_visitor_token_is_refused(client, visitor_alice):
    forged = visitor_alice.token[:-4] + (
        "AAAA" if not visitor_alice.token.endswith("AAAA") else "BBBB"
    )
    r = await client.post("/api/v1/widget/session", json={"visitor_token": forged})
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "token_invalid"
    r = await client.get("/api/v1/widget/conversations", headers={"X-Visitor-Token": forged})
    assert r.status_code == 401


async def test_identity_verification_links_a_logged_in_user(client):
    user_hash = identity_hash(IDENTITY_SECRET, "user-42")
    r = await client.post(
        "/api/v1/widget/session",
        json={"user_id": "user-42", "user_hash": user_hash, "email": "Li@Example.com"},
    )
    assert r.status_code == 200
    contact = r.json()["contact"]
    assert contact["is_verified"] is True and contact["email"] == "li@example.com"
    again = await client.post(
        "/api/v1/widget/session", json={"user_id": "user-42", "user_hash": user_hash.upper()}
    )
    assert again.json()["contact"]["id"] == contact["id"]


async def test_a_wrong_identity_hash_is_refused_and_creates_nothing(client, agent_carol):
    r = await client.post(
        "/api/v1/widget/session",
        json={"user_id": "user-42", "user_hash": identity_hash("another secret", "user-42")},
    )
    assert r.status_code == 403
    assert r.json()["error"]["code"] == "identity_invalid"
    assert (await agent_carol.client.get("/api/v1/contacts")).json() == []


async def test_logging_in_moves_the_anonymous_visitors_conversations_to_the_user(
    client, visitor_alice, agent_carol
):
    user_hash = identity_hash(IDENTITY_SECRET, "user-7")
    known = await client.post(
        "/api/v1/widget/session", json={"user_id": "user-7", "user_hash": user_hash}
    )
    known_id = known.json()["contact"]["id"]
    conversation = await start_conversation(visitor_alice)
    r = await client.post(
        "/api/v1/widget/session",
        json={"visitor_token": visitor_alice.token, "user_id": "user-7", "user_hash": user_hash},
    )
    assert r.json()["contact"]["id"] == known_id
    history = await agent_carol.client.get(f"/api/v1/contacts/{known_id}/conversations")
    assert [c["id"] for c in history.json()] == [conversation["id"]]


async def test_staff_see_custom_attributes_and_visitors_do_not(client, agent_carol):
    r = await client.post(
        "/api/v1/widget/session",
        json={
            "name": "Mei",
            "locale": "zh-Hans",
            "timezone": "Asia/Shanghai",
            "attributes": {"vip_level": 3, "kyc": "verified"},
        },
    )
    assert "attributes" not in r.json()["contact"]
    staff_view = await agent_carol.client.get(f"/api/v1/contacts/{r.json()['contact']['id']}")
    assert staff_view.json()["attributes"] == {"vip_level": 3, "kyc": "verified"}
    assert staff_view.json()["locale"] == "zh-Hans"


async def test_bad_visitor_fields_are_named_in_the_error(client):
    r = await client.post(
        "/api/v1/widget/session",
        json={"locale": "not a locale!", "timezone": "Nowhere/City", "email": "x@"},
    )
    assert r.status_code == 422
    message = r.json()["error"]["message"]
    assert "locale" in message and "timezone" in message and "email" in message


async def test_staff_search_contacts_by_email(client, agent_carol):
    await client.post("/api/v1/widget/session", json={"email": "whale@example.com"})
    await client.post("/api/v1/widget/session", json={"email": "minnow@example.com"})
    found = (await agent_carol.client.get("/api/v1/contacts", params={"q": "WHALE"})).json()
    assert [c["email"] for c in found] == ["whale@example.com"]
