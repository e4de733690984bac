"""What a client builds from the event stream equals what a fresh fetch returns.

A console and a widget each keep a local copy of conversations and messages, updated only
from events; after a series of actions by REST and socket, both copies must equal the REST
state. This catches an action that writes without emitting, or emits a stale shape.
"""

from __future__ import annotations

from typing import Any

from tests.realtime.wsharness import Server, Socket, Staff, Visitor, client_id, open_socket

Frame = dict[str, Any]


class Mirror:
    """Conversations and messages as a client rebuilds them from events alone."""

    def __init__(self) -> None:
        self.conversations: dict[int, Frame] = {}
        self.messages: dict[int, dict[int, Frame]] = {}
        self.last_seq = 0

    def apply(self, frame: Frame) -> None:
        if frame.get("type") != "event":
            return
        assert frame["seq"] == self.last_seq + 1, "events arrive in order without gaps"
        self.last_seq = frame["seq"]
        data = frame["data"]
        if "conversation" in data:
            self.conversations[data["conversation"]["id"]] = data["conversation"]
        if frame["event"] == "conversation.read":
            field = "agent_last_read_id" if data["reader"] == "agent" else "contact_last_read_id"
            self.conversations[data["conversation_id"]][field] = data["message_id"]
        if frame["event"] == "message.created":
            message = data["message"]
            self.messages.setdefault(message["conversation_id"], {})[message["id"]] = message


async def drain_until(sock: Socket, mirror: Mirror, seq: int) -> None:
    for frame in sock.pending:
        mirror.apply(frame)
    sock.pending.clear()
    while mirror.last_seq < seq:
        mirror.apply(await sock.recv())


async def test_state_rebuilt_from_events_equals_a_fresh_fetch(
    server: Server, alice: Visitor, carol: Staff, erin: Staff
) -> None:
    console = await open_socket(f"{server.ws}/console", cookie=carol.cookie, last_seq=0)
    widget = await open_socket(f"{server.ws}/widget", token=alice.token, last_seq=0)
    staff_view, visitor_view = Mirror(), Mirror()

    first = await widget.request({"type": "send", "client_id": client_id(), "body": "Deposit?"})
    conversation_id = first["message"]["conversation_id"]
    api = f"/api/v1/conversations/{conversation_id}"
    await carol.http.post(f"{api}/messages", json={"body": "Checking", "client_id": client_id()})
    await carol.http.post(f"{api}/messages", json={"body": "VIP", "internal": True})
    await carol.http.patch(api, json={"assignee_id": erin.agent_id, "priority": "high"})
    await erin.http.patch(api, json={"status": "pending"})
    await widget.request(
        {
            "type": "send",
            "conversation_id": conversation_id,
            "client_id": client_id(),
            "body": "tx 0xabc",
        }
    )
    await erin.http.patch(api, json={"status": "resolved"})
    newest = (await carol.http.get(f"{api}/messages")).json()["messages"][-1]["id"]
    await carol.http.post(f"{api}/read", json={"message_id": newest})
    seen = await widget.request(
        {"type": "read", "conversation_id": conversation_id, "message_id": newest, "ref": "r"}
    )
    assert seen["type"] == "ok"

    # A fresh connection's welcome names each stream's newest seq: read the mirrors up to it.
    staff_seq = (await open_socket(f"{server.ws}/console", cookie=carol.cookie)).welcome
    visitor_seq = (await open_socket(f"{server.ws}/widget", token=alice.token)).welcome
    await drain_until(console, staff_view, staff_seq["last_seq"])
    await drain_until(widget, visitor_view, visitor_seq["last_seq"])

    staff_fetch = (await carol.http.get(api)).json()
    assert staff_view.conversations[conversation_id] == staff_fetch
    staff_messages = (await carol.http.get(f"{api}/messages")).json()["messages"]
    assert list(staff_view.messages[conversation_id].values()) == staff_messages

    visitor_api = f"/api/v1/widget/conversations/{conversation_id}"
    assert visitor_view.conversations[conversation_id] == (await alice.http.get(visitor_api)).json()
    visitor_messages = (await alice.http.get(f"{visitor_api}/messages")).json()["messages"]
    assert list(visitor_view.messages[conversation_id].values()) == visitor_messages
    assert all(not m["internal"] for m in visitor_messages)
