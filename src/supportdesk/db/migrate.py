"""Apply Alembic migrations from inside the process (every data command calls this first)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from supportdesk.db.engine import Database

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
_LOCK_KEY = 0x5D_6D16  # an arbitrary constant naming the "migrations" advisory lock


def include_object(
    obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    """Autogenerate ignores the full-text parts that migration 0005 creates by hand for each
    database: SQLite's FTS5 tables, PostgreSQL's tsvector column and its index."""
    if type_ == "table" and name is not None and name.startswith("search_fts"):
        return False
    return not (
        (type_ == "column" and name == "tsv")
        or (type_ == "index" and name == "ix_search_chunks_tsv")
    )


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


async def migrate(database: Database) -> None:
    """Bring the schema to the newest revision; a no-op when it is already there."""
    async with database.write_engine.begin() as conn:
        if not database.is_sqlite:
            # Nodes starting together would otherwise run the same migration twice; the
            # lock is released when this transaction ends.
            await conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
        await conn.run_sync(_upgrade)
    if database.is_sqlite:
        # The reader pool may hold connections opened before the tables existed.
        await database.engine.dispose()


def _upgrade(sync_conn: object) -> None:
    config = alembic_config()
    config.attributes["connection"] = sync_conn
    command.upgrade(config, "head")


async def current_revision(conn: AsyncConnection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    def _read(sync_conn: object) -> str | None:
        return MigrationContext.configure(sync_conn).get_current_revision()  # type: ignore[arg-type]

    return await conn.run_sync(_read)
