"""Keyword ranking by the database's own full-text index, on pre-tokenised text.

SQLite ranks with FTS5's ``bm25()``; PostgreSQL with ``ts_rank`` over the ``tsv`` column.
The two scales differ, so callers use these scores only relative to the best one.
"""

from __future__ import annotations

import re

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

_SAFE = re.compile(r"^[^\W_]+$")
MAX_QUERY_TOKENS = 32
CANDIDATES = 200

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


def query_terms(tokens: list[str]) -> list[str]:
    """Distinct tokens that are safe to quote in either query language, in order."""
    return [t for t in dict.fromkeys(tokens) if _SAFE.match(t)][:MAX_QUERY_TOKENS]


async def keyword_scores(
    session: AsyncSession, tokens: list[str], limit: int = CANDIDATES
) -> dict[int, tuple[float, int]]:
    """``{translation_id: (score, best chunk id)}`` for passages matching any token.

    Higher is better; only the best passage of each translation counts.
    """
    terms = query_terms(tokens)
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
