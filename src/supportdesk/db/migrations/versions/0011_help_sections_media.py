"""help center: sections within categories, and uploaded media for articles

Revision ID: 0011
Revises: 0010
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import supportdesk.db.base

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "help_sections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("names", sa.JSON(), nullable=False),
        sa.Column("created_at", supportdesk.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["help_categories.id"],
            name=op.f("fk_help_sections_category_id_help_categories"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_help_sections")),
        sa.UniqueConstraint("category_id", "slug", name=op.f("uq_help_sections_category_id_slug")),
    )
    op.create_index(
        op.f("ix_help_sections_category_id"), "help_sections", ["category_id"], unique=False
    )
    # batch: SQLite cannot add a foreign key to an existing table without a copy.
    with op.batch_alter_table("articles") as batch:
        batch.add_column(sa.Column("section_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_articles_section_id_help_sections"),
            "help_sections",
            ["section_id"],
            ["id"],
            ondelete="SET NULL",
        )
    op.create_table(
        "help_media",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("width", sa.Integer(), nullable=True),
        sa.Column("height", sa.Integer(), nullable=True),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", supportdesk.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"],
            ["agents.id"],
            name=op.f("fk_help_media_uploaded_by_id_agents"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_help_media")),
        sa.UniqueConstraint("key", name=op.f("uq_help_media_key")),
    )


def downgrade() -> None:
    op.drop_table("help_media")
    with op.batch_alter_table("articles") as batch:
        batch.drop_constraint(op.f("fk_articles_section_id_help_sections"), type_="foreignkey")
        batch.drop_column("section_id")
    op.drop_index(op.f("ix_help_sections_category_id"), table_name="help_sections")
    op.drop_table("help_sections")
