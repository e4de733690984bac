"""Routing: teams' hours and holidays; who gets a conversation and the queue (docs/routing.md)."""

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
