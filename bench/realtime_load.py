"""The load driver of bench/realtime.py: open sockets, hold them, send messages, measure.

Everything here talks to a server only through its WebSocket protocol, so the same code
drives Supportdesk and the bare baseline. Latency is measured at the receiving socket from
the send time written into the message body (one process, one monotonic clock).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import psutil
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake
from websockets.protocol import State

CONNECT_CONCURRENCY = 100
HEARTBEAT_SECONDS = 20.0  # the server closes a socket silent for 75 s
BODY_MARK = '"body":"bench:'
CREATED_MARK = '"event":"message.created"'


@dataclass
class Target:
    """A server under test and the credentials its sockets will present."""

    name: str
    ws_base: str
    pid: int
    visitor_tokens: list[str]
    conversation_ids: list[int]
    agent_tokens: list[str]
    widget_path: str = "/api/v1/ws/widget"
    console_path: str = "/api/v1/ws/console"


@dataclass
class Peer:
    key: tuple[str, int]  # ("visitor", conversation index) or ("agent", n)
    ws: ClientConnection
    reader: asyncio.Task[None] | None = None

    @property
    def is_open(self) -> bool:
        return self.ws.state is State.OPEN


@dataclass
class Traffic:
    """What the readers saw; shared by every socket of one run."""

    sent: dict[int, tuple[float, tuple[str, int]]] = field(default_factory=dict)
    ack_ms: list[float] = field(default_factory=list)
    delivery_ms: list[float] = field(default_factory=list)
    delivered: set[int] = field(default_factory=set)
    frames: int = 0
    errors: list[str] = field(default_factory=list)
    first_send: float = 0.0
    last_ack: float = 0.0

    def on_frame(self, peer: Peer, raw: str) -> None:
        self.frames += 1
        if raw.startswith('{"type":"event"'):
            if CREATED_MARK in raw and BODY_MARK in raw:
                self._on_message(peer, raw)
        elif raw.startswith('{"type":"ack"'):
            self._on_ack(raw)
        elif raw.startswith('{"type":"error"'):
            self.errors.append(raw[:300])

    def _on_message(self, peer: Peer, raw: str) -> None:
        start = raw.index(BODY_MARK) + len(BODY_MARK)
        number, stamp = raw[start : raw.index('"', start)].split(":")[:2]
        msg_id = int(number)
        record = self.sent.get(msg_id)
        if record is None or record[1] != peer.key or msg_id in self.delivered:
            return
        self.delivered.add(msg_id)
        self.delivery_ms.append((time.monotonic() - float(stamp)) * 1000)

    def _on_ack(self, raw: str) -> None:
        frame = json.loads(raw)
        ref = frame.get("ref") or ""
        record = self.sent.get(int(ref[1:])) if ref.startswith("b") else None
        if record is None:
            return
        now = time.monotonic()
        self.ack_ms.append((now - record[0]) * 1000)
        self.last_ack = max(self.last_ack, now)


async def open_peer(
    url: str, token: str, key: tuple[str, int], traffic: Traffic, compression: bool
) -> Peer:
    ws = await connect(
        url,
        compression="deflate" if compression else None,
        ping_interval=None,
        max_size=None,
        max_queue=None,
        open_timeout=60,
        close_timeout=2,
    )
    await ws.send(json.dumps({"type": "hello", "token": token, "last_seq": None}))
    welcome = json.loads(await asyncio.wait_for(ws.recv(), 60))
    if welcome.get("type") != "welcome":
        await ws.close()
        raise RuntimeError(f"no welcome: {welcome}")
    peer = Peer(key, ws)
    peer.reader = asyncio.create_task(_read(peer, traffic))
    return peer


async def _read(peer: Peer, traffic: Traffic) -> None:
    with contextlib.suppress(ConnectionClosed):
        async for raw in peer.ws:
            traffic.on_frame(peer, raw if isinstance(raw, str) else raw.decode())


@dataclass
class Fleet:
    """The open sockets of one run."""

    visitors: list[Peer | None]
    agents: list[Peer | None]
    visitor_seconds: float  # to open every widget socket
    agent_seconds: float  # then every console socket
    failures: list[str]

    @property
    def connect_seconds(self) -> float:
        return self.visitor_seconds + self.agent_seconds

    def all(self) -> list[Peer]:
        return [p for p in (*self.visitors, *self.agents) if p is not None]

    def held(self) -> int:
        return sum(p.is_open for p in self.all())


async def open_fleet(target: Target, traffic: Traffic, *, compression: bool) -> Fleet:
    """Visitors first, then agents, at most CONNECT_CONCURRENCY handshakes at a time."""
    gate = asyncio.Semaphore(CONNECT_CONCURRENCY)
    failures: list[str] = []

    async def one(path: str, token: str, key: tuple[str, int]) -> Peer | None:
        async with gate:
            try:
                return await open_peer(target.ws_base + path, token, key, traffic, compression)
            except (OSError, TimeoutError, InvalidHandshake, ConnectionClosed, RuntimeError) as exc:
                failures.append(f"{key}: {type(exc).__name__}: {exc}"[:200])
                return None

    started = time.monotonic()
    visitors = await asyncio.gather(
        *(
            one(target.widget_path, token, ("visitor", i))
            for i, token in enumerate(target.visitor_tokens)
        )
    )
    halfway = time.monotonic()
    agents = await asyncio.gather(
        *(
            one(target.console_path, token, ("agent", n))
            for n, token in enumerate(target.agent_tokens)
        )
    )
    return Fleet(
        list(visitors), list(agents), halfway - started, time.monotonic() - halfway, failures
    )


async def heartbeat(fleet: Fleet) -> None:
    """Ping every socket now and then, as the widget and console do."""
    while True:
        await asyncio.sleep(HEARTBEAT_SECONDS)
        for peer in fleet.all():
            if peer.is_open:
                with contextlib.suppress(ConnectionClosed):
                    await peer.ws.send('{"type":"ping"}')


async def close_peers(peers: list[Peer]) -> None:
    gate = asyncio.Semaphore(CONNECT_CONCURRENCY)

    async def one(peer: Peer) -> None:
        async with gate:
            with contextlib.suppress(Exception):
                await peer.ws.close()
            if peer.reader is not None:
                peer.reader.cancel()

    await asyncio.gather(*(one(p) for p in peers))


@dataclass
class LoadResult:
    requested: int
    sent: int
    acked: int
    delivered: int
    seconds: float  # first send to last ack
    ack_ms: list[float]
    delivery_ms: list[float]
    frames: int
    errors: list[str]
    closed_during_load: dict[str, int]  # "code reason" -> sockets the server closed
    server_cpu: float  # cores used by the server process, averaged over the load
    driver_cpu: float
    server_cpu_seconds: float


async def run_load(
    target: Target,
    fleet: Fleet,
    traffic: Traffic,
    *,
    agents: int,
    rate: float,
    messages: int,
    duration: float,
    drain: float,
    during: Callable[[], Awaitable[None]] | None = None,
) -> LoadResult:
    """Send ``messages`` at ``rate``/s (bounded by ``duration``) round-robin over conversations.

    Conversation i is between visitor i and agent socket i % agents; its messages alternate
    visitor → agent, agent → visitor. Ends when every message is acknowledged and delivered,
    or ``drain`` seconds after the last send.
    """
    server, me = psutil.Process(target.pid), psutil.Process()
    cpu0, mine0 = sum(server.cpu_times()[:2]), sum(me.cpu_times()[:2])
    open_before = {id(p) for p in fleet.all() if p.is_open}
    profiler = asyncio.create_task(during()) if during is not None else None
    started = traffic.first_send = time.monotonic()
    n = len(target.conversation_ids)
    total = min(messages, int(rate * duration))
    sent = 0
    while sent < total and time.monotonic() - started < duration:
        due = min(total, int((time.monotonic() - started) * rate) + 1)
        while sent < due:
            await _send_one(target, fleet, traffic, sent, n, agents)
            sent += 1
        await asyncio.sleep(0.001)
    sent_until = time.monotonic()
    # Polling: the readers only bump counters, and a 50 ms granularity is plenty here.
    while time.monotonic() - sent_until < drain and (  # noqa: ASYNC110
        len(traffic.ack_ms) < len(traffic.sent) or len(traffic.delivered) < len(traffic.sent)
    ):
        await asyncio.sleep(0.05)
    elapsed = time.monotonic() - started
    server_cpu = sum(server.cpu_times()[:2]) - cpu0
    if profiler is not None:
        await profiler
    return LoadResult(
        requested=total,
        sent=len(traffic.sent),
        acked=len(traffic.ack_ms),
        delivered=len(traffic.delivered),
        seconds=max(traffic.last_ack - traffic.first_send, 1e-9),
        ack_ms=traffic.ack_ms,
        delivery_ms=traffic.delivery_ms,
        frames=traffic.frames,
        errors=traffic.errors,
        closed_during_load=closed_reasons(fleet, open_before),
        server_cpu=server_cpu / elapsed,
        driver_cpu=(sum(me.cpu_times()[:2]) - mine0) / elapsed,
        server_cpu_seconds=server_cpu,
    )


def closed_reasons(fleet: Fleet, open_before: set[int] | None = None) -> dict[str, int]:
    """Close code and reason → how many sockets (of those open before) the server closed."""
    reasons: dict[str, int] = {}
    for peer in fleet.all():
        if (open_before is None or id(peer) in open_before) and not peer.is_open:
            key = f"{peer.ws.close_code} {peer.ws.close_reason or ''}".strip()
            reasons[key] = reasons.get(key, 0) + 1
    return reasons


async def _send_one(
    target: Target, fleet: Fleet, traffic: Traffic, number: int, n: int, agents: int
) -> None:
    index = number % n
    visitor_turn = (number // n) % 2 == 0
    agent_key = ("agent", index % agents)
    sender = fleet.visitors[index] if visitor_turn else fleet.agents[index % agents]
    recipient = agent_key if visitor_turn else ("visitor", index)
    if sender is None or not sender.is_open:
        return
    now = time.monotonic()
    traffic.sent[number] = (now, recipient)
    frame = {
        "type": "send",
        "conversation_id": target.conversation_ids[index],
        "client_id": f"b{number}",
        "body": f"bench:{number}:{now:.6f}",
    }
    with contextlib.suppress(ConnectionClosed):
        await sender.ws.send(json.dumps(frame))


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q / 100 * len(ordered)))]
