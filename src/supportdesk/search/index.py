"""Keeping the search index in step with the help center's articles.

Only published translations are indexed. Each becomes passages (see
:class:`~supportdesk.search.models.SearchChunk`), with keyword tokens and the vectors of
both encoders; the index version is bumped in the same transaction, so every node's
in-memory copy (:mod:`supportdesk.search.memory`) reloads the change once it commits.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from supportdesk.db.engine import on_commit
from supportdesk.helpcenter.models import ArticleTranslation, TranslationStatus
from supportdesk.search import embed, memory
from supportdesk.search.models import SearchChunk
from supportdesk.search.passages import (
    E5_KINDS,
    KEYWORD_KINDS,
    USE_KINDS,
    Passage,
    split_translation,
)
from supportdesk.search.state import bump_version
from supportdesk.search.text import base_language, tokenize
from supportdesk.search.vectors import wake_workers

_DEFER = "search.defer_vectors"


async def index_articles(session: AsyncSession, article_ids: Sequence[int]) -> None:
    """Bring the index up to date for these articles, inside the caller's transaction.

    Called by the help center after it creates, changes, publishes, unpublishes or deletes
    translations of these articles. Passages whose text did not change keep their vectors,
    so re-importing unchanged content encodes nothing.
    """
    ids = sorted(set(article_ids))
    if not ids:
        return
    translations = list(
        await session.scalars(
            select(ArticleTranslation).where(
                ArticleTranslation.article_id.in_(ids),
                ArticleTranslation.status == TranslationStatus.PUBLISHED,
            )
        )
    )
    passages = [p for t in translations for p in split_translation(t)]
    known = await _known_vectors(session, ids)
    await _embed_missing(passages, known, encode=not vectors_deferred(session))
    version = await bump_version(session)
    await session.execute(delete(SearchChunk).where(SearchChunk.article_id.in_(ids)))
    session.add_all(_rows(passages, version))
    await session.flush()
    memory.expire_after_commit(session)
    if any(_is_pending(p) for p in passages):
        _wake_workers_after_commit(session)


def defer_vectors(session: AsyncSession) -> None:
    """Index this transaction's passages without vectors: their words are searchable from
    the commit on, and :mod:`supportdesk.search.vectors` computes the vectors afterwards.
    What a bulk import does; an editor's single article is encoded at once."""
    session.info[_DEFER] = True


def vectors_deferred(session: AsyncSession) -> bool:
    return bool(session.info.get(_DEFER))


def _is_pending(passage: Passage) -> bool:
    return (passage.kind in E5_KINDS and passage.e5 is None) or (
        passage.kind in USE_KINDS and passage.use is None
    )


def _wake_workers_after_commit(session: AsyncSession) -> None:
    async def _wake() -> None:
        wake_workers()

    # Outside a Database.transaction() the workers' poll finds the passages instead.
    with contextlib.suppress(RuntimeError):
        on_commit(session, _wake)


async def _known_vectors(
    session: AsyncSession, article_ids: list[int]
) -> dict[tuple[str, str], tuple[bytes | None, bytes | None]]:
    rows = await session.execute(
        select(SearchChunk.kind, SearchChunk.text, SearchChunk.e5, SearchChunk.use).where(
            SearchChunk.article_id.in_(article_ids)
        )
    )
    return {(kind, text): (e5, use) for kind, text, e5, use in rows}


async def _embed_missing(
    passages: list[Passage],
    known: dict[tuple[str, str], tuple[bytes | None, bytes | None]],
    *,
    encode: bool,
) -> None:
    for passage in passages:
        passage.e5, passage.use = known.get((passage.kind, passage.text), (None, None))
    if not encode:
        return
    need_e5 = [p for p in passages if p.kind in E5_KINDS and p.e5 is None]
    need_use = [p for p in passages if p.kind in USE_KINDS and p.use is None]
    if not need_e5 and not need_use:
        return
    e5, use = await asyncio.to_thread(
        _encode, [p.text for p in need_e5], [p.text for p in need_use]
    )
    for passage, vector in zip(need_e5, e5, strict=True):
        passage.e5 = vector.astype("<f4").tobytes()
    for passage, vector in zip(need_use, use, strict=True):
        passage.use = vector.astype("<f4").tobytes()


def _encode(e5_texts: list[str], use_texts: list[str]) -> tuple[embed.Matrix, embed.Matrix]:
    return embed.encode_passages_e5(e5_texts), embed.encode_passages_use(use_texts)


def _rows(passages: list[Passage], version: int) -> list[SearchChunk]:
    return [
        SearchChunk(
            article_id=p.translation.article_id,
            translation_id=p.translation.id,
            locale=p.translation.locale,
            kind=p.kind,
            position=p.position,
            text=p.text,
            tokens=_tokens(p),
            e5=p.e5 if p.kind in E5_KINDS else None,
            use=p.use if p.kind in USE_KINDS else None,
            version=version,
        )
        for p in passages
    ]


def _tokens(passage: Passage) -> str:
    if passage.kind not in KEYWORD_KINDS:
        return ""
    return " ".join(tokenize(passage.text, base_language(passage.translation.locale)))
