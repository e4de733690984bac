"""search index: passages, vectors, keyword index (FTS5 / tsvector), bot settings

Revision ID: 0005
Revises: 0004
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import supportdesk.db.base

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SQLITE_FTS = [
    # External-content FTS5 table over search_chunks.tokens: the tokens were made in Python
    # (rjieba, folding, stemming), so the unicode61 tokenizer only splits on the spaces.
    "CREATE VIRTUAL TABLE search_fts USING fts5(tokens, content='search_chunks', "
    "content_rowid='id', tokenize='unicode61 remove_diacritics 0')",
    "CREATE TRIGGER search_chunks_ai AFTER INSERT ON search_chunks BEGIN "
    "INSERT INTO search_fts(rowid, tokens) VALUES (new.id, new.tokens); END",
    "CREATE TRIGGER search_chunks_ad AFTER DELETE ON search_chunks BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, tokens) VALUES ('delete', old.id, old.tokens); "
    "END",
    "CREATE TRIGGER search_chunks_au AFTER UPDATE ON search_chunks BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, tokens) VALUES ('delete', old.id, old.tokens); "
    "INSERT INTO search_fts(rowid, tokens) VALUES (new.id, new.tokens); END",
]
_POSTGRES_FTS = [
    # The lexemes are the Python tokens as they are: no parser, so Chinese words survive
    # whatever the database's LC_CTYPE is.
    "ALTER TABLE search_chunks ADD COLUMN tsv tsvector GENERATED ALWAYS AS "
    "(array_to_tsvector(string_to_array(tokens, ' '))) STORED",
    "CREATE INDEX ix_search_chunks_tsv ON search_chunks USING gin (tsv)",
]


def upgrade() -> None:
    op.create_table(
        "search_chunks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("translation_id", sa.Integer(), nullable=False),
        sa.Column("locale", sa.String(length=35), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("tokens", sa.Text(), nullable=False),
        sa.Column("e5", sa.LargeBinary(), nullable=True),
        sa.Column("use", sa.LargeBinary(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_search_chunks_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["translation_id"],
            ["article_translations.id"],
            name=op.f("fk_search_chunks_translation_id_article_translations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_chunks")),
    )
    op.create_index("ix_search_chunks_translation_id", "search_chunks", ["translation_id"])
    op.create_index("ix_search_chunks_version", "search_chunks", ["version"])
    op.create_table(
        "search_index_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_index_state")),
    )
    op.execute("INSERT INTO search_index_state (id, version) VALUES (1, 0)")
    op.create_table(
        "bot_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rules", sa.JSON(), nullable=False),
        sa.Column("updated_at", supportdesk.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bot_settings")),
    )
    statements = _SQLITE_FTS if op.get_bind().dialect.name == "sqlite" else _POSTGRES_FTS
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("search_chunks_ai", "search_chunks_ad", "search_chunks_au"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS search_fts")
    op.drop_table("bot_settings")
    op.drop_table("search_index_state")
    op.drop_index("ix_search_chunks_version", table_name="search_chunks")
    op.drop_index("ix_search_chunks_translation_id", table_name="search_chunks")
    op.drop_table("search_chunks")
