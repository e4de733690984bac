"""Request and response models of teams' hours, holidays and coverage."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from supportdesk.schemas_common import RequestModel

Day = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
HHMM = Annotated[str, StringConstraints(pattern=r"^\d\d:\d\d$")]


class HoursInterval(RequestModel):
    day: Day
    start: HHMM = Field(examples=["09:00"])
    end: HHMM = Field(
        examples=["18:00"],
        description="24:00 is the end of the day; an end not after the start is the next day",
    )


class WeeklyHoursUpdate(RequestModel):
    intervals: list[HoursInterval] | None = Field(
        max_length=100, description="The whole new week; null goes back to the default week"
    )


class WeeklyHoursPublic(BaseModel):
    team_id: int
    timezone: str
    is_default: bool
    intervals: list[HoursInterval]


class HolidayCreate(RequestModel):
    date: date
    name: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] = ""


class HolidayPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    team_id: int
    date: date
    name: str


class HolidayImport(BaseModel):
    added: list[HolidayPublic]
    already_present: list[date] = Field(description="Dates the team already had; kept as they were")
    skipped: list[str] = Field(description="Events left out, each with its reason")


class OpenSpan(BaseModel):
    start: datetime
    end: datetime


class TeamCoverage(BaseModel):
    team_id: int
    name: str
    timezone: str
    open_now: bool
    next_opening: datetime | None
    intervals: list[OpenSpan]


class Coverage(BaseModel):
    start: datetime
    end: datetime
    teams: list[TeamCoverage]


class RoutingSettingsPublic(BaseModel):
    overflow: Literal["english", "wait"] = Field(
        description="When the preferred team is closed and no open team speaks the "
        "conversation's language: an open English-speaking team takes it, or it waits"
    )
    no_answer_seconds: int = Field(
        description="An assigned agent who has not answered after this long loses the "
        "conversation back to the queue; 0 is off"
    )


class RoutingSettingsUpdate(RequestModel):
    overflow: Literal["english", "wait"]
    no_answer_seconds: int = Field(ge=0, le=86_400)


class QueuePublic(BaseModel):
    """Where a waiting conversation stands; every field null when it is not waiting."""

    conversation_id: int
    queue_position: int | None = Field(description="1 is next")
    expected_wait_seconds: int | None = Field(
        description="From the team's recent handling times; null when unknown or closed"
    )
    next_opening: datetime | None = Field(description="When the team opens, if closed now")
