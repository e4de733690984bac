"""The routing decision's cached openness answers exactly what hours.is_open answers."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from supportdesk.routing.hours import Schedule, is_open, parse_interval
from supportdesk.routing.queue import open_at

WEEKS = [
    ("Europe/Madrid", [("mon", "09:00", "18:00"), ("fri", "22:00", "06:00")]),
    ("America/New_York", [("sun", "22:00", "02:00"), ("wed", "01:30", "03:10")]),
    ("Asia/Kathmandu", [("tue", "00:00", "24:00"), ("thu", "09:15", "09:45")]),
    ("Australia/Lord_Howe", [("sat", "01:00", "03:00"), ("sun", "01:45", "02:15")]),
]


@pytest.mark.parametrize(("zone", "week"), WEEKS)
def test_open_at_agrees_with_is_open_every_seven_minutes_across_dst(zone, week):
    schedule = Schedule(
        zone,
        tuple(parse_interval(*i) for i in week),
        frozenset({date(2026, 3, 13), date(2026, 11, 2)}),
    )
    for start in (datetime(2026, 3, 6, tzinfo=UTC), datetime(2026, 10, 28, tzinfo=UTC)):
        for step in range(0, 16 * 24 * 60, 7):
            at = start + timedelta(minutes=step)
            assert open_at(schedule, at) == is_open(schedule, at), at
