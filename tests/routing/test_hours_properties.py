"""Rules of the schedule that must hold for every week, zone, holiday set and instant."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from itertools import pairwise

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from supportdesk.routing.hours import (
    DAYS,
    Schedule,
    ScheduleError,
    business_seconds,
    format_hhmm,
    is_open,
    next_opening,
    open_intervals,
    parse_interval,
)

# Zones with one-hour DST both ways, none, a 30-minute DST (Lord Howe) and a +05:45 offset.
ZONES = [
    "Europe/Madrid",
    "America/New_York",
    "Asia/Shanghai",
    "UTC",
    "Australia/Lord_Howe",
    "Asia/Kathmandu",
]
# Quarter hours, so shifts start and end inside the DST gaps and overlaps often enough.
times = st.integers(0, 95).map(lambda q: format_hhmm(q * 15))
ends = st.integers(1, 96).map(lambda q: format_hhmm(q * 15))
intervals = st.tuples(st.sampled_from(DAYS), times, ends).filter(lambda i: i[1] != i[2])


@st.composite
def schedules(draw: st.DrawFn) -> Schedule:
    raw = draw(st.lists(intervals, max_size=6))
    holidays = draw(st.frozensets(st.dates(date(2026, 1, 1), date(2027, 1, 31)), max_size=10))
    try:
        return Schedule(
            draw(st.sampled_from(ZONES)),
            tuple(parse_interval(*item) for item in raw),
            holidays,
        )
    except ScheduleError:
        assume(False)
        raise


instants = st.datetimes(
    min_value=datetime(2026, 1, 1),  # noqa: DTZ001 (hypothesis wants naive bounds)
    max_value=datetime(2027, 1, 1),  # noqa: DTZ001
    timezones=st.just(UTC),
).map(lambda t: t.replace(second=0, microsecond=0))
durations = st.integers(0, 10 * 24 * 60).map(lambda m: timedelta(minutes=m))

SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.filter_too_much]
)


@SETTINGS
@given(schedules(), instants)
def test_next_opening_is_open_and_nothing_before_it_is(schedule, t):
    found = next_opening(schedule, t)
    if found is None:
        assert open_intervals(schedule, t, t + timedelta(days=500)) == []
        return
    assert found >= t
    assert is_open(schedule, found)
    assert open_intervals(schedule, t, found) == []


@SETTINGS
@given(schedules(), instants, durations, durations)
def test_business_time_adds_up_over_a_split_point(schedule, a, first, second):
    b, c = a + first, a + first + second
    whole = business_seconds(schedule, a, c)
    assert whole == business_seconds(schedule, a, b) + business_seconds(schedule, b, c)
    assert 0 <= whole <= (c - a).total_seconds()


@SETTINGS
@given(schedules(), instants, durations, st.lists(st.integers(0, 10**6), min_size=1))
def test_is_open_agrees_with_the_interval_list(schedule, a, length, probes):
    b = a + length + timedelta(minutes=1)
    spans = open_intervals(schedule, a, b)
    for probe in probes:
        x = a + (b - a) * (probe / 10**6)
        if x >= b:
            continue
        inside = any(s.start <= x < s.end for s in spans)
        assert inside == is_open(schedule, x), x
    # The edges too: an interval's start is open, its end is closed (they never touch).
    for span in spans:
        assert is_open(schedule, span.start)
        if span.end < b:
            assert not is_open(schedule, span.end)


@SETTINGS
@given(schedules(), instants, durations)
def test_open_intervals_are_ordered_disjoint_and_inside_the_window(schedule, a, length):
    b = a + length
    spans = open_intervals(schedule, a, b)
    for span in spans:
        assert a <= span.start < span.end <= b
        assert span.start.tzinfo is UTC
    for before, after in pairwise(spans):
        assert before.end < after.start


@SETTINGS
@given(schedules(), st.dates(date(2026, 1, 1), date(2027, 1, 31)))
def test_no_minute_of_a_holiday_is_open(schedule, day):
    holiday = Schedule(schedule.timezone, schedule.weekly, schedule.holidays | {day})
    start = datetime.combine(day, datetime.min.time(), tzinfo=holiday.zone).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=holiday.zone)
    assert open_intervals(holiday, start, end.astimezone(UTC)) == []
