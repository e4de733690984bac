"""Conversations and messages as the visitor and the staff see them through the REST API."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from sqlalchemy import event

from supportdesk.conversations.models import Status
from supportdesk.conversations.workflow import TRANSITIONS
from tests.conftest import start_conversation


def _messages_path(conversation: dict, staff: bool = False) -> str:
    prefix = "/api/v1/conversations" if staff else "/api/v1/widget/conversations"
    return f"{prefix}/{conversation['id']}/messages"


async def test_visitor_message_appears_in_the_unassigned_inbox_with_an_unread_count(
    agent_carol, alice_conversation
):
    inbox = await agent_carol.client.get("/api/v1/conversations", params={"assignee": "none"})
    [row] = inbox.json()
    assert row["id"] == alice_conversation["id"]
    assert row["status"] == "queued" and row["unread"] == 1 and row["waiting_since"]


async def test_a_retried_send_returns_the_original_message(visitor_alice, alice_conversation):
    path = _messages_path(alice_conversation)
    body = {"body": "tx id 0xabc", "client_id": "c-1"}
    first = await visitor_alice.client.post(path, json=body)
    retry = await visitor_alice.client.post(path, json=body)
    assert (first.status_code, retry.status_code) == (201, 200)
    assert retry.json()["id"] == first.json()["id"]
    bodies = [m["body"] for m in (await visitor_alice.client.get(path)).json()["messages"]]
    assert bodies.count("tx id 0xabc") == 1


async def test_internal_notes_are_visible_to_staff_only(
    agent_carol, visitor_alice, alice_conversation
):
    staff_path = _messages_path(alice_conversation, staff=True)
    note = await agent_carol.client.post(
        staff_path, json={"body": "user is a VIP", "internal": True}
    )
    assert note.status_code == 201 and note.json()["internal"] is True
    visitor_view = (await visitor_alice.client.get(_messages_path(alice_conversation))).json()
    assert "user is a VIP" not in [m["body"] for m in visitor_view["messages"]]
    staff_view = (await agent_carol.client.get(staff_path)).json()
    assert "user is a VIP" in [m["body"] for m in staff_view["messages"]]


async def test_a_visitor_cannot_write_an_internal_note(visitor_alice, alice_conversation):
    r = await visitor_alice.client.post(
        _messages_path(alice_conversation), json={"body": "x", "internal": True}
    )
    assert r.status_code == 422 and "internal" in r.json()["error"]["message"]
    messages = (await visitor_alice.client.get(_messages_path(alice_conversation))).json()
    assert all(not m["internal"] for m in messages["messages"])


async def test_an_agent_reply_assigns_and_opens_the_conversation(
    agent_carol, visitor_alice, alice_conversation
):
    r = await agent_carol.client.post(
        _messages_path(alice_conversation, staff=True), json={"body": "Checking it now"}
    )
    assert r.json()["sender"] == {
        "type": "agent",
        "agent_id": agent_carol.agent.id,
        "name": "Carol",
    }
    conversation = (
        await agent_carol.client.get(f"/api/v1/conversations/{alice_conversation['id']}")
    ).json()
    assert conversation["status"] == "open"
    assert conversation["assignee_id"] == agent_carol.agent.id
    assert conversation["waiting_since"] is None
    mine = (await agent_carol.client.get("/api/v1/conversations", params={"assignee": "me"})).json()
    assert [c["id"] for c in mine] == [alice_conversation["id"]]


async def test_a_visitor_message_reopens_a_resolved_conversation(
    agent_carol, visitor_alice, alice_conversation
):
    path = f"/api/v1/conversations/{alice_conversation['id']}"
    await agent_carol.client.patch(path, json={"assignee_id": agent_carol.agent.id})
    resolved = await agent_carol.client.patch(path, json={"status": "resolved"})
    assert resolved.json()["status"] == "resolved" and resolved.json()["resolved_at"]
    await visitor_alice.client.post(
        _messages_path(alice_conversation), json={"body": "still stuck"}
    )
    reopened = (await agent_carol.client.get(path)).json()
    assert reopened["status"] == "open" and reopened["resolved_at"] is None


@pytest.mark.parametrize(
    ("start", "target"),
    [
        (s, t)
        for s in (Status.QUEUED, Status.OPEN, Status.PENDING, Status.RESOLVED)
        for t in Status
        if t != s
    ],
)
async def test_status_changes_follow_the_transition_table(
    agent_carol, alice_conversation, start, target
):
    path = f"/api/v1/conversations/{alice_conversation['id']}"
    if start != Status.QUEUED:
        assert (
            await agent_carol.client.patch(path, json={"status": start.value})
        ).status_code == 200
    r = await agent_carol.client.patch(path, json={"status": target.value})
    if target in TRANSITIONS[start]:
        assert r.status_code == 200 and r.json()["status"] == target.value
    else:
        assert r.status_code == 409 and r.json()["error"]["code"] == "invalid_transition"
        assert (await agent_carol.client.get(path)).json()["status"] == start.value


async def test_closed_is_final_for_status_and_messages(
    agent_carol, visitor_alice, alice_conversation
):
    path = f"/api/v1/conversations/{alice_conversation['id']}"
    await agent_carol.client.patch(path, json={"status": "closed"})
    reopen = await agent_carol.client.patch(path, json={"status": "open"})
    assert reopen.status_code == 409
    send = await visitor_alice.client.post(_messages_path(alice_conversation), json={"body": "hi"})
    assert send.status_code == 409 and send.json()["error"]["code"] == "conversation_closed"


async def test_transfer_to_another_agent_and_team_with_a_note(
    admin_dave, agent_carol, agent_erin, alice_conversation
):
    team = (await admin_dave.client.post("/api/v1/teams", json={"name": "Tier 2"})).json()
    path = f"/api/v1/conversations/{alice_conversation['id']}"
    r = await agent_carol.client.patch(
        path,
        json={
            "assignee_id": agent_erin.agent.id,
            "team_id": team["id"],
            "note": "needs a chain lookup",
            "priority": "urgent",
        },
    )
    assert r.status_code == 200
    assert (r.json()["assignee_id"], r.json()["team_id"], r.json()["priority"]) == (
        agent_erin.agent.id,
        team["id"],
        "urgent",
    )
    staff_messages = (await agent_carol.client.get(path + "/messages")).json()["messages"]
    note = staff_messages[-1]
    assert note["sender"]["type"] == "system" and note["internal"] is True
    assert "Erin" in note["body"] and "needs a chain lookup" in note["body"]
    unassign = await agent_carol.client.patch(path, json={"assignee_id": None})
    assert unassign.json()["assignee_id"] is None and unassign.json()["status"] == "queued"


async def test_assigning_to_an_unknown_agent_changes_nothing(agent_carol, alice_conversation):
    path = f"/api/v1/conversations/{alice_conversation['id']}"
    r = await agent_carol.client.patch(path, json={"assignee_id": 424242, "priority": "high"})
    assert r.status_code == 404 and "424242" in r.json()["error"]["message"]
    after = (await agent_carol.client.get(path)).json()
    assert after["assignee_id"] is None and after["priority"] == "normal"


async def test_read_receipts_move_forward_only(agent_carol, visitor_alice, alice_conversation):
    reply = await agent_carol.client.post(
        _messages_path(alice_conversation, staff=True), json={"body": "Hi"}
    )
    read_path = f"/api/v1/widget/conversations/{alice_conversation['id']}/read"
    r = await visitor_alice.client.post(read_path, json={"message_id": reply.json()["id"]})
    assert r.json()["contact_last_read_id"] == reply.json()["id"]
    back = await visitor_alice.client.post(read_path, json={"message_id": 1})
    assert back.json()["contact_last_read_id"] == reply.json()["id"]
    beyond = await visitor_alice.client.post(
        read_path, json={"message_id": reply.json()["id"] + 99}
    )
    assert beyond.status_code == 404
    staff_read = await agent_carol.client.post(
        f"/api/v1/conversations/{alice_conversation['id']}/read",
        json={"message_id": reply.json()["id"]},
    )
    assert staff_read.status_code == 200
    inbox = (await agent_carol.client.get("/api/v1/conversations")).json()
    assert inbox[0]["unread"] == 0


async def test_history_pages_backwards_and_forwards(visitor_alice, alice_conversation):
    path = _messages_path(alice_conversation)
    for i in range(5):
        await visitor_alice.client.post(path, json={"body": f"m{i}", "client_id": f"k{i}"})
    everything = (await visitor_alice.client.get(path)).json()["messages"]
    ids = [m["id"] for m in everything]
    older = (await visitor_alice.client.get(path, params={"before_id": ids[-1], "limit": 2})).json()
    assert [m["id"] for m in older["messages"]] == ids[-3:-1]
    newer = (await visitor_alice.client.get(path, params={"after_id": ids[2]})).json()
    assert [m["id"] for m in newer["messages"]] == ids[3:]


async def test_staff_search_finds_conversations_by_text_contact_and_id(
    agent_carol, visitor_alice, visitor_bob
):
    first = await start_conversation(visitor_alice, "USDT deposit on TRON missing")
    await start_conversation(visitor_bob, "cannot log in")
    for q in ("tron", "Alice", str(first["id"]), f"#{first['id']}"):
        found = (await agent_carol.client.get("/api/v1/conversations", params={"q": q})).json()
        assert [c["id"] for c in found] == [first["id"]], q


async def test_listing_messages_takes_the_same_queries_for_1_or_20_messages(
    services, agent_carol, visitor_alice, alice_conversation
):
    path = _messages_path(alice_conversation, staff=True)
    statements: list[str] = []

    def count(*_args: object) -> None:
        statements.append("x")

    engine = services.db.engine.sync_engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        await agent_carol.client.post(path, json={"body": "first reply"})
        statements.clear()
        await agent_carol.client.get(path)
        few = len(statements)
        for i in range(19):
            await agent_carol.client.post(
                path, json={"body": f"reply {i}", "client_id": uuid.uuid4().hex}
            )
        statements.clear()
        await agent_carol.client.get(path)
        many = len(statements)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert many == few


async def test_a_visitor_cannot_see_or_write_another_visitors_conversation(
    visitor_bob, alice_conversation, agent_carol
):
    for r in (
        await visitor_bob.client.get(f"/api/v1/widget/conversations/{alice_conversation['id']}"),
        await visitor_bob.client.get(_messages_path(alice_conversation)),
        await visitor_bob.client.post(_messages_path(alice_conversation), json={"body": "hi"}),
    ):
        assert r.status_code == 404
        assert r.json()["error"]["code"] == "not_found"
    staff_view = (
        await agent_carol.client.get(_messages_path(alice_conversation, staff=True))
    ).json()
    assert len(staff_view["messages"]) == 1


async def test_a_retried_start_returns_the_first_conversation(visitor_alice):
    body = {"body": "deposit missing", "client_id": "first-send"}
    first = await visitor_alice.client.post("/api/v1/widget/conversations", json=body)
    retry = await visitor_alice.client.post("/api/v1/widget/conversations", json=body)
    assert (first.status_code, retry.status_code) == (201, 200)
    assert retry.json()["id"] == first.json()["id"]
    listed = (await visitor_alice.client.get("/api/v1/widget/conversations")).json()
    assert len(listed) == 1
    messages = (
        await visitor_alice.client.get(
            f"/api/v1/widget/conversations/{first.json()['id']}/messages"
        )
    ).json()["messages"]
    assert [m["body"] for m in messages] == ["deposit missing"]


async def test_a_retry_after_the_conversation_closed_still_returns_the_stored_message(
    agent_carol, visitor_alice, alice_conversation
):
    path = _messages_path(alice_conversation)
    body = {"body": "here is the tx hash", "client_id": "late-retry"}
    first = await visitor_alice.client.post(path, json=body)
    await agent_carol.client.patch(
        f"/api/v1/conversations/{alice_conversation['id']}", json={"status": "closed"}
    )
    retry = await visitor_alice.client.post(path, json=body)
    assert retry.status_code == 200 and retry.json()["id"] == first.json()["id"]
    fresh = await visitor_alice.client.post(path, json={"body": "new", "client_id": "new-one"})
    assert fresh.status_code == 409


async def test_concurrent_retries_of_one_send_store_one_message(visitor_alice, alice_conversation):
    path = _messages_path(alice_conversation)
    body = {"body": "double tap", "client_id": "tap"}
    replies = await asyncio.gather(*(visitor_alice.client.post(path, json=body) for _ in range(5)))
    assert sorted(r.status_code for r in replies) == [200, 200, 200, 200, 201]
    assert len({r.json()["id"] for r in replies}) == 1
    bodies = [m["body"] for m in (await visitor_alice.client.get(path)).json()["messages"]]
    assert bodies.count("double tap") == 1


async def test_system_notes_say_what_happened_as_data_for_each_readers_language(
    agent_carol, admin_dave, visitor_alice, alice_conversation
):
    team = (await admin_dave.client.post("/api/v1/teams", json={"name": "LATAM"})).json()
    path = f"/api/v1/conversations/{alice_conversation['id']}"
    await agent_carol.client.patch(
        path, json={"assignee_id": agent_carol.agent.id, "team_id": team["id"], "note": "VIP"}
    )
    await agent_carol.client.patch(path, json={"status": "resolved"})

    staff_view = (await agent_carol.client.get(path + "/messages")).json()["messages"]
    visitor_view = (await visitor_alice.client.get(_messages_path(alice_conversation))).json()
    notes = [m["system"] for m in staff_view if m["sender"]["type"] == "system"]
    assert notes == [
        {
            "kind": "assignment",
            "actor": "Carol",
            "agent_id": agent_carol.agent.id,
            "agent": "Carol",
            "team_id": team["id"],
            "team": "LATAM",
            "note": "VIP",
        },
        {"kind": "status", "status": "resolved", "actor": "Carol"},
    ]
    # The visitor sees the status change (public), not the assignment (internal).
    public = [m["system"] for m in visitor_view["messages"] if m["sender"]["type"] == "system"]
    assert public == [{"kind": "status", "status": "resolved", "actor": "Carol"}]
    assert all(m["system"] is None for m in staff_view if m["sender"]["type"] != "system")


async def test_visitors_list_shows_each_conversations_latest_public_message(
    agent_carol, visitor_alice, alice_conversation
):
    path = f"/api/v1/conversations/{alice_conversation['id']}/messages"
    await agent_carol.client.post(path, json={"body": "We are on it", "client_id": "r-1"})
    await agent_carol.client.post(
        path, json={"body": "hot wallet refill", "internal": True, "client_id": "n-1"}
    )
    [row] = (await visitor_alice.client.get("/api/v1/widget/conversations")).json()
    assert row["last_message"]["body"] == "We are on it"
    assert row["last_message"]["sender_type"] == "agent"
    assert "assignee_id" not in row and "contact_id" not in row
