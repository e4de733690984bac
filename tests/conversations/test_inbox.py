"""The console's inbox: views with counts, waiting-time order, rows that need no other request."""

from __future__ import annotations

import uuid

from sqlalchemy import event

from tests.conftest import start_conversation

INBOX = "/api/v1/conversations"


async def _reply(staff, conversation: dict, body: str = "On it") -> None:
    response = await staff.client.post(
        f"{INBOX}/{conversation['id']}/messages",
        json={"body": body, "client_id": uuid.uuid4().hex},
    )
    assert response.status_code == 201, response.text


async def _last_id(staff, conversation: dict) -> int:
    messages = await staff.client.get(f"{INBOX}/{conversation['id']}/messages")
    return int(messages.json()["messages"][-1]["id"])


async def test_sort_by_waiting_puts_the_longest_waiting_customer_first(
    agent_carol, visitor_alice, visitor_bob
):
    first = await start_conversation(visitor_alice, "waiting since first")
    second = await start_conversation(visitor_bob, "waiting since second")
    answered = await start_conversation(visitor_alice, "already answered")
    await _reply(agent_carol, answered)

    by_waiting = await agent_carol.client.get(INBOX, params={"sort": "waiting"})
    by_recent = await agent_carol.client.get(INBOX)

    assert [c["id"] for c in by_waiting.json()] == [first["id"], second["id"], answered["id"]]
    assert by_recent.json()[0]["id"] == answered["id"]


async def test_waiting_sort_has_one_page_and_refuses_a_before_cursor(agent_carol):
    response = await agent_carol.client.get(
        INBOX, params={"sort": "waiting", "before": "2026-01-01T00:00:00Z"}
    )
    assert response.status_code == 422
    assert "sort=recent" in response.json()["error"]["message"]


async def test_rows_carry_the_contact_and_the_latest_message(agent_carol, visitor_alice):
    conversation = await start_conversation(visitor_alice, "x" * 500)
    await agent_carol.client.post(
        f"{INBOX}/{conversation['id']}/messages",
        json={"body": "internal remark", "internal": True, "client_id": "n-1"},
    )
    [row] = (await agent_carol.client.get(INBOX)).json()
    assert row["contact_name"] == "Alice"
    assert row["last_message"]["body"] == "internal remark"
    assert row["last_message"]["internal"] is True
    assert row["last_message"]["sender_type"] == "agent"


async def test_a_long_latest_message_is_cut_for_the_row(agent_carol, visitor_alice):
    await start_conversation(visitor_alice, "x" * 500)
    [row] = (await agent_carol.client.get(INBOX)).json()
    assert row["last_message"]["body"] == "x" * 140


async def test_active_hides_resolved_conversations(agent_carol, visitor_alice):
    open_one = await start_conversation(visitor_alice, "still open")
    done = await start_conversation(visitor_alice, "solved")
    resolved = await agent_carol.client.patch(f"{INBOX}/{done['id']}", json={"status": "resolved"})
    assert resolved.status_code == 200
    rows = (await agent_carol.client.get(INBOX, params={"active": "true"})).json()
    assert [c["id"] for c in rows] == [open_one["id"]]


async def test_counts_per_view_follow_assignment_and_reading(
    agent_carol, agent_erin, admin_dave, visitor_alice, visitor_bob
):
    team = await admin_dave.client.post("/api/v1/teams", json={"name": "APAC"})
    mine = await start_conversation(visitor_alice, "for carol")
    theirs = await start_conversation(visitor_bob, "for erin, in APAC")
    await start_conversation(visitor_bob, "nobody's yet")
    await agent_carol.client.patch(
        f"{INBOX}/{mine['id']}", json={"assignee_id": agent_carol.agent.id}
    )
    await agent_carol.client.patch(
        f"{INBOX}/{theirs['id']}",
        json={"assignee_id": agent_erin.agent.id, "team_id": team.json()["id"]},
    )
    read = await agent_carol.client.post(
        f"{INBOX}/{mine['id']}/read", json={"message_id": await _last_id(agent_carol, mine)}
    )
    assert read.status_code == 200

    counts = (await agent_carol.client.get(f"{INBOX}/counts")).json()

    assert counts["mine"] == {"total": 1, "unread": 0}
    assert counts["unassigned"] == {"total": 1, "unread": 1}
    assert counts["all"] == {"total": 3, "unread": 2}
    assert counts["teams"] == {str(team.json()["id"]): {"total": 1, "unread": 1}}
    assert counts["statuses"]["open"] == 2 and counts["statuses"]["queued"] == 1


async def test_inbox_rows_take_the_same_queries_for_one_conversation_or_many(
    agent_carol, visitor_alice, services
):
    statements: list[str] = []

    def count(*_args: object) -> None:
        statements.append("x")

    async def queries_for_inbox() -> int:
        statements.clear()
        response = await agent_carol.client.get(INBOX)
        assert response.status_code == 200
        return len(statements)

    engine = services.db.engine.sync_engine
    await start_conversation(visitor_alice, "question 0")
    event.listen(engine, "before_cursor_execute", count)
    try:
        few = await queries_for_inbox()
        for n in range(1, 8):
            await start_conversation(visitor_alice, f"question {n}")
        many = await queries_for_inbox()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert many == few
