"""Every write to the help center, and the search index kept in step with it.

Each function that changes an article marks it for indexing; the index is brought up to date
once, for every marked article, as the last step of the surrounding transaction (so an
import of 200 files costs one call to :func:`index_articles`, and a rolled-back write
indexes nothing).
"""

from __future__ import annotations

import enum
import hashlib
import json
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from supportdesk.db.base import utcnow
from supportdesk.db.engine import before_commit
from supportdesk.errors import Conflict, InvalidInput
from supportdesk.helpcenter.models import Article, ArticleTranslation, HelpCategory, HelpSection
from supportdesk.helpcenter.models import TranslationStatus as Status
from supportdesk.helpcenter.schemas import (
    KEY_PATTERN,
    SOURCE_LOCALE,
    canonical_locale,
    is_locale,
)
from supportdesk.search.index import index_articles

_PENDING = "helpcenter.reindex"


class Keep(enum.Enum):
    """An article-level field left as it is (a translation that does not set it)."""

    KEEP = "keep"


KEEP = Keep.KEEP


class Outcome(enum.StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


@dataclass(frozen=True, slots=True)
class TranslationInput:
    """One translation to create or update; ``KEEP`` leaves an article-level field alone."""

    key: str
    locale: str
    title: str
    body: str
    questions: Sequence[str] = ()
    status: Status = Status.PUBLISHED
    category_slug: str | Literal[Keep.KEEP] | None = KEEP
    tags: Sequence[str] | Literal[Keep.KEEP] = KEEP
    related_keys: Sequence[str] | Literal[Keep.KEEP] = KEEP
    # A slug within the article's category (the one given here, else its current one).
    section_slug: str | Literal[Keep.KEEP] | None = KEEP


def content_hash(title: str, body: str, questions: Sequence[str]) -> str:
    # JSON keeps the parts apart: ("ab", "c") and ("a", "bc") must not hash alike.
    text = json.dumps([title, body, list(questions)], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def mark_changed(session: AsyncSession, article_ids: Iterable[int]) -> None:
    """Have the index updated for these articles just before the transaction commits."""
    pending: set[int] | None = session.info.get(_PENDING)
    if pending is None:
        pending = session.info[_PENDING] = set()

        async def reindex(s: AsyncSession) -> None:
            if pending:
                await index_articles(s, sorted(pending))

        before_commit(session, reindex)
    pending.update(article_ids)


# --- translations ------------------------------------------------------------------------


async def do_upsert_translation(
    session: AsyncSession,
    *,
    key: str,
    locale: str,
    title: str,
    body: str,
    category_slug: str | Literal[Keep.KEEP] | None = KEEP,
    tags: Sequence[str] | Literal[Keep.KEEP] = KEEP,
    questions: Sequence[str] = (),
    status: Status = Status.PUBLISHED,
    related_keys: Sequence[str] | Literal[Keep.KEEP] = KEEP,
    section_slug: str | Literal[Keep.KEEP] | None = KEEP,
) -> Outcome:
    item = TranslationInput(
        key, locale, title, body, questions, status, category_slug, tags, related_keys, section_slug
    )
    [outcome] = await do_upsert_translations(session, [item])
    return outcome


async def do_upsert_translations(
    session: AsyncSession, items: Sequence[TranslationInput]
) -> list[Outcome]:
    """Create or update many translations with a handful of queries; the outcome of each.

    Articles, categories and sections missing are created. English items are applied first, so a
    translation written in the same call records the new English text as its source.
    """
    for item in items:
        check_identity(item.key, item.locale)
    slugs = {i.category_slug for i in items if isinstance(i.category_slug, str)}
    categories = await ensure_categories(session, slugs)
    articles = await _ensure_articles(session, {i.key for i in items})
    sections = await _sections_of_items(session, items, articles, categories)
    existing = await _translations_of(session, [a.id for a in articles.values()])
    changed: set[int] = set()
    outcomes: dict[int, Outcome] = {}
    order = sorted(range(len(items)), key=lambda n: items[n].locale != SOURCE_LOCALE)
    for n in order:
        item = items[n]
        article = articles[item.key]
        outcome = _apply(article, existing, item, categories, sections.get(n, KEEP))
        if outcome is not Outcome.UNCHANGED:
            changed.add(article.id)
        outcomes[n] = outcome
    session.add_all(t for t in existing.values() if t.id is None)
    await session.flush()
    mark_changed(session, changed)
    return [outcomes[n] for n in range(len(items))]


def check_identity(key: str, locale: str) -> None:
    """The key and locale rules, for callers that did not go through a schema."""
    if not re.fullmatch(KEY_PATTERN, key):
        raise InvalidInput(f"{key!r} is not an article key", code="invalid_key")
    if not is_locale(locale) or canonical_locale(locale) != locale:
        raise InvalidInput(f"{locale!r} is not a BCP 47 tag in its usual case", code="invalid")


def _apply(
    article: Article,
    translations: dict[tuple[int, str], ArticleTranslation],
    item: TranslationInput,
    categories: Mapping[str, HelpCategory],
    section_id: int | Keep | None,
) -> Outcome:
    digest = content_hash(item.title, item.body, item.questions)
    english = translations.get((article.id, SOURCE_LOCALE))
    source = digest if item.locale == SOURCE_LOCALE else (english.content_hash if english else "")
    article_changed = _apply_article_fields(article, item, categories, section_id)
    current = translations.get((article.id, item.locale))
    now = utcnow()
    if current is not None and current.content_hash == digest and current.status == item.status:
        if not article_changed:
            return Outcome.UNCHANGED
        article.updated_at = now
        return Outcome.UPDATED
    outcome = Outcome.UPDATED
    if current is None:
        current = ArticleTranslation(article_id=article.id, locale=item.locale, created_at=now)
        translations[(article.id, item.locale)] = current
        outcome = Outcome.CREATED
    if current.content_hash != digest:
        # A new status alone does not make an outdated translation current again.
        current.title, current.body = item.title, item.body
        current.questions = list(item.questions)
        current.content_hash, current.source_hash = digest, source
    _set_status(current, item.status, now)
    current.updated_at = article.updated_at = now
    return outcome


def _apply_article_fields(
    article: Article,
    item: TranslationInput,
    categories: Mapping[str, HelpCategory],
    section_id: int | Keep | None,
) -> bool:
    changed = False
    if item.category_slug is not KEEP:
        category_id = categories[item.category_slug].id if item.category_slug else None
        if article.category_id != category_id:
            article.category_id, changed = category_id, True
            # A section belongs to one category: moving the article leaves its section.
            article.section_id = None
    if not isinstance(section_id, Keep) and article.section_id != section_id:
        article.section_id, changed = section_id, True
    if item.tags is not KEEP and article.tags != list(item.tags):
        article.tags, changed = list(item.tags), True
    if item.related_keys is not KEEP and article.related_keys != list(item.related_keys):
        article.related_keys, changed = list(item.related_keys), True
    return changed


async def _sections_of_items(
    session: AsyncSession,
    items: Sequence[TranslationInput],
    articles: Mapping[str, Article],
    categories: Mapping[str, HelpCategory],
) -> dict[int, int | None]:
    """The section id each item sets, by the item's index (items that keep it are absent);
    the sections missing are created. A section needs a category: 422 without one."""
    wanted: dict[int, tuple[int, str] | None] = {}
    for n, item in enumerate(items):
        if item.section_slug is KEEP:
            continue
        if item.section_slug is None:
            wanted[n] = None
            continue
        if isinstance(item.category_slug, str):
            category_id: int | None = categories[item.category_slug].id
        else:
            category_id = None if item.category_slug is None else articles[item.key].category_id
        if category_id is None:
            raise InvalidInput(
                f"{item.key}: a section needs a category; give the article a category first",
                code="section_without_category",
            )
        wanted[n] = (category_id, item.section_slug)
    found = await ensure_sections(session, {pair for pair in wanted.values() if pair})
    return {n: found[pair].id if pair else None for n, pair in wanted.items()}


def _set_status(translation: ArticleTranslation, status: Status, now: datetime) -> None:
    translation.status = status
    if status is Status.PUBLISHED and translation.published_at is None:
        translation.published_at = now


async def _ensure_articles(session: AsyncSession, keys: Collection[str]) -> dict[str, Article]:
    found = await session.scalars(select(Article).where(Article.key.in_(keys)))
    articles = {a.key: a for a in found}
    new = [Article(key=key) for key in sorted(set(keys) - articles.keys())]
    if new:
        session.add_all(new)
        await session.flush()
        articles.update((a.key, a) for a in new)
    return articles


async def _translations_of(
    session: AsyncSession, article_ids: Collection[int]
) -> dict[tuple[int, str], ArticleTranslation]:
    rows = await session.scalars(
        select(ArticleTranslation).where(ArticleTranslation.article_id.in_(article_ids))
    )
    return {(t.article_id, t.locale): t for t in rows}


async def do_set_status(
    session: AsyncSession, article: Article, translation: ArticleTranslation, status: Status
) -> bool:
    """Publish or unpublish; False when it already had that status."""
    if translation.status == status:
        return False
    now = utcnow()
    _set_status(translation, status, now)
    translation.updated_at = article.updated_at = now
    await session.flush()
    mark_changed(session, [article.id])
    return True


async def do_delete_translation(
    session: AsyncSession, article: Article, translation: ArticleTranslation
) -> None:
    await session.delete(translation)
    article.updated_at = utcnow()
    await session.flush()
    mark_changed(session, [article.id])


async def do_delete_article(session: AsyncSession, article: Article) -> None:
    """Delete the article, its translations and its feedback (the index drops it too)."""
    await session.delete(article)
    await session.flush()
    mark_changed(session, [article.id])


# --- categories --------------------------------------------------------------------------


def default_name(slug: str) -> str:
    """``deposits-withdrawals`` → ``Deposits withdrawals``: a name until someone gives one."""
    return slug.replace("-", " ").capitalize()


async def ensure_categories(
    session: AsyncSession, slugs: Collection[str]
) -> dict[str, HelpCategory]:
    """The categories with these slugs; those missing are created, at the end of the list."""
    if not slugs:
        return {}
    found = await session.scalars(select(HelpCategory).where(HelpCategory.slug.in_(slugs)))
    categories = {c.slug: c for c in found}
    missing = sorted(set(slugs) - categories.keys())
    if missing:
        position = await _next_position(session)
        new = [
            HelpCategory(slug=slug, position=position + n, names={"en": default_name(slug)})
            for n, slug in enumerate(missing)
        ]
        session.add_all(new)
        await session.flush()
        categories.update((c.slug, c) for c in new)
    return categories


async def _next_position(session: AsyncSession) -> int:
    last = await session.scalar(select(func.max(HelpCategory.position)))
    return 0 if last is None else last + 1


async def check_slug_free(session: AsyncSession, slug: str, *, but: int = 0) -> None:
    taken = await session.scalar(
        select(HelpCategory.id).where(HelpCategory.slug == slug, HelpCategory.id != but)
    )
    if taken is not None:
        raise Conflict(f"a category with slug {slug!r} already exists", code="slug_taken")


async def do_create_category(
    session: AsyncSession, *, slug: str, names: Mapping[str, str], position: int | None = None
) -> HelpCategory:
    await check_slug_free(session, slug)
    if position is None:
        position = await _next_position(session)
    category = HelpCategory(
        slug=slug, position=position, names=dict(names) or {"en": default_name(slug)}
    )
    session.add(category)
    await session.flush()
    return category


async def do_update_category(
    session: AsyncSession,
    category: HelpCategory,
    *,
    slug: str | None = None,
    names: Mapping[str, str] | None = None,
) -> HelpCategory:
    """Rename: a new slug and/or new display names (the index learns of both)."""
    if slug is not None and slug != category.slug:
        await check_slug_free(session, slug, but=category.id)
        category.slug = slug
    if names is not None:
        category.names = dict(names)
    await session.flush()
    mark_changed(session, await _article_ids_in(session, category.id))
    return category


async def do_reorder_categories(session: AsyncSession, slugs: Sequence[str]) -> None:
    if len(set(slugs)) != len(slugs):
        raise InvalidInput("each category may appear only once in the order", code="duplicate")
    categories = list(
        await session.scalars(select(HelpCategory).order_by(HelpCategory.position, HelpCategory.id))
    )
    known = {c.slug for c in categories}
    unknown = [s for s in slugs if s not in known]
    if unknown:
        raise InvalidInput(f"no category with slug {unknown[0]!r}", code="unknown_category")
    rank = {slug: n for n, slug in enumerate(slugs)}
    ordered = sorted(categories, key=lambda c: rank.get(c.slug, len(rank)))
    for position, category in enumerate(ordered):
        category.position = position
    await session.flush()


async def do_delete_category(session: AsyncSession, category: HelpCategory) -> None:
    """Delete the category and its sections; its articles stay, without a category."""
    affected = await _article_ids_in(session, category.id)
    for article in await session.scalars(select(Article).where(Article.id.in_(affected))):
        article.category_id = article.section_id = None
    await session.flush()
    for section in await session.scalars(
        select(HelpSection).where(HelpSection.category_id == category.id)
    ):
        await session.delete(section)
    await session.delete(category)
    await session.flush()
    mark_changed(session, affected)


async def _article_ids_in(session: AsyncSession, category_id: int) -> list[int]:
    return list(await session.scalars(select(Article.id).where(Article.category_id == category_id)))


# --- sections ----------------------------------------------------------------------------


async def ensure_sections(
    session: AsyncSession, pairs: Collection[tuple[int, str]]
) -> dict[tuple[int, str], HelpSection]:
    """The sections ``(category id, slug)``; those missing are created, last in their category."""
    if not pairs:
        return {}
    category_ids = {category_id for category_id, _ in pairs}
    found = await session.scalars(
        select(HelpSection).where(HelpSection.category_id.in_(category_ids))
    )
    existing = {(s.category_id, s.slug): s for s in found}
    result = {pair: existing[pair] for pair in pairs if pair in existing}
    for category_id, slug in sorted(set(pairs) - existing.keys()):
        section = HelpSection(
            category_id=category_id,
            slug=slug,
            position=await next_section_position(session, category_id),
            names={"en": default_name(slug)},
        )
        session.add(section)
        await session.flush()
        result[(category_id, slug)] = section
    return result


async def next_section_position(session: AsyncSession, category_id: int) -> int:
    last = await session.scalar(
        select(func.max(HelpSection.position)).where(HelpSection.category_id == category_id)
    )
    return 0 if last is None else last + 1
