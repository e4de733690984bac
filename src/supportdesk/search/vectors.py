"""The vectors of the search index, computed after the passages they belong to are stored.

Encoding is the slow part of indexing (multilingual-e5 takes tens of milliseconds per
passage on a small server), so a bulk import stores each passage's text and keyword tokens
at once — the article is found by its words from that commit on — and leaves its vectors
null. :func:`encode_pending` fills them in, writing them every few seconds in a short
transaction that bumps the index version, so that every node's in-memory copy picks the
new vectors up. A server runs
it in the background (:class:`VectorWorker`): woken in-process when an index write commits,
and every :data:`POLL_SECONDS` for writes from other processes (a ``kb import`` run from
the command line); it also loads the encoders at start-up when there are articles. Several
nodes may encode the same passages at once; the result is the same vectors, so the waste
is only work.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import cast

from sqlalchemy import ColumnElement, Table, and_, bindparam, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from supportdesk.db.engine import Database
from supportdesk.search import embed, memory
from supportdesk.search.models import SearchChunk
from supportdesk.search.passages import E5_KINDS, USE_KINDS
from supportdesk.search.state import bump_version

log = logging.getLogger(__name__)

BATCH = 64
STORE_SECONDS = 5.0
POLL_SECONDS = 10.0
Progress = Callable[[int, int], None]


def pending_clause() -> ColumnElement[bool]:
    """Passages that an encoder reads and whose vector is not computed yet."""
    return or_(
        and_(SearchChunk.kind.in_(E5_KINDS), SearchChunk.e5.is_(None)),
        and_(SearchChunk.kind.in_(USE_KINDS), SearchChunk.use.is_(None)),
    )


async def pending_count(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).where(pending_clause())) or 0)


@dataclass(slots=True)
class _Pending:
    id: int
    kind: str
    text: str
    e5: bytes | None
    use: bytes | None


async def encode_pending(db: Database, *, progress: Progress | None = None) -> int:
    """Compute every missing vector; how many passages were encoded.

    Vectors are written every :data:`STORE_SECONDS` (and at the end) rather than after each
    batch: each write makes every node rebuild its in-memory index, which at the scale of
    thousands of articles costs seconds. ``progress(done, total)`` after each batch
    (``total`` grows if passages arrive meanwhile).
    """
    async with db.session() as session:
        total = await pending_count(session)
    done, after = 0, 0
    encoded: list[_Pending] = []
    stored_at = time.monotonic()
    while batch := await _next_batch(db, after):
        encoded.extend(await asyncio.to_thread(_encode, batch))
        after = batch[-1].id
        if time.monotonic() - stored_at >= STORE_SECONDS:
            await _store(db, encoded)
            encoded, stored_at = [], time.monotonic()
        done += len(batch)
        total = max(total, done)
        if progress is not None:
            progress(done, total)
    if encoded:
        await _store(db, encoded)
    return done


async def _next_batch(db: Database, after: int) -> list[_Pending]:
    query = (
        select(SearchChunk.id, SearchChunk.kind, SearchChunk.text, SearchChunk.e5, SearchChunk.use)
        .where(pending_clause(), SearchChunk.id > after)
        .order_by(SearchChunk.id)
        .limit(BATCH)
    )
    async with db.session() as session:
        return [_Pending(*row) for row in await session.execute(query)]


def _encode(batch: list[_Pending]) -> list[_Pending]:
    need_e5 = [p for p in batch if p.kind in E5_KINDS and p.e5 is None]
    need_use = [p for p in batch if p.kind in USE_KINDS and p.use is None]
    for passage, vector in zip(
        need_e5, embed.encode_passages_e5([p.text for p in need_e5]), strict=True
    ):
        passage.e5 = vector.astype("<f4").tobytes()
    for passage, vector in zip(
        need_use, embed.encode_passages_use([p.text for p in need_use]), strict=True
    ):
        passage.use = vector.astype("<f4").tobytes()
    return batch


async def _store(db: Database, batch: list[_Pending]) -> None:
    """Write the vectors of passages that still exist (a re-index may have replaced them:
    the replacement is pending on its own and gets its turn)."""
    table = cast(Table, SearchChunk.__table__)
    statement = (
        update(table)
        .where(table.c.id == bindparam("b_id"))
        .values(e5=bindparam("b_e5"), use=bindparam("b_use"), version=bindparam("b_version"))
    )
    async with db.transaction() as session:
        version = await bump_version(session)
        rows = [{"b_id": p.id, "b_e5": p.e5, "b_use": p.use, "b_version": version} for p in batch]
        await session.execute(statement, rows)
        memory.expire_after_commit(session)


# --- the background worker ---------------------------------------------------------------

_workers: weakref.WeakSet[VectorWorker] = weakref.WeakSet()


def wake_workers() -> None:
    """Tell this process's workers that passages are waiting (after an index write commits)."""
    for worker in list(_workers):
        worker.wake()


class VectorWorker:
    """Encodes pending passages of one database until cancelled (one per server process)."""

    def __init__(self, db: Database, poll_seconds: float = POLL_SECONDS) -> None:
        self.db = db
        self.poll_seconds = poll_seconds
        self._wake = asyncio.Event()
        _workers.add(self)

    def wake(self) -> None:
        self._wake.set()

    async def warm_up(self) -> None:
        """Load the encoders now when the help center has articles, so that the first
        visitor's question does not wait seconds for them."""
        try:
            async with self.db.session() as session:
                indexed = await session.scalar(select(SearchChunk.id).limit(1))
            if indexed is not None:
                await asyncio.to_thread(embed.warm_up)
        except Exception:  # the first question loads them instead
            log.exception("loading the search encoders at start-up failed")

    async def run_forever(self) -> None:
        await self.warm_up()
        while True:
            self._wake.clear()
            try:
                encoded = await encode_pending(self.db)
                if encoded:
                    log.info("encoded %d search passages", encoded)
            except Exception:  # a bad batch must not stop search or the server
                log.exception("encoding search passages failed; retrying")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.poll_seconds)
