"""The interactive API reference renders in a real browser, from this server alone."""

from __future__ import annotations

from urllib.parse import urlsplit

from playwright.async_api import Page, Request, expect

from tests.realtime.wsharness import Server


async def test_api_docs_page_lists_the_operations_without_other_hosts(page: Page, server: Server):
    requested: list[str] = []

    def record(request: Request) -> None:
        requested.append(request.url)

    page.on("request", record)
    await page.goto(f"{server.http}/api/docs")

    login = page.locator(".opblock-post", has_text="/api/v1/auth/login").first
    await expect(login).to_be_visible(timeout=15_000)
    await expect(page).to_have_title("Supportdesk API")
    await expect(page.locator(".information-container .title")).to_contain_text("Supportdesk API")
    await expect(login.locator(".opblock-summary-method")).to_have_text("POST")

    assert f"{server.http}/openapi.json" in requested
    elsewhere = [
        url
        for url in requested
        if urlsplit(url).scheme not in ("data", "blob")
        and urlsplit(url).netloc != urlsplit(server.http).netloc
    ]
    assert elsewhere == [], elsewhere
