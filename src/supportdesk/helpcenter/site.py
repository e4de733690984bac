"""What the public help center's pages show, and the queries that fill them.

:class:`Site` is the chrome of one page (its UI locale, the desk's URL, link builders);
:class:`Listed`, :class:`Hit` and :class:`Section` are what lists show. Each query is one
round trip, and shows an article in the best locale it is published in (:func:`pick_locale`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from urllib.parse import quote

from babel import Locale
from babel.core import get_global, parse_locale
from sqlalchemy import ColumnElement, and_, select
from sqlalchemy.ext.asyncio import AsyncSession

from supportdesk import i18n
from supportdesk.helpcenter.models import (
    Article,
    ArticleTranslation,
    HelpCategory,
    HelpSection,
    TranslationStatus,
)
from supportdesk.search.engine import search

SEARCH_LIMIT = 20
RELATED_LIMIT = 5
PUBLISHED = ArticleTranslation.status == TranslationStatus.PUBLISHED


@dataclass(frozen=True, slots=True)
class Listed:
    """An article in a list: its key and the title in the best locale it has."""

    key: str
    category_id: int | None
    locale: str
    title: str
    section_id: int | None = None


@dataclass(frozen=True, slots=True)
class Hit:
    key: str
    locale: str
    title: str
    snippet: str


@dataclass(frozen=True, slots=True)
class Section:
    name: str
    slug: str | None
    articles: list[Listed]
    total: int


@dataclass(frozen=True, slots=True)
class Site:
    """The chrome of one page: the UI's locale and the absolute URL of the desk."""

    locale: str
    base: str

    def t(self, key: str, **params: object) -> str:
        return i18n.translate(self.locale, key, **params)

    def n(self, key: str, count: int, **params: object) -> str:
        return i18n.plural(self.locale, key, count, **params)

    def home(self, locale: str | None = None) -> str:
        return f"/help/{locale or self.locale}/"

    def category(self, slug: str, locale: str | None = None) -> str:
        return f"/help/{locale or self.locale}/categories/{quote(slug, safe='')}"

    def article(self, key: str, locale: str | None = None) -> str:
        return f"/help/{locale or self.locale}/articles/{quote(key, safe='')}"

    def search(self, locale: str | None = None) -> str:
        return f"/help/{locale or self.locale}/search"

    def absolute(self, path: str) -> str:
        return self.base + path

    def language_name(self, tag: str) -> str:
        return display_name(tag, self.locale)

    def native_name(self, tag: str) -> str:
        name = display_name(tag, tag)
        return name[:1].upper() + name[1:]

    def og_locale(self, tag: str) -> str:
        return og_locale(tag)


def site_locales() -> tuple[str, ...]:
    return i18n.available_locales()


@cache
def display_name(tag: str, in_locale: str) -> str:
    try:
        name = Locale.parse(tag, sep="-").get_display_name(Locale.parse(in_locale, sep="-"))
    except (ValueError, TypeError):
        return tag
    return name or tag


@cache
def og_locale(tag: str) -> str:
    """Open Graph wants ``language_TERRITORY`` (``zh_CN``): CLDR's likely territory."""
    language, territory, script, *_ = parse_locale(tag, sep="-")
    if territory is None:
        likely = get_global("likely_subtags")
        maximal = (script and likely.get(f"{language}_{script}")) or likely.get(language)
        if maximal:
            _, territory, *_ = parse_locale(maximal)
    return f"{language}_{territory}" if territory else language


def pick_locale(available: Sequence[str], wanted: str) -> str:
    """The locale to show: ``wanted``, else English, else the first one there is."""
    for candidate in (wanted, i18n.DEFAULT_LOCALE):
        if candidate in available:
            return candidate
    return sorted(available)[0]


@dataclass(frozen=True, slots=True)
class Group:
    """A section of a category page: its name (None for articles in no section) and list."""

    name: str | None
    slug: str | None
    articles: list[Listed]


def category_name(category: HelpCategory | HelpSection, locale: str) -> str:
    """The name in ``locale``, else English, else the slug made readable (sections too)."""
    names = category.names or {}
    name = names.get(locale) or names.get(i18n.DEFAULT_LOCALE)
    return str(name) if name else category.slug.replace("-", " ").replace("_", " ").title()


