"""Opening hours: a weekly schedule in a team's time zone, with holidays; pure functions.

Times in a schedule are wall-clock times in the team's IANA zone; everything that leaves
this module is an aware UTC instant. The rules (docs/routing.md, "Daylight saving time"):

- An interval belongs to the weekday it starts on; when its end is not after its start it
  ends on the next day (Fri 22:00–06:00 closes on Saturday at 06:00). ``24:00`` is the end
  of the day. An interval lasts at most 24 hours of wall-clock time.
- Each end of an interval is placed on the calendar on its own, by the standard library's
  ``fold=0`` rule (PEP 495): a wall time that does not exist (the spring-forward gap) moves
  forward by the gap's length (02:30 on the day Madrid springs forward is 03:30 CEST); a
  wall time that happens twice (the fall-back overlap) is its first occurrence. So a
  09:00–18:00 day is always 9 hours (the transitions are at night), while an overnight
  22:00–06:00 shift is 7 or 9 real hours on the nights the clocks change.
- A holiday closes its whole local calendar day, 00:00 to 24:00 in the team's zone,
  including the part of an overnight shift from the day before that runs into it.
- Intervals of a week may touch (09:00–12:00 and 12:00–18:00 make one opening) but may not
  overlap: an overlap is refused, never merged, because it is usually a typing mistake.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MINUTES_PER_DAY = 24 * 60
MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY
_HHMM = re.compile(r"^([01]\d|2[0-4]):([0-5]\d)$")
# A weekly schedule opens at least once a week, so after the last holiday an opening
# comes within 8 days; this bounds the search so "never" is an exact answer.
_SEARCH_STEP = timedelta(days=14)


class ScheduleError(ValueError):
    """A schedule that cannot be used; the message says what to fix."""

    def __init__(self, message: str, code: str = "bad_hours") -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True, slots=True, order=True)
class Interval:
    """Opening on ``weekday`` (0 = Monday) from ``start`` to ``end``, minutes after 00:00.

    ``end`` in 1..1440; ``end <= start`` means it ends on the next day.
    """

    weekday: int
    start: int
    end: int

    @property
    def overnight(self) -> bool:
        return self.end <= self.start

    @property
    def minutes(self) -> int:
        return (
            self.end - self.start if not self.overnight else self.end + MINUTES_PER_DAY - self.start
        )


DEFAULT_WEEK: tuple[Interval, ...] = tuple(Interval(day, 9 * 60, 18 * 60) for day in range(5))


@dataclass(frozen=True, slots=True)
class Span:
    """A half-open span of time ``[start, end)`` between two aware UTC instants."""

    start: datetime
    end: datetime

    @property
    def seconds(self) -> float:
        return (self.end - self.start).total_seconds()


@dataclass(frozen=True, slots=True)
class Schedule:
    timezone: str
    weekly: tuple[Interval, ...] = DEFAULT_WEEK
    holidays: frozenset[date] = field(default_factory=frozenset)
    zone: ZoneInfo = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "zone", check_timezone(self.timezone))
        object.__setattr__(self, "weekly", check_weekly(self.weekly))


# --- validation and parsing ----------------------------------------------------------------


def check_timezone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ScheduleError(
            f"unknown time zone {name!r} (use an IANA name such as Europe/Madrid)",
            code="unknown_timezone",
        ) from None


def parse_hhmm(value: str, *, is_end: bool) -> int:
    match = _HHMM.match(value)
    minutes = int(match.group(1)) * 60 + int(match.group(2)) if match else -1
    if minutes < 0 or minutes > MINUTES_PER_DAY or (minutes == MINUTES_PER_DAY and not is_end):
        what = "an end time from 00:00 to 24:00" if is_end else "a start time from 00:00 to 23:59"
        raise ScheduleError(f"{value!r} is not {what} written HH:MM")
    return minutes


def format_hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def parse_interval(day: str, start: str, end: str) -> Interval:
    if day not in DAYS:
        raise ScheduleError(f"unknown day {day!r} (use one of {', '.join(DAYS)})")
    start_minute = parse_hhmm(start, is_end=False)
    end_minute = parse_hhmm(end, is_end=True) or MINUTES_PER_DAY
    if end_minute == start_minute:
        raise ScheduleError(f"{day} {start}–{end} has no length; write 00:00–24:00 for a whole day")
    return Interval(DAYS.index(day), start_minute, end_minute)


def check_weekly(intervals: Iterable[Interval]) -> tuple[Interval, ...]:
    """The intervals sorted; refuses bad values and overlaps (touching is allowed)."""
    ordered = tuple(sorted(intervals))
    for item in ordered:
        bad_day = not 0 <= item.weekday < 7
        if bad_day or not 0 <= item.start < MINUTES_PER_DAY or not 0 < item.end <= MINUTES_PER_DAY:
            raise ScheduleError(f"interval out of range: {item}")
    spans = [_week_minutes(item) for item in ordered]
    for i, (a_start, a_end, a) in enumerate(spans):
        for b_start, b_end, b in spans[i + 1 :]:
            # Compare on the weekly circle: Sunday's overnight shift runs into Monday.
            if any(
                a_start < b_end + shift and b_start + shift < a_end
                for shift in (-MINUTES_PER_WEEK, 0, MINUTES_PER_WEEK)
            ):
                raise ScheduleError(
                    f"{describe(a)} overlaps {describe(b)}; make them touch or merge them",
                    code="overlapping_hours",
                )
    return ordered


def _week_minutes(item: Interval) -> tuple[int, int, Interval]:
    start = item.weekday * MINUTES_PER_DAY + item.start
    return start, start + item.minutes, item


def describe(item: Interval) -> str:
    return f"{DAYS[item.weekday]} {format_hhmm(item.start)}–{format_hhmm(item.end)}"


# --- placing the week on the calendar ----------------------------------------------------


def local_instant(day: date, minutes: int, zone: ZoneInfo) -> datetime:
    """The UTC instant of wall time ``minutes`` after 00:00 of ``day`` in ``zone``.

    fold=0 (PEP 495): a time in a gap moves forward by the gap; a repeated time is the first.
    """
    day += timedelta(days=minutes // MINUTES_PER_DAY)
    minutes %= MINUTES_PER_DAY
    local = datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=zone)
    # Round-tripping through UTC normalises a gap time (fold=0 uses the offset before it).
    return local.astimezone(UTC)


def _raw_spans(schedule: Schedule, first: date, last: date) -> Iterator[Span]:
    """The week's intervals that start on local dates first..last, in order, as UTC spans."""
    by_day: dict[int, list[Interval]] = {}
    for item in schedule.weekly:
        by_day.setdefault(item.weekday, []).append(item)
    day = first
    while day <= last:
        for item in by_day.get(day.weekday(), ()):
            start = local_instant(day, item.start, schedule.zone)
            end = local_instant(day, item.start + item.minutes, schedule.zone)
            if end > start:  # a shift wholly inside a spring-forward gap has no length
                yield Span(start, end)
        day += timedelta(days=1)


