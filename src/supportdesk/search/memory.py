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
from supportdesk.search.classifier import IntentClassifier, train
from supportdesk.search.embed import E5_DIM, USE_DIM, Matrix
from supportdesk.search.models import SearchChunk, SearchIndexState
from supportdesk.search.text import base_language

CHECK_INTERVAL = 1.0  # seconds a node may serve a version that another node replaced
IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


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
    """Vectors grouped by translation: translation ``i``'s rows are ``first[i]:last[i]``
    (empty when it has no vector yet), in translation order."""

    vectors: Matrix
    first: IntArray
    last: IntArray

    def best_per_translation(self, query: Matrix) -> FloatArray:
        """Each translation's best cosine with ``query``; NaN where it has no vector yet."""
        return self._best(self.vectors @ query if len(self.vectors) else None, self.first)

    def best_of(self, query: Matrix, translations: IntArray) -> FloatArray:
        """:meth:`best_per_translation` for some translations only: the cost follows their
        rows, not the corpus."""
        lengths = self.last[translations] - self.first[translations]
        total = int(lengths.sum())
        if not total:
            return np.full(len(translations), np.nan)
        offsets = np.cumsum(lengths) - lengths
        rows = np.repeat(self.first[translations] - offsets, lengths) + np.arange(total)
        scores = self.vectors[rows] @ query
        best = np.full(len(translations), np.nan)
        has = lengths > 0
        best[has] = np.maximum.reduceat(scores, offsets[has])
        return best

    def _best(self, scores: Matrix | None, first: IntArray) -> FloatArray:
        best = np.full(len(first), np.nan)
        has = self.last > first
        if scores is not None and has.any():
            best[has] = np.maximum.reduceat(scores, first[has])
        return best


# What each dense channel of a translation reads: (encoder, kinds of passage). e5 is best on
# the whole text, mUSE on short passages and on titles (measured on a multilingual FAQ set,
# docs/bot.md); example questions count as text for both. ``e5_doc`` alone (one row per
# translation) is the cheap first stage on a large help center (engine.SHORTLIST).
CHANNELS: dict[str, tuple[str, frozenset[str]]] = {
    "e5": ("e5", frozenset({"doc", "question"})),
    "use": ("use", frozenset({"body", "question"})),
    "use_title": ("use", frozenset({"title"})),
    "e5_doc": ("e5", frozenset({"doc"})),
}
SAMPLE_PER_LANGUAGE = 100  # translations whose scores estimate a language's mean and spread


def _no_ints() -> IntArray:
    return np.zeros(0, np.int64)


@dataclass(slots=True)
class Snapshot:
    """Translations grouped by article (the source, i.e. oldest, translation first), with
    per-translation arrays in that order: translation ``i`` belongs to article
    ``article_codes[i]``, whose translations are ``article_first[a]:article_first[a+1]``.
    A query thus goes from translations to articles with no Python loop over the corpus.
    ``sample``: a fixed random set of translations per language, for statistics.
    """

    version: int = -1
    translations: list[TranslationInfo] = field(default_factory=list)
    channels: dict[str, Matrices] = field(default_factory=dict)
    language_codes: IntArray = field(default_factory=_no_ints)
    article_codes: IntArray = field(default_factory=_no_ints)
    article_first: IntArray = field(default_factory=_no_ints)  # one more entry than articles
    sample: IntArray = field(default_factory=_no_ints)
    by_translation_id: dict[int, int] = field(default_factory=dict)
    classifier: IntentClassifier | None = None  # over example questions, when there are some

    @property
    def article_count(self) -> int:
        return max(len(self.article_first) - 1, 0)

    def members(self, article: int) -> list[TranslationInfo]:
        start, stop = self.article_first[article], self.article_first[article + 1]
        return self.translations[int(start) : int(stop)]


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
    translations = sorted(infos.values(), key=lambda t: (t.article_id, t.translation_id))
    position = {t.translation_id: i for i, t in enumerate(translations)}
    ordered = sorted(
        (r for r in rows.values() if r.translation_id in position),
        key=lambda r: position[r.translation_id],
    )
    languages = sorted({t.language for t in translations})
    codes = np.array([languages.index(t.language) for t in translations], dtype=np.int64)
    article_ids = np.array([t.article_id for t in translations], dtype=np.int64)
    new_article = np.r_[True, article_ids[1:] != article_ids[:-1]] if len(article_ids) else []
    first = np.flatnonzero(new_article).astype(np.int64)
    article_codes = np.cumsum(new_article, dtype=np.int64) - 1
    return Snapshot(
        version=version,
        translations=translations,
        channels={
            name: _channel(ordered, position, len(translations), *spec)
            for name, spec in CHANNELS.items()
        },
        language_codes=codes,
        article_codes=article_codes,
        article_first=np.r_[first, len(translations)].astype(np.int64),
        sample=_sample(codes, version),
        by_translation_id=position,
        classifier=_classifier(ordered, position, article_codes),
    )


def _classifier(
    ordered: list[_Row], position: dict[int, int], article_codes: IntArray
) -> IntentClassifier | None:
    examples = [r for r in ordered if r.kind == "question" and r.e5 and r.use]
    if not examples:
        return None
    e5 = np.frombuffer(b"".join(r.e5 or b"" for r in examples), dtype="<f4").reshape(-1, E5_DIM)
    use = np.frombuffer(b"".join(r.use or b"" for r in examples), dtype="<f4")
    owners = article_codes[[position[r.translation_id] for r in examples]]
    return train(e5, use.reshape(-1, USE_DIM), owners)


def _sample(codes: IntArray, seed: int) -> IntArray:
    rng = np.random.default_rng(max(seed, 0))
    picked = [
        rng.permutation(np.flatnonzero(codes == code))[:SAMPLE_PER_LANGUAGE]
        for code in np.unique(codes)
    ]
    return np.sort(np.concatenate(picked)) if picked else _no_ints()


def _channel(
    ordered: list[_Row], position: dict[int, int], count: int, encoder: str, kinds: frozenset[str]
) -> Matrices:
    dim = E5_DIM if encoder == "e5" else USE_DIM
    kept = [
        (position[r.translation_id], data)
        for r in ordered
        if r.kind in kinds and (data := r.e5 if encoder == "e5" else r.use) is not None
    ]
    owner = np.array([o for o, _ in kept], dtype=np.int64)
    if kept:
        raw = np.frombuffer(b"".join(d for _, d in kept), dtype="<f4").reshape(-1, dim)
        vectors = raw.astype(np.float32)
    else:
        vectors = np.zeros((0, dim), np.float32)
    # Rows are in translation order, so each translation's rows are one contiguous range.
    first = np.searchsorted(owner, np.arange(count), side="left").astype(np.int64)
    last = np.searchsorted(owner, np.arange(count), side="right").astype(np.int64)
    return Matrices(vectors, first, last)


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
