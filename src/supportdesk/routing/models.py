"""Tables of routing: the days a team is closed."""

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