def _holiday_spans(schedule: Schedule, first: date, last: date) -> list[Span]:
    return [
        Span(
            local_instant(day, 0, schedule.zone), local_instant(day, MINUTES_PER_DAY, schedule.zone)
        )
        for day in sorted(schedule.holidays)
        if first <= day <= last
    ]


def _subtract(spans: Iterable[Span], holes: list[Span]) -> Iterator[Span]:
    for span in spans:
        pieces = [span]
        for hole in holes:
            pieces = [
                part
                for piece in pieces
                for part in (
                    Span(piece.start, min(piece.end, hole.start)),
                    Span(max(piece.start, hole.end), piece.end),
                )
                if part.end > part.start
            ]
        yield from pieces


def _merge(spans: Iterable[Span]) -> list[Span]:
    merged: list[Span] = []
    for span in sorted(spans, key=lambda s: s.start):
        if merged and span.start <= merged[-1].end:
            if span.end > merged[-1].end:
                merged[-1] = Span(merged[-1].start, span.end)
        else:
            merged.append(span)
    return merged


def _check_aware(*instants: datetime) -> None:
    for instant in instants:
        if instant.tzinfo is None or instant.utcoffset() is None:
            raise ScheduleError("instants must be timezone-aware", code="naive_datetime")


# --- the public questions ---------------------------------------------------------------


def open_intervals(schedule: Schedule, start: datetime, end: datetime) -> list[Span]:
    """The open spans within ``[start, end)``, clipped to it, merged, in order, in UTC."""
    _check_aware(start, end)
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    if end <= start:
        return []
    # One local day of margin on each side: a shift that began the day before may still run.
    first = start.astimezone(schedule.zone).date() - timedelta(days=1)
    last = end.astimezone(schedule.zone).date() + timedelta(days=1)
    spans = _subtract(_raw_spans(schedule, first, last), _holiday_spans(schedule, first, last))
    clipped = (Span(max(s.start, start), min(s.end, end)) for s in spans)
    return _merge(s for s in clipped if s.end > s.start)


def is_open(schedule: Schedule, at: datetime) -> bool:
    return bool(open_intervals(schedule, at, at + timedelta(microseconds=1)))


def next_opening(schedule: Schedule, after: datetime) -> datetime | None:
    """The first instant at or after ``after`` when the team is open; None if never again."""
    _check_aware(after)
    if not schedule.weekly:
        return None
    after = after.astimezone(UTC)
    horizon = after + timedelta(days=8)
    if schedule.holidays:
        last_holiday = local_instant(max(schedule.holidays), MINUTES_PER_DAY, schedule.zone)
        horizon = max(horizon, last_holiday + timedelta(days=8))
    window_start = after
    while window_start < horizon:
        found = open_intervals(schedule, window_start, window_start + _SEARCH_STEP)
        if found:
            return found[0].start
        window_start += _SEARCH_STEP
    return None


def business_seconds(schedule: Schedule, start: datetime, end: datetime) -> float:
    """Seconds of opening time within ``[start, end)`` (0 when ``end <= start``)."""
    return sum(span.seconds for span in open_intervals(schedule, start, end))
