"""Real server processes and real WebSocket clients for the gateway tests.

A server is ``python -m supportdesk serve`` on a free port; clients talk to it over TCP
with httpx (REST) and ``websockets`` (sockets). Waiting is always for a frame or a state,
with a deadline, never a fixed sleep.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from supportdesk.accounts.actions import do_create_agent
from supportdesk.accounts.models import Agent, Role
from supportdesk.db.engine import Database

SECRET_KEY = "k" * 48
IDENTITY_SECRET = "identity-secret-for-tests"
PASSWORD = "correct horse battery staple"
START_TIMEOUT = 30.0
FRAME_TIMEOUT = 10.0

Frame = dict[str, Any]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    port: int
    process: subprocess.Popen[bytes]
    log_path: Path

    @property
    def http(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws(self) -> str:
        return f"ws://127.0.0.1:{self.port}/api/v1/ws"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def _spawn(port: int, env: dict[str, str], log_path: Path) -> subprocess.Popen[bytes]:
    with log_path.open("wb") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "supportdesk", "serve", "--port", str(port)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )


async def start_server(database_url: str, data_dir: Path, log_path: Path, **env: str) -> Server:
    """Start ``supportdesk serve`` and return once ``/healthz`` answers 200."""
    port = free_port()
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SUPPORTDESK_")}
    clean.update(
        SUPPORTDESK_ENV="test",
        SUPPORTDESK_DATABASE_URL=database_url,
        SUPPORTDESK_DATA_DIR=str(data_dir),
        SUPPORTDESK_SECRET_KEY=SECRET_KEY,
        SUPPORTDESK_IDENTITY_SECRET=IDENTITY_SECRET,
        **{f"SUPPORTDESK_{key.upper()}": value for key, value in env.items()},
    )
    server = Server(port, _spawn(port, clean, log_path), log_path)
    process = server.process
    deadline = time.monotonic() + START_TIMEOUT
    async with httpx.AsyncClient(base_url=server.http, timeout=2) as http:
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"server exited with {process.returncode}:\n{server.log()}")
            try:
                if (await http.get("/healthz")).status_code == 200:
                    return server
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                server.stop()
                raise RuntimeError(f"server did not start in {START_TIMEOUT} s:\n{server.log()}")
            await asyncio.sleep(0.05)


# --- people ------------------------------------------------------------------------------


async def create_agent(database_url: str, email: str, name: str, role: Role) -> Agent:
    """Directly in the database, as `supportdesk agent create` does."""
    db = Database(database_url)
    try:
        async with db.transaction() as session:
            return await do_create_agent(
                session, email=email, name=name, role=role, password=PASSWORD
            )
    finally:
        await db.dispose()


@dataclass
class Staff:
    agent_id: int
    name: str
    http: httpx.AsyncClient
    cookie: str


async def login(server: Server, email: str) -> Staff:
    http = httpx.AsyncClient(base_url=server.http, timeout=10)
    response = await http.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert response.status_code == 200, response.text
    body = response.json()
    http.headers["X-CSRF-Token"] = body["csrf_token"]
    cookie = http.cookies["sd_session"]
    return Staff(body["agent"]["id"], body["agent"]["name"], http, cookie)


@dataclass
class Visitor:
    contact_id: int
    token: str
    http: httpx.AsyncClient


async def new_visitor(server: Server, name: str) -> Visitor:
    http = httpx.AsyncClient(base_url=server.http, timeout=10)
    response = await http.post("/api/v1/widget/session", json={"name": name, "locale": "en"})
    assert response.status_code == 200, response.text
    data = response.json()
    http.headers["X-Visitor-Token"] = data["visitor_token"]
    return Visitor(data["contact"]["id"], data["visitor_token"], http)


def client_id() -> str:
    return uuid.uuid4().hex


# --- sockets -----------------------------------------------------------------------------


@dataclass
class Socket:
    """One client socket.

    ``seen`` keeps every frame read, in order. ``expect`` takes the first frame that matches
    from those read but not yet taken, reading more if needed: an event that arrived before
    the reply a test waited for is still found.
    """

    ws: ClientConnection
    welcome: Frame = field(default_factory=dict)
    seen: list[Frame] = field(default_factory=list)
    pending: list[Frame] = field(default_factory=list)

    async def send(self, frame: Frame | str) -> None:
        await self.ws.send(frame if isinstance(frame, str) else json.dumps(frame))

    async def recv(self, within: float = FRAME_TIMEOUT) -> Frame:
        """The next frame from the wire (bypasses ``pending``)."""
        raw = await asyncio.wait_for(self.ws.recv(), within)
        frame: Frame = json.loads(raw)
        self.seen.append(frame)
        return frame

    async def expect(self, match: Callable[[Frame], bool], within: float = FRAME_TIMEOUT) -> Frame:
        for index, frame in enumerate(self.pending):
            if match(frame):
                return self.pending.pop(index)
        deadline = time.monotonic() + within
        while True:
            frame = await self.recv(max(0.01, deadline - time.monotonic()))
            if match(frame):
                return frame
            self.pending.append(frame)

    async def request(self, frame: Frame, within: float = FRAME_TIMEOUT) -> Frame:
        """Send a frame carrying a ref/client_id and return the reply that echoes it."""
        ref = frame.get("client_id") or frame.get("ref")
        await self.send(frame)
        return await self.expect(
            lambda f: f.get("ref") == ref and f["type"] in ("ack", "ok", "pong", "error"),
            within,
        )

    async def closed_with(self, within: float = FRAME_TIMEOUT) -> tuple[int | None, str]:
        """Read until the server closes; return the close code and reason."""
        deadline = time.monotonic() + within
        try:
            while True:
                await self.recv(max(0.01, deadline - time.monotonic()))
        except ConnectionClosed as closed:
            received = closed.rcvd
            return (received.code, received.reason) if received else (None, "")

    async def close(self) -> None:
        await self.ws.close()


async def open_socket(
    url: str,
    *,
    token: str | None = None,
    last_seq: int | None = None,
    cookie: str | None = None,
    origin: str | None = None,
    **connect_options: Any,
) -> Socket:
    """Connect, say hello and read the welcome (or fail with what the server answered)."""
    headers = {"Cookie": f"sd_session={cookie}"} if cookie else {}
    ws = await connect(
        url, additional_headers=headers, origin=origin, open_timeout=10, **connect_options
    )
    sock = Socket(ws)
    hello: Frame = {"type": "hello"}
    if token is not None:
        hello["token"] = token
    if last_seq is not None:
        hello["last_seq"] = last_seq
    await sock.send(hello)
    sock.welcome = await sock.recv()
    assert sock.welcome["type"] == "welcome", sock.welcome
    return sock


async def refused(url: str, first: str | None, **connect_options: Any) -> tuple[int | None, str]:
    """Connect, send ``first`` (nothing when None) and return how the server closed."""
    ws = await connect(url, open_timeout=10, **connect_options)
    sock = Socket(ws)
    if first is not None:
        await sock.send(first)
    return await sock.closed_with(within=15)


def is_event(name: str, **data: Any) -> Callable[[Frame], bool]:
    """Matches an ``event`` frame by name and, for message events, message fields."""

    def match(frame: Frame) -> bool:
        if frame.get("type") != "event" or frame.get("event") != name:
            return False
        message = frame["data"].get("message", frame["data"])
        return all(message.get(key) == value for key, value in data.items())

    return match


def is_frame(type_: str, **fields: Any) -> Callable[[Frame], bool]:
    return lambda f: f.get("type") == type_ and all(f.get(k) == v for k, v in fields.items())
