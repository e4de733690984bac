"""Fixtures for the gateway tests: real ``supportdesk serve`` processes and the people using them.

``serve(**env)`` starts a server on this test's database (SQLite or PostgreSQL, from the
shared ``database_url`` fixture) and stops it at teardown.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
from tests.conftest import plain_url
from wsharness import (
    Server,
    Staff,
    Visitor,
    create_agent,
    login,
    new_visitor,
    start_server,
)

from supportdesk.accounts.models import Role

ServeFactory = Callable[..., Awaitable[Server]]


@pytest.fixture
async def serve(database_url: str, tmp_path: Path) -> AsyncIterator[ServeFactory]:
    servers: list[Server] = []

    async def start(**env: str) -> Server:
        name = f"node{len(servers)}"
        server = await start_server(
            plain_url(database_url), tmp_path / f"{name}-data", tmp_path / f"{name}.log", **env
        )
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
async def server(serve: ServeFactory) -> Server:
    return await serve()


@pytest.fixture
def redis_prefix() -> str:
    return f"sdtest-{uuid.uuid4().hex[:12]}"


async def staff_persona(
    database_url: str, server: Server, email: str, name: str, role: Role
) -> Staff:
    await create_agent(database_url, email, name, role)
    return await login(server, email)


@pytest.fixture
async def carol(database_url: str, server: Server) -> AsyncIterator[Staff]:
    persona = await staff_persona(database_url, server, "carol@desk.test", "Carol", Role.AGENT)
    yield persona
    await persona.http.aclose()


@pytest.fixture
async def erin(database_url: str, server: Server) -> AsyncIterator[Staff]:
    persona = await staff_persona(database_url, server, "erin@desk.test", "Erin", Role.AGENT)
    yield persona
    await persona.http.aclose()


@pytest.fixture
async def dave(database_url: str, server: Server) -> AsyncIterator[Staff]:
    persona = await staff_persona(database_url, server, "dave@desk.test", "Dave", Role.ADMIN)
    yield persona
    await persona.http.aclose()


@pytest.fixture
async def alice(server: Server) -> AsyncIterator[Visitor]:
    persona = await new_visitor(server, "Alice")
    yield persona
    await persona.http.aclose()


@pytest.fixture
async def bob(server: Server) -> AsyncIterator[Visitor]:
    persona = await new_visitor(server, "Bob")
    yield persona
    await persona.http.aclose()
