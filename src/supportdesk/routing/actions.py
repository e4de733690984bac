"""Every write to teams' hours and holidays, and the events they emit."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from supportdesk.accounts.models import Team
from supportdesk.errors import Conflict, InvalidInput, NotFound
from supportdesk.realtime.events import STAFF_STREAM, emit
from supportdesk.routing.holidays import FIRST_YEAR, LAST_YEAR
from supportdesk.routing.hours import DAYS, ScheduleError, check_weekly, format_hhmm, parse_interval
from supportdesk.routing.models import TeamHoliday


def check_weekly_hours(raw: Sequence[tuple[str, str, str]]) -> list[dict[str, str]]:
    """The week as stored: validated, sorted, each time written HH:MM."""
    try:
        intervals = check_weekly(parse_interval(day, start, end) for day, start, end in raw)
    except ScheduleError as exc:
        raise InvalidInput(str(exc), code=exc.code) from None
    return [
        {"day": DAYS[i.weekday], "start": format_hhmm(i.start), "end": format_hhmm(i.end)}
        for i in intervals
    ]


def check_holiday_date(day: date) -> None:
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise InvalidInput(
            f"holiday {day.isoformat()} is outside the years {FIRST_YEAR}–{LAST_YEAR}",
            code="bad_holiday",
        )


async def do_set_weekly_hours(
    session: AsyncSession, team: Team, raw: Sequence[tuple[str, str, str]] | None
) -> None:
    """Replaces the team's week; ``None`` returns to the default (Mon–Fri 09:00–18:00)."""
    team.weekly_hours = None if raw is None else check_weekly_hours(raw)
    await session.flush()
    await _notify(session, team, "hours")


async def do_add_holiday(session: AsyncSession, team: Team, day: date, name: str) -> TeamHoliday:
    check_holiday_date(day)
    if await _holiday_dates(session, team, [day]):
        raise Conflict(
            f"team {team.name!r} already has a holiday on {day.isoformat()}", code="holiday_exists"
        )
    holiday = TeamHoliday(team_id=team.id, date=day, name=name.strip()[:200])
    session.add(holiday)
    await session.flush()
    await _notify(session, team, "holidays")
    return holiday


async def do_delete_holiday(session: AsyncSession, team: Team, holiday_id: int) -> None:
    holiday = await session.get(TeamHoliday, holiday_id)
    if holiday is None or holiday.team_id != team.id:
        raise NotFound(f"holiday {holiday_id} not found")
    await session.delete(holiday)
    await session.flush()
    await _notify(session, team, "holidays")


@dataclass(frozen=True, slots=True)
class ImportedHolidays:
    added: list[TeamHoliday]
    already_present: list[date]


async def do_import_holidays(
    session: AsyncSession, team: Team, days: dict[date, str]
) -> ImportedHolidays:
    """Adds the dates the team does not have yet; every date is checked before any write."""
    for day in days:
        check_holiday_date(day)
    present = await _holiday_dates(session, team, list(days))
    added = [
        TeamHoliday(team_id=team.id, date=day, name=name)
        for day, name in days.items()
        if day not in present
    ]
    session.add_all(added)
    await session.flush()
    if added:
        await _notify(session, team, "holidays")
    return ImportedHolidays(added, sorted(present))


async def _holiday_dates(session: AsyncSession, team: Team, days: list[date]) -> set[date]:
    found: set[date] = set()
    # In chunks: a calendar can hold more dates than a database accepts as parameters.
    for i in range(0, len(days), 500):
        found |= set(
            await session.scalars(
                select(TeamHoliday.date).where(
                    TeamHoliday.team_id == team.id, TeamHoliday.date.in_(days[i : i + 500])
                )
            )
        )
    return found


async def _notify(session: AsyncSession, team: Team, changed: str) -> None:
    await emit(session, STAFF_STREAM, "team.updated", {"team_id": team.id, "changed": changed})
