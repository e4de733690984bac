"""Hybrid retrieval: the single code path behind help search, the bot and suggestions.

    async def search(session, text, locale=None, limit=10) -> list[Hit]
    async def rank(session, text, locale=None, *, vectors=None, limit=10) -> Ranking

A translation's relevance fuses three signals:

* e5 (multilingual-e5-small): the best of its title, whole text and example questions;
* mUSE (multilingual USE v3): the best of its title, short passages and example questions;
* keywords: the database's full-text rank of its best passage, relative to the best hit.

Dense scores are bunched and each language sits at its own level (a Chinese question is
closer to every Chinese text than to any English one), so each translation's dense score
is taken relative to the mean over all translations in its language: what is left says
how much better this text fits than a typical text in that language, comparable across
languages. An article's relevance is the best of its translations'; it is shown in the
reader's locale when that translation exists.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from supportdesk.search import embed
from supportdesk.search.keyword import keyword_scores
from supportdesk.search.memory import Snapshot, TranslationInfo, node_index
from supportdesk.search.models import SearchChunk
from supportdesk.search.text import base_language, detect_language, tokenize

W_E5 = 0.7
W_USE = 0.3
W_KEYWORD = 0.02
# Languages with few translations borrow the overall mean (shrinkage towards it).
MEAN_PRIOR = 5.0
# relevance → confidence in [0, 1]: 0.5 at CONFIDENCE_MIDPOINT, steeper with a smaller scale.
CONFIDENCE_MIDPOINT = 0.067
CONFIDENCE_SCALE = 0.02
SNIPPET_CHARS = 240


@dataclass(frozen=True, slots=True)
class Hit:
    key: str
    locale: str
    title: str
    url: str
    snippet: str
    score: float  # confidence in [0, 1]
    article_id: int
    translation_id: int
    relevance: float  # the fused score that orders the hits


@dataclass(frozen=True, slots=True)
class Ranking:
    language: str  # of the question, detected ("" when unknown)
    hits: list[Hit]


def article_url(locale: str, key: str) -> str:
    return f"/help/{locale}/articles/{key}"


def confidence(relevance: float) -> float:
    z = (relevance - CONFIDENCE_MIDPOINT) / CONFIDENCE_SCALE
    return round(1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z)))), 4)


async def search(
    session: AsyncSession, text: str, locale: str | None = None, limit: int = 10
) -> list[Hit]:
    """The articles that best answer ``text``, best first, one hit per article."""
    return (await rank(session, text, locale, limit=limit)).hits


async def rank(
    session: AsyncSession,
    text: str,
    locale: str | None = None,
    *,
    vectors: embed.Vectors | None = None,
    limit: int = 10,
) -> Ranking:
    """Like :func:`search`, and says which language the question was detected in.

    ``vectors`` are the question's encodings when the caller has them already.
    """
    language = detect_language(text) or base_language(locale)
    snapshot = await node_index(session).current(session)
    if not snapshot.translations or not text.strip():
        return Ranking(language, [])
    if vectors is None:
        vectors = await embed.encode_query_async(text)
    tokens = tokenize(text, language or "en")
    keywords = await keyword_scores(session, tokens)
    dense = _dense(snapshot, vectors)
    relevance = dense + _keyword_bonus(snapshot, keywords)
    chosen = _best_articles(snapshot, relevance, dense, locale or language, limit)
    snippets = await _snippets(session, [c.shown.translation_id for c in chosen], keywords, tokens)
    hits = [_hit(c, snippets.get(c.shown.translation_id, "")) for c in chosen]
    return Ranking(language, hits)


def _dense(snapshot: Snapshot, vectors: embed.Vectors) -> npt.NDArray[np.float64]:
    """Each translation's dense score relative to its language's mean."""
    count = len(snapshot.translations)
    assert snapshot.e5 is not None and snapshot.use is not None
    dense: npt.NDArray[np.float64] = W_E5 * snapshot.e5.best_per_translation(
        vectors.e5[0], count
    ).astype(np.float64)
    dense += W_USE * snapshot.use.best_per_translation(vectors.use[0], count)
    return dense - _language_means(dense, snapshot.language_codes)


def _keyword_bonus(
    snapshot: Snapshot, keywords: dict[int, tuple[float, int]]
) -> npt.NDArray[np.float64]:
    bonus = np.zeros(len(snapshot.translations), dtype=np.float64)
    top = max((score for score, _ in keywords.values()), default=0.0) or 1.0
    for translation_id, (score, _) in keywords.items():
        index = snapshot.by_translation_id.get(translation_id)
        if index is not None:
            bonus[index] = W_KEYWORD * score / top
    return bonus


def _language_means(
    scores: npt.NDArray[np.float64], codes: npt.NDArray[np.int64]
) -> npt.NDArray[np.float64]:
    sums = np.bincount(codes, weights=scores)
    counts = np.bincount(codes).astype(np.float64)
    overall = float(scores.mean())
    means: npt.NDArray[np.float64] = (sums + MEAN_PRIOR * overall) / (counts + MEAN_PRIOR)
    return means[codes]


@dataclass(slots=True)
class _Choice:
    shown: TranslationInfo
    relevance: float  # best fused score over the article's translations: the order
    dense: float  # best dense score: the confidence


def _best_articles(
    snapshot: Snapshot,
    relevance: npt.NDArray[np.float64],
    dense: npt.NDArray[np.float64],
    locale: str,
    limit: int,
) -> list[_Choice]:
    """Top articles by their best translation, each shown in the reader's locale if any.

    Keywords order the articles but do not raise the confidence: a question that shares
    words with an article without asking what it answers ("fees") must not look answered.
    """
    chosen: dict[int, _Choice] = {}
    for index in np.argsort(-relevance):
        info = snapshot.translations[int(index)]
        choice = chosen.get(info.article_id)
        if choice is None:
            chosen[info.article_id] = _Choice(info, float(relevance[index]), float(dense[index]))
            continue
        choice.dense = max(choice.dense, float(dense[index]))
        if _prefer(info, choice.shown, locale):
            choice.shown = info
    return sorted(chosen.values(), key=lambda c: -c.relevance)[:limit]


def _prefer(candidate: TranslationInfo, current: TranslationInfo, locale: str) -> bool:
    wanted = locale.lower()
    if current.locale.lower() == wanted:
        return False
    if candidate.locale.lower() == wanted:
        return True
    return candidate.language == base_language(locale) != current.language


async def _snippets(
    session: AsyncSession,
    translation_ids: list[int],
    keywords: dict[int, tuple[float, int]],
    tokens: list[str],
) -> dict[int, str]:
    """Per translation, the passage that matched the keywords, else its first passage."""
    if not translation_ids:
        return {}
    rows = await session.execute(
        select(SearchChunk.translation_id, SearchChunk.id, SearchChunk.text)
        .where(SearchChunk.translation_id.in_(translation_ids), SearchChunk.kind == "body")
        .order_by(SearchChunk.translation_id, SearchChunk.position)
    )
    snippets: dict[int, str] = {}
    for translation_id, chunk_id, text in rows:
        matched = keywords.get(translation_id, (0.0, -1))[1] == chunk_id
        if matched or translation_id not in snippets:
            snippets[translation_id] = _shorten(text)
    return snippets


def _shorten(text: str) -> str:
    if len(text) <= SNIPPET_CHARS:
        return text
    return text[: SNIPPET_CHARS - 1].rsplit(" ", 1)[0] + "…"


def _hit(choice: _Choice, snippet: str) -> Hit:
    info = choice.shown
    return Hit(
        key=info.key,
        locale=info.locale,
        title=info.title,
        url=article_url(info.locale, info.key),
        snippet=snippet,
        score=confidence(choice.dense),
        article_id=info.article_id,
        translation_id=info.translation_id,
        relevance=round(choice.relevance, 5),
    )
