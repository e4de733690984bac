"""Teams' hours, holidays, coverage; routing settings and the visitor's queue (docs/routing.md)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Request
from sqlalchemy import select

from supportdesk.accounts.models import Team
from supportdesk.accounts.queries import access_team
from supportdesk.attachments.api import read_upload
from supportdesk.conversations.queries import access_conversation_for_contact
from supportdesk.db.base import utcnow
from supportdesk.deps import AdminDep, ContactDep, ManagerDep, ServicesDep, StaffDep
from supportdesk.errors import InvalidInput
from supportdesk.routing import actions
from supportdesk.routing.holidays import MAX_FILE_BYTES, IcsError, parse_ics
from supportdesk.routing.hours import DAYS, format_hhmm, is_open, next_opening, open_intervals
from supportdesk.routing.models import TeamHoliday
from supportdesk.routing.queries import all_schedules, weekly_intervals
from supportdesk.routing.queue import queue_state
from supportdesk.routing.reroute import do_ask_another_agent
from supportdesk.routing.schemas import (
    Coverage,
    HolidayCreate,
    HolidayImport,
    HolidayPublic,
    HoursInterval,
    OpenSpan,
    QueuePublic,
    RoutingSettingsPublic,
    RoutingSettingsUpdate,
    TeamCoverage,
    WeeklyHoursPublic,
    WeeklyHoursUpdate,
)
from supportdesk.routing.settings import check_rules, do_set_routing_rules, routing_rules
from supportdesk.schemas_common import Id

router = APIRouter(tags=["routing"])


@router.get("/teams/{team_id}/hours", response_model=WeeklyHoursPublic)
async def get_hours(team_id: Id, _staff: StaffDep, services: ServicesDep) -> WeeklyHoursPublic:
    async with services.db.session() as session:
        team = await access_team(session, team_id)
    return _hours_public(team)


@router.put("/teams/{team_id}/hours", response_model=WeeklyHoursPublic)
async def set_hours(
    team_id: Id, body: WeeklyHoursUpdate, _manager: ManagerDep, services: ServicesDep
) -> WeeklyHoursPublic:
    raw = None if body.intervals is None else [(i.day, i.start, i.end) for i in body.intervals]
    async with services.db.transaction() as session:
        team = await access_team(session, team_id)
        await actions.do_set_weekly_hours(session, team, raw)
    return _hours_public(team)


def _hours_public(team: Team) -> WeeklyHoursPublic:
    intervals = [
        HoursInterval(day=DAYS[i.weekday], start=format_hhmm(i.start), end=format_hhmm(i.end))
        for i in weekly_intervals(team)
    ]
    return WeeklyHoursPublic(
        team_id=team.id,
        timezone=team.timezone or "UTC",
        is_default=team.weekly_hours is None,
        intervals=intervals,
    )


@router.get("/teams/{team_id}/holidays", response_model=list[HolidayPublic])
async def list_holidays(team_id: Id, _staff: StaffDep, services: ServicesDep) -> list[TeamHoliday]:
    async with services.db.session() as session:
        await access_team(session, team_id)
        rows = await session.scalars(
            select(TeamHoliday).where(TeamHoliday.team_id == team_id).order_by(TeamHoliday.date)
        )
        return list(rows)


@router.post("/teams/{team_id}/holidays", response_model=HolidayPublic, status_code=201)
async def add_holiday(
    team_id: Id, body: HolidayCreate, _manager: ManagerDep, services: ServicesDep
) -> TeamHoliday:
    async with services.db.transaction() as session:
        team = await access_team(session, team_id)
        return await actions.do_add_holiday(session, team, body.date, body.name)


@router.delete("/teams/{team_id}/holidays/{holiday_id}", status_code=204)
async def delete_holiday(
    team_id: Id, holiday_id: Id, _manager: ManagerDep, services: ServicesDep
) -> None:
    async with services.db.transaction() as session:
        team = await access_team(session, team_id)
        await actions.do_delete_holiday(session, team, holiday_id)


@router.post(
    "/teams/{team_id}/holidays/import",
    response_model=HolidayImport,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "required": ["file"],
                        "properties": {"file": {"type": "string", "format": "binary"}},
                    }
                }
            },
        }
    },
)
async def import_holidays(
    team_id: Id, request: Request, _manager: ManagerDep, services: ServicesDep
) -> HolidayImport:
    """Adds the all-day events of an iCalendar (.ics) file as holidays: all or nothing."""
    data, _filename = await read_upload(request, MAX_FILE_BYTES)
    try:
        parsed = parse_ics(data)
    except IcsError as exc:
        raise InvalidInput(str(exc), code="bad_calendar") from None
    async with services.db.transaction() as session:
        team = await access_team(session, team_id)
        result = await actions.do_import_holidays(session, team, parsed.days)
    return HolidayImport(
        added=[HolidayPublic.model_validate(h) for h in result.added],
        already_present=result.already_present,
        skipped=parsed.skipped,
    )


@router.get("/coverage", response_model=Coverage)
async def coverage(
    _staff: StaffDep,
    services: ServicesDep,
    days: Annotated[int, Query(ge=1, le=31)] = 7,
) -> Coverage:
    """Every team's open intervals from now to ``days`` days ahead: the console's timeline."""
    start = utcnow().replace(microsecond=0)
    end = start + timedelta(days=days)
    async with services.db.session() as session:
        schedules = await all_schedules(session)
    return Coverage(
        start=start,
        end=end,
        teams=[
            TeamCoverage(
                team_id=team.id,
                name=team.name,
                timezone=schedule.timezone,
                open_now=is_open(schedule, start),
                next_opening=next_opening(schedule, start),
                intervals=[
                    OpenSpan(start=s.start, end=s.end) for s in open_intervals(schedule, start, end)
                ],
            )
            for team, schedule in schedules
        ],
    )


# --- routing: the admin's rules, the visitor's queue, "another agent" ---------------------


@router.get("/routing/settings", response_model=RoutingSettingsPublic)
async def get_routing_settings(_admin: AdminDep, services: ServicesDep) -> RoutingSettingsPublic:
    async with services.db.session() as session:
        rules = await routing_rules(session)
    return RoutingSettingsPublic(overflow=rules.overflow, no_answer_seconds=rules.no_answer_seconds)


@router.put("/routing/settings", response_model=RoutingSettingsPublic)
async def set_routing_settings(
    body: RoutingSettingsUpdate, admin: AdminDep, services: ServicesDep
) -> RoutingSettingsPublic:
    rules = check_rules(body.overflow, body.no_answer_seconds)
    async with services.db.transaction() as session:
        await do_set_routing_rules(session, rules, agent_id=admin.agent.id)
    return RoutingSettingsPublic(overflow=body.overflow, no_answer_seconds=body.no_answer_seconds)


@router.get("/widget/conversations/{conversation_id}/queue", response_model=QueuePublic)
async def visitor_queue(
    conversation_id: Id, contact: ContactDep, services: ServicesDep
) -> QueuePublic:
    """The visitor's place in the queue; live changes arrive as ``queue.updated`` events."""
    async with services.db.session() as session:
        conversation = await access_conversation_for_contact(session, contact.id, conversation_id)
        state = await queue_state(session, conversation)
    return QueuePublic.model_validate(state, from_attributes=True)


@router.post("/widget/conversations/{conversation_id}/another-agent", response_model=QueuePublic)
async def visitor_another_agent(
    conversation_id: Id, contact: ContactDep, services: ServicesDep
) -> QueuePublic:
    """The visitor asks for another agent: back to the queue, the current agent excluded."""
    async with services.db.transaction() as session:
        session.info["presence_timeout"] = services.settings.presence_timeout_seconds
        conversation = await access_conversation_for_contact(session, contact.id, conversation_id)
        await do_ask_another_agent(session, conversation)
    async with services.db.session() as session:
        conversation = await access_conversation_for_contact(session, contact.id, conversation_id)
        state = await queue_state(session, conversation)
    return QueuePublic.model_validate(state, from_attributes=True)
