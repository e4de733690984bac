"""The schedule rules: overnight shifts, holidays, DST in Madrid, New York and Shanghai."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from supportdesk.routing.hours import (
    Schedule,
    ScheduleError,
    Span,
    business_seconds,
    is_open,
    next_opening,
    open_intervals,
    parse_interval,
)

MADRID = ZoneInfo("Europe/Madrid")
NEW_YORK = ZoneInfo("America/New_York")
SHANGHAI = ZoneInfo("Asia/Shanghai")


def week(*items: tuple[str, str, str]) -> tuple:
    return tuple(parse_interval(*item) for item in items)


def local(zone: ZoneInfo, text: str, fold: int = 0) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=zone, fold=fold)


def spans_local(schedule: Schedule, start: datetime, end: datetime) -> list[tuple[str, str]]:
    """Open spans shown as the team's wall-clock times, with their UTC offsets."""
    return [
        (
            s.start.astimezone(schedule.zone).isoformat(timespec="minutes"),
            s.end.astimezone(schedule.zone).isoformat(timespec="minutes"),
        )
        for s in open_intervals(schedule, start, end)
    ]


# --- the default week and the basics -----------------------------------------------------


def test_a_team_without_hours_is_open_monday_to_friday_nine_to_six():
    schedule = Schedule("Asia/Shanghai")
    monday = local(SHANGHAI, "2026-11-23T00:00")
    found = spans_local(schedule, monday, monday + timedelta(days=7))
    assert found == [
        (f"2026-11-{d}T09:00+08:00", f"2026-11-{d}T18:00+08:00") for d in range(23, 28)
    ]


def test_open_at_start_closed_at_end_of_interval():
    schedule = Schedule("Asia/Shanghai")
    assert is_open(schedule, local(SHANGHAI, "2026-11-23T09:00"))
    assert is_open(schedule, local(SHANGHAI, "2026-11-23T17:59:59"))
    assert not is_open(schedule, local(SHANGHAI, "2026-11-23T18:00"))
    assert not is_open(schedule, local(SHANGHAI, "2026-11-23T08:59:59"))
    assert not is_open(schedule, local(SHANGHAI, "2026-11-28T12:00"))  # Saturday


def test_several_intervals_a_day_and_touching_ones_are_one_opening():
    schedule = Schedule(
        "Europe/Madrid",
        week(
            ("mon", "09:00", "13:00"),
            ("mon", "15:00", "18:00"),
            ("tue", "09:00", "12:00"),
            ("tue", "12:00", "14:00"),
        ),
    )
    monday = local(MADRID, "2026-11-23T00:00")
    assert spans_local(schedule, monday, monday + timedelta(days=2)) == [
        ("2026-11-23T09:00+01:00", "2026-11-23T13:00+01:00"),
        ("2026-11-23T15:00+01:00", "2026-11-23T18:00+01:00"),
        ("2026-11-24T09:00+01:00", "2026-11-24T14:00+01:00"),
    ]


def test_next_opening_on_friday_evening_is_monday_morning_in_the_team_zone():
    schedule = Schedule("America/New_York")
    friday_evening = local(NEW_YORK, "2026-11-27T18:30")
    assert next_opening(schedule, friday_evening) == local(NEW_YORK, "2026-11-30T09:00")
    # Already open: the answer is the instant asked about.
    tuesday_noon = local(NEW_YORK, "2026-12-01T12:00")
    assert next_opening(schedule, tuesday_noon) == tuesday_noon


def test_a_team_with_no_hours_never_opens():
    schedule = Schedule("UTC", ())
    assert next_opening(schedule, datetime(2026, 1, 1, tzinfo=UTC)) is None
    assert (
        business_seconds(
            schedule, datetime(2026, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC)
        )
        == 0
    )


# --- overnight -----------------------------------------------------------------------


def test_friday_night_shift_belongs_to_friday_and_ends_saturday_morning():
    schedule = Schedule("Asia/Shanghai", week(("fri", "22:00", "06:00")))
    friday = local(SHANGHAI, "2026-11-27T00:00")
    assert spans_local(schedule, friday, friday + timedelta(days=3)) == [
        ("2026-11-27T22:00+08:00", "2026-11-28T06:00+08:00")
    ]
    assert is_open(schedule, local(SHANGHAI, "2026-11-28T05:59"))
    assert not is_open(schedule, local(SHANGHAI, "2026-11-28T06:00"))
    assert not is_open(schedule, local(SHANGHAI, "2026-11-27T05:00"))  # Thursday's night: none


