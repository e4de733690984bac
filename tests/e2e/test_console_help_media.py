"""Media and sections in the help-center editor, in a real Chromium against a real server.

An agent uploads an image with the editor's button, sees its Markdown inserted at the
cursor and the image in the sandboxed preview, publishes, and readers see it; a category
page shows its articles under section headings.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

from PIL import Image
from playwright.async_api import Page, expect

from supportdesk.db.engine import Database
from supportdesk.helpcenter import actions, queries, sections
from tests.e2e.test_console import (  # _close_clients: autouse, closes the visitors' clients
    TIMEOUT,
    _close_clients,  # noqa: F401
    agent,
    log_in,
)
from tests.e2e.test_console_help import open_help, preview
from tests.realtime.wsharness import Server

DOCS_SCREENSHOTS = Path(__file__).parents[2] / "docs" / "screenshots"
KEY = "withdrawal-limits"


def png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (37, 99, 235)).save(out, "PNG")
    return out.getvalue()


async def test_an_agent_inserts_an_uploaded_image_and_readers_see_it(
    page: Page, server: Server, database_url: str
) -> None:
    carol = await agent(database_url, "carol@example.com", "Carol Jones")
    await log_in(page, server, carol.email)
    await open_help(page)
    await page.get_by_role("link", name="New article").click()
    await page.get_by_label("Title").fill("Withdrawal limits")
    await page.get_by_label("Category").fill("wallet")
    await page.get_by_label("Section", exact=True).fill("withdrawals")
    body = page.get_by_label("Text (Markdown)")
    await body.fill("Daily limits depend on your level.\n\nMore below.")
    # The cursor after the first paragraph: the image goes there.
    await body.evaluate("el => el.setSelectionRange(35, 35)")

    async with page.expect_file_chooser() as chooser_info:
        await page.get_by_role("button", name="Insert image").click()
    chooser = await chooser_info.value
    await chooser.set_files(
        {"name": "limits chart.png", "mimeType": "image/png", "buffer": png(120, 80)}
    )
    await expect(page.locator("#help-media-status")).to_have_text(
        "Uploaded; the Markdown is in the text.", timeout=TIMEOUT
    )
    text = await body.input_value()
    match = re.search(r"!\[limits-chart\]\((/help/media/[A-Za-z0-9_-]+/limits-chart\.png)\)", text)
    assert match, text
    assert text.startswith("Daily limits depend on your level.\n\n![limits-chart]")
    assert text.endswith(")\n\nMore below.")
    url = match[1]

    # The sandboxed preview loads the same-origin image (the console's CSP allows it).
    image = preview(page).locator(f'.body img[src="{url}"]')
    await expect(image).to_be_visible(timeout=TIMEOUT)
    await expect(image).to_have_js_property("naturalWidth", 120, timeout=TIMEOUT)

    await page.get_by_label("Key").fill(KEY)
    await page.get_by_role("button", name="Publish").click()
    await expect(page).to_have_url(re.compile(f"#/help/edit/{KEY}/en$"), timeout=TIMEOUT)
    await expect(page.get_by_label("Section", exact=True)).to_have_value("withdrawals")

    reader = await page.context.new_page()
    await reader.goto(f"{server.http}/help/en/articles/{KEY}")
    public = reader.locator(f'article .body img[src="{url}"]')
    await expect(public).to_be_visible(timeout=TIMEOUT)
    await expect(public).to_have_js_property("naturalWidth", 120, timeout=TIMEOUT)
    crumbs = reader.locator("nav.crumbs")
    await expect(crumbs).to_contain_text("Wallet")
    await expect(crumbs).to_contain_text("Withdrawals")
    await reader.close()


async def test_screenshot_of_a_category_page_with_sections(
    page: Page, server: Server, database_url: str
) -> None:
    db = Database(database_url)
    articles = {
        "deposits": [("card-top-up", "Top up with a card"), ("bank-transfer", "Bank transfers")],
        "withdrawals": [
            ("withdrawal-pending", "Why is my withdrawal pending?"),
            ("withdrawal-limits", "Daily withdrawal limits"),
        ],
    }
    try:
        async with db.transaction() as session:
            category = await actions.do_create_category(
                session, slug="wallet", names={"en": "Wallet", "es": "Billetera"}
            )
            await sections.do_create_section(
                session, category, slug="deposits", names={"en": "Deposits", "es": "Depósitos"}
            )
            await sections.do_create_section(
                session, category, slug="withdrawals", names={"en": "Withdrawals"}
            )
            for section, items in articles.items():
                for key, title in items:
                    await actions.do_upsert_translation(
                        session,
                        key=key,
                        locale="en",
                        title=title,
                        body=f"About {title.lower()}.",
                        category_slug="wallet",
                        section_slug=section,
                    )
            await actions.do_upsert_translation(
                session,
                key="account-fees",
                locale="en",
                title="Are there account fees?",
                body="No.",
                category_slug="wallet",
            )
            assert (await queries.article_view(session, "card-top-up")).section == "deposits"
    finally:
        await db.dispose()
    await page.set_viewport_size({"width": 1100, "height": 800})
    await page.goto(f"{server.http}/help/es/categories/wallet")
    headings = page.locator(".help-section h2")
    # Spanish where there is a name; English (the fallback) where there is none.
    await expect(headings).to_have_text(["Depósitos", "Withdrawals"])
    await expect(page.locator("h1")).to_have_text("Billetera")
    await page.goto(f"{server.http}/help/en/categories/wallet")
    await expect(headings).to_have_text(["Deposits", "Withdrawals"])
    DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=DOCS_SCREENSHOTS / "help-sections.png", full_page=True)
