"""Keeping the search index in step with the help center's articles."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession


async def index_articles(session: AsyncSession, article_ids: Sequence[int]) -> None:
    """Bring the index up to date for these articles, inside the caller's transaction.

    Called by the help center after it creates, changes, publishes, unpublishes or deletes
    translations of these articles.
    """