def test_sunday_night_shift_runs_into_monday():
    schedule = Schedule("UTC", week(("sun", "20:00", "04:00")))
    assert is_open(schedule, datetime(2026, 11, 30, 3, 0, tzinfo=UTC))  # a Monday
    assert next_opening(schedule, datetime(2026, 11, 30, 4, 0, tzinfo=UTC)) == datetime(
        2026, 12, 6, 20, 0, tzinfo=UTC
    )


def test_end_at_midnight_is_the_end_of_the_day():
    for end in ("24:00", "00:00"):
        schedule = Schedule("UTC", week(("mon", "18:00", end)))
        monday = datetime(2026, 11, 23, tzinfo=UTC)
        assert business_seconds(schedule, monday, monday + timedelta(days=7)) == 6 * 3600


def test_whole_day():
    schedule = Schedule("UTC", week(("sat", "00:00", "24:00"), ("sun", "00:00", "24:00")))
    saturday = datetime(2026, 11, 28, tzinfo=UTC)
    assert open_intervals(schedule, saturday, saturday + timedelta(days=7)) == [
        Span(saturday, saturday + timedelta(days=2))
    ]


# --- holidays ----------------------------------------------------------------------------


def test_holiday_closes_the_whole_local_day():
    schedule = Schedule("Europe/Madrid", holidays=frozenset({date(2026, 12, 8)}))
    tuesday = local(MADRID, "2026-12-08T00:00")
    assert not is_open(schedule, local(MADRID, "2026-12-08T10:00"))
    assert next_opening(schedule, tuesday) == local(MADRID, "2026-12-09T09:00")


def test_holiday_cuts_the_overnight_shift_of_the_day_before_at_midnight():
    schedule = Schedule(
        "Asia/Shanghai", week(("thu", "22:00", "06:00")), frozenset({date(2026, 11, 27)})
    )
    thursday = local(SHANGHAI, "2026-11-26T00:00")
    assert spans_local(schedule, thursday, thursday + timedelta(days=2)) == [
        ("2026-11-26T22:00+08:00", "2026-11-27T00:00+08:00")
    ]


def test_a_holiday_is_a_date_in_the_team_zone_not_in_utc():
    # 2026-12-25 00:30 in Shanghai is still 24 December in UTC.
    schedule = Schedule(
        "Asia/Shanghai", week(("fri", "00:00", "24:00")), frozenset({date(2026, 12, 25)})
    )
    assert not is_open(schedule, local(SHANGHAI, "2026-12-25T00:30"))
    assert is_open(schedule, local(SHANGHAI, "2027-01-01T00:30"))


def test_next_opening_skips_a_long_closure():
    # Closed 1 December to 29 January; 30 January 2027 is a Saturday.
    closed = frozenset(date(2026, 12, 1) + timedelta(days=n) for n in range(60))
    schedule = Schedule("UTC", holidays=closed)
    after = datetime(2026, 12, 1, tzinfo=UTC)
    assert next_opening(schedule, after) == datetime(2027, 2, 1, 9, tzinfo=UTC)


# --- daylight saving time ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "day"),
    [
        (MADRID, "2026-03-29"),  # spring forward, Sunday
        (MADRID, "2026-10-25"),  # fall back, Sunday
        (NEW_YORK, "2026-03-08"),
        (NEW_YORK, "2026-11-01"),
        (SHANGHAI, "2026-03-29"),
    ],
)
def test_a_nine_to_six_day_is_nine_hours_on_a_transition_day(zone, day):
    weekday = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")[date.fromisoformat(day).weekday()]
    schedule = Schedule(zone.key, week((weekday, "09:00", "18:00")))
    start = local(zone, f"{day}T00:00")
    assert business_seconds(schedule, start, start + timedelta(days=2)) == 9 * 3600
    assert open_intervals(schedule, start, start + timedelta(days=2))[0].start == local(
        zone, f"{day}T09:00"
    )


def test_overnight_shift_over_spring_forward_is_an_hour_shorter():
    schedule = Schedule("Europe/Madrid", week(("sat", "22:00", "06:00")))
    saturday = local(MADRID, "2026-03-28T00:00")
    assert spans_local(schedule, saturday, saturday + timedelta(days=2)) == [
        ("2026-03-28T22:00+01:00", "2026-03-29T06:00+02:00")
    ]
    assert business_seconds(schedule, saturday, saturday + timedelta(days=2)) == 7 * 3600


