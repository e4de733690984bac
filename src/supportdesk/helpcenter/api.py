"""The help center's REST API: editing for staff, and one public read of an article.

Any staff member writes and publishes translations; supervisors and admins also manage
categories and delete. The public pages and search live elsewhere (``helpcenter.pages``,
``search.api``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from html import escape
from typing import Annotated

from fastapi import APIRouter, Header, Path, Query, Request, Response
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.concurrency import run_in_threadpool

from supportdesk import __version__
from supportdesk.attachments.api import UPLOAD_BODY, read_upload
from supportdesk.db.engine import Database
from supportdesk.deps import ManagerDep, ServicesDep, StaffDep
from supportdesk.errors import Conflict
from supportdesk.helpcenter import actions, media, queries
from supportdesk.helpcenter import sections as section_actions
from supportdesk.helpcenter.actions import KEEP, Outcome
from supportdesk.helpcenter.models import (
    ArticleTranslation,
    HelpCategory,
    HelpSection,
    TranslationStatus,
)
from supportdesk.helpcenter.render import render_markdown
from supportdesk.helpcenter.schemas import (
    CATEGORY_PATTERN,
    KEY_PATTERN,
    ArticleDetail,
    ArticleList,
    ArticleSummary,
    CategoryCreate,
    CategoryOrder,
    CategoryPublic,
    CategoryUpdate,
    MediaPublic,
    PreviewPublic,
    PreviewRequest,
    PublicArticle,
    SectionCreate,
    SectionOrder,
    SectionPublic,
    SectionUpdate,
    State,
    TranslationPublic,
    TranslationSummary,
    TranslationWrite,
    canonical_locale,
)
from supportdesk.ratelimit import check_rate
from supportdesk.schemas_common import Locale

router = APIRouter(prefix="/help", tags=["help center"])

KeyPath = Annotated[str, Path(pattern=KEY_PATTERN, description="the article's key")]
SlugPath = Annotated[str, Path(pattern=CATEGORY_PATTERN, description="the category's slug")]
SectionPath = Annotated[
    str, Path(pattern=CATEGORY_PATTERN, description="the section's slug (within its category)")
]
LocalePath = Annotated[Locale, Path(description="BCP 47 tag: en, zh-Hans, es-419 …")]


@asynccontextmanager
async def _writing(db: Database) -> AsyncIterator[AsyncSession]:
    """A write transaction; two editors creating the same key at once get 409, not 500."""
    try:
        async with db.transaction() as session:
            yield session
    except IntegrityError:
        raise Conflict(
            "someone else changed the help center at the same time; try again",
            code="concurrent_change",
        ) from None


# --- categories --------------------------------------------------------------------------


@router.get("/categories", response_model=list[CategoryPublic])
async def list_categories(_staff: StaffDep, services: ServicesDep) -> list[CategoryPublic]:
    async with services.db.session() as session:
        rows = await queries.categories_with_counts(session)
        sections = await queries.sections_with_counts(session, [c.id for c, _ in rows])
    return [_category(c, n, sections.get(c.id, [])) for c, n in rows]


@router.post("/categories", response_model=CategoryPublic, status_code=201)
async def create_category(
    body: CategoryCreate, _manager: ManagerDep, services: ServicesDep
) -> CategoryPublic:
    async with _writing(services.db) as session:
        category = await actions.do_create_category(
            session, slug=body.slug, names=body.names, position=body.position
        )
    return _category(category, 0)


@router.put("/categories/order", status_code=204)
async def reorder_categories(
    body: CategoryOrder, _manager: ManagerDep, services: ServicesDep
) -> Response:
    async with _writing(services.db) as session:
        await actions.do_reorder_categories(session, body.slugs)
    return Response(status_code=204)


@router.patch("/categories/{slug}", response_model=CategoryPublic)
async def update_category(
    slug: SlugPath, body: CategoryUpdate, _manager: ManagerDep, services: ServicesDep
) -> CategoryPublic:
    """Rename: a new slug, new display names, or both."""
    async with _writing(services.db) as session:
        category = await queries.access_category(session, slug)
        await actions.do_update_category(session, category, slug=body.slug, names=body.names)
        count = await queries.article_count(session, category.id)
    return _category(category, count)


@router.delete("/categories/{slug}", status_code=204)
async def delete_category(slug: SlugPath, _manager: ManagerDep, services: ServicesDep) -> Response:
    """Delete a category; its articles stay, without a category."""
    async with _writing(services.db) as session:
        category = await queries.access_category(session, slug)
        await actions.do_delete_category(session, category)
    return Response(status_code=204)


def _category(
    category: HelpCategory, articles: int, sections: list[tuple[HelpSection, int]] | None = None
) -> CategoryPublic:
    return CategoryPublic(
        slug=category.slug,
        position=category.position,
        names=category.names,
        articles=articles,
        sections=[_section(s, n) for s, n in sections or []],
    )


# --- sections ----------------------------------------------------------------------------


@router.get("/categories/{slug}/sections", response_model=list[SectionPublic])
async def list_sections(
    slug: SlugPath, _staff: StaffDep, services: ServicesDep
) -> list[SectionPublic]:
    """The category's sections in their order, with their article counts."""
    async with services.db.session() as session:
        category = await queries.access_category(session, slug)
        rows = await queries.sections_with_counts(session, [category.id])
    return [_section(s, n) for s, n in rows.get(category.id, [])]


