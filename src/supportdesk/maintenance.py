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


async def run_once(services: Services) -> int:
    """Forget events past retention; returns how many were removed. Also marks chats
    left with the bot as abandoned."""
    from supportdesk.bot.conversation import do_mark_abandoned

    async with services.db.transaction() as session:
        await do_mark_abandoned(session)
        return await prune_events(session, services.settings.event_retention_days)


async def run_forever(services: Services, interval: float = INTERVAL_SECONDS) -> None:
    while True:
        try:
            removed = await run_once(services)
            if removed:
                log.info("pruned %d events past retention", removed)
        except Exception:  # housekeeping must never take the server down
            log.exception("maintenance failed; retrying in %.0f s", interval)
        await asyncio.sleep(interval)
