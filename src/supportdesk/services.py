"""The long-lived objects of one process, built once at start-up."""

from __future__ import annotations

from dataclasses import dataclass, field

import redis.asyncio as aioredis

from supportdesk.attachments.storage import LocalStorage, Storage
from supportdesk.config import Settings
from supportdesk.db.engine import Database
from supportdesk.ratelimit import (
    DisabledRateLimiter,
    MemoryRateLimiter,
    RateLimiter,
    RedisRateLimiter,
)
from supportdesk.realtime.broker import Broker, make_broker
from supportdesk.realtime.gateway import Gateway
from supportdesk.tokens import VisitorTokens


@dataclass
class Services:
    settings: Settings
    db: Database
    broker: Broker
    limiter: RateLimiter
    storage: Storage
    visitor_tokens: VisitorTokens
    redis: aioredis.Redis | None = None
    gateway: Gateway = field(init=False)

    def __post_init__(self) -> None:
        self.gateway = Gateway(self)


def build_services(settings: Settings) -> Services:
    db = Database(settings.resolved_database_url)
    redis = aioredis.from_url(settings.redis_url) if settings.redis_url else None
    limiter: RateLimiter
    if not settings.rate_limits:
        limiter = DisabledRateLimiter()
    elif redis is not None:
        limiter = RedisRateLimiter(redis, settings.redis_channel_prefix)
    else:
        limiter = MemoryRateLimiter()
    services = Services(
        settings=settings,
        db=db,
        broker=make_broker(settings.redis_url, settings.redis_channel_prefix),
        limiter=limiter,
        storage=LocalStorage(settings.uploads_dir),
        visitor_tokens=VisitorTokens(settings.secret_key, settings.visitor_token_max_age_seconds),
        redis=redis,
    )
    db.publisher = services.broker.publish
    return services
