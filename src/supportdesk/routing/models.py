"""Tables of routing: the days a team is closed, the admin's rules, excluded agents."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from supportdesk.db.base import Base, utcnow


class TeamHoliday(Base):
    """A date on which a team is closed all day in its own time zone."""

    __tablename__ = "team_holidays"
    __table_args__ = (UniqueConstraint("team_id", "date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    date: Mapped[date]
    name: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class RoutingSettings(Base):
    """The admin's routing rules: one row (id 1); absent means the defaults."""

    __tablename__ = "routing_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    # When the preferred team is closed and no open team speaks the conversation's language:
    # "english" (an open team that speaks English takes it) or "wait" (the preferred team).
    overflow: Mapped[str] = mapped_column(String(16), default="english")
    # An assigned agent who has not answered within this many seconds loses the
    # conversation back to the queue; 0 turns the rule off.
    no_answer_seconds: Mapped[int] = mapped_column(default=300)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by: Mapped[int | None] = mapped_column(default=None)


class RoutingExclusion(Base):
    """An agent routing must not give this conversation again (the customer asked)."""

    __tablename__ = "routing_exclusions"
    __table_args__ = (UniqueConstraint("conversation_id", "agent_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