@router.post("/categories/{slug}/sections", response_model=SectionPublic, status_code=201)
async def create_section(
    slug: SlugPath, body: SectionCreate, _manager: ManagerDep, services: ServicesDep
) -> SectionPublic:
    async with _writing(services.db) as session:
        category = await queries.access_category(session, slug)
        section = await section_actions.do_create_section(
            session, category, slug=body.slug, names=body.names, position=body.position
        )
    return _section(section, 0)


@router.put("/categories/{slug}/sections/order", status_code=204)
async def reorder_sections(
    slug: SlugPath, body: SectionOrder, _manager: ManagerDep, services: ServicesDep
) -> Response:
    async with _writing(services.db) as session:
        category = await queries.access_category(session, slug)
        await section_actions.do_reorder_sections(session, category, body.slugs)
    return Response(status_code=204)


@router.patch("/categories/{slug}/sections/{section}", response_model=SectionPublic)
async def update_section(
    slug: SlugPath,
    section: SectionPath,
    body: SectionUpdate,
    _manager: ManagerDep,
    services: ServicesDep,
) -> SectionPublic:
    async with _writing(services.db) as session:
        category = await queries.access_category(session, slug)
        found = await queries.access_section(session, category, section)
        await section_actions.do_update_section(
            session, category, found, slug=body.slug, names=body.names
        )
        counts = await queries.sections_with_counts(session, [category.id])
    count = next((n for s, n in counts.get(category.id, []) if s.id == found.id), 0)
    return _section(found, count)


@router.delete("/categories/{slug}/sections/{section}", status_code=204)
async def delete_section(
    slug: SlugPath, section: SectionPath, _manager: ManagerDep, services: ServicesDep
) -> Response:
    """Delete a section; its articles stay in the category, without a section."""
    async with _writing(services.db) as session:
        category = await queries.access_category(session, slug)
        await section_actions.do_delete_section(
            session, await queries.access_section(session, category, section)
        )
    return Response(status_code=204)


def _section(section: HelpSection, articles: int) -> SectionPublic:
    return SectionPublic(
        slug=section.slug, position=section.position, names=section.names, articles=articles
    )


# --- articles (staff) --------------------------------------------------------------------


