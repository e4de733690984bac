"""Two `supportdesk serve` processes sharing one PostgreSQL database and Redis.

PostgreSQL only: SQLite is the one-node deployment (a file on one machine), so the backend
fixture is narrowed here rather than skipped.
"""

from __future__ import annotations

import pytest
from wsharness import Server, Socket, Staff, client_id, is_event, is_frame, new_visitor, open_socket

from conftest import ServeFactory, staff_persona
from supportdesk.accounts.models import Role

REDIS_URL = "redis://127.0.0.1:6379/0"


async def widget_status(node: Server) -> dict:  # type: ignore[type-arg]
    import httpx

    async with httpx.AsyncClient(base_url=node.http, timeout=10) as http:
        status = (await http.get("/api/v1/widget/status")).json()
    return {k: status[k] for k in ("agents_online", "humans_available")}


async def agents_seen_by(staff: Staff) -> dict[int, str]:
    return {a["id"]: a["presence"] for a in (await staff.http.get("/api/v1/agents")).json()}


@pytest.mark.parametrize("backend", ["postgresql"])
async def test_two_nodes_on_postgresql_and_redis_carry_messages_typing_and_presence(
    serve: ServeFactory, database_url: str, redis_prefix: str
) -> None:
    env = {"redis_url": REDIS_URL, "redis_channel_prefix": redis_prefix}
    node_a = await serve(**env)
    node_b = await serve(**env)
    alice = await new_visitor(node_a, "Alice")
    carol = await staff_persona(database_url, node_b, "carol@desk.test", "Carol", Role.AGENT)
    erin = await staff_persona(database_url, node_a, "erin@desk.test", "Erin", Role.AGENT)
    assert await widget_status(node_a) == {"agents_online": 0, "humans_available": False}

    # The agent's presence, written by node B, is what node A's widget and REST report.
    watcher = await open_socket(f"{node_a.ws}/console", cookie=erin.cookie)  # on node A
    console = await open_socket(f"{node_b.ws}/console", cookie=carol.cookie)  # on node B
    await watcher.expect(is_frame("presence", agent_id=carol.agent_id, status="online"))
    assert (await widget_status(node_a))["agents_online"] == 2
    assert (await agents_seen_by(erin))[carol.agent_id] == "online"

    # Visitor on A -> agent on B.
    widget = await open_socket(f"{node_a.ws}/widget", token=alice.token)
    ack = await widget.request({"type": "send", "client_id": client_id(), "body": "Help, node A"})
    conversation_id = ack["message"]["conversation_id"]
    heard = await console.expect(is_event("message.created", id=ack["message"]["id"]))
    assert heard["data"]["message"]["body"] == "Help, node A"

    # Typing both ways.
    await widget.send({"type": "typing", "conversation_id": conversation_id})
    await console.expect(is_frame("typing", who="contact", conversation_id=conversation_id))
    await console.send({"type": "typing", "conversation_id": conversation_id})
    await widget.expect(is_frame("typing", who="agent", name="Carol"))

    # Agent on B -> visitor on A; a retried send stays one message on both nodes.
    reply = {
        "type": "send",
        "conversation_id": conversation_id,
        "client_id": "b-1",
        "body": "Hello from node B",
    }
    first = await console.request(reply)
    assert (await console.request(reply))["message"] == first["message"]
    got = await widget.expect(is_event("message.created", id=first["message"]["id"]))
    cursor = got["seq"]  # a reply is one event in the visitor's stream

    # The visitor drops off node A, misses two replies, and comes back through node B.
    await widget.close()
    missed = [
        (
            await console.request(
                {
                    "type": "send",
                    "conversation_id": conversation_id,
                    "client_id": f"missed-{n}",
                    "body": f"missed {n}",
                }
            )
        )["message"]["id"]
        for n in range(2)
    ]
    again = await open_socket(f"{node_b.ws}/widget", token=alice.token, last_seq=cursor)
    replayed = [await again.recv() for _ in range(again.welcome["last_seq"] - cursor)]
    assert [f["seq"] for f in replayed] == list(range(cursor + 1, again.welcome["last_seq"] + 1))
    assert [
        f["data"]["message"]["id"] for f in replayed if is_event("message.created")(f)
    ] == missed
    live = await console.request(
        {"type": "send", "conversation_id": conversation_id, "client_id": "live", "body": "live"}
    )
    await again.expect(is_event("message.created", id=live["message"]["id"]))
    events = [f for f in again.seen if f.get("type") == "event"]
    assert [f["seq"] for f in events] == list(range(cursor + 1, cursor + 1 + len(events)))

    # The agent leaves node B: node A's watcher and widget status see it.
    await console.close()
    await watcher.expect(is_frame("presence", agent_id=carol.agent_id, status="offline"))
    assert (await agents_seen_by(erin))[carol.agent_id] == "offline"
    assert (await widget_status(node_a))["agents_online"] == 1

    await _close_all(watcher, again)
    for http in (alice.http, carol.http, erin.http):
        await http.aclose()


async def _close_all(*sockets: Socket) -> None:
    for sock in sockets:
        await sock.close()
