from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

T = TypeVar("T")
AfterCommit = Callable[[], Awaitable[None]]
MAX_BATCH = 64
BeforeCommit = Callable[[AsyncSession], Awaitable[None]]


@dataclass(slots=True)
class _Job:
    work: Callable[[AsyncSession], Awaitable[Any]]
    done: asyncio.Future[Any]


class _JobFailed(Exception):
    def __init__(self, job: _Job, error: Exception) -> None:
        super().__init__(str(error))
        self.job, self.error = job, error


def _settle(job: _Job, *, result: Any = None, error: BaseException | None = None) -> None:
    if job.done.done():  # the caller went away (its socket closed); nobody is waiting
        return
    if error is not None:
        job.done.set_exception(error)
    else:
        job.done.set_result(result)


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
        self._jobs: deque[_Job] = deque()
        self._batcher: asyncio.Task[None] | None = None
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
            session.info["database"] = self
            async with session.begin():
                yield session
                for step in last_steps:
                    await step(session)
        if events and self.publisher is not None:
            await self.publisher(events)
        for callback in callbacks:
            await callback()

    async def batched(self, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
        """Run ``work`` in a write transaction that it may share with other callers' work.

        On SQLite every write queues for the one writer connection anyway; while one
        transaction runs, the works that arrive wait together and then commit together, so
        ``BEGIN``/``COMMIT`` and each stream's sequence reservation are paid once per batch.
        Returns after the commit, like :meth:`transaction`. A work that raises rolls its
        whole batch back: its caller gets the error and the other works run again in the
        next batch, so a work must not act outside the database before it returns.
        On PostgreSQL, which runs writers in parallel, it is a plain transaction.
        """
        if not self.is_sqlite:
            async with self.transaction() as session:
                return await work(session)
        job: _Job = _Job(work, asyncio.get_running_loop().create_future())
        self._jobs.append(job)
        if self._batcher is None or self._batcher.done():
            self._batcher = asyncio.create_task(self._run_batches(), name="write-batches")
        result: T = await job.done
        return result

    async def _run_batches(self) -> None:
        try:
            while self._jobs:
                size = min(len(self._jobs), MAX_BATCH)
                await self._run_batch([self._jobs.popleft() for _ in range(size)])
        finally:
            while self._jobs:  # only when this task itself was cancelled (shutdown)
                _settle(self._jobs.popleft(), error=RuntimeError("database is shutting down"))

    async def _run_batch(self, batch: list[_Job]) -> None:
        results: list[Any] = []
        try:
            async with self.transaction() as session:
                for job in batch:
                    try:
                        results.append(await job.work(session))
                    except Exception as exc:
                        raise _JobFailed(job, exc) from exc
        except _JobFailed as failed:
            _settle(failed.job, error=failed.error)
            self._jobs.extendleft(reversed([j for j in batch if j is not failed.job]))
            return
        except Exception as exc:  # the commit itself failed: nothing of the batch is stored
            for job in batch:
                _settle(job, error=exc)
            return
        for job, result in zip(batch, results, strict=True):
            _settle(job, result=result)

    async def ping(self) -> None:
        async with self.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def dispose(self) -> None:
        if self._batcher is not None and not self._batcher.done():
            self._batcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._batcher
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
