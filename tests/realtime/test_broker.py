"""The brokers: in-process, and Redis pub/sub between two broker instances (two nodes).

The Redis tests use the real server at 127.0.0.1:6379 with a channel prefix of their own.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest

from supportdesk.realtime.broker import Broker, MemoryBroker, RedisBroker, make_broker
from supportdesk.realtime.events import Published

REDIS_URL = "redis://127.0.0.1:6379/0"
TIMEOUT = 5.0


class Inbox:
    """A subscriber that keeps what it hears, in order."""

    def __init__(self) -> None:
        self.frames: asyncio.Queue[dict[str, Any]] = asyncio.Queue()

    def __call__(self, frame: dict[str, Any]) -> None:
        self.frames.put_nowait(frame)

    async def next(self) -> dict[str, Any]:
        return await asyncio.wait_for(self.frames.get(), TIMEOUT)


@pytest.fixture
async def redis_pair() -> AsyncIterator[tuple[RedisBroker, RedisBroker]]:
    prefix = f"sdtest-{uuid.uuid4().hex[:12]}"
    node_a, node_b = RedisBroker(REDIS_URL, prefix), RedisBroker(REDIS_URL, prefix)
    await node_a.start()
    await node_b.start()
    yield node_a, node_b
    await node_a.stop()
    await node_b.stop()


@pytest.fixture
async def memory_pair() -> tuple[MemoryBroker, MemoryBroker]:
    broker = MemoryBroker()  # one process: both "nodes" share the one broker
    await broker.start()
    return broker, broker


@pytest.fixture(params=["memory", "redis"])
def pair(request: pytest.FixtureRequest) -> tuple[Broker, Broker]:
    pair: tuple[Broker, Broker] = request.getfixturevalue(f"{request.param}_pair")
    return pair


async def test_a_frame_published_on_one_node_reaches_subscribers_on_the_other(
    pair: tuple[Broker, Broker],
) -> None:
    node_a, node_b = pair
    on_b, also_on_b, on_a = Inbox(), Inbox(), Inbox()
    await node_b.subscribe("contact:1", on_b)
    await node_b.subscribe("contact:1", also_on_b)
    await node_a.subscribe("contact:1", on_a)

    frames = [
        {"type": "event", "seq": n, "event": "message.created", "data": {"n": n}} for n in (1, 2, 3)
    ]
    await node_a.publish([Published("contact:1", frame) for frame in frames])

    for inbox in (on_b, also_on_b, on_a):
        assert [await inbox.next() for _ in frames] == frames  # in order, once each


async def test_a_subscriber_hears_only_its_topics_and_nothing_after_unsubscribing(
    pair: tuple[Broker, Broker],
) -> None:
    node_a, node_b = pair
    staff, contact = Inbox(), Inbox()
    await node_b.subscribe("staff", staff)
    await node_b.subscribe("contact:7", contact)

    await node_a.publish(
        [Published("contact:8", {"n": "other contact"}), Published("staff", {"n": 1})]
    )
    assert await staff.next() == {"n": 1}
    await node_b.unsubscribe("contact:7", contact)
    await node_a.publish([Published("contact:7", {"n": "unheard"}), Published("staff", {"n": 2})])

    # Frames from one publisher arrive in order: once "staff 2" is here, "unheard" is not coming.
    assert await staff.next() == {"n": 2}
    assert contact.frames.empty()


async def test_a_failing_subscriber_does_not_stop_the_others(
    pair: tuple[Broker, Broker],
) -> None:
    node_a, node_b = pair

    def broken(_frame: dict[str, Any]) -> None:
        raise RuntimeError("subscriber bug")

    inbox = Inbox()
    await node_b.subscribe("staff", broken)
    await node_b.subscribe("staff", inbox)
    await node_a.publish([Published("staff", {"n": 1}), Published("staff", {"n": 2})])
    assert [await inbox.next(), await inbox.next()] == [{"n": 1}, {"n": 2}]


async def test_two_deployments_with_different_prefixes_do_not_hear_each_other() -> None:
    ours = RedisBroker(REDIS_URL, f"sdtest-{uuid.uuid4().hex[:12]}")
    theirs = RedisBroker(REDIS_URL, f"sdtest-{uuid.uuid4().hex[:12]}")
    await ours.start()
    await theirs.start()
    try:
        inbox = Inbox()
        await ours.subscribe("staff", inbox)
        await theirs.publish([Published("staff", {"from": "them"})])
        await ours.publish([Published("staff", {"from": "us"})])
        assert await inbox.next() == {"from": "us"}
        assert inbox.frames.empty()
    finally:
        await ours.stop()
        await theirs.stop()


async def test_publishing_to_an_unreachable_redis_is_logged_not_raised(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # The write it announces is already committed: failing the request would lie to the user.
    broker = RedisBroker("redis://127.0.0.1:1/0", "sdtest-down")
    try:
        await broker.publish([Published("staff", {"n": 1})])
    finally:
        await broker.redis.aclose()
    assert "could not publish 1 frames to redis" in caplog.text


def test_the_broker_is_redis_exactly_when_a_redis_url_is_set() -> None:
    assert isinstance(make_broker("", "supportdesk"), MemoryBroker)
    assert isinstance(make_broker(REDIS_URL, "supportdesk"), RedisBroker)
