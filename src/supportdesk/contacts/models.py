from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from supportdesk.db.base import Base, utcnow


class Contact(Base):
    """A customer: an anonymous visitor, or a user of the host site once verified."""

    __tablename__ = "contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str | None] = mapped_column(String(200), unique=True, default=None)
    name: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str | None] = mapped_column(String(254), index=True, default=None)
    locale: Mapped[str] = mapped_column(String(35), default="en")
    timezone: Mapped[str] = mapped_column(String(64), default="")
    attributes: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime | None] = mapped_column(default=None)
    # Set when mail to ``email`` bounced for good (a DSN); staff see it, the desk keeps
    # sending (the address may be fixed) but agents know the customer may not get it.
    email_bounced_at: Mapped[datetime | None] = mapped_column(default=None)
    email_bounce_reason: Mapped[str] = mapped_column(String(500), default="")

    @property
    def is_verified(self) -> bool:
        return self.external_id is not None
