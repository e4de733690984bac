"""The admin's routing rules: read with defaults, written with an event."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from supportdesk.db.base import utcnow
from supportdesk.errors import InvalidInput
from supportdesk.realtime.events import STAFF_STREAM, emit
from supportdesk.routing.assign import OVERFLOW_ENGLISH, OVERFLOW_RULES
from supportdesk.routing.models import RoutingSettings

DEFAULT_NO_ANSWER_SECONDS = 300
MAX_NO_ANSWER_SECONDS = 86_400


@dataclass(frozen=True, slots=True)
class Rules:
    overflow: str = OVERFLOW_ENGLISH
    no_answer_seconds: int = DEFAULT_NO_ANSWER_SECONDS


async def routing_rules(session: AsyncSession) -> Rules:
    row = await session.scalar(select(RoutingSettings).where(RoutingSettings.id == 1))
    if row is None:
        return Rules()
    return Rules(overflow=row.overflow, no_answer_seconds=row.no_answer_seconds)


def check_rules(overflow: str, no_answer_seconds: int) -> Rules:
    if overflow not in OVERFLOW_RULES:
        raise InvalidInput(
            f"overflow must be one of {', '.join(OVERFLOW_RULES)}", code="bad_overflow"
        )
    if not 0 <= no_answer_seconds <= MAX_NO_ANSWER_SECONDS:
        raise InvalidInput(
            f"no_answer_seconds must be from 0 (off) to {MAX_NO_ANSWER_SECONDS}",
            code="bad_no_answer_seconds",
        )
    return Rules(overflow=overflow, no_answer_seconds=no_answer_seconds)


async def do_set_routing_rules(session: AsyncSession, rules: Rules, *, agent_id: int) -> Rules:
    row = await session.get(RoutingSettings, 1, with_for_update=True)
    if row is None:
        row = RoutingSettings(id=1)
        session.add(row)
    row.overflow = rules.overflow
    row.no_answer_seconds = rules.no_answer_seconds
    row.updated_at = utcnow()
    row.updated_by = agent_id
    await session.flush()
    await emit(
        session,
        STAFF_STREAM,
        "routing.settings_updated",
        {"overflow": rules.overflow, "no_answer_seconds": rules.no_answer_seconds},
    )
    return rules
