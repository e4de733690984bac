"""HTML pages and the widget loader, each with a strict Content-Security-Policy.

Every page runs only scripts and styles from this server (no inline script, no ``eval``),
so content that slipped past escaping still could not run. The widget's frame may be
embedded only by the desk itself and the origins in ``SUPPORTDESK_WIDGET_ORIGINS``; the
console and the demo page may not be framed at all (clickjacking).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Request
from fastapi import Path as PathParam
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from supportdesk import __version__, i18n
from supportdesk.config import Settings
from supportdesk.deps import ServicesDep
from supportdesk.errors import NotFound

WEB_DIR = Path(__file__).parent
STATIC_DIR = WEB_DIR / "static"
templates = Jinja2Templates(directory=WEB_DIR / "templates")

router = APIRouter(include_in_schema=False)
api_router = APIRouter(tags=["widget"])

LocaleTag = Annotated[str, PathParam(pattern=r"^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8}){0,4}$")]


def content_security_policy(*, frame_ancestors: str, frame_src: str = "'none'") -> str:
    return "; ".join(
        (
            "default-src 'none'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' blob: data:",
            "media-src 'self' blob:",
            "font-src 'self'",
            # CSP 3: 'self' also matches ws:// and wss:// on this host.
            "connect-src 'self'",
            f"frame-src {frame_src}",
            f"frame-ancestors {frame_ancestors}",
            "base-uri 'none'",
            "form-action 'self'",
            "object-src 'none'",
            "manifest-src 'self'",
        )
    )


def widget_frame_ancestors(settings: Settings) -> str:
    origins = settings.widget_origin_list
    if "*" in origins:
        return "*"
    return " ".join(("'self'", *origins))


def _page(request: Request, template: str, csp: str, **context: object) -> Response:
    response = templates.TemplateResponse(request, template, {"version": __version__, **context})
    response.headers["Content-Security-Policy"] = csp
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Cache-Control"] = "no-cache"
    return response


@router.get("/")
async def home(services: ServicesDep) -> RedirectResponse:
    """The demo site on a trial install; the agent console on a real one."""
    production = services.settings.env == "production"
    return RedirectResponse("/console" if production else "/demo", status_code=307)


@router.get("/widget.js")
async def widget_loader() -> FileResponse:
    """The one script a host page includes; it adds the button and the isolated frame."""
    return FileResponse(
        STATIC_DIR / "widget" / "loader.js",
        media_type="text/javascript; charset=utf-8",
        headers={"Cache-Control": "public, max-age=300", "X-Content-Type-Options": "nosniff"},
    )


@router.get("/widget/frame")
async def widget_frame(request: Request, services: ServicesDep) -> Response:
    csp = content_security_policy(frame_ancestors=widget_frame_ancestors(services.settings))
    return _page(request, "widget/frame.html", csp)


@router.get("/console")
async def console(request: Request) -> Response:
    return _page(request, "console/index.html", content_security_policy(frame_ancestors="'none'"))


@router.get("/demo")
async def demo(request: Request, services: ServicesDep) -> Response:
    """A mock exchange page with the widget on it; a production desk does not serve it."""
    if services.settings.env == "production":
        raise NotFound("the demo page is served only outside production (SUPPORTDESK_ENV)")
    csp = content_security_policy(frame_ancestors="'none'", frame_src="'self'")
    return _page(request, "demo.html", csp)


@api_router.get("/i18n/{locale}")
async def messages_for(locale: LocaleTag) -> JSONResponse:
    """The UI strings for the best available match of ``locale`` (English for unknown ones).

    Returns ``{"locale": tag, "messages": {key: message}}``; plural messages are objects
    keyed by CLDR plural category, as ``Intl.PluralRules`` names them.
    """
    return JSONResponse(i18n.catalog_for(locale), headers={"Cache-Control": "public, max-age=300"})
