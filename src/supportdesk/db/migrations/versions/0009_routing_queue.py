"""routing: the queue, assignment and routing settings

Conversations get a topic, the time they entered their team's queue and the time their
agent got them; the admin's routing rules live in ``routing_settings``; the agents a
customer asked to leave their conversation in ``routing_exclusions``.

Revision ID: 0009
Revises: 0008
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import supportdesk.db.base

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    utc = supportdesk.db.base.UTCDateTime(timezone=True)
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("topic", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("queued_at", utc, nullable=True))
        batch_op.add_column(sa.Column("assigned_at", utc, nullable=True))
        batch_op.create_index(
            "ix_conversations_queue", ["status", "team_id", "queued_at"], unique=False
        )
    # Conversations already waiting keep their place: they queued when they last changed.
    op.execute("UPDATE conversations SET queued_at = updated_at WHERE status = 'queued'")
    op.execute("UPDATE conversations SET assigned_at = updated_at WHERE assignee_id IS NOT NULL")
    op.create_table(
        "routing_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("overflow", sa.String(length=16), nullable=False),
        sa.Column("no_answer_seconds", sa.Integer(), nullable=False),
        sa.Column("updated_at", utc, nullable=False),
        sa.Column("updated_by", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_routing_settings")),
    )
    op.create_table(
        "routing_exclusions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column("created_at", utc, nullable=False),
        sa.ForeignKeyConstraint(
            ["agent_id"],
            ["agents.id"],
            name=op.f("fk_routing_exclusions_agent_id_agents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_routing_exclusions_conversation_id_conversations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_routing_exclusions")),
        sa.UniqueConstraint(
            "conversation_id",
            "agent_id",
            name=op.f("uq_routing_exclusions_conversation_id_agent_id"),
        ),
    )
    with op.batch_alter_table("routing_exclusions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_routing_exclusions_conversation_id"), ["conversation_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("routing_exclusions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_routing_exclusions_conversation_id"))
    op.drop_table("routing_exclusions")
    op.drop_table("routing_settings")
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.drop_index("ix_conversations_queue")
        batch_op.drop_column("assigned_at")
        batch_op.drop_column("queued_at")
        batch_op.drop_column("topic")
