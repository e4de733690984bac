"""Events leave a transaction only when it commits, numbered in order per stream."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select

from supportdesk.contacts.actions import do_create_contact
from supportdesk.contacts.models import Contact
from supportdesk.realtime.events import STAFF_STREAM, emit, last_seq
from supportdesk.realtime.models import Event


class Boom(Exception):
    pass


async def _collect(services, topic):
    heard: list[dict] = []
    await services.broker.subscribe(topic, heard.append)
    return heard


async def test_events_are_published_after_commit_in_sequence(services):
    heard = await _collect(services, STAFF_STREAM)
    async with services.db.transaction() as session:
        await emit(session, STAFF_STREAM, "test.one", {})
        await emit(session, STAFF_STREAM, "test.two", {})
        assert heard == []  # nothing leaves before the commit
    assert [(f["seq"], f["event"]) for f in heard] == [(1, "test.one"), (2, "test.two")]


async def test_a_rolled_back_transaction_publishes_and_stores_nothing(services):
    heard = await _collect(services, STAFF_STREAM)
    with pytest.raises(Boom):
        async with services.db.transaction() as session:
            await do_create_contact(session, name="ghost")
            await emit(session, STAFF_STREAM, "test.lost", {})
            raise Boom
    assert heard == []
    async with services.db.session() as session:
        assert await session.scalar(select(func.count()).select_from(Event)) == 0
        assert await last_seq(session, STAFF_STREAM) == 0


async def test_concurrent_writers_get_distinct_gapless_sequence_numbers(services):
    async def write(i: int) -> None:
        async with services.db.transaction() as session:
            await emit(session, STAFF_STREAM, "test.concurrent", {"i": i})

    await asyncio.gather(*(write(i) for i in range(30)))
    async with services.db.session() as session:
        seqs = list(await session.scalars(select(Event.seq).where(Event.stream == STAFF_STREAM)))
    assert sorted(seqs) == list(range(1, 31))


async def test_streams_are_numbered_independently(services):
    async with services.db.transaction() as session:
        await emit(session, "contact:1", "a", {})
        await emit(session, "contact:2", "a", {})
        await emit(session, "contact:1", "b", {})
    async with services.db.session() as session:
        assert await last_seq(session, "contact:1") == 2
        assert await last_seq(session, "contact:2") == 1


async def test_batched_works_commit_together_and_each_gets_its_result(services):
    async def make(i: int):
        async def work(session):
            contact = await do_create_contact(session, name=f"c{i}")
            await emit(session, STAFF_STREAM, "test.batched", {"i": i})
            return contact.id

        return await services.db.batched(work)

    ids = await asyncio.gather(*(make(i) for i in range(40)))
    assert len(set(ids)) == 40
    async with services.db.session() as session:
        names = set(await session.scalars(select(Contact.name).where(Contact.id.in_(ids))))
        seqs = sorted(await session.scalars(select(Event.seq).where(Event.stream == STAFF_STREAM)))
    assert names == {f"c{i}" for i in range(40)}  # committed when batched() returned
    assert seqs == list(range(1, 41))


async def test_a_failing_work_fails_alone_and_leaves_nothing(services):
    heard = await _collect(services, STAFF_STREAM)

    async def ok(i: int):
        async def work(session):
            await do_create_contact(session, name=f"ok{i}")
            await emit(session, STAFF_STREAM, "test.ok", {"i": i})
            return i

        return await services.db.batched(work)

    async def bad(session):
        await do_create_contact(session, name="bad")
        await emit(session, STAFF_STREAM, "test.bad", {})
        raise Boom

    results = await asyncio.gather(ok(1), services.db.batched(bad), ok(2), return_exceptions=True)
    assert results[0] == 1 and isinstance(results[1], Boom) and results[2] == 2
    async with services.db.session() as session:
        names = sorted(await session.scalars(select(Contact.name)))
    assert names == ["ok1", "ok2"]
    assert sorted(f["event"] for f in heard) == ["test.ok", "test.ok"]
