"""Each node's in-memory copy of the index vectors, kept in step through the database.

The database is the truth; this is a cache of its vectors as numpy matrices, one per
database engine (a "node"). Before a query the node compares its version with
``search_index_state.version`` (at most once per :data:`CHECK_INTERVAL`) and, when they
differ, fetches only the rows written since and drops the rows deleted since. Several
nodes on one PostgreSQL database thus answer alike without a restart; a write on this
node expires its copy at commit, so its own next query sees the change at once.
"""

from __future__ import annotations

import asyncio
import time
import weakref
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from supportdesk.db.engine import on_commit
from supportdesk.helpcenter.models import Article
from supportdesk.search.embed import E5_DIM, USE_DIM, Matrix
from supportdesk.search.models import SearchChunk, SearchIndexState
from supportdesk.search.text import base_language

CHECK_INTERVAL = 1.0  # seconds a node may serve a version that another node replaced
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class TranslationInfo:
    translation_id: int
    article_id: int
    key: str
    locale: str
    language: str
    title: str


@dataclass(slots=True)
class _Row:
    translation_id: int
    kind: str
    e5: bytes | None
    use: bytes | None


@dataclass(slots=True)
class Matrices:
    """Vectors grouped by translation: rows of translation ``i`` are ``starts[i]:starts[i+1]``.

    Grouped rows let one ``np.maximum.reduceat`` give each translation its best passage.
    """

    vectors: Matrix
    owner: IntArray  # translation index of each row
    starts: IntArray  # first row of each translation that has rows

    def best_per_translation(self, query: Matrix, count: int) -> Matrix:
        best = np.full(count, -1.0, dtype=np.float32)
        if len(self.owner):
            scores = self.vectors @ query
            best[self.owner[self.starts]] = np.maximum.reduceat(scores, self.starts)
        return best


@dataclass(slots=True)
class Snapshot:
    version: int = -1
    translations: list[TranslationInfo] = field(default_factory=list)
    e5: Matrices | None = None
    use: Matrices | None = None
    language_codes: IntArray = field(default_factory=lambda: np.zeros(0, np.int64))
    by_translation_id: dict[int, int] = field(default_factory=dict)


@dataclass
class NodeIndex:
    snapshot: Snapshot = field(default_factory=Snapshot)
    rows: dict[int, _Row] = field(default_factory=dict)
    infos: dict[int, TranslationInfo] = field(default_factory=dict)
    checked_at: float = float("-inf")
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def current(self, session: AsyncSession) -> Snapshot:
        if time.monotonic() - self.checked_at < CHECK_INTERVAL:
            return self.snapshot
        async with self.lock:  # one refresh at a time; the others then see its result
            if time.monotonic() - self.checked_at >= CHECK_INTERVAL:
                await self._refresh(session)
        return self.snapshot

    async def _refresh(self, session: AsyncSession) -> None:
        started = time.monotonic()
        version = await session.scalar(
            select(SearchIndexState.version).where(SearchIndexState.id == 1)
        )
        version = int(version or 0)
        if version != self.snapshot.version:
            await self._load_changes(session, self.snapshot.version)
            self.snapshot = await asyncio.to_thread(_build, version, self.rows, self.infos)
        self.checked_at = started

    async def _load_changes(self, session: AsyncSession, since: int) -> None:
        present = set(await session.scalars(select(SearchChunk.id)))
        for gone in set(self.rows) - present:
            del self.rows[gone]
        stmt = (
            select(
                SearchChunk.id,
                SearchChunk.translation_id,
                SearchChunk.article_id,
                SearchChunk.locale,
                SearchChunk.kind,
                SearchChunk.text,
                SearchChunk.e5,
                SearchChunk.use,
                Article.key,
            )
            .join(Article, Article.id == SearchChunk.article_id)
            .where(SearchChunk.version > since, SearchChunk.kind != "doc")
        )
        doc_stmt = select(SearchChunk.id, SearchChunk.translation_id, SearchChunk.e5).where(
            SearchChunk.version > since, SearchChunk.kind == "doc"
        )
        for row in await session.execute(stmt):
            self._add(*row)
        for chunk_id, translation_id, e5 in await session.execute(doc_stmt):
            self.rows[chunk_id] = _Row(translation_id, "doc", e5, None)
        live = {row.translation_id for row in self.rows.values()}
        self.infos = {tid: info for tid, info in self.infos.items() if tid in live}

    def _add(self, chunk_id: int, tid: int, aid: int, locale: str, kind: str, *rest: Any) -> None:
        text, e5, use, key = rest
        self.rows[chunk_id] = _Row(tid, kind, e5, use)
        if kind == "title":
            self.infos[tid] = TranslationInfo(tid, aid, key, locale, base_language(locale), text)


def _build(version: int, rows: dict[int, _Row], infos: dict[int, TranslationInfo]) -> Snapshot:
    translations = sorted(infos.values(), key=lambda t: t.translation_id)
    position = {t.translation_id: i for i, t in enumerate(translations)}
    ordered = sorted(
        (r for r in rows.values() if r.translation_id in position),
        key=lambda r: position[r.translation_id],
    )
    languages = sorted({t.language for t in translations})
    return Snapshot(
        version=version,
        translations=translations,
        e5=_matrices([(position[r.translation_id], r.e5) for r in ordered], E5_DIM),
        use=_matrices([(position[r.translation_id], r.use) for r in ordered], USE_DIM),
        language_codes=np.array(
            [languages.index(t.language) for t in translations], dtype=np.int64
        ),
        by_translation_id=position,
    )


def _matrices(pairs: list[tuple[int, bytes | None]], dim: int) -> Matrices:
    kept = [(owner, data) for owner, data in pairs if data is not None]
    if not kept:
        empty = np.zeros(0, np.int64)
        return Matrices(np.zeros((0, dim), np.float32), empty, empty)
    owner = np.array([o for o, _ in kept], dtype=np.int64)
    vectors = np.frombuffer(b"".join(d for _, d in kept), dtype="<f4").reshape(-1, dim)
    starts = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]]).astype(np.int64)
    return Matrices(vectors.astype(np.float32), owner, starts)


_nodes: weakref.WeakKeyDictionary[Any, NodeIndex] = weakref.WeakKeyDictionary()


def node_index(session: AsyncSession) -> NodeIndex:
    """The in-memory index of the node (engine) that ``session`` talks to."""
    engine = session.bind
    node = _nodes.get(engine)
    if node is None:
        node = _nodes[engine] = NodeIndex()
    return node


def expire_all() -> None:
    for node in list(_nodes.values()):
        node.checked_at = float("-inf")


def expire_after_commit(session: AsyncSession) -> None:
    """Make this process's nodes look at the database on their next query after the commit."""

    async def _expire() -> None:
        expire_all()

    try:
        on_commit(session, _expire)
    except RuntimeError:  # not a Database.transaction(): the caller commits; expire now
        expire_all()
