"""Hybrid retrieval: the single code path behind help search, the bot and suggestions.

    async def search(session, text, locale=None, limit=10) -> list[Hit]
    async def rank(session, text, locale=None, *, vectors=None, limit=10) -> Ranking

An article's relevance fuses three signals:

* e5 (multilingual-e5-small): each translation's best of its whole text and example
  questions;
* mUSE (multilingual USE v3): its best short passage or example question, and its title;
* keywords: the database's full-text rank of its best passage, relative to the best hit.

Dense cosines are bunched and each language sits at its own level (a Chinese question is
closer to every Chinese text than to any English one), so each channel's scores are
standardised within each language: a z-score, how many standard deviations this text
fits better than the typical text in its language, comparable across languages and
encoders. An article's dense score is the mean over its translations, so an article
written only in English competes on equal terms with one that also exists in the
question's language (the max would favour the latter: its same-language translation is
always an outlier). The article is shown in the reader's locale when that translation
exists, else in its source (oldest) translation.

Per query the work is a few matrix-vector products and ``bincount``s over the corpus and
Python only over the shown articles; the one database query that touches rows (the
keyword search) is bounded by its own ``LIMIT``.
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

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
# Weights of the standardised channels (memory.CHANNELS); measured on a multilingual FAQ
# set with half of its articles held out (docs/bot.md), flat around these values.
CHANNEL_WEIGHTS = {"e5": 0.5, "use": 0.35, "use_title": 0.15}
# Up to EXACT_LIMIT translations every passage is scored. Above, a first stage picks
# SHORTLIST articles (by e5 and keywords) and only their passages are scored, with each
# language's mean and spread estimated on a fixed sample (memory.SAMPLE_PER_LANGUAGE):
# the per-query cost then hardly grows with the help center.
EXACT_LIMIT = 3000
SHORTLIST = 100
W_KEYWORD = 0.25  # in standard deviations, for the best keyword hit
W_CLASSIFIER = 0.5  # the example-question classifier's z-score, where there is one
# Languages with few translations borrow the overall mean and spread (shrinkage).
PRIOR = 5.0
# relevance → confidence in [0, 1]: 0.5 at CONFIDENCE_MIDPOINT standard deviations.
CONFIDENCE_MIDPOINT = 1.5
CONFIDENCE_SCALE = 0.25
SNIPPET_CHARS = 240


@dataclass(frozen=True, slots=True)
class Hit:
    key: str
    locale: str
    title: str
    url: str
    snippet: str
    score: float  # confidence in [0, 1], a function of ``relevance``: hits are in its order
    article_id: int
    translation_id: int
    relevance: float  # the fused score that orders the hits
    similarity: float = 0.0  # the best raw mUSE cosine of any of the article's translations
    support: float = 0.0  # the best raw e5 cosine of its texts and example questions
    # The example-question classifier's raw estimate for the article (about 1 for a
    # question like its examples), None without a classifier or when it is no class.
    classifier: float | None = None


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

    ``vectors`` are the question's encodings when the caller has them already. The hits
    are shown in ``locale``, else in the question's detected language, where they exist.
    """
    language = detect_language(text) or base_language(locale)
    snapshot = await node_index(session).current(session)
    if not snapshot.translations or not text.strip():
        return Ranking(language, [])
    if vectors is None:
        vectors = await embed.encode_query_async(text)
    tokens = tokenize(text, language or "en")
    keywords = await keyword_scores(session, tokens)
    scores = _score_articles(snapshot, vectors, keywords)
    chosen = _top_articles(snapshot, scores, locale or language, limit)
    snippets = await _snippets(session, [c.shown.translation_id for c in chosen], keywords, tokens)
    hits = [_hit(c, snippets.get(c.shown.translation_id, "")) for c in chosen]
    return Ranking(language, hits)


@dataclass(slots=True)
class _Scores:
    relevance: FloatArray  # per article: the order (-inf: not a candidate)
    similarity: FloatArray  # per article: best raw mUSE cosine (NaN without vectors)
    support: FloatArray  # per article: best raw e5 cosine (NaN without vectors)
    classifier: FloatArray  # per article: the classifier's raw score (NaN: no class)


