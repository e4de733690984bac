"""Real-time benchmark: a real Supportdesk server and a bare ``websockets`` server, same load.

    python bench/realtime.py                       # defaults: ~2 minutes on 2 cores
    python bench/realtime.py --visitors 1000 --agents 1000 --load-agents 1000 --rate 20
    python bench/realtime.py --only supportdesk --profile /tmp/prof   # py-spy during the load

Each server runs in its own process on 127.0.0.1; this process drives both, one after the
other. Per server: open --visitors widget sockets and --agents console sockets, hold them
--idle seconds (connections held, server RSS per connection), keep the first --load-agents
console sockets and close the rest, then send --messages at --rate per second for at most
--duration seconds over 1-visitor-to-1-agent conversations (messages/s acknowledged,
send→ack and send→delivery latency). Every console socket receives the whole staff
stream, so each message reaches every open console socket: --load-agents is the fan-out.
Results and their reading: docs/performance.md.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import shutil
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from pathlib import Path

import psutil
import realtime_servers as servers
from realtime_load import (
    Fleet,
    LoadResult,
    Target,
    Traffic,
    close_peers,
    closed_reasons,
    heartbeat,
    open_fleet,
    percentile,
    run_load,
)

MiB = 1024 * 1024
TARGET_CONNECTIONS = 2000
TARGET_KIB_PER_CONNECTION = 30
TARGET_MESSAGES_PER_SECOND = 1000
TARGET_P99_MS = 50
MAIN_THREAD_MARK = "Runner.run ("  # the event loop's thread: uvicorn runs it with asyncio.Runner
SQLITE_THREAD_MARK = "_connection_worker_thread ("
PROFILE_RATE = 100


@dataclass
class Result:
    name: str
    requested: int
    fleet: Fleet
    held: int
    idle_frames: int  # received while connecting and idle (presence, heartbeats)
    rss_before: int
    rss_idle: int
    rss_after_load: int
    load_agents: int
    load: LoadResult
    load_before: float  # 1-minute load average: other work on the machine skews the figures
    load_after: float

    @property
    def kib_per_connection(self) -> float:
        return (self.rss_idle - self.rss_before) / 1024 / max(self.held, 1)

    @property
    def messages_per_second(self) -> float:
        return self.load.acked / self.load.seconds


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--visitors", type=int, default=1000, help="widget sockets (conversations)")
    parser.add_argument("--agents", type=int, default=1000, help="console sockets while idle")
    parser.add_argument(
        "--load-agents",
        type=int,
        default=10,
        help="console sockets kept open for the message phase (the fan-out)",
    )
    parser.add_argument("--messages", type=int, default=10_000, help="messages to send at most")
    parser.add_argument("--rate", type=float, default=1000, help="messages per second offered")
    parser.add_argument("--duration", type=float, default=10, help="seconds of sending at most")
    parser.add_argument("--idle", type=float, default=10, help="seconds to hold idle sockets")
    parser.add_argument(
        "--drain",
        type=float,
        default=10,
        help="seconds to wait for late acks and deliveries after the last send",
    )
    parser.add_argument(
        "--no-compression",
        action="store_true",
        help="do not offer permessage-deflate (browsers always offer it)",
    )
    parser.add_argument(
        "--only", choices=["supportdesk", "websockets"], help="measure one server instead of both"
    )
    parser.add_argument(
        "--profile",
        type=Path,
        metavar="DIR",
        help="record the Supportdesk server with py-spy during the message phase",
    )
    args = parser.parse_args(argv)
    if not 1 <= args.load_agents <= args.agents:
        parser.error("--load-agents must be between 1 and --agents")
    return args


async def measure(
    name: str, server: AbstractAsyncContextManager[Target], args: argparse.Namespace
) -> Result:
    print(f"[{name}]", flush=True)
    load_before = os.getloadavg()[0]
    async with server as target:
        process = psutil.Process(target.pid)
        await asyncio.sleep(1)
        rss_before = process.memory_info().rss
        traffic = Traffic()
        fleet = await open_fleet(target, traffic, compression=not args.no_compression)
        print(
            f"  opened {len(fleet.all())} sockets in {fleet.connect_seconds:.1f} s "
            f"({len(fleet.failures)} failed)",
            flush=True,
        )
        beat = asyncio.create_task(heartbeat(fleet))
        await asyncio.sleep(args.idle)
        held, rss_idle = fleet.held(), process.memory_info().rss
        for reason, count in closed_reasons(fleet).items():
            print(f"  {count} sockets closed by the server before the load: {reason}", flush=True)
        extra = [p for p in fleet.agents[args.load_agents :] if p is not None]
        await close_peers(extra)
        # Each closed console socket is a presence write on the server; let those finish so
        # the message phase measures messages, not the tail of the disconnect burst.
        await settle(process)
        idle_frames, traffic.frames = traffic.frames, 0
        during = _profiler(target.pid, args) if args.profile and name == "supportdesk" else None
        load = await run_load(
            target,
            fleet,
            traffic,
            agents=args.load_agents,
            rate=args.rate,
            messages=args.messages,
            duration=args.duration,
            drain=args.drain,
            during=during,
        )
        rss_after = process.memory_info().rss
        print(f"  sent {load.sent}, acked {load.acked}, delivered {load.delivered}", flush=True)
        beat.cancel()
        await close_peers(fleet.all())
    requested = len(target.visitor_tokens) + len(target.agent_tokens)
    return Result(
        name,
        requested,
        fleet,
        held,
        idle_frames,
        rss_before,
        rss_idle,
        rss_after,
        args.load_agents,
        load,
        load_before,
        os.getloadavg()[0],
    )


async def settle(
    process: psutil.Process, *, idle_percent: float = 15.0, within: float = 60.0
) -> None:
    """Wait until the server process uses less than ``idle_percent`` of a core."""
    deadline = time.monotonic() + within
    process.cpu_percent(None)
    while time.monotonic() < deadline:
        await asyncio.sleep(0.5)
        if process.cpu_percent(None) < idle_percent:
            return


def _profiler(pid: int, args: argparse.Namespace) -> Callable[[], asyncio.Future[None]] | None:
    """py-spy samples the server for the sending window; stacks go to DIR/*.txt."""
    py_spy = shutil.which("py-spy")
    if py_spy is None:
        print("  py-spy not found; no profile", flush=True)
        return None
    args.profile.mkdir(parents=True, exist_ok=True)
    output = args.profile / "supportdesk-load.txt"
    seconds = max(1, int(min(args.duration, args.messages / args.rate)))

    async def record() -> None:
        process = await asyncio.create_subprocess_exec(
            py_spy,
            "record",
            "--pid",
            str(pid),
            "--duration",
            str(seconds),
            "--rate",
            str(PROFILE_RATE),
            "--nonblocking",
            "--format",
            "raw",
            "--output",
            str(output),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        await process.wait()
        args.profile_output = (output, seconds)

    return record


# --- report ------------------------------------------------------------------------------


def table(results: list[Result], args: argparse.Namespace) -> str:
    rows: list[tuple[str, ...]] = [("", *(r.name for r in results), "target")]

    def row(label: str, cell: Callable[[Result], str], target: str = "") -> None:
        rows.append((label, *(cell(r) for r in results), target))

    row("connections requested", lambda r: f"{r.requested}")
    row("  opened", lambda r: f"{len(r.fleet.all())}")
    row(
        "  connect time visitors / agents",
        lambda r: f"{r.fleet.visitor_seconds:.1f} / {r.fleet.agent_seconds:.1f} s",
    )
    row(f"  held after {args.idle:g} s idle", lambda r: f"{r.held}", f">= {TARGET_CONNECTIONS}")
    row("  frames received while connecting + idle", lambda r: f"{r.idle_frames}")
    row(
        "server RSS before / idle / after load",
        lambda r: (
            f"{r.rss_before / MiB:.0f} / {r.rss_idle / MiB:.0f} / {r.rss_after_load / MiB:.0f} MiB"
        ),
    )
    row(
        "  per idle connection",
        lambda r: f"{r.kib_per_connection:.1f} KiB",
        f"<= {TARGET_KIB_PER_CONNECTION} KiB",
    )
    row("console sockets during load (fan-out)", lambda r: f"{r.load_agents}")
    row(
        "messages sent / acked / delivered",
        lambda r: f"{r.load.sent} / {r.load.acked} / {r.load.delivered}",
    )
    row(
        f"persisted messages/s (offered {args.rate:g})",
        lambda r: f"{r.messages_per_second:.0f}",
        f">= {TARGET_MESSAGES_PER_SECOND}",
    )
    row("send→ack p50 / p99 ms", lambda r: _pair(r.load.ack_ms))
    row(
        "send→delivery p50 / p99 ms", lambda r: _pair(r.load.delivery_ms), f"p99 <= {TARGET_P99_MS}"
    )
    row("  max ms", lambda r: f"{max(r.load.delivery_ms, default=float('nan')):.0f}")
    row("frames received /s (all sockets)", lambda r: f"{r.load.frames / r.load.seconds:.0f}")
    row("server CPU during load (cores)", lambda r: f"{r.load.server_cpu:.2f}")
    row(
        "  server CPU ms per acked message",
        lambda r: f"{1000 * r.load.server_cpu_seconds / max(r.load.acked, 1):.2f}",
    )
    row("driver CPU during load (cores)", lambda r: f"{r.load.driver_cpu:.2f}")
    row(
        "sockets closed during load / errors",
        lambda r: f"{sum(r.load.closed_during_load.values())} / {len(r.load.errors)}",
    )
    row(
        "load average before / after (1 min)",
        lambda r: f"{r.load_before:.1f} / {r.load_after:.1f}",
        f"{os.cpu_count()} cores",
    )
    widths = [max(len(line[i]) for line in rows) for i in range(len(rows[0]))]
    lines = [
        "  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip()
        for line in rows
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _pair(values: list[float]) -> str:
    return f"{percentile(values, 50):.1f} / {percentile(values, 99):.1f}"


def profile_summary(path: Path, seconds: float, top: int = 25) -> str:
    """Where the event-loop thread spends its time, from py-spy's raw (collapsed) stacks.

    py-spy leaves out idle samples, so a thread's samples / (seconds × rate) is how busy
    it was. SQLite runs in aiosqlite's worker thread, outside the event loop.
    """
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    threads: Counter[str] = Counter()
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack:
            continue
        n = int(count)
        if MAIN_THREAD_MARK not in stack:
            threads["sqlite" if SQLITE_THREAD_MARK in stack else "other"] += n
            continue
        threads["loop"] += n
        frames = [_short(f) for f in stack.split(";")]
        own[frames[-1]] += n
        for frame in set(frames):
            inclusive[frame] += n
    total = max(threads["loop"], 1)
    possible = seconds * PROFILE_RATE
    out = [
        f"py-spy over {seconds:g} s: event-loop thread busy"
        f" {100 * threads['loop'] / possible:.0f}%,"
        f" aiosqlite thread {100 * threads['sqlite'] / possible:.0f}%,"
        f" other threads {100 * threads['other'] / possible:.0f}% (of one core)",
        "event-loop thread, self time then inclusive time (% of its busy samples):",
    ]
    out += [f"  self {100 * n / total:5.1f}%  {f}" for f, n in own.most_common(top)]
    out += [f"  incl {100 * n / total:5.1f}%  {f}" for f, n in inclusive.most_common(top * 2)]
    return "\n".join(out)


def _short(frame: str) -> str:
    """``fn (/long/path/site-packages/pkg/mod.py:12)`` → ``fn (pkg/mod.py)``."""
    name, _, where = frame.partition(" (")
    path = where.rstrip(")").rsplit(":", 1)[0]
    for marker in ("site-packages/", "src/", "lib/python3.11/"):
        if marker in path:
            path = path.split(marker, 1)[1]
            break
    return f"{name} ({path})"


async def main(args: argparse.Namespace) -> list[Result]:
    results = []
    if args.only in (None, "supportdesk"):
        results.append(
            await measure("supportdesk", servers.supportdesk(args.visitors, args.agents), args)
        )
    if args.only in (None, "websockets"):
        results.append(
            await measure("websockets", servers.baseline(args.visitors, args.agents), args)
        )
    return results


def run(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    servers.raise_open_files()
    started = time.monotonic()
    runner: Callable[..., list[Result]] = asyncio.run
    with contextlib.suppress(ImportError):
        import uvloop

        runner = uvloop.run
    results = runner(main(args))
    print()
    print(" ".join(["python bench/realtime.py", *sys.argv[1:]]))
    print(table(results, args))
    for result in results:
        for failure in result.fleet.failures[:3]:
            print(f"  {result.name} connect failure: {failure}")
        for reason, count in result.load.closed_during_load.items():
            print(f"  {result.name}: {count} sockets closed by the server during load: {reason}")
        for error in result.load.errors[:3]:
            print(f"  {result.name} error frame: {error}")
    output, seconds = getattr(args, "profile_output", (None, 0))
    if output is not None and output.exists():
        print()
        print(profile_summary(output, seconds))
        print(f"(raw stacks: {output}; speedscope.app or flamegraph.pl read them)")
    print(f"\nfinished in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(run())
