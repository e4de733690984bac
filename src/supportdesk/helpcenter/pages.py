"""The public help center: server-rendered pages that read without running a script.

``/help/{locale}/`` and below, in every locale the product ships a catalog for (the UI
strings come from ``i18n/locales/helpcenter``). An article asked for in a locale it has no
published translation in is shown in English (else its first published translation) with a
note, under ``<html lang>`` of the text shown; drafts do not exist for these pages. Each
page is a couple of queries; an article view adds one ``UPDATE`` after the response.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Annotated, Any
from urllib.parse import urlencode

from babel import Locale
from babel.dates import format_date
from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import FileResponse, PlainTextResponse, RedirectResponse, Response
from markupsafe import Markup
from pydantic import ValidationError
from sqlalchemy import select
from starlette.background import BackgroundTask

from supportdesk import i18n
from supportdesk.attachments.storage import LocalStorage
from supportdesk.deps import ServicesDep, client_ip
from supportdesk.errors import NotFound, RateLimited
from supportdesk.helpcenter import feedback, media
from supportdesk.helpcenter.feedback import MAX_COMMENT_CHARS, FeedbackCreate, FeedbackReceipt
from supportdesk.helpcenter.models import (
    Article,
    ArticleTranslation,
    HelpCategory,
)
from supportdesk.helpcenter.render import EMBED_ORIGINS, render_markdown, summary
from supportdesk.helpcenter.seo import robots_txt, sitemap_xml
from supportdesk.helpcenter.site import (
    PUBLISHED,
    Hit,
    Listed,
    Section,
    Site,
    category_groups,
    category_name,
    list_published,
    pick_locale,
    published_article,
    related_articles,
    search_hits,
    site_locales,
)
from supportdesk.ratelimit import check_rate
from supportdesk.services import Services
from supportdesk.web.pages import _page, content_security_policy

__all__ = ["router"]

router = APIRouter()

MAX_QUERY_CHARS = 200
HOME_ARTICLES_PER_CATEGORY = 6


def _help_csp(frame_src: str = "'none'") -> str:
    """The pages' policy, plus images and videos from https hosts an article links to."""
    directives = content_security_policy(frame_ancestors="'none'", frame_src=frame_src)
    return "; ".join(
        f"{part} https:" if part.startswith(("img-src ", "media-src ")) else part
        for part in directives.split("; ")
    )


PAGE_CSP = _help_csp()
ARTICLE_CSP = _help_csp(" ".join(EMBED_ORIGINS))


def _base_url(request: Request) -> str:
    # Behind a proxy, run uvicorn with --proxy-headers so that this is the public origin.
    return str(request.base_url).rstrip("/")


# --- responses ---------------------------------------------------------------------------


def _render(
    request: Request, template: str, site: Site, *, csp: str = PAGE_CSP, **context: Any
) -> Response:
    text_lang = context.setdefault("text_lang", site.locale)
    # The UI's tag on the page chrome when the main text is in another language.
    chrome = Markup(' lang="{}"').format(site.locale) if text_lang != site.locale else ""
    return _page(request, template, csp, site=site, chrome_lang=chrome, **context)


def _alternates(site: Site, locales: Sequence[str], path: Callable[[str], str]) -> dict[str, Any]:
    """The head's canonical URL and hreflang alternates, and the locale switcher's links."""
    return {
        "canonical": site.absolute(path(site.locale)),
        "alternates": [(tag, site.absolute(path(tag))) for tag in locales],
        "x_default": site.absolute(path(pick_locale(locales, i18n.DEFAULT_LOCALE))),
        "switch_links": [(tag, path(tag)) for tag in locales],
    }


def _not_found(request: Request, locale: str | None = None) -> Response:
    wanted = locale or i18n.negotiate(request.headers.get("accept-language"))
    site = Site(wanted, _base_url(request))
    response = _render(request, "help/not_found.html", site, noindex=True)
    response.status_code = 404
    return response


def _site(request: Request, locale: str) -> Site | Response:
    """The page's :class:`Site`; a redirect to the canonical tag; or the 404 page."""
    if locale in site_locales():
        return Site(locale, _base_url(request))
    resolved = i18n.negotiate(locale)
    if resolved.split("-")[0] == locale.split("-")[0].lower():
        # zh, zh-CN, ES-mx: the same language under another tag; one URL per page.
        path = request.url.path.replace(f"/help/{locale}/", f"/help/{resolved}/", 1)
        query = f"?{request.url.query}" if request.url.query else ""
        return RedirectResponse(path + query, status_code=301)
    return _not_found(request)


async def _count_view(services: Services, article_id: int) -> None:
    await services.db.batched(lambda session: feedback.do_count_view(session, article_id))


# --- uploaded media ----------------------------------------------------------------------

