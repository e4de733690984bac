"""The WebSocket gateway: authenticate, replay from the client's cursor, then stream live.

Protocol: docs/realtime.md. Order on connect matters: the connection subscribes to the
broker *before* reading the replay from the database, so an event committed in between is
either in the replay or in the live queue (or both: the seq check drops the duplicate).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketDisconnected

from supportdesk.accounts.actions import (
    do_console_connected,
    do_console_disconnected,
    do_heartbeat,
    find_api_token,
    find_session,
)
from supportdesk.accounts.models import Agent
from supportdesk.contacts.models import Contact
from supportdesk.errors import AppError
from supportdesk.http import describe_validation
from supportdesk.realtime import commands
from supportdesk.realtime.connection import (
    CLOSE_BAD_HELLO,
    CLOSE_FORBIDDEN,
    CLOSE_IDLE,
    CLOSE_INTERNAL,
    CLOSE_SHUTDOWN,
    CLOSE_UNAUTHORIZED,
    Connection,
    GapFiller,
)
from supportdesk.realtime.events import (
    STAFF_STREAM,
    agent_topic,
    contact_stream,
    event_frame,
    events_after,
    last_seq,
    oldest_seq,
)
from supportdesk.realtime.frames import Hello

if TYPE_CHECKING:
    from supportdesk.services import Services

log = logging.getLogger(__name__)

HELLO_TIMEOUT = 10.0
REPLAY_PAGE = 500
# A client further behind than this reloads its state over REST instead of replaying.
MAX_REPLAY = 10_000
HEARTBEAT_WRITE_INTERVAL = 20.0
HEARTBEAT_INTERVAL = 25.0


class Refused(Exception):
    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code, self.reason = code, reason


@dataclass(slots=True)
class Client:
    """Who is on the other end of one socket."""

    stream: str
    agent: Agent | None = None
    contact_id: int | None = None
    topics: list[str] = field(default_factory=list)
    last_heartbeat_write: float = 0.0
    # (conversation id, state) -> when it was last relayed; repeats inside the typing
    # interval are dropped, so a chatty client cannot flood the other side.
    typing_sent: dict[tuple[int, str], float] = field(default_factory=dict)


class Gateway:
    def __init__(self, services: Services) -> None:
        self.services = services
        self.connections: set[Connection] = set()

    async def stop(self) -> None:
        for connection in list(self.connections):
            connection.request_close(CLOSE_SHUTDOWN, "server shutting down")

    async def serve(self, websocket: WebSocket, *, kind: str) -> None:
        await websocket.accept()
        connection = Connection(
            websocket, buffer=self.services.settings.ws_send_buffer, fill_gap=self._gap_filler(None)
        )
        try:
            client = await self._handshake(websocket, kind)
        except Refused as refused:
            connection.request_close(refused.code, refused.reason)
            await connection.close()
            return
        connection.fill_gap = self._gap_filler(client[0].stream)
        await self._run(connection, *client)

    def heartbeat_interval(self) -> float:
        """How often a client should send a frame: well inside the idle timeout."""
        return min(HEARTBEAT_INTERVAL, self.services.settings.ws_idle_timeout_seconds / 3)

    async def _handshake(self, websocket: WebSocket, kind: str) -> tuple[Client, Hello]:
        timeout = min(HELLO_TIMEOUT, self.services.settings.ws_idle_timeout_seconds)
        try:
            raw = await asyncio.wait_for(websocket.receive_text(), timeout)
        except (TimeoutError, WebSocketDisconnect, KeyError, RuntimeError):
            raise Refused(CLOSE_BAD_HELLO, "expected a hello frame (JSON text)") from None
        try:
            hello = Hello.model_validate_json(raw)
        except ValidationError as exc:
            raise Refused(
                CLOSE_BAD_HELLO, "bad hello: " + describe_validation(exc.errors())
            ) from None
        client = await (
            self._console_client(websocket, hello)
            if kind == "console"
            else self._widget_client(hello)
        )
        client.topics = [client.stream] + ([agent_topic(client.agent.id)] if client.agent else [])
        return client, hello

    async def _widget_client(self, hello: Hello) -> Client:
        try:
            contact_id = self.services.visitor_tokens.contact_id(hello.token or "")
        except AppError as exc:
            raise Refused(CLOSE_UNAUTHORIZED, exc.message) from None
        async with self.services.db.session() as session:
            if await session.get(Contact, contact_id) is None:
                raise Refused(CLOSE_UNAUTHORIZED, "visitor token names an unknown contact")
        return Client(stream=contact_stream(contact_id), contact_id=contact_id)

    async def _console_client(self, websocket: WebSocket, hello: Hello) -> Client:
        cookie = websocket.cookies.get("sd_session")
        try:
            async with self.services.db.session() as session:
                if hello.token:
                    agent = (await find_api_token(session, hello.token)).agent
                elif cookie:
                    _check_origin(websocket)
                    agent = (await find_session(session, cookie)).agent
                else:
                    raise Refused(CLOSE_UNAUTHORIZED, "log in first or send an API token")
        except AppError as exc:
            raise Refused(CLOSE_UNAUTHORIZED, exc.message) from None
        return Client(stream=STAFF_STREAM, agent=agent)

    async def _run(self, connection: Connection, client: Client, hello: Hello) -> None:
        self.connections.add(connection)
        try:
            # Subscribe before reading the replay: see the module docstring.
            for topic in client.topics:
                await self.services.broker.subscribe(topic, connection.offer)
            if client.agent is not None:
                await self._agent_connected(client)
            await self._replay(connection, client, hello.last_seq)
            # No wrapper coroutine between the two: every suspended frame costs memory on
            # every idle socket.
            await connection.pump(functools.partial(self._read_loop, connection, client))
        except (WebSocketDisconnect, WebSocketDisconnected, OSError):
            connection.request_close(1000, "")
        except Exception:
            log.exception("websocket connection on %s failed", client.stream)
            connection.request_close(CLOSE_INTERNAL, "internal error; reconnect with your last seq")
        finally:
            for topic in client.topics:
                with contextlib.suppress(Exception):
                    await self.services.broker.unsubscribe(topic, connection.offer)
            self.connections.discard(connection)
            if client.agent is not None:
                await self._agent_disconnected(client)
            await connection.close()

    async def _replay(self, connection: Connection, client: Client, cursor: int | None) -> None:
        """Welcome, then either a resync frame or every event after the cursor, in order."""
        async with self.services.db.session() as session:
            current = await last_seq(session, client.stream)
            oldest = await oldest_seq(session, client.stream)
        await connection.send_now(self._welcome(client, current))
        reason = _resync_reason(cursor, current, oldest)
        if cursor is None or reason is not None:
            connection.delivered_seq = current
            if reason is not None:
                await connection.send_now({"type": "resync", "reason": reason, "last_seq": current})
            return
        connection.delivered_seq = cursor
        async for frame in self._events_between(client.stream, cursor, None):
            await connection.send_now(frame)

    def _welcome(self, client: Client, current: int) -> dict[str, Any]:
        welcome: dict[str, Any] = {
            "type": "welcome",
            "stream": client.stream,
            "last_seq": current,
            "heartbeat_interval": self.heartbeat_interval(),
            "idle_timeout": self.services.settings.ws_idle_timeout_seconds,
            "max_message_chars": self.services.settings.max_message_chars,
        }
        if client.agent is not None:
            welcome["agent"] = {
                "id": client.agent.id,
                "name": client.agent.name,
                "role": client.agent.role.value,
            }
        else:
            welcome["contact_id"] = client.contact_id
        return welcome

    def _gap_filler(self, stream: str | None) -> GapFiller:
        async def fill(after: int, before: int) -> list[dict[str, Any]]:
            if stream is None:
                return []
            return [frame async for frame in self._events_between(stream, after, before)]

        return fill

    async def _events_between(
        self, stream: str, after: int, before: int | None
    ) -> AsyncIterator[dict[str, Any]]:
        """Stored events with ``after < seq < before``, oldest first, read a page at a time."""
        while True:
            async with self.services.db.session() as session:
                page = await events_after(session, stream, after, REPLAY_PAGE)
            for event in page:
                if before is not None and event.seq >= before:
                    return
                yield event_frame(event)
            if len(page) < REPLAY_PAGE:
                return
            after = page[-1].seq

    async def _read_loop(self, connection: Connection, client: Client) -> None:
        timeout = self.services.settings.ws_idle_timeout_seconds
        while True:
            try:
                message = await connection.receive(timeout)
            except TimeoutError:
                connection.request_close(CLOSE_IDLE, "no frame within the idle timeout")
                return
            if message is None:
                return
            if message["type"] == "websocket.disconnect":
                connection.request_close(1000, "")
                return
            await self._maybe_heartbeat(client)
            raw = message.get("text")
            if raw is None:
                reply: commands.Reply = commands.error_frame(
                    None, "bad_frame", "frames must be JSON text, not binary"
                )
            else:
                reply = await commands.handle(self.services, client, raw)
            if reply is not None and not connection.closing:
                await connection.send_now(reply)

    async def _maybe_heartbeat(self, client: Client) -> None:
        if client.agent is None:
            return
        now = time.monotonic()
        interval = min(
            HEARTBEAT_WRITE_INTERVAL, self.services.settings.presence_timeout_seconds / 3
        )
        if now - client.last_heartbeat_write < interval:
            return
        client.last_heartbeat_write = now
        async with self.services.db.transaction() as session:
            await do_heartbeat(session, client.agent.id)

    async def _agent_connected(self, client: Client) -> None:
        assert client.agent is not None
        async with self.services.db.transaction() as session:
            await do_console_connected(session, client.agent)
        client.last_heartbeat_write = time.monotonic()

    async def _agent_disconnected(self, client: Client) -> None:
        assert client.agent is not None
        try:
            async with self.services.db.transaction() as session:
                await do_console_disconnected(session, client.agent.id)
        except Exception:
            # The heartbeat timeout turns the agent offline anyway; say why it took longer.
            log.exception("could not record agent %s's disconnection", client.agent.id)


def _resync_reason(cursor: int | None, current: int, oldest: int | None) -> str | None:
    """Why the events after ``cursor`` cannot be replayed, or None when they can."""
    if cursor is None or cursor == current:
        return None
    if cursor > current:
        return "cursor_ahead"  # another database, or a stream that was reset
    if oldest is None or cursor < oldest - 1:
        return "cursor_too_old"  # the events after it were pruned
    if current - cursor > MAX_REPLAY:
        return "too_far_behind"
    return None


def _check_origin(websocket: WebSocket) -> None:
    """A cookie-authenticated socket must come from our own pages (no cross-site hijacking)."""
    origin = websocket.headers.get("origin")
    if origin is None:
        return
    host = websocket.headers.get("host", "")
    if origin.split("://", 1)[-1].rstrip("/") != host:
        raise Refused(CLOSE_FORBIDDEN, f"origin {origin} may not use the console socket")
