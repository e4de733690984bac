from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

AfterCommit = Callable[[], Awaitable[None]]
BeforeCommit = Callable[[AsyncSession], Awaitable[None]]


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers run beside the single writer; busy_timeout makes a second process
    # (a CLI command beside the server) wait instead of failing with "database is locked".
    dbapi_connection.isolation_level = None  # we emit BEGIN ourselves, below
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _sqlite_begin(conn: Any) -> None:
    conn.exec_driver_sql("BEGIN")


def _sqlite_begin_immediate(conn: Any) -> None:
    # A deferred transaction that reads and then writes fails with SQLITE_BUSY when another
    # writer got in between; taking the write lock at BEGIN makes writers queue instead.
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def _sqlite_engine(url: str, *, writer: bool, echo: bool) -> AsyncEngine:
    # One writer connection: SQLite has one write lock per file anyway, and queueing for a
    # pooled connection in asyncio is cheaper than SQLite's sleeping busy handler.
    kwargs: dict[str, Any] = {"echo": echo, "connect_args": {"timeout": 30}}
    if writer:
        kwargs.update(pool_size=1, max_overflow=0, pool_timeout=60)
    engine = create_async_engine(url, **kwargs)
    event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    event.listen(engine.sync_engine, "begin", _sqlite_begin_immediate if writer else _sqlite_begin)
    return engine


class Database:
    """The engines and sessions of one process.

    ``session()`` is for reads; ``transaction()`` for writes: it commits at the end and only
    then runs the callbacks registered with :func:`on_commit` (events are published there,
    so nobody hears of a write that was rolled back).
    """

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        if self.is_sqlite:
            self.engine = _sqlite_engine(url, writer=False, echo=echo)
            self.write_engine = _sqlite_engine(url, writer=True, echo=echo)
        else:
            self.engine = create_async_engine(
                url, echo=echo, pool_size=10, max_overflow=20, pool_pre_ping=True
            )
            self.write_engine = self.engine
        self.sessionmaker = async_sessionmaker(self.engine, expire_on_commit=False)
        self.write_sessionmaker = async_sessionmaker(self.write_engine, expire_on_commit=False)
        # Set by the real-time layer: receives the events of each committed transaction.
        self.publisher: Callable[[list[Any]], Awaitable[None]] | None = None

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        async with self.sessionmaker() as session:
            yield session

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        async with self.write_sessionmaker() as session:
            callbacks: list[AfterCommit] = []
            last_steps: list[BeforeCommit] = []
            events: list[Any] = []
            session.info["after_commit"] = callbacks
            session.info["before_commit"] = last_steps
            session.info["events"] = events
            async with session.begin():
                yield session
                for step in last_steps:
                    await step(session)
        if events and self.publisher is not None:
            await self.publisher(events)
        for callback in callbacks:
            await callback()

    async def ping(self) -> None:
        async with self.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def dispose(self) -> None:
        await self.engine.dispose()
        if self.write_engine is not self.engine:
            await self.write_engine.dispose()


def on_commit(session: AsyncSession, callback: AfterCommit) -> None:
    """Run ``callback`` once the surrounding :meth:`Database.transaction` has committed."""
    callbacks = session.info.get("after_commit")
    if callbacks is None:
        raise RuntimeError("on_commit() needs a session from Database.transaction()")
    callbacks.append(callback)


def before_commit(session: AsyncSession, step: BeforeCommit) -> None:
    """Run ``step`` as the last thing inside the surrounding :meth:`Database.transaction`."""
    steps = session.info.get("before_commit")
    if steps is None:
        raise RuntimeError("before_commit() needs a session from Database.transaction()")
    steps.append(step)