MEDIA_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    # Even if a browser renders the file as a page, it may load nothing and run nothing.
    "Content-Security-Policy": "default-src 'none'; sandbox",
    # The URL never serves other bytes (a new upload gets a new key): cache for a year.
    "Cache-Control": "public, max-age=31536000, immutable",
}


@router.get("/help/media/{key}/{name}", include_in_schema=False)
async def help_media(key: str, name: str, services: ServicesDep) -> Response:
    """An image or video uploaded for articles; videos answer ``Range`` requests."""
    async with services.db.session() as session:
        found = await media.access_media(session, key, name)
    storage = services.storage
    if isinstance(storage, LocalStorage):
        # FileResponse streams from disk and answers Range (206) requests: seeking a video.
        path = storage._path(found.key)  # the layout LocalStorage owns
        if not path.is_file():
            raise NotFound("no such file", code="media_not_found")
        return FileResponse(
            path,
            media_type=found.content_type,
            headers=MEDIA_HEADERS,
            content_disposition_type="inline",
            filename=found.filename,
        )
    try:
        data = await storage.get(found.key)
    except FileNotFoundError:
        raise NotFound("no such file", code="media_not_found") from None
    return Response(data, media_type=found.content_type, headers=MEDIA_HEADERS)


# --- pages -------------------------------------------------------------------------------


@router.get("/help", include_in_schema=False)
@router.get("/help/", include_in_schema=False)
async def help_root(request: Request) -> RedirectResponse:
    """To the help center in the reader's language (``Accept-Language``)."""
    locale = i18n.negotiate(request.headers.get("accept-language"))
    return RedirectResponse(
        f"/help/{locale}/", status_code=302, headers={"Vary": "Accept-Language"}
    )


@router.get("/help/{locale}/", include_in_schema=False)
async def help_home(request: Request, locale: str, services: ServicesDep) -> Response:
    site = _site(request, locale)
    if not isinstance(site, Site):
        return site
    async with services.db.session() as session:
        categories = await session.scalars(
            select(HelpCategory).order_by(HelpCategory.position, HelpCategory.id)
        )
        sections = _sections(site, list(categories), await list_published(session, site.locale))
    links = _alternates(site, site_locales(), site.home)
    return _render(request, "help/home.html", site, sections=sections, **links)


def _sections(site: Site, categories: list[HelpCategory], listed: list[Listed]) -> list[Section]:
    """The home page's topics, in the categories' order; empty ones are left out."""
    by_category: dict[int | None, list[Listed]] = {}
    for item in listed:
        by_category.setdefault(item.category_id, []).append(item)
    sections = []
    for category in categories:
        if items := by_category.pop(category.id, []):
            name = category_name(category, site.locale)
            sections.append(
                Section(name, category.slug, items[:HOME_ARTICLES_PER_CATEGORY], len(items))
            )
    if loose := [item for items in by_category.values() for item in items]:
        sections.append(Section(site.t("help.uncategorized"), None, loose, len(loose)))
    return sections


@router.get("/help/{locale}/categories/{slug}", include_in_schema=False)
async def help_category(
    request: Request, locale: str, slug: str, services: ServicesDep
) -> Response:
    site = _site(request, locale)
    if not isinstance(site, Site):
        return site
    async with services.db.session() as session:
        category = await session.scalar(select(HelpCategory).where(HelpCategory.slug == slug))
        if category is None:
            return _not_found(request, site.locale)
        groups = await category_groups(session, category, site.locale)
    name = category_name(category, site.locale)
    links = _alternates(site, site_locales(), lambda tag: site.category(category.slug, tag))
    return _render(
        request,
        "help/category.html",
        site,
        page_title=name,
        name=name,
        groups=groups,
        total=sum(len(group.articles) for group in groups),
        **links,
    )


@router.get("/help/{locale}/articles/{key}", include_in_schema=False)
async def help_article(
    request: Request,
    locale: str,
    key: str,
    services: ServicesDep,
    answered: Annotated[str | None, Query(alias="feedback")] = None,
) -> Response:
    site = _site(request, locale)
    if not isinstance(site, Site):
        return site
    async with services.db.session() as session:
        found = await published_article(session, key)
        if found is None or not found[3]:
            return _not_found(request, site.locale)
        article, category, section, translations = found
        related = await related_articles(session, article, site.locale)
    response = _render(
        request,
        "help/article.html",
        site,
        csp=ARTICLE_CSP,
        **_article_context(site, article, category, translations),
        section=section,
        section_name=category_name(section, site.locale) if section else None,
        related=related,
        feedback_state=answered if answered in ("thanks", "error") else None,
        max_comment=MAX_COMMENT_CHARS,
    )
    if answered is None:  # coming back from the feedback form is not another reading
        response.background = BackgroundTask(_count_view, services, article.id)
    return response


