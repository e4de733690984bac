"""The ``supportdesk`` command, run as operators run it: a real process on a real data directory."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
import httpx
import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from supportdesk.accounts.models import Agent, Role, Team, TeamMember
from supportdesk.canned.models import CannedReply
from supportdesk.contacts.models import Contact
from supportdesk.conversations.models import Conversation, Message, Status
from supportdesk.db.engine import Database
from supportdesk.db.migrate import alembic_config, migrate
from supportdesk.demo import DemoLogin, read_logins, seed_demo, write_logins
from supportdesk.helpcenter.models import ArticleTranslation

PASSWORD = "correct horse battery staple"
PG_URL = os.environ.get(
    "SUPPORTDESK_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test"
)


def supportdesk(
    data_dir: Path, *args: str, stdin: str | None = None, **env: str
) -> subprocess.CompletedProcess[str]:
    """Run the console script in a clean environment: only the variables given here."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("SUPPORTDESK_")}
    environ |= {"SUPPORTDESK_DATA_DIR": str(data_dir), "SUPPORTDESK_ENV": "dev", **env}
    return subprocess.run(
        [sys.executable, "-m", "supportdesk", *args],
        input=stdin if stdin is not None else "",
        capture_output=True,
        text=True,
        env=environ,
        timeout=60,
        check=False,
    )


def create_agent(
    data_dir: Path, email: str, name: str = "Ann", role: str = "agent", **env: str
) -> subprocess.CompletedProcess[str]:
    return supportdesk(
        data_dir,
        *("agent", "create", "--email", email, "--name", name, "--role", role),
        "--password-stdin",
        stdin=PASSWORD + "\n",
        **env,
    )


