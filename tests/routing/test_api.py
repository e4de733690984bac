"""Teams' hours, holidays, skills, capacity and coverage over HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from sqlalchemy import func, select

from supportdesk.accounts.models import AgentPresence, Presence
from supportdesk.db.base import utcnow
from supportdesk.realtime.models import Event
from supportdesk.routing.models import TeamHoliday
from tests.routing.calendars import SPAIN_2026, event, ics

API = "/api/v1"


async def new_team(persona, name: str, timezone: str) -> int:
    response = await persona.client.post(
        f"{API}/teams", json={"name": name, "timezone": timezone, "languages": ["es"]}
    )
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def error_code(response) -> str:
    return str(response.json()["error"]["code"])


# --- weekly hours ------------------------------------------------------------------------


async def test_a_new_team_reads_as_the_default_week(admin_dave, agent_carol):
    team_id = await new_team(admin_dave, "Madrid", "Europe/Madrid")
    response = await agent_carol.client.get(f"{API}/teams/{team_id}/hours")
    assert response.status_code == 200
    assert response.json() == {
        "team_id": team_id,
        "timezone": "Europe/Madrid",
        "is_default": True,
        "intervals": [
            {"day": day, "start": "09:00", "end": "18:00"}
            for day in ("mon", "tue", "wed", "thu", "fri")
        ],
    }


async def test_supervisor_replaces_the_week_and_an_agent_reads_it_back(
    admin_dave, supervisor_sam, agent_carol
):
    team_id = await new_team(admin_dave, "Night", "Asia/Shanghai")
    week = [
        {"day": "fri", "start": "22:00", "end": "06:00"},
        {"day": "mon", "start": "14:00", "end": "00:00"},
        {"day": "mon", "start": "08:00", "end": "12:00"},
    ]
    response = await supervisor_sam.client.put(
        f"{API}/teams/{team_id}/hours", json={"intervals": week}
    )
    assert response.status_code == 200, response.text
    read = (await agent_carol.client.get(f"{API}/teams/{team_id}/hours")).json()
    assert read["is_default"] is False
    # Sorted by day and time; an end at midnight is written 24:00.
    assert read["intervals"] == [
        {"day": "mon", "start": "08:00", "end": "12:00"},
        {"day": "mon", "start": "14:00", "end": "24:00"},
        {"day": "fri", "start": "22:00", "end": "06:00"},
    ]


@pytest.mark.parametrize(
    ("week", "code", "words"),
    [
        (
            [
                {"day": "fri", "start": "22:00", "end": "06:00"},
                {"day": "sat", "start": "05:00", "end": "09:00"},
            ],
            "overlapping_hours",
            "fri 22:00–06:00 overlaps sat 05:00–09:00",
        ),
        ([{"day": "mon", "start": "25:00", "end": "18:00"}], "bad_hours", "'25:00'"),
        ([{"day": "mon", "start": "09:00", "end": "09:00"}], "bad_hours", "no length"),
        ([{"day": "funday", "start": "09:00", "end": "18:00"}], "invalid", "day"),
        ([{"day": "mon", "start": "9am", "end": "18:00"}], "invalid", "start"),
    ],
)
async def test_bad_week_is_refused_and_the_old_one_kept(admin_dave, week, code, words):
    team_id = await new_team(admin_dave, "Madrid", "Europe/Madrid")
    path = f"{API}/teams/{team_id}/hours"
    response = await admin_dave.client.put(path, json={"intervals": week})
    assert response.status_code == 422
    assert error_code(response) == code
    assert words in response.json()["error"]["message"]
    assert (await admin_dave.client.get(path)).json()["is_default"] is True


async def test_null_week_goes_back_to_the_default_and_empty_week_is_always_closed(admin_dave):
    team_id = await new_team(admin_dave, "Madrid", "Europe/Madrid")
    path = f"{API}/teams/{team_id}/hours"
    closed = await admin_dave.client.put(path, json={"intervals": []})
    assert closed.json()["intervals"] == [] and closed.json()["is_default"] is False
    back = await admin_dave.client.put(path, json={"intervals": None})
    assert back.json()["is_default"] is True and len(back.json()["intervals"]) == 5


async def test_hours_of_a_missing_team_are_not_found(admin_dave):
    response = await admin_dave.client.get(f"{API}/teams/999/hours")
    assert response.status_code == 404
    assert response.json()["error"]["message"] == "team 999 not found"


# --- holidays -----------------------------------------------------------------------------


async def test_holidays_are_added_listed_and_deleted(admin_dave, agent_carol):
    team_id = await new_team(admin_dave, "Madrid", "Europe/Madrid")
    path = f"{API}/teams/{team_id}/holidays"
    added = await admin_dave.client.post(path, json={"date": "2026-12-25", "name": " Navidad "})
    assert added.status_code == 201, added.text
    await admin_dave.client.post(path, json={"date": "2026-12-08"})
    listed = (await agent_carol.client.get(path)).json()
    assert [(h["date"], h["name"]) for h in listed] == [
        ("2026-12-08", ""),
        ("2026-12-25", "Navidad"),
    ]
    again = await admin_dave.client.post(path, json={"date": "2026-12-25", "name": "Again"})
    assert again.status_code == 409 and error_code(again) == "holiday_exists"
    deleted = await admin_dave.client.delete(f"{path}/{added.json()['id']}")
    assert deleted.status_code == 204
    assert [h["date"] for h in (await agent_carol.client.get(path)).json()] == ["2026-12-08"]


async def test_a_holiday_of_another_team_cannot_be_deleted_through_this_team(admin_dave):
    madrid = await new_team(admin_dave, "Madrid", "Europe/Madrid")
    shanghai = await new_team(admin_dave, "Shanghai", "Asia/Shanghai")
    added = await admin_dave.client.post(
        f"{API}/teams/{madrid}/holidays", json={"date": "2026-12-25"}
    )
    response = await admin_dave.client.delete(
        f"{API}/teams/{shanghai}/holidays/{added.json()['id']}"
    )
    assert response.status_code == 404
    assert len((await admin_dave.client.get(f"{API}/teams/{madrid}/holidays")).json()) == 1


async def test_holiday_date_far_outside_any_calendar_is_refused(admin_dave):
    team_id = await new_team(admin_dave, "Madrid", "Europe/Madrid")
    response = await admin_dave.client.post(
        f"{API}/teams/{team_id}/holidays", json={"date": "9999-12-31"}
    )
    assert response.status_code == 422 and error_code(response) == "bad_holiday"


async def test_import_of_an_ics_file_adds_all_day_and_multi_day_holidays(admin_dave):
    team_id = await new_team(admin_dave, "Madrid", "Europe/Madrid")
    path = f"{API}/teams/{team_id}/holidays"
    await admin_dave.client.post(path, json={"date": "2026-12-25", "name": "Mine"})
    files = {"file": ("spain.ics", SPAIN_2026, "text/calendar")}
    response = await admin_dave.client.post(f"{path}/import", files=files)
    assert response.status_code == 200, response.text
    body = response.json()
    assert [(h["date"], h["name"]) for h in body["added"]] == [
        ("2026-12-08", "Inmaculada Concepción"),
        ("2026-12-24", "Navidad"),
        ("2026-12-26", "Navidad"),
        ("2026-12-31", "Año Nuevo"),
        ("2027-01-01", "Año Nuevo"),
    ]
    assert body["already_present"] == ["2026-12-25"]
    assert len(body["skipped"]) == 2
    listed = (await admin_dave.client.get(path)).json()
    assert {h["date"]: h["name"] for h in listed}["2026-12-25"] == "Mine"
    again = await admin_dave.client.post(f"{path}/import", files=files)
    assert again.json()["added"] == [] and len(again.json()["already_present"]) == 6


async def test_a_bad_ics_file_is_refused_and_nothing_is_written(admin_dave, services):
    team_id = await new_team(admin_dave, "Madrid", "Europe/Madrid")
    broken = ics(
        event("1", "DTSTART;VALUE=DATE:20261208\nSUMMARY:Fine"),
        event("2", "DTSTART;VALUE=DATE:20261210\nDTEND;VALUE=DATE:20261201\nSUMMARY:Backwards"),
    )
    response = await admin_dave.client.post(
        f"{API}/teams/{team_id}/holidays/import",
        files={"file": ("broken.ics", broken, "text/calendar")},
    )
    assert response.status_code == 422
    assert error_code(response) == "bad_calendar"
    assert response.json()["error"]["message"] == "event 2 (Backwards): ends before it starts"
    async with services.db.session() as session:
        assert await session.scalar(select(func.count()).select_from(TeamHoliday)) == 0


async def test_import_without_a_file_is_refused(admin_dave):
    team_id = await new_team(admin_dave, "Madrid", "Europe/Madrid")
    response = await admin_dave.client.post(
        f"{API}/teams/{team_id}/holidays/import", json={"file": "x"}
    )
    assert response.status_code == 422 and error_code(response) == "multipart_required"


# --- skills and capacity --------------------------------------------------------------------


async def test_team_skills_are_set_as_slugs(admin_dave, supervisor_sam, agent_carol):
    team_id = await new_team(admin_dave, "Payments", "UTC")
    path = f"{API}/teams/{team_id}/skills"
    response = await supervisor_sam.client.put(
        path, json={"skills": ["Payments", "tier-2", "payments"]}
    )
    assert response.status_code == 200, response.text
    assert response.json()["skills"] == ["payments", "tier-2"]
    teams = (await agent_carol.client.get(f"{API}/teams")).json()
    assert teams[0]["skills"] == ["payments", "tier-2"]
    bad = await supervisor_sam.client.put(path, json={"skills": ["no spaces"]})
    assert bad.status_code == 422 and error_code(bad) == "invalid"


async def test_agent_capacity_defaults_to_five_and_a_supervisor_changes_it(
    supervisor_sam, agent_carol
):
    path = f"{API}/agents/{agent_carol.agent.id}"
    assert (await agent_carol.client.get(path)).json()["max_chats"] == 5
    response = await supervisor_sam.client.put(f"{path}/capacity", json={"max_chats": 8})
    assert response.status_code == 200 and response.json()["max_chats"] == 8
    assert (await agent_carol.client.get(path)).json()["max_chats"] == 8
    for bad in (0, 101):
        refused = await supervisor_sam.client.put(f"{path}/capacity", json={"max_chats": bad})
        assert refused.status_code == 422


# --- coverage -----------------------------------------------------------------------------


async def test_coverage_shows_each_teams_openings_in_utc_across_the_madrid_spring_change(
    admin_dave, agent_carol
):
    madrid = await new_team(admin_dave, "Madrid", "Europe/Madrid")
    night = await new_team(admin_dave, "Night", "Asia/Shanghai")
    await admin_dave.client.put(
        f"{API}/teams/{night}/hours",
        json={"intervals": [{"day": "sat", "start": "22:00", "end": "06:00"}]},
    )
    # Friday 27 March 2026, 20:00 UTC; Madrid springs forward on Sunday the 29th.
    with time_machine.travel(datetime(2026, 3, 27, 20, 0, tzinfo=UTC), tick=False):
        response = await agent_carol.client.get(f"{API}/coverage?days=4")
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["start"], body["end"]) == ("2026-03-27T20:00:00Z", "2026-03-31T20:00:00Z")
    by_id = {t["team_id"]: t for t in body["teams"]}
    assert by_id[madrid]["timezone"] == "Europe/Madrid"
    assert by_id[madrid]["open_now"] is False
    # Monday and Tuesday 09:00–18:00 CEST (UTC+2 after the change).
    assert by_id[madrid]["intervals"] == [
        {"start": "2026-03-30T07:00:00Z", "end": "2026-03-30T16:00:00Z"},
        {"start": "2026-03-31T07:00:00Z", "end": "2026-03-31T16:00:00Z"},
    ]
    assert by_id[madrid]["next_opening"] == "2026-03-30T07:00:00Z"
    # Saturday 22:00 to Sunday 06:00 in Shanghai (UTC+8, no DST).
    assert by_id[night]["intervals"] == [
        {"start": "2026-03-28T14:00:00Z", "end": "2026-03-28T22:00:00Z"}
    ]


async def test_coverage_days_are_bounded(agent_carol):
    for days in (0, 32, -1):
        response = await agent_carol.client.get(f"{API}/coverage?days={days}")
        assert response.status_code == 422


async def test_coverage_leaves_out_a_holiday(admin_dave, agent_carol):
    team_id = await new_team(admin_dave, "New York", "America/New_York")
    await admin_dave.client.post(f"{API}/teams/{team_id}/holidays", json={"date": "2026-11-26"})
    # Wednesday 25 November 2026 23:00 UTC; Thursday is Thanksgiving.
    with time_machine.travel(datetime(2026, 11, 25, 23, 0, tzinfo=UTC), tick=False):
        body = (await agent_carol.client.get(f"{API}/coverage?days=2")).json()
    assert body["teams"][0]["intervals"] == [
        {"start": "2026-11-27T14:00:00Z", "end": "2026-11-27T23:00:00Z"}
    ]


# --- the widget's next opening --------------------------------------------------------------


async def test_widget_says_when_the_first_team_opens_when_nobody_is_there(client, admin_dave):
    await new_team(admin_dave, "Madrid", "Europe/Madrid")
    await new_team(admin_dave, "New York", "America/New_York")
    # Saturday night in both cities, just after Madrid's change to summer time.
    with time_machine.travel(datetime(2026, 3, 29, 2, 0, tzinfo=UTC), tick=False):
        status = (await client.get(f"{API}/widget/status")).json()
    assert status["humans_available"] is False
    # Monday 09:00 CEST in Madrid comes before Monday 09:00 EDT in New York.
    assert status["next_opening"] == "2026-03-30T07:00:00Z"


async def test_widget_next_opening_follows_new_york_hours_and_holidays(client, admin_dave):
    team_id = await new_team(admin_dave, "New York", "America/New_York")
    await admin_dave.client.post(f"{API}/teams/{team_id}/holidays", json={"date": "2026-11-02"})
    # Sunday 1 November 2026, the day New York falls back to EST; Monday is a holiday.
    with time_machine.travel(datetime(2026, 11, 1, 18, 0, tzinfo=UTC), tick=False):
        status = (await client.get(f"{API}/widget/status")).json()
    assert status["next_opening"] == "2026-11-03T14:00:00Z"  # Tuesday 09:00 EST


async def test_widget_has_no_next_opening_while_a_team_is_open(client, admin_dave):
    await new_team(admin_dave, "Shanghai", "Asia/Shanghai")
    with time_machine.travel(datetime(2026, 11, 24, 3, 0, tzinfo=UTC), tick=False):  # 11:00
        status = (await client.get(f"{API}/widget/status")).json()
    assert status["humans_available"] is False
    assert status["next_opening"] is None


async def test_widget_has_no_next_opening_while_a_human_is_online(
    client, admin_dave, agent_carol, services
):
    await new_team(admin_dave, "Shanghai", "Asia/Shanghai")
    with time_machine.travel(datetime(2026, 11, 28, 3, 0, tzinfo=UTC), tick=False):  # Saturday
        async with services.db.transaction() as session:
            record = await session.get(AgentPresence, agent_carol.agent.id)
            assert record is not None
            record.status, record.connections, record.heartbeat_at = Presence.ONLINE, 1, utcnow()
        status = (await client.get(f"{API}/widget/status")).json()
    assert status["humans_available"] is True
    assert status["next_opening"] is None


async def test_widget_has_no_next_opening_without_teams(client):
    status = (await client.get(f"{API}/widget/status")).json()
    assert status["next_opening"] is None


# --- events and limits --------------------------------------------------------------------


async def team_events(services) -> list[dict]:
    async with services.db.session() as session:
        rows = await session.scalars(
            select(Event).where(Event.type == "team.updated").order_by(Event.seq)
        )
        return [row.payload for row in rows]


async def test_changes_tell_the_consoles_and_a_refused_change_tells_nothing(admin_dave, services):
    team_id = await new_team(admin_dave, "Madrid", "Europe/Madrid")
    hours = f"{API}/teams/{team_id}/hours"
    await admin_dave.client.put(hours, json={"intervals": []})
    await admin_dave.client.post(f"{API}/teams/{team_id}/holidays", json={"date": "2026-12-25"})
    overlapping = [{"day": "mon", "start": "09:00", "end": "18:00"}] * 2
    refused = await admin_dave.client.put(hours, json={"intervals": overlapping})
    assert refused.status_code == 422
    assert await team_events(services) == [
        {"team_id": team_id, "changed": "hours"},
        {"team_id": team_id, "changed": "holidays"},
    ]


async def test_empty_and_too_large_calendar_files_are_refused(admin_dave):
    team_id = await new_team(admin_dave, "Madrid", "Europe/Madrid")
    path = f"{API}/teams/{team_id}/holidays/import"
    empty = await admin_dave.client.post(path, files={"file": ("a.ics", b"", "text/calendar")})
    assert empty.status_code == 422 and error_code(empty) == "empty_file"
    huge = SPAIN_2026 + b" " * (1024 * 1024)
    too_large = await admin_dave.client.post(path, files={"file": ("a.ics", huge, "text/calendar")})
    assert too_large.status_code == 413 and error_code(too_large) == "too_large"