def _article_context(
    site: Site,
    article: Article,
    category: HelpCategory | None,
    translations: dict[str, ArticleTranslation],
) -> dict[str, Any]:
    shown = translations[pick_locale(list(translations), site.locale)]
    locales = sorted(translations)
    links = _alternates(site, locales, lambda tag: site.article(article.key, tag))
    # A fallback's own URL is not canonical: the translation it shows is.
    links["canonical"] = site.absolute(site.article(article.key, shown.locale))
    note = None
    if shown.locale != site.locale:
        language, shown_language = site.language_name(site.locale), site.language_name(shown.locale)
        note = site.t("help.fallback_note", language=language, shown=shown_language)
    return {
        **links,
        "article": article,
        "category": category,
        "category_name": category_name(category, site.locale) if category else None,
        "shown": shown,
        "text_lang": shown.locale,
        "page_title": shown.title,
        "og_type": "article",
        "fallback_note": note,
        "body_html": Markup(render_markdown(shown.body, site.locale)),  # noqa: S704 - sanitised by nh3
        "description": summary(shown.body),
        "updated": format_date(shown.updated_at, "long", locale=Locale.parse(site.locale, sep="-")),
    }


@router.get("/help/{locale}/search", include_in_schema=False)
async def help_search(
    request: Request, locale: str, services: ServicesDep, q: Annotated[str, Query()] = ""
) -> Response:
    site = _site(request, locale)
    if not isinstance(site, Site):
        return site
    query = " ".join(q.split())[:MAX_QUERY_CHARS]
    hits: list[Hit] = []
    if query:
        async with services.db.session() as session:
            hits = await search_hits(session, query, site.locale)
    suffix = f"?{urlencode({'q': query})}" if query else ""
    switch_links = [(tag, site.search(tag) + suffix) for tag in site_locales()]
    return _render(
        request,
        "help/search.html",
        site,
        page_title=site.t("help.search_title"),
        query=query,
        hits=hits,
        switch_links=switch_links,
        noindex=True,
    )


@router.get("/sitemap.xml", include_in_schema=False)
async def sitemap(request: Request, services: ServicesDep) -> Response:
    async with services.db.session() as session:
        rows = await session.execute(
            select(Article.key, ArticleTranslation.locale, ArticleTranslation.updated_at)
            .join(ArticleTranslation, ArticleTranslation.article_id == Article.id)
            .where(PUBLISHED, ArticleTranslation.locale.in_(site_locales()))
            .order_by(Article.id, ArticleTranslation.locale)
        )
        versions = [(key, locale, updated_at) for key, locale, updated_at in rows]
    xml = sitemap_xml(Site(i18n.DEFAULT_LOCALE, _base_url(request)), versions)
    return Response(
        xml, media_type="application/xml", headers={"Cache-Control": "public, max-age=600"}
    )


@router.get("/robots.txt", include_in_schema=False)
async def robots(request: Request) -> PlainTextResponse:
    return PlainTextResponse(
        robots_txt(_base_url(request)), headers={"Cache-Control": "public, max-age=3600"}
    )


# --- "Was this helpful?" -----------------------------------------------------------------


async def _record_feedback(
    services: Services, request: Request, key: str, answer: FeedbackCreate
) -> None:
    await check_rate(
        services.limiter,
        f"help-feedback:{client_ip(request)}",
        feedback.FEEDBACK_PER_IP,
        feedback.FEEDBACK_WINDOW_SECONDS,
        "feedback answers",
    )
    async with services.db.transaction() as session:
        article = await feedback.published_article(session, key)
        if article is None:
            raise NotFound(f"no published article {key!r}", code="article_not_found")
        await feedback.do_record_feedback(session, article, answer)


@router.post(
    "/api/v1/help/articles/{key}/feedback",
    status_code=201,
    tags=["helpcenter"],
    summary="Answer “Was this helpful?” for an article",
)
async def post_article_feedback(
    key: str, body: FeedbackCreate, request: Request, services: ServicesDep
) -> FeedbackReceipt:
    """Public, without credentials; rate-limited per IP address.

    ``locale`` is the locale of the text the reader saw; ``comment`` is optional.
    """
    await _record_feedback(services, request, key, body)
    return FeedbackReceipt()


@router.post("/help/{locale}/articles/{key}/feedback", include_in_schema=False)
async def post_article_feedback_form(
    request: Request,
    locale: str,
    key: str,
    services: ServicesDep,
    helpful: Annotated[str, Form()] = "",
    comment: Annotated[str, Form()] = "",
    shown: Annotated[str, Form()] = "",
) -> Response:
    """The same answer from the page's form, for readers without JavaScript."""
    site = _site(request, locale)
    if not isinstance(site, Site):
        return site
    state = "thanks"
    try:
        answer = FeedbackCreate(
            locale=shown or site.locale, helpful=helpful == "yes", comment=comment
        )
        await _record_feedback(services, request, key, answer)
    except (ValidationError, RateLimited):
        state = "error"
    except NotFound:
        return _not_found(request, site.locale)
    return RedirectResponse(f"{site.article(key)}?feedback={state}#feedback", status_code=303)
