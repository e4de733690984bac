"""The ``supportdesk`` command: serve, demo, agents, help-center import/export, migrations.

Exit codes: 0 success, 1 the command failed (the message says why), 2 usage or
configuration error. Errors are one line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import logging
import secrets
import sys
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import TypeVar

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession

from supportdesk import __version__
from supportdesk.accounts.actions import (
    do_create_agent,
    do_deactivate_agent,
    do_reactivate_agent,
)
from supportdesk.accounts.models import Agent, Role
from supportdesk.bot.cli import add_bot_commands
from supportdesk.config import ConfigError, Settings, load_settings
from supportdesk.db.engine import Database
from supportdesk.db.migrate import current_revision, migrate
from supportdesk.demo import LOGINS_FILE, DemoLogin, read_logins, seed_demo, write_logins
from supportdesk.errors import AppError
from supportdesk.helpcenter.exporter import export_help_center
from supportdesk.helpcenter.importer import (
    ImportReport,
    ParsedArticle,
    Rejection,
    as_drafts,
    collect_files,
    import_documents,
    parse_files,
)
from supportdesk.progress import ProgressBar
from supportdesk.search.vectors import encode_pending, pending_count

T = TypeVar("T")
MAX_NAME_LENGTH = 200  # the width of agents.name


class CommandError(Exception):
    """The command cannot do what was asked; the message is shown as ``error: ...``."""


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    handler: Callable[[argparse.Namespace], int] = args.handler
    try:
        return handler(args)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except (CommandError, AppError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:  # e.g. a data directory that cannot be created or written
        where = f"cannot use {exc.filename}: " if exc.filename else ""
        print(f"error: {where}{exc.strerror or exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="supportdesk",
        description="Supportdesk: an open-source customer-support platform.",
        formatter_class=_formatter,
    )
    parser.add_argument("--version", action="version", version=f"supportdesk {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="serve the REST API and the WebSockets")
    _add_listen_options(serve)
    serve.add_argument(
        "--smtp-port",
        type=_port,
        default=None,
        help="also receive email on this port (SUPPORTDESK_SMTP_RECEIVER_PORT)",
    )
    serve.set_defaults(handler=run_serve)

    demo = commands.add_parser("demo", help="fill an empty data directory with a demo and serve")
    _add_listen_options(demo)
    demo.set_defaults(handler=run_demo)

    _add_agent_commands(commands)
    add_bot_commands(commands)
    _add_kb_commands(commands)

    migrate_cmd = commands.add_parser("migrate", help="create or migrate the database")
    migrate_cmd.set_defaults(handler=run_migrate)
    return parser


def _formatter(prog: str) -> argparse.HelpFormatter:
    # Wide enough that every command and its help fit on one line.
    return argparse.HelpFormatter(prog, max_help_position=32)


def _add_listen_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=_port, default=8000, help="port to listen on")


def _port(value: str) -> int:
    try:
        port = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {value!r}") from None
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"port must be between 1 and 65535, not {port}")
    return port


def _add_agent_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    agent = commands.add_parser(
        "agent",
        help="staff accounts: agent create | list | deactivate | reactivate",
        formatter_class=_formatter,
    )
    actions = agent.add_subparsers(dest="agent_command", required=True, metavar="ACTION")

    create = actions.add_parser("create", help="create an agent, supervisor or admin")
    create.add_argument("--email", required=True)
    create.add_argument("--name", required=True)
    create.add_argument("--role", required=True, choices=[role.value for role in Role])
    create.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from standard input (otherwise one is generated and printed)",
    )
    create.set_defaults(handler=run_agent_create)

    listing = actions.add_parser("list", help="list every staff account")
    listing.set_defaults(handler=run_agent_list)

    deactivate = actions.add_parser("deactivate", help="deactivate an account and end its sessions")
    deactivate.add_argument("--email", required=True)
    deactivate.set_defaults(handler=run_agent_deactivate)

    reactivate = actions.add_parser("reactivate", help="let a deactivated account log in again")
    reactivate.add_argument("--email", required=True)
    reactivate.set_defaults(handler=run_agent_reactivate)


def _add_kb_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    kb = commands.add_parser(
        "kb", help="help-center articles: kb import | export", formatter_class=_formatter
    )
    actions = kb.add_subparsers(dest="kb_command", required=True, metavar="ACTION")

    importing = actions.add_parser("import", help="import Markdown articles (files or folders)")
    importing.add_argument(
        "paths", nargs="+", type=Path, metavar="PATH", help="a .md file, or a folder of them"
    )
    importing.add_argument("--draft", action="store_true", help="import every file as a draft")
    importing.add_argument(
        "--encode",
        action="store_true",
        help="also compute the semantic-search vectors before returning (else the server "
        "computes them in the background; keyword search works at once)",
    )
    importing.set_defaults(handler=run_kb_import)

    encoding = actions.add_parser(
        "encode", help="compute the semantic-search vectors that are still missing, now"
    )
    encoding.set_defaults(handler=run_kb_encode)

    exporting = actions.add_parser("export", help="write every translation to DIR as Markdown")
    exporting.add_argument("directory", type=Path, metavar="DIR")
    exporting.set_defaults(handler=run_kb_export)


# --- database access --------------------------------------------------------------------


def with_database(settings: Settings, work: Callable[[Database], Awaitable[T]]) -> T:
    """Migrate the database, then run ``work`` on it (every data command goes through here)."""
    return asyncio.run(_with_database(settings, work))


async def _with_database(settings: Settings, work: Callable[[Database], Awaitable[T]]) -> T:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    db = Database(settings.resolved_database_url)
    try:
        await migrate(db)
        return await work(db)
    except (OSError, OperationalError, InterfaceError) as exc:
        # An unreachable server or an unwritable file: say where, not a traceback.
        raise CommandError(f"cannot use the database {_safe_url(db.url)}: {exc}") from exc
    finally:
        await db.dispose()


def _safe_url(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


# --- migrate ----------------------------------------------------------------------------


def run_migrate(args: argparse.Namespace) -> int:
    settings = load_settings()
    revision = with_database(settings, _revision)
    url = _safe_url(settings.resolved_database_url)
    print(f"database {url} is at revision {revision}")
    return 0


async def _revision(db: Database) -> str:
    async with db.engine.connect() as conn:
        return await current_revision(conn) or "none"


# --- agent ------------------------------------------------------------------------------


def run_agent_create(args: argparse.Namespace) -> int:
    email = check_email(args.email)
    name = check_name(args.name)
    password = read_password_stdin() if args.password_stdin else secrets.token_urlsafe(12)
    settings = load_settings()

    async def create(db: Database) -> Agent:
        async with db.transaction() as session:
            return await do_create_agent(
                session, email=email, name=name, role=Role(args.role), password=password
            )

    agent = with_database(settings, create)
    print(f"created {agent.role.value} {agent.email} (id {agent.id})")
    if not args.password_stdin:
        print(f"password: {password}")
        print("this password is shown only once; the agent can change it after logging in")
    return 0


def check_email(value: str) -> str:
    try:
        return validate_email(value.strip(), check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise CommandError(f"invalid email {value!r}: {exc}") from None


def check_name(value: str) -> str:
    name = value.strip()
    if not name:
        raise CommandError("the name must not be empty")
    if len(name) > MAX_NAME_LENGTH:
        raise CommandError(f"the name must have at most {MAX_NAME_LENGTH} characters")
    return name


def read_password_stdin() -> str:
    if sys.stdin.isatty():
        # Someone typing at a terminal: do not echo the password.
        return getpass.getpass("password: ")
    password = sys.stdin.read().removesuffix("\n").removesuffix("\r")
    if "\n" in password:
        raise CommandError("the password read from standard input must be a single line")
    return password


def run_agent_list(args: argparse.Namespace) -> int:
    agents = with_database(load_settings(), _all_agents)
    rows = [("id", "email", "name", "role", "active")]
    rows += [
        (str(a.id), a.email, a.name, a.role.value, "yes" if a.is_active else "no") for a in agents
    ]
    print(format_table(rows))
    return 0


async def _all_agents(db: Database) -> list[Agent]:
    async with db.session() as session:
        return list(await session.scalars(select(Agent).order_by(Agent.id)))


def format_table(rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    )


def run_agent_deactivate(args: argparse.Namespace) -> int:
    email = args.email.strip().lower()

    async def deactivate(db: Database) -> bool:
        async with db.transaction() as session:
            agent = await _agent_by_email(session, email)
            if not agent.is_active:
                return False
            await do_deactivate_agent(session, None, agent)
            return True

    changed = with_database(load_settings(), deactivate)
    print(f"deactivated {email}" if changed else f"{email} was already deactivated")
    return 0


def run_agent_reactivate(args: argparse.Namespace) -> int:
    email = args.email.strip().lower()

    async def reactivate(db: Database) -> None:
        async with db.transaction() as session:
            await do_reactivate_agent(session, await _agent_by_email(session, email))

    with_database(load_settings(), reactivate)
    print(f"reactivated {email}")
    return 0


async def _agent_by_email(session: AsyncSession, email: str) -> Agent:
    agent = await session.scalar(select(Agent).where(Agent.email == email))
    if agent is None:
        raise CommandError(f"no agent with email {email}")
    return agent


# --- kb ---------------------------------------------------------------------------------


def run_kb_import(args: argparse.Namespace) -> int:
    try:
        files = collect_files(args.paths)
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if not files:
        names = ", ".join(str(p) for p in args.paths)
        print(f"error: no Markdown (*.md) files in {names}", file=sys.stderr)
        return 2
    settings = load_settings()
    terminal = sys.stderr.isatty()  # a bar in a CI log is noise: only the summary there
    parsed = parse_files(files, progress=ProgressBar(label="reading  ") if terminal else None)
    documents = [p for p in parsed if isinstance(p, ParsedArticle)]
    rejected = [p for p in parsed if isinstance(p, Rejection)]
    bar = ProgressBar(label="importing") if terminal else None
    try:
        report, pending = with_database(
            settings,
            lambda db: _import_and_count(
                db, as_drafts(documents) if args.draft else documents, bar, encode=args.encode
            ),
        )
    finally:
        if bar is not None:
            bar.close()
    report.rejected[:0] = rejected
    for rejection in report.rejected:
        print(f"rejected {rejection}", file=sys.stderr)
    print(report.summary())
    if pending:
        print(
            f"{pending} passages wait for their semantic-search vectors: a running "
            "`supportdesk serve` computes them in the background (keyword search works "
            "already), or run `supportdesk kb encode`"
        )
    return 1 if report.rejected else 0


async def _import_and_count(
    db: Database, documents: list[ParsedArticle], bar: ProgressBar | None, *, encode: bool
) -> tuple[ImportReport, int]:
    encoding = ProgressBar(label="encoding ") if encode and bar is not None else None
    try:
        report = await import_documents(
            db, documents, progress=bar, encode=encode, encode_progress=encoding
        )
    finally:
        if encoding is not None:
            encoding.close()
    async with db.session() as session:
        return report, await pending_count(session)


def run_kb_encode(args: argparse.Namespace) -> int:
    bar = ProgressBar(label="encoding ") if sys.stderr.isatty() else None
    try:
        encoded = with_database(load_settings(), lambda db: encode_pending(db, progress=bar))
    finally:
        if bar is not None:
            bar.close()
    print(f"encoded {encoded} passage{'' if encoded == 1 else 's'}")
    return 0


def run_kb_export(args: argparse.Namespace) -> int:
    directory: Path = args.directory
    if directory.exists() and not directory.is_dir():
        print(f"error: {directory} exists and is not a directory", file=sys.stderr)
        return 2
    report = with_database(load_settings(), lambda db: export_help_center(db, directory))
    files = f"{report.files} file{'' if report.files == 1 else 's'}"
    articles = f"{report.articles} article{'' if report.articles == 1 else 's'}"
    print(f"exported {files} ({articles}) to {directory}")
    return 0


# --- serve and demo ---------------------------------------------------------------------


def run_serve(args: argparse.Namespace) -> int:
    overrides = {} if args.smtp_port is None else {"smtp_receiver_port": args.smtp_port}
    settings = load_settings(**overrides)
    configure_logging(settings.log_level)
    return serve(settings, args.host, args.port)


def run_demo(args: argparse.Namespace) -> int:
    settings = load_settings(env="demo")
    configure_logging(settings.log_level)
    logins, created = with_database(settings, _seed)
    path = settings.data_dir / LOGINS_FILE
    if created:
        write_logins(path, logins)
    else:
        logins = read_logins(path)
    base = base_url(args.host, args.port)
    print(demo_banner(base, logins, created, str(path)), flush=True)
    return serve(settings, args.host, args.port)


async def _seed(db: Database) -> tuple[tuple[DemoLogin, ...], bool]:
    result = await seed_demo(db)
    return result.logins, result.created


def demo_banner(base: str, logins: tuple[DemoLogin, ...], created: bool, path: str) -> str:
    if created:
        lines = ["Demo workspace created."]
    elif logins:
        lines = ["Demo workspace already present; nothing was added."]
    else:
        lines = [f"This data directory already has agents and no {LOGINS_FILE}; no demo added."]
    lines += [
        f"  Demo site:      {base}/demo   (an exchange page with the chat widget)",
        f"  Agent console:  {base}/console",
        f"  Help center:    {base}/help",
        f"  API docs:       {base}/api/docs",
        f"  OpenAPI:        {base}/openapi.json",
        f"  Health:         {base}/healthz",
    ]
    if logins:
        rows = [(x.role, x.email, x.password, x.name) for x in logins]
        table = format_table([("role", "email", "password", "name"), *rows])
        lines += ["", f"Demo logins (also in {path}):", *("  " + t for t in table.split("\n"))]
    return "\n".join(lines) + "\n"


def serve(settings: Settings, host: str, port: int) -> int:
    import uvicorn

    from supportdesk.app import create_app

    app = create_app(settings)
    print(f"Supportdesk serving on {base_url(host, port)}", flush=True)
    # log_config=None: uvicorn's loggers propagate to the handler configured below.
    uvicorn.run(
        app,
        host=host,
        port=port,
        log_config=None,
        lifespan="on",
        # Chat frames are small: per-message deflate would save little bandwidth and costs
        # about 40 KiB of compressor state per open socket (docs/performance.md).
        ws_per_message_deflate=False,
        ws="websockets-sansio",
        # Frames past this are closed with 1009; smaller ones over the message limit get
        # an error frame naming the limit.
        ws_max_size=max(64 * 1024, settings.max_message_chars * 4 + 16 * 1024),
    )
    return 0


def base_url(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}"


def configure_logging(level: str) -> None:
    logging.basicConfig(
        level=level.upper(),
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
