"""Fixed-window rate limits, in memory (one node) or in Redis (shared by every node)."""

from __future__ import annotations

import math
import time
from typing import Protocol

import redis.asyncio as aioredis

from supportdesk.errors import RateLimited


class RateLimiter(Protocol):
    async def hit(self, key: str, limit: int, window: int) -> int:
        """Count one hit; return 0 when allowed, else the seconds until the window resets."""
        ...

    async def reset(self, key: str) -> None: ...


class MemoryRateLimiter:
    def __init__(self) -> None:
        self._windows: dict[str, tuple[int, int]] = {}

    async def hit(self, key: str, limit: int, window: int) -> int:
        now = time.monotonic()
        slot = int(now // window)
        current_slot, count = self._windows.get(key, (slot, 0))
        if current_slot != slot:
            count = 0
        count += 1
        self._windows[key] = (slot, count)
        if len(self._windows) > 100_000:
            self._windows = {k: v for k, v in self._windows.items() if v[0] == slot}
        return 0 if count <= limit else max(1, math.ceil((slot + 1) * window - now))

    async def reset(self, key: str) -> None:
        self._windows.pop(key, None)


class RedisRateLimiter:
    def __init__(self, redis: aioredis.Redis, prefix: str) -> None:
        self.redis = redis
        self.prefix = prefix + ":rl:"

    async def hit(self, key: str, limit: int, window: int) -> int:
        name = self.prefix + key
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.incr(name)
            pipe.expire(name, window, nx=True)
            pipe.ttl(name)
            count, _, ttl = await pipe.execute()
        return 0 if int(count) <= limit else max(1, int(ttl))

    async def reset(self, key: str) -> None:
        await self.redis.delete(self.prefix + key)


class DisabledRateLimiter:
    """``SUPPORTDESK_RATE_LIMITS=off``: for benchmarks and evaluations on a private machine."""

    async def hit(self, key: str, limit: int, window: int) -> int:
        return 0

    async def reset(self, key: str) -> None:
        return None


async def check_rate(limiter: RateLimiter, key: str, limit: int, window: int, what: str) -> None:
    retry_after = await limiter.hit(key, limit, window)
    if retry_after:
        raise RateLimited(f"too many {what}; try again in {retry_after} s", retry_after=retry_after)
