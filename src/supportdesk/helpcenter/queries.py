"""Reads of the help center shared by the API, the pages, the exporter and the bot."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import defer

from supportdesk import i18n
from supportdesk.errors import NotFound
from supportdesk.helpcenter.models import Article, ArticleTranslation, HelpCategory, HelpSection
from supportdesk.helpcenter.models import TranslationStatus as Status
from supportdesk.helpcenter.schemas import SOURCE_LOCALE, State


@dataclass(frozen=True, slots=True)
class ArticleView:
    """An article with its category's and section's slugs and the translations asked for."""

    article: Article
    category: str | None
    translations: list[ArticleTranslation]
    section: str | None = None

    def states(self, locales: Iterable[str]) -> dict[str, State]:
        return locale_states(self.translations, locales)


@dataclass(frozen=True, slots=True)
class PublishedArticle:
    article: Article
    category: str | None
    translation: ArticleTranslation
    available_locales: list[str]
    fallback: bool
    section: str | None = None


# --- translation status ------------------------------------------------------------------


def translation_state(translation: ArticleTranslation, source_hash: str | None) -> State:
    """``outdated`` when the English text changed since this translation was written.

    ``source_hash`` is the English translation's current content hash, None without one.
    """
    if (
        translation.locale != SOURCE_LOCALE
        and source_hash is not None
        and translation.source_hash != source_hash
    ):
        return "outdated"
    return "draft" if translation.status == Status.DRAFT else "published"


def locale_states(
    translations: Sequence[ArticleTranslation], locales: Iterable[str]
) -> dict[str, State]:
    """The state of each locale of ``locales`` and of each existing translation."""
    by_locale = {t.locale: t for t in translations}
    source = by_locale.get(SOURCE_LOCALE)
    source_hash = source.content_hash if source else None
    states: dict[str, State] = dict.fromkeys(sort_locales(locales), "missing")
    for locale in sort_locales(by_locale):
        states[locale] = translation_state(by_locale[locale], source_hash)
    return states


def sort_locales(locales: Iterable[str]) -> list[str]:
    """English (the source) first, then the others alphabetically."""
    return sorted(set(locales), key=lambda tag: (tag != SOURCE_LOCALE, tag.lower()))


async def help_center_locales(session: AsyncSession) -> list[str]:
    """Every locale that at least one article has a translation in."""
    rows = await session.scalars(select(ArticleTranslation.locale).distinct())
    return sort_locales([SOURCE_LOCALE, *rows])


# --- access ------------------------------------------------------------------------------


async def access_article(session: AsyncSession, key: str) -> Article:
    article = await session.scalar(select(Article).where(Article.key == key))
    if article is None:
        raise NotFound(f"no article with key {key!r}", code="article_not_found")
    return article


async def access_translation(
    session: AsyncSession, key: str, locale: str
) -> tuple[Article, ArticleTranslation]:
    article = await access_article(session, key)
    translation = await session.scalar(
        select(ArticleTranslation).where(
            ArticleTranslation.article_id == article.id, ArticleTranslation.locale == locale
        )
    )
    if translation is None:
        raise NotFound(f"article {key!r} has no {locale} translation", code="translation_not_found")
    return article, translation


async def access_category(session: AsyncSession, slug: str) -> HelpCategory:
    category = await session.scalar(select(HelpCategory).where(HelpCategory.slug == slug))
    if category is None:
        raise NotFound(f"no category with slug {slug!r}", code="category_not_found")
    return category


async def access_section(session: AsyncSession, category: HelpCategory, slug: str) -> HelpSection:
    section = await session.scalar(
        select(HelpSection).where(HelpSection.category_id == category.id, HelpSection.slug == slug)
    )
    if section is None:
        raise NotFound(
            f"category {category.slug!r} has no section {slug!r}", code="section_not_found"
        )
    return section


async def section_slug(session: AsyncSession, article: Article) -> str | None:
    if article.section_id is None:
        return None
    return await session.scalar(
        select(HelpSection.slug).where(HelpSection.id == article.section_id)
    )


async def sections_with_counts(
    session: AsyncSession, category_ids: Collection[int]
) -> dict[int, list[tuple[HelpSection, int]]]:
    """The sections of these categories in order, with their article counts: one query."""
    counts = (
        select(Article.section_id, func.count().label("n")).group_by(Article.section_id).subquery()
    )
    rows = await session.execute(
        select(HelpSection, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.section_id == HelpSection.id)
        .where(HelpSection.category_id.in_(category_ids))
        .order_by(HelpSection.position, HelpSection.id)
    )
    grouped: dict[int, list[tuple[HelpSection, int]]] = defaultdict(list)
    for section, n in rows:
        grouped[section.category_id].append((section, int(n)))
    return grouped


async def category_slug(session: AsyncSession, article: Article) -> str | None:
    if article.category_id is None:
        return None
    return await session.scalar(
        select(HelpCategory.slug).where(HelpCategory.id == article.category_id)
    )


async def article_count(session: AsyncSession, category_id: int) -> int:
    count = select(func.count()).where(Article.category_id == category_id)
    return await session.scalar(count) or 0


# --- lists -------------------------------------------------------------------------------


async def categories_with_counts(session: AsyncSession) -> list[tuple[HelpCategory, int]]:
    counts = (
        select(Article.category_id, func.count().label("n"))
        .group_by(Article.category_id)
        .subquery()
    )
    rows = await session.execute(
        select(HelpCategory, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.category_id == HelpCategory.id)
        .order_by(HelpCategory.position, HelpCategory.id)
    )
    return [(category, int(n)) for category, n in rows]


async def list_articles(
    session: AsyncSession,
    *,
    category: str | None = None,
    limit: int = 100,
    offset: int = 0,
    with_bodies: bool = False,
) -> tuple[int, list[ArticleView]]:
    """``(total, one page of articles by key)`` with every translation, in three queries.

    Without ``with_bodies`` the translations' bodies are not loaded (a listing needs titles).
    """
    query = (
        select(Article, HelpCategory.slug, HelpSection.slug)
        .outerjoin(HelpCategory, HelpCategory.id == Article.category_id)
        .outerjoin(HelpSection, HelpSection.id == Article.section_id)
    )
    if category is not None:
        query = query.where(HelpCategory.slug == category)
    total = await session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = (await session.execute(query.order_by(Article.key).limit(limit).offset(offset))).all()
    translations = await translations_by_article(
        session, [article.id for article, _, _ in rows], with_bodies=with_bodies
    )
    views = [ArticleView(a, slug, translations.get(a.id, []), section) for a, slug, section in rows]
    return total, views


async def translations_by_article(
    session: AsyncSession, article_ids: Collection[int], *, with_bodies: bool = True
) -> dict[int, list[ArticleTranslation]]:
    query = select(ArticleTranslation).where(ArticleTranslation.article_id.in_(article_ids))
    if not with_bodies:
        query = query.options(defer(ArticleTranslation.body, raiseload=True))
    grouped: dict[int, list[ArticleTranslation]] = defaultdict(list)
    for translation in await session.scalars(query):
        grouped[translation.article_id].append(translation)
    for group in grouped.values():
        order = {tag: n for n, tag in enumerate(sort_locales(t.locale for t in group))}
        group.sort(key=lambda t: order[t.locale])
    return grouped


async def article_view(session: AsyncSession, key: str) -> ArticleView:
    """The article of ``key`` with every translation, drafts included (404 if none)."""
    article = await access_article(session, key)
    translations = await translations_by_article(session, [article.id])
    return ArticleView(
        article,
        await category_slug(session, article),
        translations[article.id],
        await section_slug(session, article),
    )


# --- the public side ---------------------------------------------------------------------


def choose_locale(requested: str | None, available: Sequence[str]) -> str:
    """The requested locale when available, else the best match of the same language
    (negotiated, CLDR likely subtags), else English, else the first one.

    ``requested`` may be one tag or an ``Accept-Language`` value; ``available`` must not
    be empty.
    """
    by_lower = {tag.lower(): tag for tag in available}
    if requested and requested.strip().lower() in by_lower:
        return by_lower[requested.strip().lower()]
    negotiated = i18n.negotiate(requested, available=available)
    if negotiated in available:
        return negotiated
    return SOURCE_LOCALE if SOURCE_LOCALE in available else sort_locales(available)[0]


def is_requested_language(requested: str | None, locale: str) -> bool:
    """Whether ``locale``'s language is one of those asked for (any of a header's ranges)."""
    ranges = (item.split(";")[0].strip() for item in (requested or SOURCE_LOCALE).split(","))
    languages = {tag.replace("_", "-").split("-")[0].lower() for tag in ranges}
    return locale.split("-")[0].lower() in languages


async def find_published_article(
    session: AsyncSession, key: str, requested: str | None
) -> PublishedArticle:
    """The published translation of ``key`` that best suits ``requested`` (404 if none)."""
    article = await session.scalar(select(Article).where(Article.key == key))
    published = []
    if article is not None:
        published = list(
            await session.scalars(
                select(ArticleTranslation).where(
                    ArticleTranslation.article_id == article.id,
                    ArticleTranslation.status == Status.PUBLISHED,
                )
            )
        )
    if article is None or not published:
        raise NotFound(f"no published article with key {key!r}", code="article_not_found")
    by_locale = {t.locale: t for t in published}
    available = sort_locales(by_locale)
    chosen = choose_locale(requested, available)
    return PublishedArticle(
        article,
        await category_slug(session, article),
        by_locale[chosen],
        available,
        fallback=not is_requested_language(requested, chosen),
        section=await section_slug(session, article),
    )
