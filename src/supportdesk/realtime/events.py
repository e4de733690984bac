"""Durable events: numbered per stream, stored with the write, published after commit.

Streams: ``staff`` (every agent's console) and ``contact:<id>`` (that visitor's widget).
A client that reconnects with its last sequence number replays the rows after it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from supportdesk.db.base import utcnow
from supportdesk.realtime.models import Event, EventStream

STAFF_STREAM = "staff"


def contact_stream(contact_id: int) -> str:
    return f"contact:{contact_id}"


def agent_topic(agent_id: int) -> str:
    """Control messages for one agent's connections (e.g. "your account was deactivated")."""
    return f"agent:{agent_id}"


@dataclass(frozen=True, slots=True)
class Published:
    """What travels through the broker: a durable event (with seq) or an ephemeral one."""

    topic: str
    frame: dict[str, Any] = field(default_factory=dict)


async def next_seq(session: AsyncSession, stream: str) -> int:
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = (
        insert(EventStream)
        .values(name=stream, last_seq=1)
        .on_conflict_do_update(
            index_elements=[EventStream.name], set_={"last_seq": EventStream.last_seq + 1}
        )
        .returning(EventStream.last_seq)
    )
    return int((await session.execute(stmt)).scalar_one())


async def emit(session: AsyncSession, stream: str, type_: str, data: dict[str, Any]) -> Event:
    """Store an event in ``stream``; it is published when the transaction commits."""
    seq = await next_seq(session, stream)
    event = Event(stream=stream, seq=seq, type=type_, payload=data, created_at=utcnow())
    session.add(event)
    _pending(session).append(Published(stream, event_frame(event)))
    return event


def emit_ephemeral(session: AsyncSession, topic: str, frame: dict[str, Any]) -> None:
    """Publish a frame after commit without storing it (typing, presence)."""
    _pending(session).append(Published(topic, frame))


def event_frame(event: Event) -> dict[str, Any]:
    return {
        "type": "event",
        "seq": event.seq,
        "event": event.type,
        "data": event.payload,
        "at": event.created_at.isoformat(),
    }


def _pending(session: AsyncSession) -> list[Published]:
    pending: list[Published] | None = session.info.get("events")
    if pending is None:
        raise RuntimeError("events can only be emitted inside Database.transaction()")
    return pending


async def last_seq(session: AsyncSession, stream: str) -> int:
    value = await session.scalar(select(EventStream.last_seq).where(EventStream.name == stream))
    return int(value or 0)


async def events_after(session: AsyncSession, stream: str, after: int, limit: int) -> list[Event]:
    rows = await session.scalars(
        select(Event)
        .where(Event.stream == stream, Event.seq > after)
        .order_by(Event.seq)
        .limit(limit)
    )
    return list(rows)


async def oldest_seq(session: AsyncSession, stream: str) -> int | None:
    value = await session.scalar(select(func.min(Event.seq)).where(Event.stream == stream))
    return None if value is None else int(value)


async def prune_events(session: AsyncSession, older_than_days: int) -> int:
    """Forget events past retention; a client with an older cursor is told to resync."""
    cutoff = utcnow() - timedelta(days=older_than_days)
    result = await session.execute(delete(Event).where(Event.created_at < cutoff))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
