"""Holidays read from iCalendar files: all-day and multi-day events, bad files refused."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from supportdesk.routing.holidays import IcsError, parse_ics
from tests.routing.calendars import SPAIN_2026, event, ics


def test_all_day_and_multi_day_events_become_dates_with_their_names():
    parsed = parse_ics(SPAIN_2026)
    assert parsed.days == {
        date(2026, 12, 8): "Inmaculada Concepción",
        date(2026, 12, 24): "Navidad",
        date(2026, 12, 25): "Navidad",
        date(2026, 12, 26): "Navidad",  # DTEND 27th is exclusive (RFC 5545 §3.6.1)
        date(2026, 12, 31): "Año Nuevo",
        date(2027, 1, 1): "Año Nuevo",
    }


def test_timed_and_recurring_events_are_skipped_with_a_reason():
    parsed = parse_ics(SPAIN_2026)
    assert parsed.skipped == [
        "event 4 (Team party): not an all-day event",
        "event 5 (New year): recurring events are not expanded; export each occurrence",
    ]


def test_cancelled_event_is_skipped():
    parsed = parse_ics(ics(event("1", "DTSTART;VALUE=DATE:20261208\nSTATUS:CANCELLED")))
    assert parsed.days == {}
    assert parsed.skipped == ["event 1: cancelled"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "not an iCalendar file|not a valid iCalendar file"),
        (b"hello world", "not a valid iCalendar file"),
        (b"\xff\xfe\x00garbage", "not a valid iCalendar file"),
        (b"BEGIN:VCARD\r\nFN:Bob\r\nEND:VCARD\r\n", "must start with BEGIN:VCALENDAR"),
        (ics(), "no events"),
        (ics(event("1", "SUMMARY:No start")), "event 1 \\(No start\\): missing or unreadable"),
        (ics(event("1", "DTSTART;VALUE=DATE:2026-13-45")), "missing or unreadable DTSTART"),
        (
            ics(event("1", "DTSTART;VALUE=DATE:20261210\nDTEND;VALUE=DATE:20261201")),
            "ends before it starts",
        ),
        (
            ics(event("1", "DTSTART;VALUE=DATE:20260101\nDTEND;VALUE=DATE:20300101")),
            "lasts more than 366 days",
        ),
        (ics(event("1", "DTSTART;VALUE=DATE:99991231")), "outside the years 1970–2200"),
        (b"x" * (1024 * 1024 + 1), "larger than 1024 KiB"),
    ],
)
def test_bad_files_are_refused_with_a_clear_error(data, message):
    with pytest.raises(IcsError, match=message):
        parse_ics(data)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "DTSTART;VALUE=DATE:20261208",
                "DTSTART:20261208T100000",
                "DTSTART;TZID=Europe/Madrid:20261208T100000",
                "DTSTART;VALUE=DATE:99999999",
                "DTEND;VALUE=DATE:20261201",
                "DTEND:20261210T000000Z",
                "DURATION:P3D",
                "DURATION:nonsense",
                "RRULE:FREQ=YEARLY",
                "SUMMARY:x",
                "STATUS:CANCELLED",
                "BEGIN:VALARM",
                "END:VALARM",
                ";;;",
            ]
        ),
        max_size=6,
    ),
    st.binary(max_size=40),
)
def test_any_file_is_either_read_or_refused_with_an_ics_error(lines, noise):
    data = ics(event("1", "\n".join(lines))) + noise
    try:
        parsed = parse_ics(data)
    except IcsError as exc:
        assert str(exc)
    else:
        assert all(isinstance(day, date) for day in parsed.days)