def agent_rows(data_dir: Path, **env: str) -> list[list[str]]:
    result = supportdesk(data_dir, "agent", "list", **env)
    assert result.returncode == 0, result.stderr
    header, *rows = result.stdout.splitlines()
    assert header.split() == ["id", "email", "name", "role", "active"]
    return [row.split() for row in rows]


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def scratch_pg() -> Iterator[str]:
    """A new, empty PostgreSQL database, as an operator writes its URL; dropped afterwards."""
    name = new_pg_name()
    asyncio.run(pg_admin(f'CREATE DATABASE "{name}"'))
    yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    asyncio.run(pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def new_pg_name() -> str:
    return f"sd_cli_{uuid.uuid4().hex[:12]}"


async def pg_admin(statement: str) -> None:
    conn = await asyncpg.connect(PG_URL)
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


# --- help and usage -----------------------------------------------------------------------


def test_help_lists_every_command(data_dir: Path) -> None:
    result = supportdesk(data_dir, "--help")
    assert result.returncode == 0
    for command in ("serve", "demo", "agent", "migrate", "create", "list", "deactivate"):
        assert command in result.stdout
    assert not data_dir.exists()


def test_unknown_role_is_a_usage_error_that_touches_nothing(data_dir: Path) -> None:
    result = create_agent(data_dir, "ann@example.com", role="boss")
    assert result.returncode == 2
    assert "invalid choice: 'boss'" in result.stderr
    assert not data_dir.exists()


def test_a_command_is_required(data_dir: Path) -> None:
    result = supportdesk(data_dir)
    assert result.returncode == 2
    assert "required" in result.stderr


# --- agent --------------------------------------------------------------------------------


def test_agent_created_with_password_from_stdin_is_listed(data_dir: Path) -> None:
    result = create_agent(data_dir, " Ann@Example.com ", name="Ann", role="admin")
    assert result.returncode == 0, result.stderr
    assert "created admin ann@example.com" in result.stdout
    assert PASSWORD not in result.stdout
    assert agent_rows(data_dir) == [["1", "ann@example.com", "Ann", "admin", "yes"]]


def test_generated_password_is_printed_once(data_dir: Path) -> None:
    result = supportdesk(
        data_dir, "agent", "create", "--email", "bo@example.com", "--name", "Bo", "--role", "agent"
    )
    assert result.returncode == 0, result.stderr
    [password_line] = [line for line in result.stdout.splitlines() if line.startswith("password:")]
    assert len(password_line.removeprefix("password:").strip()) >= 16


def test_duplicate_email_exits_1_and_changes_nothing(data_dir: Path) -> None:
    assert create_agent(data_dir, "ann@example.com", name="Ann").returncode == 0
    result = create_agent(data_dir, "ANN@example.com", name="Impostor", role="admin")
    assert result.returncode == 1
    assert result.stderr == "error: an agent with email ann@example.com already exists\n"
    assert agent_rows(data_dir) == [["1", "ann@example.com", "Ann", "agent", "yes"]]


@pytest.mark.parametrize(
    ("email", "password", "message"),
    [
        ("not-an-email", PASSWORD, "error: invalid email 'not-an-email'"),
        ("ann@example.com", "short", "error: password must have at least 10 characters"),
    ],
)
def test_bad_input_exits_1_with_a_clear_message(
    data_dir: Path, email: str, password: str, message: str
) -> None:
    result = supportdesk(
        data_dir,
        *("agent", "create", "--email", email, "--name", "Ann", "--role", "agent"),
        "--password-stdin",
        stdin=password + "\n",
    )
    assert result.returncode == 1
    assert result.stderr.startswith(message)
    assert "Traceback" not in result.stderr
    assert agent_rows(data_dir) == []


def test_deactivated_agent_is_listed_as_inactive(data_dir: Path) -> None:
    create_agent(data_dir, "ann@example.com")
    result = supportdesk(data_dir, "agent", "deactivate", "--email", "ann@example.com")
    assert result.returncode == 0, result.stderr
    assert agent_rows(data_dir) == [["1", "ann@example.com", "Ann", "agent", "no"]]
    unknown = supportdesk(data_dir, "agent", "deactivate", "--email", "nobody@example.com")
    assert unknown.returncode == 1
    assert unknown.stderr == "error: no agent with email nobody@example.com\n"


def test_agent_commands_work_on_postgresql(data_dir: Path, scratch_pg: str) -> None:
    created = create_agent(data_dir, "ann@example.com", SUPPORTDESK_DATABASE_URL=scratch_pg)
    assert created.returncode == 0, created.stderr
    rows = agent_rows(data_dir, SUPPORTDESK_DATABASE_URL=scratch_pg)
    assert rows == [["1", "ann@example.com", "Ann", "agent", "yes"]]
    assert not (data_dir / "supportdesk.db").exists()


# --- migrate and configuration ------------------------------------------------------------


def test_migrate_is_idempotent(data_dir: Path) -> None:
    first = supportdesk(data_dir, "migrate")
    second = supportdesk(data_dir, "migrate")
    assert first.returncode == 0, first.stderr
    assert second.returncode == 0, second.stderr
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert f"at revision {head}" in first.stdout
    assert first.stdout == second.stdout
    assert (data_dir / "supportdesk.db").exists()


def test_production_without_secret_key_exits_2_and_names_the_variable(data_dir: Path) -> None:
    for command in (["agent", "list"], ["serve"], ["migrate"]):
        result = supportdesk(data_dir, *command, SUPPORTDESK_ENV="production")
        assert result.returncode == 2
        assert "SUPPORTDESK_SECRET_KEY" in result.stderr
        assert "Traceback" not in result.stderr
    assert not data_dir.exists()


def test_malformed_number_names_the_variable(data_dir: Path) -> None:
    result = supportdesk(data_dir, "agent", "list", SUPPORTDESK_MAX_UPLOAD_BYTES="abc")
    assert result.returncode == 2
    assert "SUPPORTDESK_MAX_UPLOAD_BYTES" in result.stderr
    assert "valid integer" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_data_directory_that_cannot_be_created_is_a_one_line_error(tmp_path: Path) -> None:
    not_a_directory = tmp_path / "file"
    not_a_directory.write_text("")
    result = supportdesk(not_a_directory, "migrate")
    assert result.returncode == 1
    assert result.stderr.startswith("error: ")
    assert str(not_a_directory) in result.stderr
    assert "Traceback" not in result.stderr


def test_unreachable_database_is_a_one_line_error(data_dir: Path) -> None:
    unused = f"postgresql://postgres@127.0.0.1:{free_port()}/nothing"
    result = supportdesk(data_dir, "migrate", SUPPORTDESK_DATABASE_URL=unused)
    assert result.returncode == 1
    assert result.stderr.startswith("error: cannot use the database postgresql+asyncpg://")
    assert "Traceback" not in result.stderr


# --- demo ---------------------------------------------------------------------------------


@pytest.fixture(params=["sqlite", "postgresql"])
async def fresh_db(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    """An empty, migrated database of its own, on each backend."""
    if request.param == "sqlite":
        async with migrated(f"sqlite+aiosqlite:///{tmp_path / 'demo.db'}") as db:
            yield db
        return
    name = new_pg_name()
    await pg_admin(f'CREATE DATABASE "{name}"')
    url = make_url(PG_URL).set(drivername="postgresql+asyncpg", database=name)
    try:
        async with migrated(url.render_as_string(hide_password=False)) as db:
            yield db
    finally:
        await pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@asynccontextmanager
async def migrated(url: str) -> AsyncIterator[Database]:
    db = Database(url)
    try:
        await migrate(db)
        yield db
    finally:
        await db.dispose()


async def count(db: Database, model: type[object]) -> int:
    async with db.session() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_seed_demo_fills_an_empty_workspace(fresh_db: Database) -> None:
    result = await seed_demo(fresh_db)
    assert result.created
    assert {login.role for login in result.logins} == {"admin", "supervisor", "agent"}
    assert await count(fresh_db, Agent) == len(result.logins) == 6
    assert await count(fresh_db, Team) == 3
    assert await count(fresh_db, Contact) >= 3
    async with fresh_db.session() as session:
        statuses = set(await session.scalars(select(Conversation.status)))
        locales = set(await session.scalars(select(Conversation.locale)))
        notes = await session.scalar(
            select(func.count()).where(Message.is_internal, Message.sender_agent_id.is_not(None))
        )
        verified = await session.scalar(
            select(func.count()).where(Contact.external_id.is_not(None))
        )
        agents_in_teams = await session.scalar(select(func.count(TeamMember.agent_id.distinct())))
    assert {Status.QUEUED, Status.OPEN, Status.PENDING, Status.RESOLVED} <= statuses
    assert {"en", "zh", "es"} <= locales
    assert notes == 1
    assert verified == 1
    assert agents_in_teams == 5  # everyone but the admin
    async with fresh_db.session() as session:
        canned = list(await session.scalars(select(CannedReply)))
    assert {"hello", "txid"} <= {reply.shortcut for reply in canned}
    assert all(set(reply.bodies) == {"en", "zh-Hans", "es"} for reply in canned)
    async with fresh_db.session() as session:
        locales = set(await session.scalars(select(ArticleTranslation.locale)))
    assert {"en", "zh", "es"} <= locales


async def test_seeding_twice_adds_nothing(fresh_db: Database) -> None:
    await seed_demo(fresh_db)
    before = [await count(fresh_db, m) for m in (Agent, Team, Contact, Conversation, Message)]
    again = await seed_demo(fresh_db)
    after = [await count(fresh_db, m) for m in (Agent, Team, Contact, Conversation, Message)]
    assert not again.created
    assert again.logins == ()
    assert after == before


async def test_seed_demo_leaves_a_workspace_with_agents_alone(fresh_db: Database) -> None:
    from supportdesk.accounts.actions import do_create_agent

    async with fresh_db.transaction() as session:
        await do_create_agent(
            session, email="ann@example.com", name="Ann", role=Role.ADMIN, password=PASSWORD
        )
    assert not (await seed_demo(fresh_db)).created
    assert await count(fresh_db, Conversation) == 0


def test_demo_logins_file_is_private_and_round_trips(tmp_path: Path) -> None:
    logins = (DemoLogin("admin", "admin@example.com", "pw-1\\x", "Alex Morgan"),)
    path = tmp_path / "demo-logins.txt"
    write_logins(path, logins)
    assert path.stat().st_mode & 0o777 == 0o600
    assert read_logins(path) == logins
    assert read_logins(tmp_path / "missing.txt") == ()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run_demo_until_healthy(data_dir: Path) -> str:
    """Start ``supportdesk demo``, check it answers, stop it; return what it printed."""
    port = free_port()
    environ = {k: v for k, v in os.environ.items() if not k.startswith("SUPPORTDESK_")}
    environ["SUPPORTDESK_DATA_DIR"] = str(data_dir)
    command = [sys.executable, "-m", "supportdesk", "demo", "--port", str(port)]
    with subprocess.Popen(
        command, env=environ, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as process:
        try:
            wait_healthy(process, f"http://127.0.0.1:{port}")
            login_with_printed_password(f"http://127.0.0.1:{port}", data_dir)
        finally:
            process.send_signal(signal.SIGINT)
            stdout, stderr = process.communicate(timeout=30)
    assert process.returncode == 0, stderr
    return stdout


def wait_healthy(process: subprocess.Popen[str], base: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, "the demo server exited early"
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError("the demo server did not answer /healthz within 60 s")


def login_with_printed_password(base: str, data_dir: Path) -> None:
    [admin] = [x for x in read_logins(data_dir / "demo-logins.txt") if x.role == "admin"]
    response = httpx.post(
        f"{base}/api/v1/auth/login", json={"email": admin.email, "password": admin.password}
    )
    assert response.status_code == 200, response.text


@pytest.mark.slow
def test_demo_serves_a_workspace_and_reuses_it_on_restart(data_dir: Path) -> None:
    first = run_demo_until_healthy(data_dir)
    assert "Demo workspace created." in first
    for path in ("/demo", "/console", "/help", "/api/docs", "/openapi.json", "/healthz"):
        assert path in first
    printed = [line.split()[:3] for line in first.splitlines() if "@example.com" in line]
    assert len(printed) == 6
    assert (data_dir / "demo-logins.txt").stat().st_mode & 0o777 == 0o600

    second = run_demo_until_healthy(data_dir)
    assert "already present; nothing was added" in second
    again = [line.split()[:3] for line in second.splitlines() if "@example.com" in line]
    assert again == printed
    assert agent_rows(data_dir, SUPPORTDESK_ENV="demo") == agent_rows(data_dir)
    assert len(agent_rows(data_dir)) == 6
