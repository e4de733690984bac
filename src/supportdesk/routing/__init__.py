"""Routing: teams' hours and holidays now; choosing a team and an agent next (issue 5)."""

from supportdesk.routing.hours import (
    Interval,
    Schedule,
    ScheduleError,
    Span,
    business_seconds,
    is_open,
    next_opening,
    open_intervals,
)

__all__ = [
    "Interval",
    "Schedule",
    "ScheduleError",
    "Span",
    "business_seconds",
    "is_open",
    "next_opening",
    "open_intervals",
]