def _score_articles(
    snapshot: Snapshot, vectors: embed.Vectors, keywords: dict[int, tuple[float, int]]
) -> _Scores:
    articles = snapshot.article_count
    classifier = _classifier_scores(snapshot, vectors)
    bonus = _keyword_bonus(snapshot, keywords, articles) + _classifier_bonus(classifier)
    if len(snapshot.translations) <= EXACT_LIMIT:
        scored = np.arange(len(snapshot.translations))
        dense, similarity, support = _dense(snapshot, vectors, scored, scored)
        return _Scores(np.nan_to_num(dense, nan=0.0) + bonus, similarity, support, classifier)
    shortlist = _shortlist(snapshot, vectors, bonus)
    members = _member_translations(snapshot, shortlist)
    scored = np.union1d(members, snapshot.sample)
    dense, similarity, support = _dense(snapshot, vectors, scored, snapshot.sample)
    relevance = np.full(articles, -np.inf)
    relevance[shortlist] = np.nan_to_num(dense[shortlist], nan=0.0) + bonus[shortlist]
    return _Scores(relevance, similarity, support, classifier)


def _dense(
    snapshot: Snapshot, vectors: embed.Vectors, scored: IntArray, stats_from: IntArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Per article, the mean standardised dense score and the best raw mUSE and e5 cosines
    of its ``scored`` translations; a language's mean and spread come from ``stats_from``."""
    fused = np.zeros(len(scored))
    weights = np.zeros(len(scored))
    raw_use = np.full(len(scored), np.nan)
    raw_e5 = np.full(len(scored), np.nan)
    codes = snapshot.language_codes[scored]
    in_stats = np.isin(scored, stats_from, assume_unique=True)
    for name, weight in CHANNEL_WEIGHTS.items():
        query = vectors.e5[0] if name.startswith("e5") else vectors.use[0]
        raw = snapshot.channels[name].best_of(query, scored)
        if name.startswith("use"):
            raw_use = np.fmax(raw_use, raw)
        else:
            raw_e5 = np.fmax(raw_e5, raw)
        z = standardise(raw, codes, in_stats)
        present = ~np.isnan(z)
        fused[present] += weight * z[present]
        weights[present] += weight
    articles = snapshot.article_count
    owners = snapshot.article_codes[scored]
    return (
        _article_mean(fused, weights, owners, articles),
        _article_max(raw_use, owners, articles),
        _article_max(raw_e5, owners, articles),
    )


def _classifier_scores(snapshot: Snapshot, vectors: embed.Vectors) -> FloatArray:
    """Per article, the classifier's raw score; NaN for articles with too few example
    questions to be a class (all NaN without a classifier)."""
    scores = np.full(snapshot.article_count, np.nan)
    classifier = snapshot.classifier
    if classifier is not None:
        scores[classifier.classes] = classifier.scores(vectors.e5[0], vectors.use[0])
    return scores


def _classifier_bonus(scores: FloatArray) -> FloatArray:
    """Per article, :data:`W_CLASSIFIER` × the classifier's z-score over its classes (0 for
    articles that are no class)."""
    classes = ~np.isnan(scores)
    bonus = np.zeros(len(scores))
    if classes.any():
        values = scores[classes]
        bonus[classes] = W_CLASSIFIER * (values - values.mean()) / max(float(values.std()), 1e-9)
    return bonus


def _shortlist(snapshot: Snapshot, vectors: embed.Vectors, bonus: FloatArray) -> IntArray:
    """A large help center's candidate articles: the best :data:`SHORTLIST` by e5 over one
    row per translation plus the keyword bonus (so strong keyword hits are in)."""
    raw = snapshot.channels["e5_doc"].best_per_translation(vectors.e5[0])
    z = standardise(raw, snapshot.language_codes, None)
    weights = (~np.isnan(z)).astype(np.float64)
    coarse = _article_mean(np.nan_to_num(z), weights, snapshot.article_codes, len(bonus))
    coarse = np.nan_to_num(coarse, nan=0.0) + bonus
    if len(coarse) <= SHORTLIST:
        return np.arange(len(coarse))
    return np.sort(np.argpartition(-coarse, SHORTLIST - 1)[:SHORTLIST])


def _member_translations(snapshot: Snapshot, articles: IntArray) -> IntArray:
    first = snapshot.article_first[articles]
    lengths = snapshot.article_first[articles + 1] - first
    offsets = np.cumsum(lengths) - lengths
    return np.repeat(first - offsets, lengths) + np.arange(int(lengths.sum()))


def standardise(
    scores: FloatArray, codes: IntArray, in_stats: npt.NDArray[np.bool_] | None
) -> FloatArray:
    """Each score as a z-score within its language group (``codes``); NaN stays NaN.

    The groups' means and spreads come from the scores where ``in_stats`` (all if None),
    shrunk towards the overall ones by :data:`PRIOR` pseudo-translations, so a language
    with two translations does not get a noisy scale.
    """
    present = ~np.isnan(scores)
    if in_stats is not None:
        present &= in_stats
    if not present.any():
        return np.full(len(scores), np.nan)
    values = np.where(present, scores, 0.0)
    groups = int(codes.max()) + 1
    n = np.bincount(codes, weights=present.astype(np.float64), minlength=groups)
    total = np.bincount(codes, weights=values, minlength=groups)
    squares = np.bincount(codes, weights=values * values, minlength=groups)
    mean_all = float(values[present].mean())
    var_all = float(values[present].var())
    mean = (total + PRIOR * mean_all) / (n + PRIOR)
    spread = squares - 2 * mean * total + n * mean * mean  # Σ (x - mean)² over the group
    var = (spread + PRIOR * var_all) / (n + PRIOR)
    std = np.sqrt(np.maximum(var, 1e-12))
    z: FloatArray = (scores - mean[codes]) / std[codes]
    return z


def _article_mean(
    fused: FloatArray, weights: FloatArray, codes: IntArray, articles: int
) -> FloatArray:
    """Per article, the mean over its translations that have vectors; NaN if none has."""
    present = weights > 0
    per_translation = np.where(present, fused / np.where(present, weights, 1.0), 0.0)
    total = np.bincount(codes, weights=per_translation, minlength=articles)
    n = np.bincount(codes, weights=present.astype(np.float64), minlength=articles)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean: FloatArray = np.where(n > 0, total / n, np.nan)
    return mean


def _article_max(values: FloatArray, codes: IntArray, articles: int) -> FloatArray:
    best = np.full(articles, -np.inf)
    np.maximum.at(best, codes, np.nan_to_num(values, nan=-np.inf))
    best[np.isinf(best)] = np.nan
    return best


def _keyword_bonus(
    snapshot: Snapshot, keywords: dict[int, tuple[float, int]], articles: int
) -> FloatArray:
    """Per article, :data:`W_KEYWORD` × its best translation's keyword score / the best's.

    The loop runs over the keyword hits, which the full-text query bounds, not the corpus.
    """
    bonus = np.zeros(articles)
    top = max((score for score, _ in keywords.values()), default=0.0) or 1.0
    for translation_id, (score, _) in keywords.items():
        index = snapshot.by_translation_id.get(translation_id)
        if index is not None:
            article = snapshot.article_codes[index]
            bonus[article] = max(bonus[article], W_KEYWORD * score / top)
    return bonus


@dataclass(slots=True)
class _Choice:
    shown: TranslationInfo
    relevance: float
    similarity: float
    support: float
    classifier: float | None


def _top_articles(snapshot: Snapshot, scores: _Scores, locale: str, limit: int) -> list[_Choice]:
    """The ``limit`` best articles, best first, each in the translation the reader wants."""
    relevance = scores.relevance
    if limit <= 0 or not len(relevance):
        return []
    best = np.argpartition(-relevance, limit - 1)[:limit] if limit < len(relevance) else None
    candidates = np.arange(len(relevance)) if best is None else best
    ordered = candidates[np.argsort(-relevance[candidates], kind="stable")]
    return [
        _Choice(
            _shown(snapshot.members(int(a)), locale),
            float(relevance[a]),
            float(np.nan_to_num(scores.similarity[a], nan=0.0)),
            float(np.nan_to_num(scores.support[a], nan=0.0)),
            None if np.isnan(scores.classifier[a]) else float(scores.classifier[a]),
        )
        for a in ordered
        if np.isfinite(relevance[a])
    ]


def _shown(translations: list[TranslationInfo], locale: str) -> TranslationInfo:
    """The reader's locale, else the same language, else the article's source translation.

    Which translation matched best does not matter: a reader gets an article in a language
    they read when it exists, and the original otherwise (not a third language).
    """
    wanted = locale.lower()
    language = base_language(locale)
    for candidate in translations:
        if candidate.locale.lower() == wanted:
            return candidate
    for candidate in translations:
        if candidate.language == language:
            return candidate
    return translations[0]


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
        score=confidence(choice.relevance),
        article_id=info.article_id,
        translation_id=info.translation_id,
        relevance=round(choice.relevance, 5),
        similarity=round(choice.similarity, 5),
        support=round(choice.support, 5),
        classifier=None if choice.classifier is None else round(choice.classifier, 5),
    )