def test_overnight_shift_over_fall_back_is_an_hour_longer():
    schedule = Schedule("America/New_York", week(("sat", "22:00", "06:00")))
    saturday = local(NEW_YORK, "2026-10-31T00:00")
    assert business_seconds(schedule, saturday, saturday + timedelta(days=2)) == 9 * 3600


def test_a_time_in_the_spring_forward_gap_moves_forward_by_the_gap():
    # 02:30 does not exist in Madrid on 2026-03-29: the shift opens at 03:30 CEST.
    schedule = Schedule("Europe/Madrid", week(("sun", "02:30", "05:00")))
    sunday = local(MADRID, "2026-03-29T00:00")
    assert spans_local(schedule, sunday, sunday + timedelta(days=1)) == [
        ("2026-03-29T03:30+02:00", "2026-03-29T05:00+02:00")
    ]


def test_a_shift_inside_the_gap_has_no_length_that_day():
    schedule = Schedule("America/New_York", week(("sun", "02:10", "02:50")))
    sunday = local(NEW_YORK, "2026-03-08T00:00")
    assert open_intervals(schedule, sunday, sunday + timedelta(days=1)) == [
        Span(
            local(NEW_YORK, "2026-03-08T03:10").astimezone(UTC),
            local(NEW_YORK, "2026-03-08T03:50").astimezone(UTC),
        )
    ]
    # Ending in the gap before its start moves past it: the span is empty and dropped.
    narrow = Schedule("America/New_York", week(("sun", "02:30", "03:10")))
    assert open_intervals(narrow, sunday, sunday + timedelta(days=1)) == []


def test_an_ambiguous_time_in_the_fall_back_hour_is_its_first_occurrence():
    # 01:30 happens twice in New York on 2026-11-01: EDT (-04:00) first, then EST.
    schedule = Schedule("America/New_York", week(("sun", "01:30", "04:00")))
    sunday = local(NEW_YORK, "2026-11-01T00:00")
    assert spans_local(schedule, sunday, sunday + timedelta(days=1)) == [
        ("2026-11-01T01:30-04:00", "2026-11-01T04:00-05:00")
    ]
    assert business_seconds(schedule, sunday, sunday + timedelta(days=1)) == 3.5 * 3600


def test_shanghai_has_the_same_utc_hours_all_year():
    schedule = Schedule("Asia/Shanghai")
    for monday in (datetime(2026, 1, 5, tzinfo=UTC), datetime(2026, 7, 6, tzinfo=UTC)):
        assert open_intervals(schedule, monday, monday + timedelta(days=1)) == [
            Span(monday + timedelta(hours=1), monday + timedelta(hours=10))
        ]


# --- validation ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("items", "code", "message"),
    [
        ([("mon", "09:00", "12:00"), ("mon", "11:00", "14:00")], "overlapping_hours", "overlaps"),
        ([("fri", "22:00", "06:00"), ("sat", "05:00", "09:00")], "overlapping_hours", "overlaps"),
        ([("sun", "22:00", "06:00"), ("mon", "05:00", "09:00")], "overlapping_hours", "overlaps"),
        ([("mon", "09:00", "18:00"), ("mon", "09:00", "18:00")], "overlapping_hours", "overlaps"),
    ],
)
def test_overlapping_intervals_are_refused_not_merged(items, code, message):
    with pytest.raises(ScheduleError, match=message) as caught:
        Schedule("UTC", week(*items))
    assert caught.value.code == code


@pytest.mark.parametrize(
    ("day", "start", "end", "message"),
    [
        ("monday", "09:00", "18:00", "unknown day"),
        ("mon", "9:00", "18:00", "not a start time"),
        ("mon", "24:00", "18:00", "not a start time"),
        ("mon", "09:00", "24:01", "not an end time"),
        ("mon", "09:60", "18:00", "not a start time"),
        ("mon", "09:00", "09:00", "has no length"),
    ],
)
def test_bad_interval_is_refused_with_a_clear_message(day, start, end, message):
    with pytest.raises(ScheduleError, match=message):
        parse_interval(day, start, end)


def test_end_before_start_is_an_overnight_interval():
    item = parse_interval("fri", "22:00", "06:00")
    assert item.overnight and item.minutes == 8 * 60


def test_unknown_time_zone_is_refused():
    with pytest.raises(ScheduleError, match="unknown time zone 'Europe/Atlantis'") as caught:
        Schedule("Europe/Atlantis")
    assert caught.value.code == "unknown_timezone"


def test_naive_instants_are_refused():
    with pytest.raises(ScheduleError, match="timezone-aware"):
        is_open(Schedule("UTC"), datetime(2026, 1, 1))  # noqa: DTZ001
