"""teams and hours: team skills and weekly hours, agent capacity, team holidays

Revision ID: 0007
Revises: 0006
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import supportdesk.db.base

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("agents", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("max_chats", sa.Integer(), server_default=sa.text("5"), nullable=False)
        )
    with op.batch_alter_table("teams", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("skills", sa.JSON(), server_default=sa.text("'[]'"), nullable=False)
        )
        batch_op.add_column(sa.Column("weekly_hours", sa.JSON(), nullable=True))
    op.create_table(
        "team_holidays",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("created_at", supportdesk.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["teams.id"],
            name=op.f("fk_team_holidays_team_id_teams"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_team_holidays")),
        sa.UniqueConstraint("team_id", "date", name=op.f("uq_team_holidays_team_id_date")),
    )
    with op.batch_alter_table("team_holidays", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_team_holidays_team_id"), ["team_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("team_holidays", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_team_holidays_team_id"))
    op.drop_table("team_holidays")
    with op.batch_alter_table("teams", schema=None) as batch_op:
        batch_op.drop_column("weekly_hours")
        batch_op.drop_column("skills")
    with op.batch_alter_table("agents", schema=None) as batch_op:
        batch_op.drop_column("max_chats")
