"""One client socket: a bounded send queue, ordered delivery of sequenced events, gap filling."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.types import Message
from starlette.websockets import WebSocket, WebSocketState

log = logging.getLogger(__name__)

# Close codes (documented in docs/realtime.md).
CLOSE_NORMAL = 1000
CLOSE_IDLE = 4000
CLOSE_UNAUTHORIZED = 4001
CLOSE_BAD_HELLO = 4002
CLOSE_FORBIDDEN = 4003
CLOSE_SLOW = 4008
CLOSE_SHUTDOWN = 1001
CLOSE_INTERNAL = 1011

# A close frame waits behind whatever is already buffered for the client; a client that
# does not read may never take it, so the handler stops waiting after this long.
CLOSE_TIMEOUT = 10.0
# RFC 6455 section 5.5: a control frame's payload is at most 125 bytes (2 of them the code).
MAX_REASON_BYTES = 123

GapFiller = Callable[[int, int], Awaitable[list[dict[str, Any]]]]


class Connection:
    """Frames go through a bounded buffer; a client that does not read is dropped, not waited for.

    Sequenced frames are delivered in order exactly once: a duplicate (seq already sent) is
    skipped, and a gap (a later seq arrives first) is filled from the database, where every
    event with a smaller seq is already committed (see realtime/events.py).

    Two coroutines serve a socket: the reader (the handler's own task) and one writer task.
    Thousands of sockets stay open at once, so each keeps as little as it can: a list and a
    future made only while the writer waits (an asyncio.Queue or Event holds three or one
    deques of ~760 bytes each), and no task beyond those two.
    """

    __slots__ = (
        "_reader",
        "_reading",
        "_waiter",
        "_writer",
        "buffer",
        "close_code",
        "close_reason",
        "delivered_seq",
        "fill_gap",
        "frames",
        "websocket",
    )

    def __init__(self, websocket: WebSocket, *, buffer: int, fill_gap: GapFiller) -> None:
        self.websocket = websocket
        self.buffer = buffer
        self.frames: list[dict[str, Any]] = []
        self.fill_gap = fill_gap
        self.delivered_seq = 0
        self.close_code: int | None = None
        self.close_reason = ""
        self._waiter: asyncio.Future[None] | None = None
        self._reader: asyncio.Task[Any] | None = None
        self._writer: asyncio.Task[None] | None = None
        self._reading = False

    @property
    def closing(self) -> bool:
        return self.close_code is not None

    def offer(self, frame: dict[str, Any]) -> None:
        """Called by the broker; never blocks."""
        if self.closing:
            return
        if frame.get("type") == "_disconnect":  # a control message, e.g. account deactivated
            self.request_close(int(frame.get("code", 1000)), str(frame.get("reason", "")))
            return
        if len(self.frames) >= self.buffer:
            self.request_close(CLOSE_SLOW, "too slow reading; reconnect with your last seq")
            return
        self.frames.append(frame)
        self._wake()

    def request_close(self, code: int, reason: str) -> None:
        """Stop both sides; the first reason given is the one the client gets."""
        if self.close_code is None:
            self.close_code, self.close_reason = code, reason
        self._wake()
        # Interrupt the reader only while it waits for the client, never inside a command
        # (a half-finished transaction); after a command it sees ``closing`` and stops.
        if (
            self._reading
            and self._reader is not None
            and self._reader is not asyncio.current_task()
        ):
            self._reader.cancel()

    def _wake(self) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    async def send_now(self, frame: dict[str, Any]) -> None:
        """Send directly (replies to this client's own requests, replay before live)."""
        await self.websocket.send_text(encode(frame))
        seq = frame.get("seq") if frame.get("type") == "event" else None
        if isinstance(seq, int):
            self.delivered_seq = max(self.delivered_seq, seq)

    async def receive(self, idle_timeout: float) -> Message | None:
        """The client's next message, or None when the connection is closing.

        Raises TimeoutError when nothing arrives within ``idle_timeout`` seconds.
        """
        if self.closing:
            return None
        self._reading = True
        try:
            async with asyncio.timeout(idle_timeout):
                return await self.websocket.receive()
        except asyncio.CancelledError:
            if not self.closing:
                raise
            # We cancelled ourselves in request_close(); the task goes on to clean up.
            current = asyncio.current_task()
            if current is not None:
                current.uncancel()
            return None
        finally:
            self._reading = False

    async def pump(self, read_loop: Callable[[], Awaitable[None]]) -> None:
        """Run ``read_loop`` here and the writer beside it until either side stops."""
        self._reader = asyncio.current_task()
        self._writer = asyncio.create_task(self._write_loop(), name="ws-writer")
        try:
            await read_loop()
        finally:
            if not self.closing:
                self.request_close(CLOSE_NORMAL, "")
            self._writer.cancel()
            result = (await asyncio.gather(self._writer, return_exceptions=True))[0]
        if isinstance(result, Exception):
            raise result

    async def _write_loop(self) -> None:
        try:
            while not self.closing:
                if not self.frames:
                    self._waiter = asyncio.get_running_loop().create_future()
                    try:
                        await self._waiter
                    finally:
                        self._waiter = None
                    continue
                # The buffer is short (≤ ws_send_buffer) and usually holds one frame.
                await self._deliver(self.frames.pop(0))
        except asyncio.CancelledError:
            raise
        except BaseException:
            self.request_close(CLOSE_INTERNAL, "internal error; reconnect with your last seq")
            raise

    async def _deliver(self, frame: dict[str, Any]) -> None:
        seq = frame.get("seq") if frame.get("type") == "event" else None
        if not isinstance(seq, int):
            await self.send_now(frame)
            return
        if seq <= self.delivered_seq:
            return
        if seq > self.delivered_seq + 1:
            for missing in await self.fill_gap(self.delivered_seq, seq):
                await self.send_now(missing)
        if seq > self.delivered_seq:
            await self.send_now(frame)

    async def close(self) -> None:
        code = self.close_code or CLOSE_NORMAL
        if self.websocket.application_state == WebSocketState.CONNECTED:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(
                    self.websocket.close(code=code, reason=close_reason(self.close_reason)),
                    CLOSE_TIMEOUT,
                )


# Recently encoded frames by identity. Holding the frame keeps its id from being reused
# while the entry lives; the bound keeps the cache small.
_ENCODED: OrderedDict[int, tuple[dict[str, Any], str]] = OrderedDict()
_ENCODED_MAX = 1024


def encode(frame: dict[str, Any]) -> str:
    """The frame as JSON text, encoded once however many sockets it goes to.

    The broker hands the same dict to every subscriber on this node, so the sockets that
    send it after the first one reuse its text.
    """
    entry = _ENCODED.get(id(frame))
    if entry is not None and entry[0] is frame:
        return entry[1]
    text = json.dumps(frame, separators=(",", ":"))
    _ENCODED[id(frame)] = (frame, text)
    if len(_ENCODED) > _ENCODED_MAX:
        _ENCODED.popitem(last=False)
    return text


def close_reason(reason: str) -> str:
    """The reason cut to what fits in a close frame, on a character boundary."""
    return reason.encode()[:MAX_REASON_BYTES].decode(errors="ignore")
