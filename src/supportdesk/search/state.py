"""The index version: bumped by every transaction that changes the search index."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from supportdesk.search.models import SearchIndexState


async def bump_version(session: AsyncSession) -> int:
    """The new version, which rows written by this transaction carry.

    The row lock this UPDATE takes orders concurrent index writers on PostgreSQL: versions
    become visible in increasing order, which is what :mod:`supportdesk.search.memory`
    relies on to fetch only the rows written since the version it holds.
    """
    result = await session.execute(
        update(SearchIndexState)
        .where(SearchIndexState.id == 1)
        .values(version=SearchIndexState.version + 1)
        .returning(SearchIndexState.version)
    )
    version = result.scalar_one_or_none()
    if version is None:
        session.add(SearchIndexState(id=1, version=1))
        return 1
    return int(version)
