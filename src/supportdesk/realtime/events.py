"""Durable events: numbered per stream, stored with the write, published after commit.

Streams: ``staff`` (every agent's console) and ``contact:<id>`` (that visitor's widget).
A client that reconnects with its last sequence number replays the rows after it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from supportdesk.db.base import utcnow
from supportdesk.db.engine import before_commit
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


@dataclass(slots=True)
class _Durable:
    """An event waiting for its sequence number, which it gets just before commit."""

    stream: str
    type: str
    data: dict[str, Any]
    created_at: datetime


# One statement for every backend we support (SQLite ≥ 3.35 and PostgreSQL both have
# ON CONFLICT … RETURNING): reserve ``n`` numbers and learn the last one.
_RESERVE = text(
    "INSERT INTO event_streams (name, last_seq) VALUES (:name, :n) "
    "ON CONFLICT (name) DO UPDATE SET last_seq = event_streams.last_seq + excluded.last_seq "
    "RETURNING last_seq"
)


async def reserve_seqs(session: AsyncSession, stream: str, n: int) -> int:
    """Reserve ``n`` sequence numbers in ``stream``; returns the last of them."""
    return int((await session.execute(_RESERVE, {"name": stream, "n": n})).scalar_one())


async def emit(session: AsyncSession, stream: str, type_: str, data: dict[str, Any]) -> None:
    """Store an event in ``stream`` with this transaction; publish it once it commits."""
    pending = _pending(session)
    if not any(isinstance(item, _Durable) for item in pending):
        before_commit(session, _store_events)
    pending.append(_Durable(stream, type_, data, utcnow()))


async def _store_events(session: AsyncSession) -> None:
    """Number and insert the transaction's events: one reservation per stream, one insert.

    Running last keeps the stream rows locked (PostgreSQL) for the shortest time, and
    locking them in name order means two transactions never wait for each other in a cycle.
    """
    pending = _pending(session)
    durable = [item for item in pending if isinstance(item, _Durable)]
    counts = Counter(item.stream for item in durable)
    next_of: dict[str, int] = {}
    for stream in sorted(counts):
        last = await reserve_seqs(session, stream, counts[stream])
        next_of[stream] = last - counts[stream] + 1
    rows = []
    for index, item in enumerate(pending):
        if not isinstance(item, _Durable):
            continue
        seq = next_of[item.stream]
        next_of[item.stream] = seq + 1
        rows.append(
            {
                "stream": item.stream,
                "seq": seq,
                "type": item.type,
                "payload": item.data,
                "created_at": item.created_at,
            }
        )
        pending[index] = Published(item.stream, _frame(seq, item.type, item.data, item.created_at))
    await session.execute(insert(Event), rows)


def emit_ephemeral(session: AsyncSession, topic: str, frame: dict[str, Any]) -> None:
    """Publish a frame after commit without storing it (typing, presence)."""
    _pending(session).append(Published(topic, frame))


def event_frame(event: Event) -> dict[str, Any]:
    return _frame(event.seq, event.type, event.payload, event.created_at)


def _frame(seq: int, type_: str, data: dict[str, Any], at: datetime) -> dict[str, Any]:
    return {"type": "event", "seq": seq, "event": type_, "data": data, "at": at.isoformat()}


def _pending(session: AsyncSession) -> list[Published | _Durable]:
    pending: list[Published | _Durable] | None = session.info.get("events")
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
