"""The WebSocket gateway over real sockets against a real `supportdesk serve` process.

Each test runs on SQLite and on PostgreSQL (the ``database_url`` fixture).
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import update
from wsharness import (
    SECRET_KEY,
    Server,
    Socket,
    Staff,
    Visitor,
    client_id,
    is_event,
    is_frame,
    open_socket,
    refused,
)

from supportdesk.db.base import utcnow
from supportdesk.db.engine import Database
from supportdesk.realtime.events import contact_stream, prune_events
from supportdesk.realtime.models import Event


async def visitor_socket(server: Server, visitor: Visitor, last_seq: int | None = None) -> Socket:
    return await open_socket(f"{server.ws}/widget", token=visitor.token, last_seq=last_seq)


async def console_socket(server: Server, staff: Staff, last_seq: int | None = None) -> Socket:
    return await open_socket(f"{server.ws}/console", cookie=staff.cookie, last_seq=last_seq)


async def start_chat(sock: Socket, body: str = "My withdrawal is stuck") -> dict:  # type: ignore[type-arg]
    ack = await sock.request({"type": "send", "client_id": client_id(), "body": body})
    assert ack["type"] == "ack", ack
    return ack["message"]  # type: ignore[no-any-return]


async def messages(visitor: Visitor, conversation_id: int) -> list[dict]:  # type: ignore[type-arg]
    response = await visitor.http.get(f"/api/v1/widget/conversations/{conversation_id}/messages")
    assert response.status_code == 200, response.text
    return response.json()["messages"]  # type: ignore[no-any-return]


async def test_visitor_and_agent_say_hello_and_are_welcomed(
    server: Server, alice: Visitor, carol: Staff
) -> None:
    widget = await visitor_socket(server, alice)
    console = await console_socket(server, carol)
    assert widget.welcome["stream"] == f"contact:{alice.contact_id}"
    assert widget.welcome["contact_id"] == alice.contact_id
    assert widget.welcome["heartbeat_interval"] < widget.welcome["idle_timeout"]
    assert console.welcome["stream"] == "staff"
    assert console.welcome["agent"] == {"id": carol.agent_id, "name": "Carol", "role": "agent"}
    pong = await widget.request({"type": "ping", "ref": "p1"})
    assert pong == {"type": "pong", "ref": "p1"}
    assert (await console.request({"type": "ping", "ref": "p2"}))["type"] == "pong"


async def test_visitor_message_is_acked_after_commit_and_reaches_the_agent(
    server: Server, alice: Visitor, carol: Staff
) -> None:
    console = await console_socket(server, carol)
    widget = await visitor_socket(server, alice)

    ack = await widget.request({"type": "send", "client_id": "first-1", "body": "Hello?"})

    assert ack["type"] == "ack" and ack["ref"] == "first-1" and ack["created"] is True
    message = ack["message"]
    assert message["body"] == "Hello?" and message["sender"]["type"] == "contact"
    stored = await messages(alice, message["conversation_id"])
    assert [m["id"] for m in stored] == [message["id"]]  # acknowledged means committed
    created = await console.expect(is_event("message.created", id=message["id"]))
    assert created["data"]["message"]["body"] == "Hello?"
    own = await widget.expect(is_event("message.created", id=message["id"]))
    assert own["seq"] > widget.welcome["last_seq"]


async def test_agent_reply_reaches_the_visitor_but_an_internal_note_does_not(
    server: Server, alice: Visitor, carol: Staff
) -> None:
    widget = await visitor_socket(server, alice)
    console = await console_socket(server, carol)
    conversation_id = (await start_chat(widget))["conversation_id"]

    note = await console.request(
        {
            "type": "send",
            "conversation_id": conversation_id,
            "client_id": "note-1",
            "body": "VIP customer",
            "internal": True,
        }
    )
    reply = await console.request(
        {
            "type": "send",
            "conversation_id": conversation_id,
            "client_id": "reply-1",
            "body": "Looking into it",
        }
    )

    assert note["message"]["internal"] is True and reply["message"]["internal"] is False
    received = await widget.expect(is_event("message.created", id=reply["message"]["id"]))
    assert received["data"]["message"]["sender"] == {
        "type": "agent",
        "agent_id": carol.agent_id,
        "name": "Carol",
    }
    leaked = [f for f in widget.seen if "VIP customer" in str(f) or "note-1" in str(f)]
    assert leaked == []
    seqs = [f["seq"] for f in widget.seen if f.get("type") == "event"]
    assert seqs == list(range(seqs[0], seqs[0] + len(seqs)))  # no gap where the note was
    await console.expect(is_event("message.created", id=note["message"]["id"]))


async def test_a_retried_send_returns_the_original_message_and_no_second_event(
    server: Server, alice: Visitor, carol: Staff
) -> None:
    widget = await visitor_socket(server, alice)
    console = await console_socket(server, carol)
    first = await widget.request({"type": "send", "client_id": "retry-me", "body": "Help"})
    conversation_id = first["message"]["conversation_id"]

    again = await widget.request({"type": "send", "client_id": "retry-me", "body": "Help"})
    in_conversation = await widget.request(
        {
            "type": "send",
            "client_id": "retry-me",
            "conversation_id": conversation_id,
            "body": "Help",
        }
    )
    sentinel = await widget.request(
        {
            "type": "send",
            "client_id": "after",
            "conversation_id": conversation_id,
            "body": "Still there?",
        }
    )

    assert again["message"] == first["message"] and again["created"] is False
    assert in_conversation["message"]["id"] == first["message"]["id"]
    await console.expect(is_event("message.created", id=sentinel["message"]["id"]))
    created = [f for f in console.seen if is_event("message.created")(f)]
    assert [f["data"]["message"]["client_id"] for f in created] == ["retry-me", "after"]
    stored = await messages(alice, conversation_id)
    assert [m["client_id"] for m in stored] == ["retry-me", "after"]
    conversations = (await alice.http.get("/api/v1/widget/conversations")).json()
    assert [c["id"] for c in conversations] == [conversation_id]


async def test_reconnect_with_last_seq_replays_exactly_the_missed_events_then_live_ones(
    server: Server, alice: Visitor, carol: Staff
) -> None:
    widget = await visitor_socket(server, alice)
    console = await console_socket(server, carol)
    conversation_id = (await start_chat(widget))["conversation_id"]
    cursor = (await widget.expect(is_event("message.created")))["seq"]
    await widget.close()

    missed = []
    for n in range(3):
        ack = await console.request(
            {
                "type": "send",
                "conversation_id": conversation_id,
                "client_id": f"missed-{n}",
                "body": f"reply {n}",
            }
        )
        missed.append(ack["message"]["id"])

    widget = await visitor_socket(server, alice, last_seq=cursor)
    current = widget.welcome["last_seq"]
    replayed = [await widget.recv() for _ in range(current - cursor)]
    live = await console.request(
        {
            "type": "send",
            "conversation_id": conversation_id,
            "client_id": "live",
            "body": "live reply",
        }
    )
    await widget.expect(is_event("message.created", id=live["message"]["id"]))

    assert [f["seq"] for f in replayed] == list(range(cursor + 1, current + 1))
    replayed_ids = [f["data"]["message"]["id"] for f in replayed if is_event("message.created")(f)]
    assert replayed_ids == missed
    events = [f for f in widget.seen if f.get("type") == "event"]
    assert [f["seq"] for f in events] == list(range(cursor + 1, cursor + 1 + len(events)))


async def test_a_cursor_ahead_or_too_old_gets_a_resync_frame(
    server: Server, alice: Visitor, database_url: str
) -> None:
    widget = await visitor_socket(server, alice)
    for n in range(3):
        await start_chat(widget, f"question {n}")
    current = (await visitor_socket(server, alice)).welcome["last_seq"]

    ahead = await visitor_socket(server, alice, last_seq=current + 5)
    assert await ahead.recv() == {"type": "resync", "reason": "cursor_ahead", "last_seq": current}

    db = Database(database_url)
    try:
        async with db.transaction() as session:
            await session.execute(
                update(Event)
                .where(Event.stream == contact_stream(alice.contact_id), Event.seq <= 3)
                .values(created_at=utcnow() - timedelta(days=40))
            )
            assert await prune_events(session, older_than_days=30) == 3
    finally:
        await db.dispose()
    old = await visitor_socket(server, alice, last_seq=1)
    assert await old.recv() == {"type": "resync", "reason": "cursor_too_old", "last_seq": current}
    still_replayable = await visitor_socket(server, alice, last_seq=3)
    assert (await still_replayable.recv())["seq"] == 4
    up_to_date = await visitor_socket(server, alice, last_seq=current)
    assert (await up_to_date.request({"type": "ping", "ref": "x"}))["type"] == "pong"
    assert [f["type"] for f in up_to_date.seen] == ["welcome", "pong"]


async def test_typing_and_read_receipts_travel_both_ways(
    server: Server, alice: Visitor, carol: Staff
) -> None:
    widget = await visitor_socket(server, alice)
    console = await console_socket(server, carol)
    first = await start_chat(widget)
    conversation_id = first["conversation_id"]

    await widget.send({"type": "typing", "conversation_id": conversation_id})
    typing = await console.expect(is_frame("typing", who="contact"))
    await console.send({"type": "typing", "conversation_id": conversation_id, "state": "stop"})
    agent_typing = await widget.expect(is_frame("typing", who="agent"))

    assert typing == {
        "type": "typing",
        "conversation_id": conversation_id,
        "state": "start",
        "who": "contact",
    }
    assert agent_typing == {
        "type": "typing",
        "conversation_id": conversation_id,
        "state": "stop",
        "who": "agent",
        "name": "Carol",
    }
    assert "seq" not in typing

    ok = await console.request(
        {"type": "read", "conversation_id": conversation_id, "message_id": first["id"], "ref": "r1"}
    )
    assert ok == {"type": "ok", "ref": "r1"}
    read = await widget.expect(is_event("conversation.read"))
    assert read["data"] == {
        "conversation_id": conversation_id,
        "reader": "agent",
        "message_id": first["id"],
    }

    reply = await console.request(
        {"type": "send", "conversation_id": conversation_id, "client_id": "reply", "body": "On it"}
    )
    await widget.request(
        {
            "type": "read",
            "conversation_id": conversation_id,
            "message_id": reply["message"]["id"],
            "ref": "r2",
        }
    )
    seen_by_visitor = await console.expect(
        lambda f: is_event("conversation.read")(f) and f["data"]["reader"] == "contact"
    )
    assert seen_by_visitor["data"]["message_id"] == reply["message"]["id"]


async def test_repeated_typing_frames_are_relayed_once(
    server: Server, alice: Visitor, carol: Staff
) -> None:
    widget = await visitor_socket(server, alice)
    console = await console_socket(server, carol)
    conversation_id = (await start_chat(widget))["conversation_id"]
    for _ in range(10):
        await widget.send({"type": "typing", "conversation_id": conversation_id})
    await widget.send({"type": "typing", "conversation_id": conversation_id, "state": "stop"})
    await console.expect(is_frame("typing", state="stop"))
    states = [f["state"] for f in console.seen if f.get("type") == "typing"]
    assert states == ["start", "stop"]


async def test_agent_presence_follows_the_console_socket(
    server: Server, carol: Staff, erin: Staff, alice: Visitor
) -> None:
    async def presence_of(agent_id: int) -> str:
        agents = (await erin.http.get("/api/v1/agents")).json()
        return next(a["presence"] for a in agents if a["id"] == agent_id)

    async def widget_status() -> dict:  # type: ignore[type-arg]
        status = (await alice.http.get("/api/v1/widget/status")).json()
        return {k: status[k] for k in ("agents_online", "humans_available")}

    watcher = await console_socket(server, erin)
    assert await presence_of(carol.agent_id) == "offline"
    assert await widget_status() == {"agents_online": 1, "humans_available": True}

    console = await console_socket(server, carol)
    await watcher.expect(is_frame("presence", agent_id=carol.agent_id, status="online"))
    assert await presence_of(carol.agent_id) == "online"
    assert (await widget_status())["agents_online"] == 2

    ok = await console.request({"type": "presence", "status": "away", "ref": "away"})
    assert ok == {"type": "ok", "ref": "away"}
    await watcher.expect(is_frame("presence", agent_id=carol.agent_id, status="away"))
    assert await presence_of(carol.agent_id) == "away"
    assert (await widget_status())["agents_online"] == 1

    # A second tab changes nothing the others need to hear; closing one of two tabs neither.
    second_tab = await console_socket(server, carol)
    await second_tab.close()
    assert await presence_of(carol.agent_id) == "away"

    await console.close()
    await watcher.expect(is_frame("presence", agent_id=carol.agent_id, status="offline"))
    assert await presence_of(carol.agent_id) == "offline"
    assert await widget_status() == {"agents_online": 1, "humans_available": True}
    carol_frames = [
        f for f in watcher.seen if f.get("type") == "presence" and f["agent_id"] == carol.agent_id
    ]
    assert [f["status"] for f in carol_frames] == ["online", "away", "offline"]


async def test_bad_frames_get_error_frames_and_write_nothing(
    server: Server, alice: Visitor, bob: Visitor
) -> None:
    widget = await visitor_socket(server, alice)
    conversation_id = (await start_chat(widget))["conversation_id"]
    before_seq = (await widget.expect(is_event("message.created")))["seq"]
    too_long = "x" * 10_001
    cases: list[tuple[str | dict, str]] = [  # type: ignore[type-arg]
        ("{not json", "bad_frame"),
        ("[1, 2]", "bad_frame"),
        ({"type": "shout", "ref": "a"}, "bad_frame"),
        ({"ref": "b"}, "bad_frame"),
        ({"type": "send", "client_id": "c", "body": 5}, "bad_frame"),
        (
            {
                "type": "send",
                "client_id": "d",
                "conversation_id": str(conversation_id),
                "body": "hi",
            },
            "bad_frame",
        ),
        (
            {
                "type": "send",
                "client_id": "e",
                "conversation_id": conversation_id,
                "body": "hi",
                "internal": "yes",
            },
            "bad_frame",
        ),
        ({"type": "send", "client_id": "f", "conversation_id": 2**40, "body": "hi"}, "bad_frame"),
        (
            {
                "type": "send",
                "client_id": "g",
                "conversation_id": conversation_id,
                "body": "hi",
                "attachment_ids": [2**40],
            },
            "bad_frame",
        ),
        (
            {
                "type": "send",
                "client_id": "h",
                "conversation_id": conversation_id,
                "body": "hi",
                "unknown": 1,
            },
            "bad_frame",
        ),
        ({"type": "send", "client_id": "bad id with spaces", "body": "hi"}, "bad_frame"),
        (
            {
                "type": "send",
                "client_id": "i",
                "conversation_id": conversation_id,
                "body": too_long,
            },
            "too_long",
        ),
        ({"type": "send", "client_id": "j", "body": too_long}, "too_long"),
        (
            {"type": "send", "client_id": "k", "conversation_id": conversation_id, "body": "   "},
            "empty_message",
        ),
        (
            {
                "type": "send",
                "client_id": "l",
                "conversation_id": conversation_id,
                "body": "hi",
                "internal": True,
            },
            "not_allowed",
        ),
        ({"type": "send", "client_id": "m", "conversation_id": 999_999, "body": "hi"}, "not_found"),
        (
            {
                "type": "send",
                "client_id": "n",
                "conversation_id": conversation_id,
                "body": "hi",
                "attachment_ids": [12345],
            },
            "bad_attachment",
        ),
        (
            {"type": "read", "conversation_id": conversation_id, "message_id": 10**6, "ref": "o"},
            "not_found",
        ),
        ({"type": "typing", "conversation_id": 999_999}, "not_found"),
        ({"type": "presence", "status": "online", "ref": "p"}, "forbidden"),
        ({"type": "ping", "ref": 7}, "bad_frame"),
    ]
    for frame, code in cases:
        await widget.send(frame)
        reply = await widget.recv()
        assert reply["type"] == "error" and reply["code"] == code, (frame, reply)
        assert reply["message"], reply
    await widget.ws.send(b"\x00\x01binary")
    binary = await widget.recv()
    assert binary["code"] == "bad_frame" and "binary" in binary["message"]
    error = [r for r in widget.seen if r.get("type") == "error"]
    assert error[2]["ref"] == "a" and error[11]["message"] == (
        "message is 10001 characters; the limit is 10000"
    )

    assert (await widget.request({"type": "ping", "ref": "still-open"}))["type"] == "pong"
    assert len(await messages(alice, conversation_id)) == 1
    conversations = (await alice.http.get("/api/v1/widget/conversations")).json()
    assert len(conversations) == 1
    after = await visitor_socket(server, alice)
    assert after.welcome["last_seq"] == before_seq


async def test_a_visitor_cannot_use_another_visitors_conversation(
    server: Server, alice: Visitor, bob: Visitor, carol: Staff
) -> None:
    alice_socket = await visitor_socket(server, alice)
    first = await start_chat(alice_socket)
    conversation_id = first["conversation_id"]
    console = await console_socket(server, carol)
    bob_socket = await visitor_socket(server, bob)

    for frame in (
        {"type": "send", "client_id": "steal", "conversation_id": conversation_id, "body": "hi"},
        {"type": "read", "conversation_id": conversation_id, "message_id": first["id"], "ref": "r"},
    ):
        reply = await bob_socket.request(frame)
        assert reply["type"] == "error" and reply["code"] == "not_found"
        assert reply["message"] == f"conversation {conversation_id} not found"
    await bob_socket.send({"type": "typing", "conversation_id": conversation_id})
    typing_error = await bob_socket.recv()
    assert typing_error["code"] == "not_found"

    assert len(await messages(alice, conversation_id)) == 1
    await alice_socket.send({"type": "typing", "conversation_id": conversation_id})
    await console.expect(is_frame("typing"))
    typing = [f for f in console.seen if f.get("type") == "typing"]
    assert typing == [
        {"type": "typing", "conversation_id": conversation_id, "state": "start", "who": "contact"}
    ]  # bob's attempt reached nobody
    assert bob_socket.welcome["last_seq"] == (await visitor_socket(server, bob)).welcome["last_seq"]


async def test_bad_tokens_and_missing_hello_close_the_socket(
    server: Server, alice: Visitor, carol: Staff
) -> None:
    from itsdangerous import URLSafeTimedSerializer

    forged = URLSafeTimedSerializer("not-the-server-key" * 3, salt="supportdesk.visitor")
    widget = f"{server.ws}/widget"
    console = f"{server.ws}/console"

    assert await refused(widget, '{"type": "hello", "token": "garbage"}') == (
        4001,
        "visitor token is invalid",
    )
    forged_token = forged.dumps({"c": alice.contact_id})
    assert (await refused(widget, f'{{"type": "hello", "token": "{forged_token}"}}'))[0] == 4001
    unknown = URLSafeTimedSerializer(SECRET_KEY, salt="supportdesk.visitor").dumps({"c": 99999})
    assert await refused(widget, f'{{"type": "hello", "token": "{unknown}"}}') == (
        4001,
        "visitor token names an unknown contact",
    )
    assert (await refused(widget, '{"type": "hello"}'))[0] == 4001
    assert (await refused(widget, '{"type": "ping"}'))[0] == 4002
    assert (await refused(widget, "hello?"))[0] == 4002
    assert (await refused(widget, '{"type": "hello", "last_seq": -1}'))[0] == 4002
    assert (await refused(console, '{"type": "hello"}'))[0] == 4001
    assert (await refused(console, '{"type": "hello", "token": "sd_forged"}')) == (
        4001,
        "API token is invalid or revoked",
    )
    cross_site = await refused(
        console,
        '{"type": "hello"}',
        origin="https://evil.example",
        additional_headers={"Cookie": f"sd_session={carol.cookie}"},
    )
    assert cross_site[0] == 4003 and "evil.example" in cross_site[1]
    same_site = await open_socket(console, cookie=carol.cookie, origin=server.http)
    assert same_site.welcome["agent"]["id"] == carol.agent_id

    token = (await carol.http.post("/api/v1/auth/tokens", json={"name": "bot"})).json()["token"]
    with_token = await open_socket(console, token=token)
    assert with_token.welcome["agent"]["id"] == carol.agent_id


async def test_an_expired_visitor_token_is_refused(server: Server, alice: Visitor) -> None:
    import time

    from itsdangerous import URLSafeTimedSerializer

    class OldSigner(URLSafeTimedSerializer.default_signer):  # type: ignore[name-defined,misc]
        def get_timestamp(self) -> int:
            return int(time.time()) - 400 * 24 * 3600

    old = URLSafeTimedSerializer(SECRET_KEY, salt="supportdesk.visitor", signer=OldSigner)
    token = old.dumps({"c": alice.contact_id})
    assert await refused(f"{server.ws}/widget", f'{{"type": "hello", "token": "{token}"}}') == (
        4001,
        "visitor token expired",
    )


async def test_a_deactivated_agents_console_is_closed_and_cannot_reconnect(
    server: Server, carol: Staff, dave: Staff
) -> None:
    console = await console_socket(server, carol)
    watcher = await console_socket(server, dave)

    response = await dave.http.post(f"/api/v1/agents/{carol.agent_id}/deactivate")

    assert response.status_code == 200, response.text
    assert await console.closed_with() == (4003, "account deactivated")
    await watcher.expect(is_event("agent.deactivated"))
    assert await refused(
        f"{server.ws}/console",
        '{"type": "hello"}',
        additional_headers={"Cookie": f"sd_session={carol.cookie}"},
    ) == (4001, "session expired; log in again")
    assert (await watcher.request({"type": "ping", "ref": "ok"}))["type"] == "pong"


async def test_a_slow_console_is_dropped_while_others_are_served(
    serve: object, database_url: str, tmp_path: object
) -> None:
    import secrets
    import socket

    from wsharness import new_visitor

    from conftest import staff_persona
    from supportdesk.accounts.models import Role

    server: Server = await serve(  # type: ignore[operator]
        ws_send_buffer="8", max_message_chars="100000", rate_limits="off"
    )
    carol = await staff_persona(database_url, server, "carol@desk.test", "Carol", Role.AGENT)
    erin = await staff_persona(database_url, server, "erin@desk.test", "Erin", Role.AGENT)
    alice = await new_visitor(server, "Alice")
    fast = await console_socket(server, carol)
    # The slow client reads nothing: a tiny receive buffer and a one-frame client queue make
    # the server's socket buffer fill up, then its bounded send queue.
    raw = socket.socket()
    raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    raw.connect(("127.0.0.1", server.port))
    slow = await open_socket(f"{server.ws}/console", cookie=erin.cookie, sock=raw, max_queue=1)
    widget = await visitor_socket(server, alice)
    conversation_id = (await start_chat(widget))["conversation_id"]
    await widget.close()
    dropped = asyncio.Event()
    sent: list[int] = []

    async def flood() -> None:
        while not dropped.is_set() and len(sent) < 300:
            response = await alice.http.post(
                f"/api/v1/widget/conversations/{conversation_id}/messages",
                # Random text: permessage-deflate would shrink a repeated letter to nothing.
                json={"body": secrets.token_urlsafe(70_000), "client_id": client_id()},
            )
            assert response.status_code == 201, response.text
            sent.append(response.json()["id"])

    flooding = asyncio.create_task(flood())
    await fast.expect(is_frame("presence", agent_id=erin.agent_id, status="offline"), within=60)
    dropped.set()
    await flooding

    assert await slow.closed_with(within=30) == (
        4008,
        "too slow reading; reconnect with your last seq",
    )
    received = {f["data"]["message"]["id"] for f in fast.seen if is_event("message.created")(f)}
    last = await alice.http.post(
        f"/api/v1/widget/conversations/{conversation_id}/messages",
        json={"body": "after", "client_id": "after"},
    )
    await fast.expect(is_event("message.created", id=last.json()["id"]))
    received |= {f["data"]["message"]["id"] for f in fast.seen if is_event("message.created")(f)}
    assert set(sent) <= received
    for persona in (carol, erin):
        await persona.http.aclose()
    await alice.http.aclose()


async def test_an_idle_socket_is_closed_and_a_heartbeating_one_stays(
    serve: object, tmp_path: object
) -> None:
    from wsharness import new_visitor

    server: Server = await serve(ws_idle_timeout_seconds="5")  # type: ignore[operator]
    alice = await new_visitor(server, "Alice")
    idle = await visitor_socket(server, alice)
    busy = await visitor_socket(server, alice)
    assert busy.welcome["heartbeat_interval"] <= 5 / 3

    async def heartbeat() -> None:
        n = 0
        while True:
            n += 1
            await busy.request({"type": "ping", "ref": f"hb{n}"})
            await asyncio.sleep(busy.welcome["heartbeat_interval"])

    beating = asyncio.create_task(heartbeat())
    try:
        assert await idle.closed_with(within=15) == (4000, "no frame within the idle timeout")
    finally:
        beating.cancel()
        await asyncio.gather(beating, return_exceptions=True)
    assert (await busy.request({"type": "ping", "ref": "alive"}, within=5))["type"] == "pong"
    await alice.http.aclose()
