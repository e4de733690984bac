"""One client socket: a bounded send queue, ordered delivery of sequenced events, gap filling."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

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
    """Frames go through a bounded queue; a client that does not read is dropped, not waited for.

    Sequenced frames are delivered in order exactly once: a duplicate (seq already sent) is
    skipped, and a gap (a later seq arrives first) is filled from the database, where every
    event with a smaller seq is already committed (see realtime/events.py).
    """

    def __init__(self, websocket: WebSocket, *, buffer: int, fill_gap: GapFiller) -> None:
        self.websocket = websocket
        self.queue: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue(maxsize=buffer)
        self.fill_gap = fill_gap
        self.delivered_seq = 0
        self.close_code: int | None = None
        self.close_reason = ""
        self.closed = asyncio.Event()

    def offer(self, frame: dict[str, Any]) -> None:
        """Called by the broker; never blocks."""
        if self.closed.is_set():
            return
        if frame.get("type") == "_disconnect":  # a control message, e.g. account deactivated
            self.request_close(int(frame.get("code", 1000)), str(frame.get("reason", "")))
            return
        try:
            self.queue.put_nowait(frame)
        except asyncio.QueueFull:
            self.request_close(CLOSE_SLOW, "too slow reading; reconnect with your last seq")

    def request_close(self, code: int, reason: str) -> None:
        if self.close_code is None:
            self.close_code, self.close_reason = code, reason
        self.closed.set()
        with contextlib.suppress(asyncio.QueueFull):
            self.queue.put_nowait(None)

    async def send_now(self, frame: dict[str, Any]) -> None:
        """Send directly (replies to this client's own requests, replay before live)."""
        await self.websocket.send_text(json.dumps(frame, separators=(",", ":")))
        seq = frame.get("seq") if frame.get("type") == "event" else None
        if isinstance(seq, int):
            self.delivered_seq = max(self.delivered_seq, seq)

    async def run_writer(self) -> None:
        while not self.closed.is_set():
            frame = await self.queue.get()
            if frame is None:
                break
            await self._deliver(frame)

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


def close_reason(reason: str) -> str:
    """The reason cut to what fits in a close frame, on a character boundary."""
    return reason.encode()[:MAX_REASON_BYTES].decode(errors="ignore")
