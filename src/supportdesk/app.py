"""The ASGI application: wiring only."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse
from starlette.staticfiles import StaticFiles

from supportdesk import __version__, maintenance
from supportdesk.config import Settings, load_settings
from supportdesk.db.migrate import migrate
from supportdesk.http import BodyLimit, error_response, install_error_handlers
from supportdesk.realtime.api import SocketEndpoints
from supportdesk.search.vectors import VectorWorker
from supportdesk.services import Services, build_services
from supportdesk.tickets.service import start_email

STATIC_DIR = Path(__file__).parent / "web" / "static"


def create_app(settings: Settings | None = None, *, run_migrations: bool = True) -> FastAPI:
    settings = settings or load_settings()
    services = build_services(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        if run_migrations:
            await migrate(services.db)
        await services.broker.start()
        background = [asyncio.create_task(maintenance.run_forever(services), name="maintenance")]
        if settings.search_vector_worker:
            worker = VectorWorker(services.db).run_forever()
            background.append(asyncio.create_task(worker, name="search-vectors"))
        app.state.email = await start_email(services)  # receiver, IMAP poller, outbox
        try:
            yield
        finally:
            await app.state.email.close()
            for task in background:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            await services.gateway.stop()
            await services.broker.stop()
            if services.redis is not None:
                await services.redis.aclose()
            await services.db.dispose()

    app = FastAPI(
        title="Supportdesk API",
        version=__version__,
        description=(
            "REST API of Supportdesk, the open-source customer-support platform. "
            "Staff authenticate with a console session (cookie + `X-CSRF-Token`) or an API "
            "token (`Authorization: Bearer sd_…`); the widget with `X-Visitor-Token` from "
            "`POST /api/v1/widget/session`. Real-time events: WebSockets at "
            "`/api/v1/ws/widget` and `/api/v1/ws/console` (docs/realtime.md)."
        ),
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    app.state.services = services
    install_error_handlers(app)
    app.add_middleware(BodyLimit, limit=json_body_limit(settings))
    app.add_middleware(SocketEndpoints)  # added last: the outermost of our middlewares
    _mount_routes(app, services)
    return app


def json_body_limit(settings: Settings) -> int:
    """Room for the longest message in UTF-8 and the JSON around it, and never under 1 MiB."""
    return max(1024 * 1024, settings.max_message_chars * 4 + 64 * 1024)


def _mount_routes(app: FastAPI, services: Services) -> None:
    from supportdesk.accounts.api import router as accounts_router
    from supportdesk.attachments.api import router as attachments_router
    from supportdesk.bot.api import router as bot_router
    from supportdesk.canned.api import router as canned_router
    from supportdesk.contacts.api import router as contacts_router
    from supportdesk.conversations.api import router as conversations_router
    from supportdesk.helpcenter import pages as help_pages
    from supportdesk.helpcenter.api import router as helpcenter_router
    from supportdesk.routing.api import router as routing_router
    from supportdesk.search.api import router as search_router
    from supportdesk.tickets.api import router as tickets_router
    from supportdesk.web import pages

    for router in (
        accounts_router,
        contacts_router,
        conversations_router,
        attachments_router,
        canned_router,
        routing_router,
        helpcenter_router,
        search_router,
        bot_router,
        tickets_router,
        pages.api_router,
    ):
        app.include_router(router, prefix="/api/v1")

    app.include_router(pages.router)
    app.include_router(help_pages.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    @app.get("/api/docs", include_in_schema=False)
    async def api_docs() -> HTMLResponse:
        vendor = "/static/vendor/swagger-ui"
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="Supportdesk API",
            swagger_js_url=f"{vendor}/swagger-ui-bundle.js",
            swagger_css_url=f"{vendor}/swagger-ui.css",
            swagger_favicon_url=f"{vendor}/favicon-32x32.png",
        )

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> JSONResponse:
        try:
            await services.db.ping()
        except Exception as exc:  # the point is to report any failure as "down"
            return error_response(503, "database_unavailable", f"database: {exc}")
        return JSONResponse({"status": "ok"})
