"""Keyword ranking by the database's own full-text index, on pre-tokenised text.

SQLite ranks with FTS5's ``bm25()``; PostgreSQL with ``ts_rank`` over the ``tsv`` column.
The two scales differ, so callers use these scores only relative to the best one.

Ranking costs time in proportion to the passages that match, and a term found in a large
share of the passages ("order", "account", "账户" in an exchange's help center) matches
thousands while saying little about which article is meant: such terms are left out of
the query (:class:`TermStats`), as stop words are, but learnt from the corpus itself in
any language. A question made only of frequent terms keeps its rarest ones.
"""

from __future__ import annotations

import re
import time
import weakref
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from supportdesk.search.models import SearchChunk, SearchIndexState

_SAFE = re.compile(r"^[^\W_]+$")
MAX_QUERY_TOKENS = 32
CANDIDATES = 200
# A term in more than this share of the passages (and in more than FREQUENT_MIN_PASSAGES)
# is left out of queries. Small help centers have no such terms.
FREQUENT_SHARE = 0.01
FREQUENT_MIN_PASSAGES = 100
KEEP_RAREST = 2  # of a question made only of frequent terms
STATS_CHECK_SECONDS = 30.0  # how stale the frequent terms may be after the index changed

_SQLITE = text(
    "SELECT c.translation_id, c.id, -f.rank FROM "
    "(SELECT rowid, bm25(search_fts) AS rank FROM search_fts WHERE search_fts MATCH :q "
    " ORDER BY rank LIMIT :n) AS f JOIN search_chunks AS c ON c.id = f.rowid"
)
_POSTGRES = text(
    "SELECT c.translation_id, c.id, ts_rank(c.tsv, q.query, 1) AS rank "
    "FROM search_chunks AS c, CAST(:q AS tsquery) AS q(query) "
    "WHERE c.tsv @@ q.query ORDER BY rank DESC LIMIT :n"
)


def query_terms(tokens: list[str], frequent: dict[str, int] | None = None) -> list[str]:
    """Distinct tokens that are safe to quote in either query language, in order, without
    the ``frequent`` ones (term → passages containing it) unless nothing else is left."""
    terms = [t for t in dict.fromkeys(tokens) if _SAFE.match(t)][:MAX_QUERY_TOKENS]
    if not frequent:
        return terms
    kept = [t for t in terms if t not in frequent]
    if kept:
        return kept
    rarest = set(sorted(terms, key=lambda t: frequent[t])[:KEEP_RAREST])
    return [t for t in terms if t in rarest]


@dataclass
class TermStats:
    """One node's list of the frequent terms, recounted when the index has changed."""

    version: int = -1
    frequent: dict[str, int] = field(default_factory=dict)
    checked_at: float = float("-inf")

    async def current(self, session: AsyncSession) -> dict[str, int]:
        if time.monotonic() - self.checked_at < STATS_CHECK_SECONDS:
            return self.frequent
        self.checked_at = time.monotonic()
        version = int(
            await session.scalar(select(SearchIndexState.version).where(SearchIndexState.id == 1))
            or 0
        )
        if version != self.version:
            self.frequent = await _count_frequent(session)
            self.version = version
        return self.frequent


async def _count_frequent(session: AsyncSession) -> dict[str, int]:
    passages = int(
        await session.scalar(
            select(func.count()).select_from(SearchChunk).where(SearchChunk.tokens != "")
        )
        or 0
    )
    threshold = max(FREQUENT_MIN_PASSAGES, int(passages * FREQUENT_SHARE))
    if passages <= threshold:
        return {}
    if session.get_bind().dialect.name == "sqlite":
        await session.execute(_SQLITE_VOCAB)
        rows = await session.execute(_SQLITE_FREQUENT, {"n": threshold})
    else:
        rows = await session.execute(_POSTGRES_FREQUENT, {"n": threshold})
    return {str(term): int(count) for term, count in rows}


# fts5vocab reads the FTS index's own term list: the passages holding each term, without
# touching search_chunks. A temp table, so it is per connection and needs no migration.
_SQLITE_VOCAB = text(
    "CREATE VIRTUAL TABLE IF NOT EXISTS temp.search_fts_terms "
    "USING fts5vocab(main, search_fts, row)"
)
_SQLITE_FREQUENT = text("SELECT term, doc FROM temp.search_fts_terms WHERE doc > :n")
_POSTGRES_FREQUENT = text(
    "SELECT word, ndoc FROM ts_stat('SELECT tsv FROM search_chunks') WHERE ndoc > :n"
)

_stats: weakref.WeakKeyDictionary[Any, TermStats] = weakref.WeakKeyDictionary()


def term_stats(session: AsyncSession) -> TermStats:
    engine = session.bind
    stats = _stats.get(engine)
    if stats is None:
        stats = _stats[engine] = TermStats()
    return stats


async def keyword_scores(
    session: AsyncSession, tokens: list[str], limit: int = CANDIDATES
) -> dict[int, tuple[float, int]]:
    """``{translation_id: (score, best chunk id)}`` for passages matching any token.

    Higher is better; only the best passage of each translation counts.
    """
    terms = query_terms(tokens, await term_stats(session).current(session))
    if not terms:
        return {}
    if session.get_bind().dialect.name == "sqlite":
        rows = await session.execute(
            _SQLITE, {"q": " OR ".join(f'"{t}"' for t in terms), "n": limit}
        )
    else:
        rows = await session.execute(
            _POSTGRES, {"q": " | ".join(f"'{t}'" for t in terms), "n": limit}
        )
    best: dict[int, tuple[float, int]] = {}
    for translation_id, chunk_id, score in rows:
        if translation_id not in best or float(score) > best[translation_id][0]:
            best[translation_id] = (float(score), int(chunk_id))
    return best
