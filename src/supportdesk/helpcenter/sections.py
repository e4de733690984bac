"""Writes to the sections of a category: create, rename, reorder, delete.

Sections created on the way by an article's write (the API's ``section`` field, an import's
``section:``) come from :func:`supportdesk.helpcenter.actions.ensure_sections`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from supportdesk.errors import Conflict, InvalidInput
from supportdesk.helpcenter.actions import default_name, next_section_position
from supportdesk.helpcenter.models import Article, HelpCategory, HelpSection


async def check_section_slug_free(
    session: AsyncSession, category: HelpCategory, slug: str, *, but: int = 0
) -> None:
    taken = await session.scalar(
        select(HelpSection.id).where(
            HelpSection.category_id == category.id, HelpSection.slug == slug, HelpSection.id != but
        )
    )
    if taken is not None:
        raise Conflict(
            f"category {category.slug!r} already has a section {slug!r}", code="slug_taken"
        )


async def do_create_section(
    session: AsyncSession,
    category: HelpCategory,
    *,
    slug: str,
    names: Mapping[str, str],
    position: int | None = None,
) -> HelpSection:
    await check_section_slug_free(session, category, slug)
    if position is None:
        position = await next_section_position(session, category.id)
    section = HelpSection(
        category_id=category.id,
        slug=slug,
        position=position,
        names=dict(names) or {"en": default_name(slug)},
    )
    session.add(section)
    await session.flush()
    return section


async def do_update_section(
    session: AsyncSession,
    category: HelpCategory,
    section: HelpSection,
    *,
    slug: str | None = None,
    names: Mapping[str, str] | None = None,
) -> HelpSection:
    if slug is not None and slug != section.slug:
        await check_section_slug_free(session, category, slug, but=section.id)
        section.slug = slug
    if names is not None:
        section.names = dict(names)
    await session.flush()
    return section


async def do_reorder_sections(
    session: AsyncSession, category: HelpCategory, slugs: Sequence[str]
) -> None:
    """Sections left out keep their order, after those named."""
    if len(set(slugs)) != len(slugs):
        raise InvalidInput("each section may appear only once in the order", code="duplicate")
    sections = list(
        await session.scalars(
            select(HelpSection)
            .where(HelpSection.category_id == category.id)
            .order_by(HelpSection.position, HelpSection.id)
        )
    )
    unknown = [s for s in slugs if s not in {section.slug for section in sections}]
    if unknown:
        raise InvalidInput(
            f"category {category.slug!r} has no section {unknown[0]!r}", code="unknown_section"
        )
    rank = {slug: n for n, slug in enumerate(slugs)}
    for position, section in enumerate(sorted(sections, key=lambda s: rank.get(s.slug, len(rank)))):
        section.position = position
    await session.flush()


async def do_delete_section(session: AsyncSession, section: HelpSection) -> None:
    """Delete the section; its articles stay in the category, without a section."""
    for article in await session.scalars(select(Article).where(Article.section_id == section.id)):
        article.section_id = None
    await session.flush()
    await session.delete(section)
    await session.flush()