@router.get("/articles", response_model=ArticleList)
async def list_articles(
    _staff: StaffDep,
    services: ServicesDep,
    category: Annotated[str | None, Query(pattern=CATEGORY_PATTERN)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> ArticleList:
    """Articles by key, with the state of each translation in every locale of the help
    center: ``missing``, ``outdated`` (the English text changed since), ``draft`` or
    ``published``."""
    async with services.db.session() as session:
        locales = await queries.help_center_locales(session)
        total, views = await queries.list_articles(
            session, category=category, limit=limit, offset=offset
        )
    return ArticleList(
        total=total, locales=locales, articles=[_summary(view, locales) for view in views]
    )


def _summary(view: queries.ArticleView, locales: list[str]) -> ArticleSummary:
    states = view.states(locales)
    return ArticleSummary(
        key=view.article.key,
        category=view.category,
        section=view.section,
        tags=view.article.tags,
        updated_at=view.article.updated_at,
        translations=[
            TranslationSummary(
                locale=t.locale,
                title=t.title,
                status=t.status,
                state=states[t.locale],
                updated_at=t.updated_at,
            )
            for t in view.translations
        ],
        states=states,
    )


@router.get("/articles/{key}/translations", response_model=ArticleDetail)
async def get_article_for_staff(
    key: KeyPath, _staff: StaffDep, services: ServicesDep
) -> ArticleDetail:
    """The article with every translation, drafts included."""
    async with services.db.session() as session:
        return await _detail(session, key)


async def _detail(session: AsyncSession, key: str) -> ArticleDetail:
    view = await queries.article_view(session, key)
    states = view.states(await queries.help_center_locales(session))
    article = view.article
    return ArticleDetail(
        key=article.key,
        category=view.category,
        section=view.section,
        tags=article.tags,
        related_keys=article.related_keys,
        views=article.views,
        created_at=article.created_at,
        updated_at=article.updated_at,
        translations=[_translation(t, states[t.locale]) for t in view.translations],
        states=states,
    )


def _translation(t: ArticleTranslation, state: State) -> TranslationPublic:
    return TranslationPublic(
        locale=t.locale,
        title=t.title,
        body=t.body,
        questions=t.questions,
        status=t.status,
        state=state,
        content_hash=t.content_hash,
        source_hash=t.source_hash,
        created_at=t.created_at,
        updated_at=t.updated_at,
        published_at=t.published_at,
    )


@router.put("/articles/{key}/translations/{locale}", response_model=ArticleDetail)
async def put_translation(
    key: KeyPath,
    locale: LocalePath,
    body: TranslationWrite,
    response: Response,
    _staff: StaffDep,
    services: ServicesDep,
) -> ArticleDetail:
    """Create (201) or replace (200) the article's translation in ``locale``; the article
    and its category are created when missing. Answers with the whole article."""
    fields = body.model_fields_set
    async with _writing(services.db) as session:
        outcome = await actions.do_upsert_translation(
            session,
            key=key,
            locale=canonical_locale(locale),
            title=body.title,
            body=body.body,
            questions=body.questions,
            status=body.status,
            tags=body.tags if body.tags is not None else KEEP,
            category_slug=body.category if "category" in fields else KEEP,
            section_slug=body.section if "section" in fields else KEEP,
            related_keys=body.related_keys if body.related_keys is not None else KEEP,
        )
        detail = await _detail(session, key)
    response.status_code = 201 if outcome is Outcome.CREATED else 200
    return detail


@router.post("/articles/{key}/translations/{locale}/publish", response_model=ArticleDetail)
async def publish_translation(
    key: KeyPath, locale: LocalePath, _staff: StaffDep, services: ServicesDep
) -> ArticleDetail:
    return await _set_status(services.db, key, locale, TranslationStatus.PUBLISHED)


@router.post("/articles/{key}/translations/{locale}/unpublish", response_model=ArticleDetail)
async def unpublish_translation(
    key: KeyPath, locale: LocalePath, _staff: StaffDep, services: ServicesDep
) -> ArticleDetail:
    """Back to draft: the public, search and the bot no longer see it."""
    return await _set_status(services.db, key, locale, TranslationStatus.DRAFT)


async def _set_status(
    db: Database, key: str, locale: str, status: TranslationStatus
) -> ArticleDetail:
    async with _writing(db) as session:
        article, translation = await queries.access_translation(
            session, key, canonical_locale(locale)
        )
        await actions.do_set_status(session, article, translation, status)
        return await _detail(session, key)


@router.delete("/articles/{key}/translations/{locale}", status_code=204)
async def delete_translation(
    key: KeyPath, locale: LocalePath, _manager: ManagerDep, services: ServicesDep
) -> Response:
    async with _writing(services.db) as session:
        article, translation = await queries.access_translation(
            session, key, canonical_locale(locale)
        )
        await actions.do_delete_translation(session, article, translation)
    return Response(status_code=204)


@router.delete("/articles/{key}", status_code=204)
async def delete_article(key: KeyPath, _manager: ManagerDep, services: ServicesDep) -> Response:
    """Delete the article with every translation and its feedback."""
    async with _writing(services.db) as session:
        article = await queries.access_article(session, key)
        await actions.do_delete_article(session, article)
    return Response(status_code=204)


# --- preview -----------------------------------------------------------------------------


@router.post("/preview", response_model=PreviewPublic)
async def preview(body: PreviewRequest, staff: StaffDep, services: ServicesDep) -> PreviewPublic:
    """The Markdown as the public article page would show it: the same renderer and
    sanitiser, and a whole page for the console's sandboxed preview frame."""
    # The console asks at most four times a second while someone types.
    await check_rate(services.limiter, f"help-preview:{staff.agent.id}", 300, 60, "previews")
    # Up to 200 000 characters take tens of milliseconds: not on the event loop.
    html = await run_in_threadpool(render_markdown, body.markdown, body.locale)
    return PreviewPublic(html=html, document=_preview_document(html, body.title, body.locale))


def _preview_document(html: str, title: str, locale: str) -> str:
    # ``html`` is sanitised already; the title and locale are text, escaped here.
    return (
        f'<!doctype html>\n<html lang="{escape(locale)}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<link rel="stylesheet" href="/static/help/help.css?v={escape(__version__)}">\n'
        f"<title>{escape(title)}</title>\n</head>\n<body>\n"
        f'<main class="page"><article class="article">\n<h1>{escape(title)}</h1>\n'
        f'<div class="body">\n{html}\n</div>\n</article></main>\n</body>\n</html>\n'
    )


# --- media ------------------------------------------------------------------------------


@router.post("/media", response_model=MediaPublic, status_code=201, openapi_extra=UPLOAD_BODY)
async def upload_media(request: Request, staff: StaffDep, services: ServicesDep) -> MediaPublic:
    """Upload an image or an MP4 video (multipart field ``file``) for articles: its public
    URL and the Markdown that shows it. Images are re-encoded without their metadata."""
    await check_rate(services.limiter, f"help-media:{staff.agent.id}", 60, 60, "uploads")
    image_limit = services.settings.max_upload_bytes
    data, filename = await read_upload(request, max(image_limit, media.MAX_VIDEO_BYTES))
    clean = await media.check_media(data, filename, max_image_bytes=image_limit)
    stored = await media.do_upload_media(
        services.db, services.storage, clean, agent_id=staff.agent.id
    )
    return MediaPublic(
        url=media.media_url(stored),
        markdown=media.media_markdown(stored),
        content_type=stored.content_type,
        filename=stored.filename,
        size=stored.size,
        width=stored.width,
        height=stored.height,
    )


# --- the public read ---------------------------------------------------------------------


@router.get("/articles/{key}", response_model=PublicArticle)
async def get_public_article(
    key: KeyPath,
    services: ServicesDep,
    locale: Annotated[
        Locale | None, Query(description="BCP 47 tag; default: Accept-Language")
    ] = None,
    accept_language: Annotated[str | None, Header(max_length=500)] = None,
) -> PublicArticle:
    """Public: the published translation in ``locale`` (else the ``Accept-Language``
    header's), or the closest one available: same language, then English, then any.
    ``fallback`` is true when the text is not in a language that was asked for."""
    requested = locale or accept_language
    async with services.db.session() as session:
        found = await queries.find_published_article(session, key, requested)
    translation = found.translation
    return PublicArticle(
        key=found.article.key,
        locale=translation.locale,
        title=translation.title,
        body=translation.body,
        category=found.category,
        section=found.section,
        tags=found.article.tags,
        updated_at=max(found.article.updated_at, translation.updated_at),
        available_locales=found.available_locales,
        fallback=found.fallback,
    )
