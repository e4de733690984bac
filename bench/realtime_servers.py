"""Start the servers bench/realtime.py measures, and give each the accounts it needs."""

from __future__ import annotations

import asyncio
import contextlib
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path
from unittest import mock

import httpx
from realtime_load import Target

HERE = Path(__file__).resolve().parent
HOST = "127.0.0.1"
SETUP_CONCURRENCY = 32


def raise_open_files() -> None:
    """2,000 sockets need more descriptors than the usual soft limit of 1,024."""
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def _start(argv: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(argv, env=env, preexec_fn=raise_open_files)


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


async def _wait_http(url: str, process: subprocess.Popen[bytes], within: float = 30) -> None:
    deadline = time.monotonic() + within
    async with httpx.AsyncClient() as client:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"server exited with {process.returncode}")
            with contextlib.suppress(httpx.HTTPError):
                if (await client.get(url)).status_code == 200:
                    return
            await asyncio.sleep(0.2)
    raise RuntimeError(f"server did not answer {url} within {within} s")


# --- Supportdesk -----------------------------------------------------------------------


@contextlib.asynccontextmanager
async def supportdesk(visitors: int, agents: int) -> AsyncIterator[Target]:
    """A real server on SQLite in a fresh data directory, with agents, visitors, conversations.

    Agents and their API tokens are written through the actions layer before the server
    starts (one argon2 hash for all: 1,000 hashes would take two minutes); visitors and
    conversations go through the HTTP API of the running server, as the widget does.
    """
    data_dir = Path(tempfile.mkdtemp(prefix="supportdesk-bench-"))
    env = {
        **os.environ,
        "SUPPORTDESK_ENV": "dev",
        "SUPPORTDESK_DATA_DIR": str(data_dir),
        "SUPPORTDESK_RATE_LIMITS": "off",
        "SUPPORTDESK_LOG_LEVEL": "warning",
        "PYTHONUNBUFFERED": "1",
    }
    agent_tokens = await _seed_agents(data_dir, agents)
    port = free_port()
    process = _start(
        [
            sys.executable,
            "-m",
            "supportdesk",
            "serve",
            "--host",
            HOST,
            "--port",
            str(port),
        ],
        env,
    )
    try:
        base = f"http://{HOST}:{port}"
        await _wait_http(base + "/healthz", process)
        started = time.monotonic()
        visitor_tokens, conversation_ids = await _open_conversations(base, visitors)
        print(
            f"  setup: {agents} agents (direct), {visitors} visitors + conversations over HTTP "
            f"in {time.monotonic() - started:.1f} s",
            flush=True,
        )
        yield Target(
            "supportdesk",
            f"ws://{HOST}:{port}",
            process.pid,
            visitor_tokens,
            conversation_ids,
            agent_tokens,
        )
    finally:
        _stop(process)


async def _seed_agents(data_dir: Path, count: int) -> list[str]:
    from supportdesk.accounts import actions
    from supportdesk.accounts.models import Role
    from supportdesk.accounts.passwords import hash_password
    from supportdesk.config import load_settings
    from supportdesk.db import Database
    from supportdesk.db.migrate import migrate

    settings = load_settings(env="dev", data_dir=data_dir, rate_limits=False)
    db = Database(settings.resolved_database_url)
    await migrate(db)
    # A throwaway account in a temporary database.
    password = "bench-password-not-secret"  # noqa: S105
    hashed = hash_password(password)
    tokens = []
    with mock.patch.object(actions, "hash_password", lambda _password: hashed):
        async with db.transaction() as session:
            for n in range(count):
                agent = await actions.do_create_agent(
                    session,
                    email=f"agent{n}@bench.example.com",
                    name=f"Agent {n}",
                    role=Role.AGENT,
                    password=password,
                )
                tokens.append((await actions.do_create_api_token(session, agent, "bench")).secret)
    await db.dispose()
    return tokens


async def _open_conversations(base: str, count: int) -> tuple[list[str], list[int]]:
    gate = asyncio.Semaphore(SETUP_CONCURRENCY)
    limits = httpx.Limits(max_connections=SETUP_CONCURRENCY)

    async with httpx.AsyncClient(base_url=base + "/api/v1", limits=limits, timeout=60) as client:

        async def one(n: int) -> tuple[str, int]:
            async with gate:
                session = await client.post("/widget/session", json={"name": f"Visitor {n}"})
                session.raise_for_status()
                token = session.json()["visitor_token"]
                started = await client.post(
                    "/widget/conversations",
                    json={"subject": "bench"},
                    headers={"X-Visitor-Token": token},
                )
                started.raise_for_status()
                return token, int(started.json()["id"])

        pairs = await asyncio.gather(*(one(n) for n in range(count)))
    return [t for t, _ in pairs], [c for _, c in pairs]


# --- the bare websockets baseline ------------------------------------------------------


@contextlib.asynccontextmanager
async def baseline(visitors: int, agents: int) -> AsyncIterator[Target]:
    port = free_port()
    process = _start(
        [sys.executable, str(HERE / "ws_baseline.py"), "--port", str(port)], dict(os.environ)
    )
    try:
        await _wait_ws_port(port, process)
        yield Target(
            "websockets",
            f"ws://{HOST}:{port}",
            process.pid,
            [f"visitor:{i + 1}" for i in range(visitors)],
            list(range(1, visitors + 1)),
            [f"agent:{n}" for n in range(agents)],
        )
    finally:
        _stop(process)


async def _wait_ws_port(port: int, process: subprocess.Popen[bytes], within: float = 15) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"baseline exited with {process.returncode}")
        try:
            _reader, writer = await asyncio.open_connection(HOST, port)
        except OSError:
            await asyncio.sleep(0.1)
            continue
        writer.close()
        return
    raise RuntimeError("baseline server did not start")
