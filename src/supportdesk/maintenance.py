"""Periodic housekeeping of one node. Every step is idempotent, so several nodes may run it."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from supportdesk.realtime.events import prune_events

if TYPE_CHECKING:
    from supportdesk.services import Services

log = logging.getLogger(__name__)

INTERVAL_SECONDS = 3600.0
# The routing sweep (docs/routing.md): how soon a closed console's chats go back to the
# queue after the presence timeout, a silent agent's after the no-answer time, and a team
# that opens gets its waiting conversations.
ROUTING_INTERVAL_SECONDS = 15.0


async def run_once(services: Services) -> int:
    """Forget events past retention; returns how many were removed. Also marks chats
    left with the bot as abandoned."""
    from supportdesk.bot.conversation import do_mark_abandoned

    async with services.db.transaction() as session:
        await do_mark_abandoned(session)
        return await prune_events(session, services.settings.event_retention_days)


async def route_once(services: Services) -> list[int]:
    """One routing sweep; returns the conversations it assigned."""
    from supportdesk.routing.reroute import do_sweep

    async with services.db.transaction() as session:
        session.info["presence_timeout"] = services.settings.presence_timeout_seconds
        return await do_sweep(session)


async def run_forever(services: Services, interval: float = INTERVAL_SECONDS) -> None:
    from supportdesk.routing.queue import configure

    configure(presence_timeout_seconds=services.settings.presence_timeout_seconds)
    sweeper = asyncio.create_task(route_forever(services), name="routing-sweep")
    try:
        while True:
            try:
                removed = await run_once(services)
                if removed:
                    log.info("pruned %d events past retention", removed)
            except Exception:  # housekeeping must never take the server down
                log.exception("maintenance failed; retrying in %.0f s", interval)
            await asyncio.sleep(interval)
    finally:
        sweeper.cancel()


async def route_forever(services: Services, interval: float = ROUTING_INTERVAL_SECONDS) -> None:
    while True:
        await asyncio.sleep(interval)
        try:
            await route_once(services)
        except Exception:  # a failed sweep is retried by the next one
            log.exception("routing sweep failed; retrying in %.0f s", interval)
