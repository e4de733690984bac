"""Help-center search over HTTP (public: the help center pages and the widget call it)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel

from supportdesk.deps import ServicesDep, client_ip
from supportdesk.errors import InvalidInput
from supportdesk.ratelimit import check_rate
from supportdesk.schemas_common import Locale
from supportdesk.search.engine import search

router = APIRouter(prefix="/help", tags=["help center"])

SEARCHES_PER_MINUTE = 120
MAX_QUERY_CHARS = 500


class SearchResult(BaseModel):
    key: str
    locale: str
    title: str
    url: str
    snippet: str
    score: float


class SearchResults(BaseModel):
    results: list[SearchResult]


@router.get("/search", response_model=SearchResults)
async def help_search(
    request: Request,
    services: ServicesDep,
    q: Annotated[str, Query(max_length=MAX_QUERY_CHARS)],
    locale: Annotated[Locale | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
) -> SearchResults:
    """Published articles that answer ``q``, best first; each in ``locale`` when translated."""
    if not q.strip():
        raise InvalidInput("q: must not be empty")
    if "\x00" in q:
        raise InvalidInput("q: must not contain NUL characters")
    await check_rate(
        services.limiter, f"search:{client_ip(request)}", SEARCHES_PER_MINUTE, 60, "searches"
    )
    async with services.db.session() as session:
        hits = await search(session, q, locale, limit)
    return SearchResults(
        results=[
            SearchResult(
                key=h.key,
                locale=h.locale,
                title=h.title,
                url=h.url,
                snippet=h.snippet,
                score=h.score,
            )
            for h in hits
        ]
    )
