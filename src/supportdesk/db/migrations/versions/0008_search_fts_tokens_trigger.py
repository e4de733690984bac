"""search index: keep the FTS5 index for token changes only, not for new vectors

The background encoder (supportdesk.search.vectors) updates a passage's vectors and version;
the FTS5 update trigger re-indexed the unchanged tokens of every such row. PostgreSQL's
tsvector column needs nothing: it is generated from the tokens.

Revision ID: 0008
Revises: 0007
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_REINDEX = (
    "BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, tokens) VALUES ('delete', old.id, old.tokens); "
    "INSERT INTO search_fts(rowid, tokens) VALUES (new.id, new.tokens); END"
)


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute("DROP TRIGGER IF EXISTS search_chunks_au")
    op.execute(
        f"CREATE TRIGGER search_chunks_au AFTER UPDATE OF id, tokens ON search_chunks {_REINDEX}"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute("DROP TRIGGER IF EXISTS search_chunks_au")
    op.execute(f"CREATE TRIGGER search_chunks_au AFTER UPDATE ON search_chunks {_REINDEX}")
