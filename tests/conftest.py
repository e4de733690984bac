"""Shared fixtures: a fresh database per test on SQLite *and* PostgreSQL, the app, personas.

Every test that takes ``services`` / ``client`` / a persona runs twice: ``[sqlite]`` and
``[postgresql]``. Isolation: each test gets its own database, copied from a template that
was migrated once per session (a file copy for SQLite, ``CREATE DATABASE … TEMPLATE`` for
PostgreSQL), so tests that start real server processes see committed data too.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from argon2 import PasswordHasher
from sqlalchemy import create_engine, text

import supportdesk.accounts.passwords as passwords
from supportdesk.accounts.actions import do_create_agent
from supportdesk.accounts.models import Agent, Role
from supportdesk.app import create_app
from supportdesk.config import Settings, load_settings
from supportdesk.db.engine import Database
from supportdesk.db.migrate import migrate
from supportdesk.services import Services

PG_ADMIN_URL = os.environ.get(
    "SUPPORTDESK_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
BACKENDS = ("sqlite", "postgresql")
IDENTITY_SECRET = "identity-secret-for-tests"
PASSWORD = "correct horse battery staple"

# Argon2 at production cost makes each persona take ~50 ms; the tests check behaviour, not
# hashing strength, so they use the cheapest parameters.
passwords._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


def _pg_admin_execute(*statements: str) -> None:
    asyncio.run(_pg_admin_execute_async(*statements))


async def _pg_admin_execute_async(*statements: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(PG_ADMIN_URL)
    try:
        for statement in statements:
            await conn.execute(statement)
    finally:
        await conn.close()


def _async_url(backend: str, location: str) -> str:
    if backend == "sqlite":
        return f"sqlite+aiosqlite:///{location}"
    return PG_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://") + (
        f"/{location}"
    )


async def _migrate_url(url: str) -> None:
    database = Database(url)
    try:
        await migrate(database)
    finally:
        await database.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    asyncio.run(_migrate_url(_async_url("sqlite", str(path))))
    # Fold the WAL back into the main file so a plain copy is a complete database.
    engine = create_engine(f"sqlite:///{path}")
    with engine.connect() as conn:
        conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str]:
    name = f"sdt_template_{os.getpid()}"
    _pg_admin_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"')
    asyncio.run(_migrate_url(_async_url("postgresql", name)))
    yield name
    _pg_admin_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def database_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, migrated, empty database for this test only."""
    if backend == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        target = tmp_path / "data" / "supportdesk.db"
        target.parent.mkdir()
        shutil.copyfile(template, target)
        yield _async_url("sqlite", str(target))
        return
    template_name: str = request.getfixturevalue("pg_template")
    name = f"sdt_{uuid.uuid4().hex[:16]}"
    _pg_admin_execute(f'CREATE DATABASE "{name}" TEMPLATE "{template_name}"')
    yield _async_url("postgresql", name)
    _pg_admin_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def plain_url(async_url: str) -> str:
    """The URL as an operator writes it in SUPPORTDESK_DATABASE_URL."""
    return async_url.replace("+aiosqlite", "").replace("+asyncpg", "")


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return load_settings(
        env="test",
        data_dir=tmp_path / "data",
        database_url=plain_url(database_url),
        secret_key="s" * 48,
        identity_secret=IDENTITY_SECRET,
        search_vector_worker=False,  # tests encode deferred vectors when they mean to
    )


@pytest.fixture
async def app_and_services(settings: Settings) -> AsyncIterator[tuple[object, Services]]:
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        yield app, app.state.services


@pytest.fixture
def services(app_and_services: tuple[object, Services]) -> Services:
    return app_and_services[1]


@pytest.fixture
def app(app_and_services: tuple[object, Services]) -> object:
    return app_and_services[0]


def make_client(app: object) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


@pytest.fixture
async def client(app: object) -> AsyncIterator[httpx.AsyncClient]:
    async with make_client(app) as c:
        yield c


@dataclass
class StaffPersona:
    agent: Agent
    client: httpx.AsyncClient
    csrf_token: str
    password: str = PASSWORD


@dataclass
class VisitorPersona:
    contact_id: int
    token: str
    client: httpx.AsyncClient


async def create_agent(services: Services, email: str, name: str, role: Role) -> Agent:
    async with services.db.transaction() as session:
        return await do_create_agent(session, email=email, name=name, role=role, password=PASSWORD)


async def login(app: object, email: str) -> tuple[httpx.AsyncClient, str]:
    http = make_client(app)
    response = await http.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert response.status_code == 200, response.text
    csrf = response.json()["csrf_token"]
    http.headers["X-CSRF-Token"] = csrf
    return http, csrf


async def _staff(
    app: object, services: Services, email: str, name: str, role: Role
) -> StaffPersona:
    agent = await create_agent(services, email, name, role)
    http, csrf = await login(app, email)
    return StaffPersona(agent, http, csrf)


async def _visitor(app: object, name: str) -> VisitorPersona:
    http = make_client(app)
    response = await http.post("/api/v1/widget/session", json={"name": name, "locale": "en"})
    assert response.status_code == 200, response.text
    data = response.json()
    http.headers["X-Visitor-Token"] = data["visitor_token"]
    return VisitorPersona(data["contact"]["id"], data["visitor_token"], http)


@pytest.fixture
async def agent_carol(app: object, services: Services) -> AsyncIterator[StaffPersona]:
    persona = await _staff(app, services, "carol@example.com", "Carol", Role.AGENT)
    yield persona
    await persona.client.aclose()


@pytest.fixture
async def agent_erin(app: object, services: Services) -> AsyncIterator[StaffPersona]:
    persona = await _staff(app, services, "erin@example.com", "Erin", Role.AGENT)
    yield persona
    await persona.client.aclose()


@pytest.fixture
async def supervisor_sam(app: object, services: Services) -> AsyncIterator[StaffPersona]:
    persona = await _staff(app, services, "sam@example.com", "Sam", Role.SUPERVISOR)
    yield persona
    await persona.client.aclose()


@pytest.fixture
async def admin_dave(app: object, services: Services) -> AsyncIterator[StaffPersona]:
    persona = await _staff(app, services, "dave@example.com", "Dave", Role.ADMIN)
    yield persona
    await persona.client.aclose()


@pytest.fixture
async def visitor_alice(app: object) -> AsyncIterator[VisitorPersona]:
    persona = await _visitor(app, "Alice")
    yield persona
    await persona.client.aclose()


@pytest.fixture
async def visitor_bob(app: object) -> AsyncIterator[VisitorPersona]:
    persona = await _visitor(app, "Bob")
    yield persona
    await persona.client.aclose()


async def start_conversation(visitor: VisitorPersona, body: str = "My withdrawal is stuck") -> dict:  # type: ignore[type-arg]
    response = await visitor.client.post(
        "/api/v1/widget/conversations", json={"body": body, "client_id": uuid.uuid4().hex}
    )
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


@pytest.fixture
async def alice_conversation(visitor_alice: VisitorPersona) -> dict:  # type: ignore[type-arg]
    return await start_conversation(visitor_alice)
