"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.ext.asyncio import create_async_engine

import supportdesk.db.models  # noqa: F401  (every table on the metadata)
from supportdesk.db.base import Base
from supportdesk.db.migrate import include_object


async def test_migrated_database_has_no_difference_from_the_models(database_url: str) -> None:
    engine = create_async_engine(database_url)

    def differences(connection):
        context = MigrationContext.configure(
            connection, opts={"include_object": include_object, "compare_type": True}
        )
        return compare_metadata(context, Base.metadata)

    try:
        async with engine.connect() as connection:
            found = await connection.run_sync(differences)
    finally:
        await engine.dispose()
    assert found == []
