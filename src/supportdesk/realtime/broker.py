"""Fan-out of published frames to the connections of every node.

``MemoryBroker`` delivers inside one process (the default, one node). ``RedisBroker`` sends
through Redis pub/sub, so a frame published on one node reaches subscribers on all of them;
in that mode local delivery also goes through Redis, so each subscriber hears a frame once.
Subscribers are plain callables that must not block (they put the frame in a queue).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import defaultdict
from collections.abc import Callable
from typing import Any, Protocol

import redis.asyncio as aioredis

from supportdesk.realtime.connection import encode
from supportdesk.realtime.events import Published

log = logging.getLogger(__name__)

Subscriber = Callable[[dict[str, Any]], None]
SUBSCRIBE_TIMEOUT = 10.0


class Broker(Protocol):
    async def start(self) -> None: ...
    async def stop(self) -> None: ...
    async def publish(self, messages: list[Published]) -> None: ...
    async def subscribe(self, topic: str, subscriber: Subscriber) -> None: ...
    async def unsubscribe(self, topic: str, subscriber: Subscriber) -> None: ...


class _LocalTopics:
    def __init__(self) -> None:
        self.subscribers: dict[str, set[Subscriber]] = defaultdict(set)

    def add(self, topic: str, subscriber: Subscriber) -> bool:
        """Returns True when this is the topic's first local subscriber."""
        first = topic not in self.subscribers
        self.subscribers[topic].add(subscriber)
        return first

    def remove(self, topic: str, subscriber: Subscriber) -> bool:
        """Returns True when the topic has no local subscriber left."""
        subs = self.subscribers.get(topic)
        if subs is None:
            return False
        subs.discard(subscriber)
        if subs:
            return False
        del self.subscribers[topic]
        return True

    def deliver(self, topic: str, frame: dict[str, Any]) -> None:
        for subscriber in list(self.subscribers.get(topic, ())):
            try:
                subscriber(frame)
            except Exception:
                log.exception("subscriber of %s failed", topic)


class MemoryBroker:
    def __init__(self) -> None:
        self.topics = _LocalTopics()

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    async def publish(self, messages: list[Published]) -> None:
        for message in messages:
            self.topics.deliver(message.topic, message.frame)

    async def subscribe(self, topic: str, subscriber: Subscriber) -> None:
        self.topics.add(topic, subscriber)

    async def unsubscribe(self, topic: str, subscriber: Subscriber) -> None:
        self.topics.remove(topic, subscriber)


class RedisBroker:
    """Redis pub/sub: one publishing connection and one subscribing connection per node.

    ``subscribe`` returns only once Redis has confirmed the subscription: the gateway reads
    the replay from the database right after, and an event published before Redis listened
    for this node would reach neither the replay nor the live queue until the next event.
    """

    def __init__(self, url: str, prefix: str = "supportdesk") -> None:
        self.url = url
        self.prefix = prefix + ":"
        self.topics = _LocalTopics()
        self.redis: aioredis.Redis = aioredis.from_url(url)
        self.pubsub = self.redis.pubsub()
        self._reader: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()
        self._confirmed: dict[str, asyncio.Future[None]] = {}

    async def start(self) -> None:
        await self.redis.ping()
        # A pub/sub connection only reads after its first SUBSCRIBE; a node-wide channel
        # keeps it open even while no client is connected.
        await self.pubsub.subscribe(self.prefix + "_node")
        self._reader = asyncio.create_task(self._read(), name="redis-broker-reader")

    async def stop(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader
        await self.pubsub.aclose()  # type: ignore[no-untyped-call]
        await self.redis.aclose()

    async def publish(self, messages: list[Published]) -> None:
        """Never raises: the write is committed already, and a client that misses the frame
        gets it from the database (gap filling, or the replay when it reconnects)."""
        try:
            async with self.redis.pipeline(transaction=False) as pipe:
                for message in messages:
                    pipe.publish(self.prefix + message.topic, encode(message.frame))
                await pipe.execute()
        except (aioredis.RedisError, OSError):
            log.exception("could not publish %d frames to redis", len(messages))

    async def subscribe(self, topic: str, subscriber: Subscriber) -> None:
        channel = self.prefix + topic
        async with self._lock:
            if self.topics.add(topic, subscriber):
                self._confirmed[channel] = asyncio.get_running_loop().create_future()
                await self.pubsub.subscribe(channel)
            confirmed = self._confirmed.get(channel)
        if confirmed is not None:
            await asyncio.wait_for(asyncio.shield(confirmed), SUBSCRIBE_TIMEOUT)

    async def unsubscribe(self, topic: str, subscriber: Subscriber) -> None:
        async with self._lock:
            if self.topics.remove(topic, subscriber):
                self._confirmed.pop(self.prefix + topic, None)
                await self.pubsub.unsubscribe(self.prefix + topic)

    async def _read(self) -> None:
        while True:
            try:
                message = await self.pubsub.get_message(timeout=1.0)
                if message is not None:
                    self._handle(message)
            except asyncio.CancelledError:
                raise
            except (aioredis.ConnectionError, OSError):
                # redis-py reconnects and subscribes again on the next read; frames published
                # meanwhile are filled in from the database when the next one arrives.
                log.warning("redis broker connection lost; retrying", exc_info=True)
                await asyncio.sleep(1.0)
            except Exception:
                log.exception("redis broker could not handle a message")

    def _handle(self, message: dict[str, Any]) -> None:
        channel = message["channel"].decode()
        if message["type"] == "subscribe":
            confirmed = self._confirmed.get(channel)
            if confirmed is not None and not confirmed.done():
                confirmed.set_result(None)
        elif message["type"] == "message":
            self.topics.deliver(channel.removeprefix(self.prefix), json.loads(message["data"]))


def make_broker(redis_url: str, prefix: str) -> Broker:
    return RedisBroker(redis_url, prefix) if redis_url else MemoryBroker()
