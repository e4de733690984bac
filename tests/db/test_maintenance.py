from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from supportdesk import maintenance
from supportdesk.db.base import utcnow
from supportdesk.realtime.events import STAFF_STREAM, emit, last_seq
from supportdesk.realtime.models import Event


async def test_events_past_retention_are_pruned_and_the_counter_kept(services):
    async with services.db.transaction() as session:
        for name in ("old", "old", "new"):
            await emit(session, STAFF_STREAM, name, {})
    days = services.settings.event_retention_days
    async with services.db.transaction() as session:
        await session.execute(
            update(Event)
            .where(Event.type == "old")
            .values(created_at=utcnow() - timedelta(days=days + 1))
        )
    assert await maintenance.run_once(services) == 2
    async with services.db.session() as session:
        assert list(await session.scalars(select(Event.seq))) == [3]
        assert await last_seq(session, STAFF_STREAM) == 3
