from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from supportdesk.db.base import Base, utcnow


class EventStream(Base):
    """The sequence counter of one stream (``staff``, ``contact:42``).

    Incrementing it with ``UPDATE … RETURNING`` locks the row until commit, so two
    transactions writing to one stream commit in sequence order.
    """

    __tablename__ = "event_streams"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    last_seq: Mapped[int] = mapped_column(BigInteger, default=0)


class Event(Base):
    """A durable event: what a reconnecting client replays from its last sequence number."""

    __tablename__ = "events"
    __table_args__ = (Index("ix_events_stream_seq", "stream", "seq", unique=True),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    stream: Mapped[str] = mapped_column(String(64))
    seq: Mapped[int] = mapped_column(BigInteger)
    type: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]]
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
