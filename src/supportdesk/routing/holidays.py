"""Holidays from an iCalendar file (RFC 5545): a pure function from bytes to dates.

Only all-day events close a day: DTSTART with VALUE=DATE, ending at DTEND (exclusive,
RFC 5545 §3.6.1) or after DURATION, or lasting one day when neither is given. A timed
event, a recurring one (RRULE, not expanded) or a cancelled one is skipped and reported.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from icalendar import Calendar

MAX_FILE_BYTES = 1024 * 1024
MAX_EVENT_DAYS = 366
MAX_HOLIDAYS = 2000
# Far enough for any real calendar, and inside what datetime can place in every zone.
FIRST_YEAR, LAST_YEAR = 1970, 2200


class IcsError(ValueError):
    """The file is not a usable calendar; nothing from it is imported."""


@dataclass(frozen=True, slots=True)
class ParsedHolidays:
    days: dict[date, str] = field(default_factory=dict)  # date -> name, in date order
    skipped: list[str] = field(default_factory=list)  # one reason per event left out


def parse_ics(data: bytes) -> ParsedHolidays:
    if len(data) > MAX_FILE_BYTES:
        raise IcsError(f"the calendar file is larger than {MAX_FILE_BYTES // 1024} KiB")
    calendar = _read_calendar(data)
    days: dict[date, str] = {}
    skipped: list[str] = []
    events = list(calendar.walk("VEVENT"))
    if not events:
        raise IcsError("the calendar has no events (VEVENT)")
    for number, event in enumerate(events, start=1):
        name = str(event.get("SUMMARY", "")).strip()[:200]
        label = f"event {number}" + (f" ({name})" if name else "")
        reason = _skip_reason(event)
        if reason:
            skipped.append(f"{label}: {reason}")
            continue
        for day in _event_days(event, label):
            days.setdefault(day, name)
        if len(days) > MAX_HOLIDAYS:
            raise IcsError(f"the calendar has more than {MAX_HOLIDAYS} holiday dates")
    return ParsedHolidays(dict(sorted(days.items())), skipped)


def _read_calendar(data: bytes) -> Calendar:
    try:
        calendar = Calendar.from_ical(data)
    # A hostile file can fail the parser in many ways; each one means "not a calendar".
    except Exception as exc:
        raise IcsError(f"not a valid iCalendar file: {exc}") from None
    if not isinstance(calendar, Calendar) or calendar.name != "VCALENDAR":
        raise IcsError("not an iCalendar file: it must start with BEGIN:VCALENDAR")
    return calendar


def _skip_reason(event: Any) -> str | None:
    if str(event.get("STATUS", "")).upper() == "CANCELLED":
        return "cancelled"
    if event.get("RRULE") is not None:
        return "recurring events are not expanded; export each occurrence"
    start = _value(event, "DTSTART")
    if isinstance(start, datetime):
        return "not an all-day event"
    return None


def _event_days(event: Any, label: str) -> list[date]:
    start = _value(event, "DTSTART")
    if not isinstance(start, date):
        raise IcsError(f"{label}: missing or unreadable DTSTART")
    if not FIRST_YEAR <= start.year <= LAST_YEAR:
        raise IcsError(f"{label}: starts outside the years {FIRST_YEAR}–{LAST_YEAR}")
    end = _event_end(event, start, label)
    if end <= start:
        raise IcsError(f"{label}: ends before it starts")
    if (end - start).days > MAX_EVENT_DAYS:
        raise IcsError(f"{label}: lasts more than {MAX_EVENT_DAYS} days")
    return [start + timedelta(days=n) for n in range((end - start).days)]


def _event_end(event: Any, start: date, label: str) -> date:
    if event.get("DTEND") is not None:
        end = _value(event, "DTEND")
        if not isinstance(end, date) or isinstance(end, datetime):
            raise IcsError(f"{label}: DTEND must be a date like DTSTART")
        return end
    if event.get("DURATION") is not None:
        duration = _value(event, "DURATION")
        if not isinstance(duration, timedelta):
            raise IcsError(f"{label}: unreadable DURATION")
        return start + timedelta(days=duration.days)
    return start + timedelta(days=1)


def _value(event: Any, name: str) -> object:
    """The property's value, or None when it is missing or could not be read."""
    try:
        return getattr(event.get(name), "dt", None)
    # icalendar keeps an unreadable value and raises its own error when it is used.
    except Exception:
        return None