# --- queries -----------------------------------------------------------------------------


async def list_published(
    session: AsyncSession, locale: str, *where: ColumnElement[bool]
) -> list[Listed]:
    """Articles with a published translation, each titled in the best locale: one query."""
    rows = await session.execute(
        select(
            Article.key,
            Article.category_id,
            ArticleTranslation.locale,
            ArticleTranslation.title,
            Article.section_id,
        )
        .join(ArticleTranslation, ArticleTranslation.article_id == Article.id)
        .where(PUBLISHED, ArticleTranslation.locale.in_(site_locales()), *where)
        .order_by(Article.id)
    )
    titles: dict[str, dict[str, tuple[int | None, str, int | None]]] = {}
    for key, category_id, row_locale, title, section_id in rows:
        titles.setdefault(key, {})[row_locale] = (category_id, title, section_id)
    listed = []
    for key, by_locale in titles.items():
        chosen = pick_locale(list(by_locale), locale)
        category_id, title, section_id = by_locale[chosen]
        listed.append(Listed(key, category_id, chosen, title, section_id))
    return listed


async def category_groups(
    session: AsyncSession, category: HelpCategory, locale: str
) -> list[Group]:
    """The category page's articles under its sections, in order; empty sections are left
    out, and articles in no section come first, without a heading: two queries."""
    listed = await list_published(session, locale, Article.category_id == category.id)
    sections = await session.scalars(
        select(HelpSection)
        .where(HelpSection.category_id == category.id)
        .order_by(HelpSection.position, HelpSection.id)
    )
    by_section: dict[int | None, list[Listed]] = {}
    for item in listed:
        by_section.setdefault(item.section_id, []).append(item)
    groups = [Group(None, None, loose)] if (loose := by_section.pop(None, [])) else []
    groups.extend(
        Group(category_name(section, locale), section.slug, by_section.pop(section.id))
        for section in sections
        if section.id in by_section
    )
    # A section id of another category cannot happen (the actions keep them in step); if
    # it did, the articles are still listed rather than lost.
    if stray := [item for items in by_section.values() for item in items]:
        groups.append(Group(None, None, stray))
    return groups


async def published_article(
    session: AsyncSession, key: str
) -> tuple[Article, HelpCategory | None, HelpSection | None, dict[str, ArticleTranslation]] | None:
    """The article, its category, its section and its published translations by locale:
    one query."""
    rows = (
        await session.execute(
            select(Article, HelpCategory, HelpSection, ArticleTranslation)
            .outerjoin(HelpCategory, HelpCategory.id == Article.category_id)
            .outerjoin(HelpSection, HelpSection.id == Article.section_id)
            .outerjoin(
                ArticleTranslation,
                and_(
                    ArticleTranslation.article_id == Article.id,
                    PUBLISHED,
                    ArticleTranslation.locale.in_(site_locales()),
                ),
            )
            .where(Article.key == key)
        )
    ).all()
    if not rows:
        return None
    article, category, section, _ = rows[0]
    translations = {row[3].locale: row[3] for row in rows if row[3] is not None}
    return article, category, section, translations


async def related_articles(session: AsyncSession, article: Article, locale: str) -> list[Listed]:
    """The articles the author linked; without any, others of the same category."""
    keys = [key for key in article.related_keys or [] if key != article.key]
    if keys:
        found = await list_published(session, locale, Article.key.in_(keys))
        order = {key: index for index, key in enumerate(keys)}
        return sorted(found, key=lambda item: order[item.key])[:RELATED_LIMIT]
    if article.category_id is None:
        return []
    same = await list_published(
        session, locale, Article.category_id == article.category_id, Article.id != article.id
    )
    return same[:RELATED_LIMIT]


async def search_hits(session: AsyncSession, q: str, locale: str) -> list[Hit]:
    """The help center's one retrieval engine, as search and the bot use it."""
    found = await search(session, q, locale, SEARCH_LIMIT)
    return [Hit(hit.key, hit.locale, hit.title, hit.snippet) for hit in found]
