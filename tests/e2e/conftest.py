"""Pages in a real Chromium against a real ``supportdesk serve``.

One browser for the whole session (starting Chromium is the slow part); each test gets a
fresh context, so no cookie or storage leaks between tests, and a server on its own
database (SQLite and PostgreSQL, from the shared ``database_url`` fixture).

Chromium is Debian's (``/usr/bin/chromium``, installed by ``scripts/test``): Playwright's
own download needs network access that CI does not have. A missing Chromium fails the
run; a skipped browser test would pass CI without having checked anything.

Every test leaves ``tests/e2e/screenshots/<test name>.png`` (also when it fails).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from playwright.async_api import Browser, Page, async_playwright

from tests.conftest import plain_url
from tests.realtime.wsharness import Server, start_server

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).parent / "screenshots"
HERE = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Playwright objects belong to the event loop that created them: the session's browser
    # and every test using it must share one loop.
    for item in items:
        if item.path.is_relative_to(HERE):
            item.add_marker(pytest.mark.asyncio(loop_scope="session"), append=False)


@pytest_asyncio.fixture(loop_scope="session")
async def server(database_url: str, tmp_path: Path) -> AsyncIterator[Server]:
    started = await start_server(plain_url(database_url), tmp_path / "data", tmp_path / "serve.log")
    yield started
    started.stop()


@pytest.fixture(scope="session")
def chromium() -> Path:
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: the browser tests need Debian's chromium and "
            "fonts-wqy-microhei (scripts/test installs them: apt-get install chromium "
            "fonts-wqy-microhei)",
            pytrace=False,
        )
    return CHROMIUM


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def browser(chromium: Path) -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=str(chromium), args=CHROMIUM_ARGS
        )
        yield launched
        await launched.close()


@pytest_asyncio.fixture(loop_scope="session")
async def page(
    browser: Browser, server: Server, request: pytest.FixtureRequest
) -> AsyncIterator[Page]:
    # Depends on ``server`` so that the closing screenshot is taken while the server still
    # runs (fixtures are torn down in reverse order): otherwise it shows an offline page.
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    opened = await context.new_page()
    try:
        yield opened
    finally:
        await save_screenshot(opened, request.node.name)
        await context.close()


async def save_screenshot(page: Page, test_name: str) -> Path:
    """Save ``tests/e2e/screenshots/<test name>.png`` (whole page) and return its path."""
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{re.sub(r'[^A-Za-z0-9_.-]+', '_', test_name).strip('_')}.png"
    await page.screenshot(path=path, full_page=True)
    return path
