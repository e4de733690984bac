"""Reads of teams' schedules, shared by the API, the widget's status and (later) routing."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from supportdesk.accounts.models import Team
from supportdesk.routing.hours import (
    DEFAULT_WEEK,
    Interval,
    Schedule,
    next_opening,
    parse_interval,
)
from supportdesk.routing.models import TeamHoliday


def weekly_intervals(team: Team) -> tuple[Interval, ...]:
    if team.weekly_hours is None:
        return DEFAULT_WEEK
    return tuple(parse_interval(i["day"], i["start"], i["end"]) for i in team.weekly_hours)


def team_schedule(team: Team, holidays: Sequence[TeamHoliday] = ()) -> Schedule:
    return Schedule(
        team.timezone or "UTC",
        weekly_intervals(team),
        frozenset(h.date for h in holidays),
    )


async def team_holidays(session: AsyncSession, team_ids: list[int]) -> dict[int, list[TeamHoliday]]:
    found: dict[int, list[TeamHoliday]] = {team_id: [] for team_id in team_ids}
    rows = await session.scalars(
        select(TeamHoliday).where(TeamHoliday.team_id.in_(team_ids)).order_by(TeamHoliday.date)
    )
    for holiday in rows:
        found[holiday.team_id].append(holiday)
    return found


async def all_schedules(session: AsyncSession) -> list[tuple[Team, Schedule]]:
    """Every team with its schedule, in id order; two queries whatever the number of teams."""
    teams = list(await session.scalars(select(Team).order_by(Team.id)))
    holidays = await team_holidays(session, [t.id for t in teams])
    return [(team, team_schedule(team, holidays[team.id])) for team in teams]


def earliest_opening(schedules: Sequence[Schedule], now: datetime) -> datetime | None:
    """The first instant from ``now`` when some team is open (``now`` if one is open)."""
    openings = [t for t in (next_opening(s, now) for s in schedules) if t is not None]
    return min(openings, default=None)
