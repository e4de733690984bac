"""Inbound email ingestion: parse, thread and store, on the SQLite default.

    python bench/email_ingest.py --rounds 20 --latency-samples 30

Ingestion rate: the fixture corpus (tests/channels/email/fixtures/*.eml, every kind: Chinese
charsets, replies, attachments, auto-replies, bounces, one unparseable) ``rounds`` times,
each copy with its own Message-ID (so none is a duplicate) plus, per round, as many short
customer replies threaded by In-Reply-To to a mail of the previous round. Measured in one
process: first the bare ``parse_email`` over the same mails (the baseline), then
``ingest_email`` (parse, duplicate check, raw copy and attachments to local storage,
contact, threading, conversation, message, acknowledgement queued in the outbox, commit)
into a fresh migrated SQLite database, with ``--concurrency`` mails in flight (as an SMTP
receiver with that many connections would) and with one at a time.

Delay to the console: a server's lifespan (``create_app``) with the SMTP receiver on a free
port; each sample sends one new mail with aiosmtplib and polls the staff API
(``GET /api/v1/conversations``, every 10 ms) until the ticket is listed; prints median,
95th percentile and maximum from the start of the SMTP transaction.
"""

from __future__ import annotations

import argparse
import asyncio
import platform
import re
import socket
import statistics
import tempfile
import time
from email.message import EmailMessage
from pathlib import Path

import aiosmtplib
import httpx

from supportdesk.accounts.actions import do_create_agent
from supportdesk.accounts.models import Role
from supportdesk.app import create_app
from supportdesk.attachments.storage import LocalStorage
from supportdesk.channels.email.inbound import InboundMessage
from supportdesk.channels.email.parse import parse_email
from supportdesk.config import load_settings
from supportdesk.db.engine import Database
from supportdesk.db.migrate import migrate
from supportdesk.tickets.desk import EmailDesk, register_desk
from supportdesk.tickets.email_in import Outcome, ingest_email

CORPUS = Path(__file__).resolve().parent.parent / "tests/channels/email/fixtures"
_MESSAGE_ID = re.compile(rb"^(Message-ID:\s*<)([^>]+)(>)", re.I | re.M)
DESK = "Acme Support <support@desk.example>"


def corpus_mails(rounds: int) -> list[bytes]:
    originals = [path.read_bytes() for path in sorted(CORPUS.glob("*.eml"))]
    mails: list[bytes] = []
    for r in range(rounds):
        mails.extend(
            _MESSAGE_ID.sub(rb"\g<1>\g<2>.r%d\g<3>" % r, raw, count=1) for raw in originals
        )
        mails.extend(_reply(r, i) for i in range(len(originals)))
    return mails


def _reply(round_: int, i: int) -> bytes:
    msg = EmailMessage()
    msg["From"] = f"Customer {i} <customer{i}@example.com>"
    msg["To"] = "support@desk.example"
    msg["Subject"] = f"Re: case {i}"
    msg["Message-ID"] = f"<reply-{round_}-{i}@example.com>"
    if round_:
        msg["In-Reply-To"] = f"<reply-{round_ - 1}-{i}@example.com>"
    msg.set_content(f"Any news on case {i}? This is message {round_}.\n\n> quoted history\n")
    return msg.as_bytes()


def bench_parse(mails: list[bytes]) -> float:
    start = time.perf_counter()
    for raw in mails:
        parse_email(raw)
    return len(mails) / (time.perf_counter() - start)


async def bench_ingest(mails: list[bytes], concurrency: int) -> tuple[float, dict[str, int]]:
    with tempfile.TemporaryDirectory(prefix="supportdesk-bench-") as tmp:
        db = Database(f"sqlite+aiosqlite:///{tmp}/bench.db")
        await migrate(db)
        settings = load_settings(env="test", data_dir=Path(tmp), secret_key="k" * 48)
        desk = EmailDesk.of(settings.model_copy(update={"smtp_from": DESK}))
        register_desk(db, desk)
        storage = LocalStorage(Path(tmp) / "uploads")
        outcomes: dict[str, int] = {}
        gate = asyncio.Semaphore(concurrency)

        async def one(raw: bytes) -> None:
            async with gate:
                result = await ingest_email(db, storage, desk, InboundMessage(raw))
            outcomes[result.outcome] = outcomes.get(result.outcome, 0) + 1

        start = time.perf_counter()
        await asyncio.gather(*(one(raw) for raw in mails))
        elapsed = time.perf_counter() - start
        await db.dispose()
    return len(mails) / elapsed, outcomes


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def bench_latency(samples: int) -> list[float]:
    with tempfile.TemporaryDirectory(prefix="supportdesk-bench-") as tmp:
        port = _free_port()
        settings = load_settings(
            env="test",
            data_dir=Path(tmp),
            secret_key="k" * 48,
            smtp_from=DESK,
            smtp_receiver_port=port,
            search_vector_worker=False,
            rate_limits=False,
        )
        app = create_app(settings)
        async with app.router.lifespan_context(app):
            async with app.state.services.db.transaction() as session:
                await do_create_agent(
                    session, email="a@x.example", name="A", role=Role.AGENT, password="p" * 12
                )
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://bench") as http:
                login = {"email": "a@x.example", "password": "p" * 12}
                response = await http.post("/api/v1/auth/login", json=login)
                http.headers["X-CSRF-Token"] = response.json()["csrf_token"]
                return [await _one_delay(http, port, i) for i in range(samples)]


async def _one_delay(http: httpx.AsyncClient, port: int, i: int) -> float:
    msg = EmailMessage()
    msg["From"] = f"latency{i}@example.com"
    msg["To"] = "support@desk.example"
    msg["Subject"] = f"Latency probe {i}"
    msg.set_content("Where is my deposit?")
    start = time.perf_counter()
    await aiosmtplib.send(msg, hostname="127.0.0.1", port=port)
    while True:
        rows = (await http.get("/api/v1/conversations?active=true&limit=200")).json()
        if any(row["subject"] == f"Latency probe {i}" for row in rows):
            return time.perf_counter() - start
        await asyncio.sleep(0.01)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--latency-samples", type=int, default=30)
    args = parser.parse_args()
    mails = corpus_mails(args.rounds)
    print(f"python {platform.python_version()}, {len(mails)} mails ({args.rounds} rounds)")
    print(f"parse_email only (baseline):   {bench_parse(mails):8.0f} emails/s")
    rate, outcomes = asyncio.run(bench_ingest(mails, args.concurrency))
    print(f"ingest, {args.concurrency} in flight:         {rate:8.0f} emails/s  {outcomes}")
    rate, _ = asyncio.run(bench_ingest(mails, 1))
    print(f"ingest, one at a time:          {rate:8.0f} emails/s")
    delays = sorted(asyncio.run(bench_latency(args.latency_samples)))
    p95 = delays[max(0, round(len(delays) * 0.95) - 1)]
    print(
        f"SMTP delivery -> ticket in API: median {statistics.median(delays) * 1000:.0f} ms, "
        f"p95 {p95 * 1000:.0f} ms, max {delays[-1] * 1000:.0f} ms ({len(delays)} samples)"
    )
    assert Outcome.DUPLICATE not in outcomes, "the corpus copies must all be distinct"


if __name__ == "__main__":
    main()
