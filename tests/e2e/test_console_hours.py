"""The "Teams and hours" console page (static/console/hours*.js) in a real Chromium.

Staff log in through the console and open the page from its link in the top bar, as a user
does; the page and its coverage timeline are described in docs/routing.md and
docs/console.md.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from playwright.async_api import Browser, Page, expect

from supportdesk.accounts.models import Role
from tests.e2e.conftest import save_screenshot
from tests.realtime.wsharness import PASSWORD, Server, Staff, create_agent, login

TIMEOUT = 10_000
ROOT = Path(__file__).parents[2]
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")


async def log_in(page: Page, server: Server, email: str) -> None:
    await page.goto(f"{server.http}/console")
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.locator("#views")).to_be_visible(timeout=TIMEOUT)


async def open_hours_page(page: Page) -> None:
    await page.get_by_role("link", name="Teams and hours").click()
    await expect(page.get_by_role("heading", name="Teams and hours")).to_be_visible(timeout=TIMEOUT)


async def create_team(staff: Staff, name: str, timezone: str) -> int:
    response = await staff.http.post("/api/v1/teams", json={"name": name, "timezone": timezone})
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


async def set_hours(staff: Staff, team_id: int, intervals: list[dict[str, str]]) -> None:
    response = await staff.http.put(f"/api/v1/teams/{team_id}/hours", json={"intervals": intervals})
    assert response.status_code == 200, response.text


def week(start: str, end: str, days: tuple[str, ...] = WEEKDAYS) -> list[dict[str, str]]:
    return [{"day": day, "start": start, "end": end} for day in days]


async def test_admin_adds_a_night_shift_and_sees_it_on_the_timeline(
    page: Page, server: Server, database_url: str
):
    await create_agent(database_url, "dave@example.com", "Dave", Role.ADMIN)
    dave = await login(server, "dave@example.com")
    try:
        team_id = await create_team(dave, "Night owls", "Asia/Shanghai")
        await log_in(page, server, "dave@example.com")
        await open_hours_page(page)
        await expect(page).to_have_url(re.compile("#/hours$"))
        await expect(page.locator("#nav-hours")).to_have_class(re.compile(r"\bactive\b"))
        await expect(page.locator("#nav-help")).not_to_have_class(re.compile(r"\bactive\b"))
        host = page.locator(".hours-host")
        await expect(host.get_by_label("Team")).to_have_value(str(team_id))
        await expect(host.get_by_text("Time zone: Asia/Shanghai")).to_be_visible()
        # The default week: five rows, and five openings on the 7-day timeline at least.
        await expect(host.locator(".hours-week tbody tr")).to_have_count(5)
        await expect(host.locator(".hours-open")).not_to_have_count(0)
        removes = host.locator(".hours-week tbody button")
        for left in range(5, 0, -1):
            await expect(removes).to_have_count(left)
            await removes.first.click()
        await host.get_by_role("button", name="Add an interval").click()
        row = host.locator(".hours-week tbody tr")
        await row.get_by_label("Day").select_option("sat")
        await row.get_by_label("Opens").fill("22:00")
        await row.get_by_label("Closes").fill("06:00")
        await expect(row.get_by_text("ends the next day")).to_be_visible()
        await host.get_by_role("button", name="Save hours").click()
        await expect(page.get_by_text("Hours saved.")).to_be_visible(timeout=TIMEOUT)
        saved = (await dave.http.get(f"/api/v1/teams/{team_id}/hours")).json()
        assert saved["intervals"] == [{"day": "sat", "start": "22:00", "end": "06:00"}]
        # One Saturday night in any 7 days: one block on the team's bar.
        await expect(host.locator(".hours-open")).to_have_count(1, timeout=TIMEOUT)
    finally:
        await dave.http.aclose()


async def test_overlapping_hours_show_the_servers_reason(
    page: Page, server: Server, database_url: str
):
    await create_agent(database_url, "dave@example.com", "Dave", Role.ADMIN)
    dave = await login(server, "dave@example.com")
    try:
        await create_team(dave, "Madrid", "Europe/Madrid")
        await log_in(page, server, "dave@example.com")
        await open_hours_page(page)
        host = page.locator(".hours-host")
        await host.get_by_role("button", name="Add an interval").click()  # mon 09:00–18:00 again
        await host.get_by_role("button", name="Save hours").click()
        await expect(page.get_by_text("overlaps")).to_be_visible(timeout=TIMEOUT)
    finally:
        await dave.http.aclose()


async def desk_with_three_regions(staff: Staff) -> int:
    """Three regional teams and a night desk; returns the Europe team's id."""
    asia = await create_team(staff, "Asia Pacific", "Asia/Shanghai")
    await set_hours(staff, asia, [*week("09:00", "18:00"), *week("10:00", "16:00", ("sat",))])
    europe = await create_team(staff, "Europe", "Europe/Madrid")
    await set_hours(
        staff,
        europe,
        [*week("08:00", "14:00"), *week("15:00", "20:00"), *week("10:00", "14:00", ("sat",))],
    )
    soon = datetime.now(UTC).date() + timedelta(days=3)
    for day, name in ((soon, "Regional holiday"), (soon + timedelta(days=30), "")):
        response = await staff.http.post(
            f"/api/v1/teams/{europe}/holidays", json={"date": day.isoformat(), "name": name}
        )
        assert response.status_code == 201, response.text
    americas = await create_team(staff, "Americas", "America/New_York")
    await set_hours(staff, americas, week("08:00", "20:00"))
    night = await create_team(staff, "Night desk", "UTC")
    await set_hours(staff, night, week("22:00", "06:00", ("sun", *WEEKDAYS[:4])))
    return europe


