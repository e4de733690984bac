"""The cost of persisting one chat message, without sockets: what bounds bench/realtime.py.

    python bench/send_path.py --messages 2000

Runs the write the gateway runs for a ``send`` frame (one ``Database.transaction`` around
``do_send_message``, as in realtime/commands.py) back to back in one process on a fresh
SQLite file, and counts the SQL statements each one executes. Transactions share one
writer connection, so 1 / (ms per message) is the ceiling on persisted messages/s.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import event


async def measure(messages: int, concurrency: int, batched: bool) -> None:
    from supportdesk.accounts.actions import do_create_agent
    from supportdesk.accounts.models import Role
    from supportdesk.contacts.actions import do_create_contact
    from supportdesk.conversations import actions
    from supportdesk.conversations.actions import Author
    from supportdesk.conversations.models import Conversation, SenderType
    from supportdesk.conversations.queries import access_conversation_for_contact
    from supportdesk.db import Database
    from supportdesk.db.migrate import migrate

    data_dir = Path(tempfile.mkdtemp(prefix="supportdesk-send-path-"))
    db = Database(f"sqlite+aiosqlite:///{data_dir / 'bench.db'}")
    await migrate(db)
    async with db.transaction() as session:
        agent = await do_create_agent(
            session,
            email="a@bench.example.com",
            name="A",
            role=Role.AGENT,
            password="bench-password",  # noqa: S106 -- a temporary database
        )
        contacts = [await do_create_contact(session) for _ in range(concurrency)]
        conversations = [(await actions.do_start_conversation(session, c))[0] for c in contacts]
    statements = 0

    def count(*_args: Any) -> None:
        nonlocal statements
        statements += 1

    event.listen(db.write_engine.sync_engine, "before_cursor_execute", count)

    latencies: list[float] = []

    async def store(session: Any, n: int) -> None:
        index = n % concurrency
        if n % 2:
            author = Author(SenderType.AGENT, agent=agent)
            conversation = await session.get(Conversation, conversations[index].id)
        else:
            contact = await session.get(type(contacts[index]), contacts[index].id)
            author = Author(SenderType.CONTACT, contact=contact)
            conversation = await access_conversation_for_contact(
                session, contacts[index].id, conversations[index].id
            )
        assert conversation is not None
        await actions.do_send_message(
            session, conversation, author, f"message {n}", max_chars=10_000, client_id=f"c{n}"
        )

    async def send(n: int) -> None:
        begun = time.perf_counter()
        if batched:
            await db.batched(lambda session: store(session, n))
        else:
            async with db.transaction() as session:
                await store(session, n)
        latencies.append(time.perf_counter() - begun)

    async def worker(first: int) -> None:
        for n in range(first, messages, concurrency):
            await send(n)

    started, cpu = time.perf_counter(), time.process_time()
    await asyncio.gather(*(worker(i) for i in range(concurrency)))
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(
        f"{messages} messages, {concurrency} concurrent senders"
        f"{' (batched)' if batched else ''}: {elapsed:.2f} s, "
        f"{1000 * elapsed / messages:.2f} ms per message ({1000 * cpu / messages:.2f} ms CPU, "
        f"all threads), {messages / elapsed:.0f} messages/s, "
        f"{statements / messages:.1f} SQL statements per message (switch interval "
        f"{sys.getswitchinterval() * 1000:g} ms)"
    )
    latencies.sort()
    p50, p99 = (latencies[int(q * (len(latencies) - 1))] * 1000 for q in (0.5, 0.99))
    print(f"per message: p50 {p50:.2f} ms, p99 {p99:.2f} ms, max {latencies[-1] * 1000:.1f} ms")
    await db.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument(
        "--concurrency",
        type=int,
        default=1,
        help="senders in parallel (they queue for the one writer connection)",
    )
    parser.add_argument(
        "--batched",
        action="store_true",
        help="go through Database.batched, as WebSocket sends do (group commit)",
    )
    parser.add_argument(
        "--switch-interval",
        type=float,
        default=None,
        metavar="MS",
        help="sys.setswitchinterval for this process (default: Python's 5 ms)",
    )
    args = parser.parse_args()
    if args.switch_interval is not None:
        sys.setswitchinterval(args.switch_interval / 1000)
    asyncio.run(measure(args.messages, args.concurrency, args.batched))
    return 0


if __name__ == "__main__":
    sys.exit(main())