async def test_screenshot_of_the_teams_and_hours_page(
    browser: Browser, server: Server, database_url: str
) -> None:
    await create_agent(database_url, "dave@example.com", "Dave", Role.ADMIN)
    await create_agent(database_url, "sam@example.com", "Sam Lee", Role.SUPERVISOR)
    dave = await login(server, "dave@example.com")
    context = await browser.new_context(
        viewport={"width": 1440, "height": 900}, timezone_id="Europe/Madrid"
    )
    page = await context.new_page()
    try:
        europe = await desk_with_three_regions(dave)
        await log_in(page, server, "sam@example.com")
        await open_hours_page(page)
        await page.get_by_label("Team").select_option(str(europe))
        await expect(page).to_have_url(re.compile(f"#/hours/{europe}$"))
        host = page.locator(".hours-host")
        await expect(host.get_by_text("Time zone: Europe/Madrid")).to_be_visible(timeout=TIMEOUT)
        await expect(host.locator(".hours-week tbody tr")).to_have_count(11)
        await expect(host.locator(".hours-holidays li")).to_have_count(2)
        await expect(host.locator(".hours-row")).to_have_count(4)
        await expect(host.get_by_text("Times in your time zone, Europe/Madrid.")).to_be_visible()
        await page.mouse.move(0, 0)
        await page.screenshot(path=ROOT / "docs" / "screenshots" / "console-hours.png")
    finally:
        await context.close()
        await dave.http.aclose()


async def test_the_hours_page_fits_a_phone(
    browser: Browser, server: Server, database_url: str
) -> None:
    await create_agent(database_url, "dave@example.com", "Dave", Role.ADMIN)
    await create_agent(database_url, "sam@example.com", "Sam Lee", Role.SUPERVISOR)
    dave = await login(server, "dave@example.com")
    context = await browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = await context.new_page()
    try:
        await desk_with_three_regions(dave)
        await log_in(page, server, "sam@example.com")
        await open_hours_page(page)
        host = page.locator(".hours-host")
        await expect(host.locator(".hours-row")).to_have_count(4, timeout=TIMEOUT)
        for selector in (".hours-week tbody tr", ".hours-actions", ".hours-bar"):
            box = await host.locator(selector).first.bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390, selector
        width = await page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390
    finally:
        await save_screenshot(page, "hours_page_on_a_phone")
        await context.close()
        await dave.http.aclose()
