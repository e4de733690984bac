"""Help-center authoring in the agent console, in a real Chromium against a real server.

Staff log in through the page and do what an editor does: write an article in Markdown and
watch the server-rendered preview, save a draft, publish, read it on the public /help page,
translate it, and see the translation turn outdated when the English text changes.
"""

from __future__ import annotations

import re

from playwright.async_api import Browser, FrameLocator, Page, expect

from supportdesk.accounts.models import Role
from supportdesk.db.engine import Database
from supportdesk.demo import seed_demo
from supportdesk.helpcenter import actions, queries
from tests.e2e.conftest import save_screenshot
from tests.e2e.test_console import (  # _close_clients: autouse, closes the visitors' clients
    ROOT,
    TIMEOUT,
    _close_clients,  # noqa: F401
    agent,
    log_in,
    open_conversation,
    start_chat,
    visitor_named,
)
from tests.realtime.wsharness import Server

TITLE = "How do I reset my password?"
KEY = "how-do-i-reset-my-password"
BODY_EN = (
    "## Steps\n\n1. Open **Settings → Security**.\n2. Choose *Reset password*.\n\n"
    "| Step | Time |\n|:--|--:|\n| Email | 1 min |\n\n"
    "<img src=x onerror=alert(1)>"
)
TITLE_ZH = "如何重置密码？"
BODY_ZH = "## 步骤\n\n1. 打开 **设置 → 安全**。\n2. 选择 *重置密码*。"


def preview(page: Page) -> FrameLocator:
    return page.frame_locator("#help-preview")


async def open_help(page: Page) -> None:
    await page.locator("#nav-help").click()
    await expect(page.get_by_role("heading", name="Help center")).to_be_visible(timeout=TIMEOUT)


async def test_an_agent_writes_previews_publishes_and_translates_an_article(
    page: Page, server: Server, database_url: str
) -> None:
    carol = await agent(database_url, "carol@example.com", "Carol Jones")
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: dialogs.append(dialog.message))
    await log_in(page, server, carol.email)
    await open_help(page)
    await expect(page.locator("#help-list")).to_contain_text("No articles yet")

    await page.get_by_role("link", name="New article").click()
    await page.get_by_label("Title").fill(TITLE)
    await expect(page.get_by_label("Key")).to_have_value(KEY)  # suggested from the title
    await page.get_by_label("Example questions").fill("forgot password\ncan't log in")
    await page.get_by_label("Text (Markdown)").fill(BODY_EN)
    # The preview is the server's rendering, in the sandboxed frame, as the public page.
    frame = preview(page)
    await expect(frame.locator("h1")).to_have_text(TITLE, timeout=TIMEOUT)
    await expect(frame.locator(".body strong")).to_have_text("Settings → Security")
    await expect(frame.locator(".body td.align-right")).to_have_text("1 min")
    await expect(frame.locator(".body")).to_contain_text("<img src=x onerror=alert(1)>")
    assert await frame.locator("img").count() == 0
    assert await page.locator("#help-preview").get_attribute("sandbox") == ""
    # An agent may write and publish, not delete (the API needs a supervisor or an admin).
    await expect(page.locator("#help-delete")).to_have_count(0)

    # A tag the API refuses: its message shows next to the tags field.
    await page.get_by_label("Tags").fill("password, " + "x" * 65)
    await page.get_by_role("button", name="Save draft").click()
    await expect(page.locator("#help-err-tags")).to_contain_text("64 characters")
    await page.get_by_label("Tags").fill("password, account")
    await page.get_by_role("button", name="Save draft").click()
    await expect(page).to_have_url(re.compile(f"#/help/edit/{KEY}/en$"), timeout=TIMEOUT)
    await expect(page.locator(".help-editor-head .help-chip")).to_have_text("Draft")
    public = f"{server.http}/help/en/articles/{KEY}"
    assert (await page.request.get(public)).status == 404  # a draft is not public

    await page.get_by_role("button", name="Publish").click()
    await expect(page.locator(".help-editor-head .help-chip")).to_have_text("Published")
    await expect(page.locator("#help-unpublish")).to_be_visible()
    reader = await page.context.new_page()
    await reader.goto(public)
    await expect(reader.locator("article h1")).to_have_text(TITLE)
    await expect(reader.locator("article .body strong")).to_have_text("Settings → Security")
    await reader.close()

    # A Chinese translation, written with the English source beside it.
    await page.get_by_label("Add a language:").fill("zh-hans")
    await page.get_by_role("button", name="Add", exact=True).click()
    await expect(page).to_have_url(re.compile(f"#/help/edit/{KEY}/zh-Hans$"))
    await expect(page.locator("#help-source-body")).to_have_text(BODY_EN)
    await expect(page.locator(".help-banner")).to_contain_text(
        "no Simplified Chinese (zh-Hans) translation"
    )
    await page.get_by_label("Title").fill(TITLE_ZH)
    await page.get_by_label("Text (Markdown)").fill(BODY_ZH)
    await page.get_by_role("tab", name="Preview").click()
    await expect(frame.locator(".body strong")).to_have_text("设置 → 安全", timeout=TIMEOUT)
    await expect(frame.locator("html")).to_have_attribute("lang", "zh-Hans")
    await page.get_by_role("button", name="Publish").click()
    await expect(page.locator(".help-locale[aria-current=page] .help-chip")).to_have_text(
        "Published", timeout=TIMEOUT
    )

    # The English text changes: the Chinese translation is now behind it.
    await page.locator('.help-locale[data-locale="en"]').click()
    await expect(page.get_by_label("Text (Markdown)")).to_have_value(BODY_EN)
    changed = BODY_EN.replace("1 min", "5 min") + "\n\nThe link expires after 30 minutes."
    await page.get_by_label("Text (Markdown)").fill(changed)
    await page.get_by_role("button", name="Save", exact=True).click()
    await expect(page.locator(".help-locale[data-locale=zh-Hans] .help-chip")).to_have_text(
        "Outdated", timeout=TIMEOUT
    )
    await page.get_by_role("link", name="All articles").click()
    row = page.locator(f'.help-row[data-key="{KEY}"]')
    await expect(row.locator(".state-outdated")).to_have_text("zh-Hans · Outdated")
    await expect(row.locator(".state-published")).to_have_text("en · Published")

    # The filters: outdated in Chinese finds it, a draft does not; text matches the title.
    filters = page.get_by_role("search", name="Filter articles")
    await filters.get_by_label("Status").select_option("outdated")
    await filters.get_by_label("Language").select_option("zh-Hans")
    await expect(row).to_be_visible()
    await filters.get_by_label("Status").select_option("draft")
    await expect(row).to_have_count(0)
    await expect(page.locator("#help-list")).to_contain_text("No article matches")
    await filters.get_by_label("Status").select_option("")
    await filters.get_by_label("Search").fill("reset my")
    await expect(row).to_be_visible()

    await row.locator(".state-outdated").click()
    await expect(page.locator("#help-outdated")).to_contain_text("The English text changed")
    await expect(page.locator("#help-source-body")).to_contain_text("expires after 30 minutes")
    assert dialogs == []


async def test_leaving_the_editor_with_unsaved_changes_asks_first(
    page: Page, server: Server, database_url: str
) -> None:
    carol = await agent(database_url, "carol@example.com", "Carol Jones")
    await log_in(page, server, carol.email)
    await open_help(page)
    await page.get_by_role("link", name="New article").click()
    await page.get_by_label("Title").fill("Half written")
    await expect(page.locator("#help-status-line")).to_have_text("Unsaved changes.")

    await page.locator("#nav-help").click()
    dialog = page.get_by_role("dialog", name="Discard your changes?")
    await expect(dialog).to_be_visible()
    await dialog.get_by_role("button", name="Keep editing").click()
    await expect(page).to_have_url(re.compile("#/help/new$"))
    await expect(page.get_by_label("Title")).to_have_value("Half written")

    await page.get_by_role("link", name="Conversations").click()
    await dialog.get_by_role("button", name="Discard changes").click()
    await expect(page).to_have_url(re.compile("#/inbox/mine$"))
    await expect(page.locator("#views")).to_be_visible()


async def test_an_article_is_written_and_saved_from_the_keyboard(
    page: Page, server: Server, database_url: str
) -> None:
    carol = await agent(database_url, "carol@example.com", "Carol Jones")
    await log_in(page, server, carol.email)
    await open_help(page)
    await page.get_by_role("link", name="New article").focus()
    await page.keyboard.press("Enter")
    await page.get_by_label("Title").focus()
    await page.keyboard.type("Fees and limits")
    await page.keyboard.press("Tab")
    await expect(page.get_by_label("Key")).to_be_focused()
    await expect(page.get_by_label("Key")).to_have_value("fees-and-limits")
    for label in ("Category", "Section", "Tags", "Example questions", "Text (Markdown)"):
        await page.keyboard.press("Tab")
        await expect(page.get_by_label(label, exact=True)).to_be_focused()
    await page.keyboard.type("Maker **0.1%**")
    await expect(preview(page).locator(".body strong")).to_have_text("0.1%", timeout=TIMEOUT)
    await page.keyboard.press("Control+s")
    await expect(page).to_have_url(re.compile("#/help/edit/fees-and-limits/en$"), timeout=TIMEOUT)
    await expect(page.locator(".help-editor-head .help-chip")).to_have_text("Draft")
    # Escape closes the "discard?" question and keeps the edits.
    await page.get_by_label("Title").fill("Fees")
    await page.get_by_role("link", name="All articles").focus()
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("dialog")).to_be_visible()
    await page.keyboard.press("Escape")
    await expect(page.get_by_role("dialog")).to_have_count(0)
    await expect(page.get_by_label("Title")).to_have_value("Fees")


async def test_inbox_shortcuts_do_not_act_on_the_hidden_conversation_from_the_help_view(
    page: Page, server: Server, database_url: str
) -> None:
    carol = await agent(database_url, "carol@example.com", "Carol Jones")
    visitor = await visitor_named(server, "Erin")
    chat = await start_chat(visitor, "My deposit is missing")
    await log_in(page, server, carol.email)
    view = await open_conversation(page, chat["id"])
    await open_help(page)
    await page.locator(".help-head h1").click()
    await page.keyboard.press("a")  # would assign the conversation to carol
    await page.keyboard.press("?")  # still opens the list of shortcuts
    await expect(page.locator("#shortcuts-dialog")).to_be_visible()
    await page.keyboard.press("Escape")
    await page.keyboard.press("g")
    await page.keyboard.press("c")  # "g c" still goes to the canned replies
    await expect(page).to_have_url(re.compile("#/canned$"))
    await open_conversation(page, chat["id"])
    await expect(view.get_by_label("Assignee")).to_have_value("")
    # The same key does assign in the conversation: the check above could fail.
    await page.locator("body").click(position={"x": 5, "y": 300})
    await page.keyboard.press("a")
    await expect(view.get_by_label("Assignee")).to_have_value(str(carol.id))


async def test_a_supervisor_deletes_a_translation_then_the_article(
    page: Page, server: Server, database_url: str
) -> None:
    sam = await agent(database_url, "sam@example.com", "Sam Lee", Role.SUPERVISOR)
    await log_in(page, server, sam.email)
    await open_help(page)
    await page.get_by_role("link", name="New article").click()
    await page.get_by_label("Title").fill("Trading fees")
    await page.get_by_label("Category").fill("fees")
    await page.get_by_label("Text (Markdown)").fill("Maker **0.1%**, taker 0.2%.")
    await page.get_by_role("button", name="Publish").click()
    await expect(page).to_have_url(re.compile("#/help/edit/trading-fees/en$"), timeout=TIMEOUT)
    # A new article may not take the key of an existing one (PUT would overwrite it).
    await page.evaluate("location.hash = '#/help/new'")
    await page.get_by_label("Title").fill("Trading fees")
    await page.get_by_label("Text (Markdown)").fill("Another text.")
    await page.get_by_role("button", name="Publish").click()
    await expect(page.locator("#help-err-key")).to_have_text(
        "An article already has this key: choose another one."
    )
    await page.evaluate("location.hash = '#/help/edit/trading-fees/en'")
    await page.get_by_role("button", name="Discard changes").click()
    await expect(page.get_by_label("Text (Markdown)")).to_have_value("Maker **0.1%**, taker 0.2%.")
    await page.get_by_label("Add a language:").fill("es")
    await page.get_by_role("button", name="Add", exact=True).click()
    await page.locator("#help-copy-source").click()
    await page.get_by_label("Title").fill("Comisiones")
    await page.get_by_role("button", name="Save draft").click()
    await expect(page.locator(".help-locale[data-locale=es] .help-chip")).to_have_text(
        "Draft", timeout=TIMEOUT
    )

    await page.locator("#help-delete").click()
    await page.locator("#help-confirm-delete-translation").click()
    await expect(page).to_have_url(re.compile("#/help$"), timeout=TIMEOUT)
    row = page.locator('.help-row[data-key="trading-fees"]')
    await expect(row.locator(".help-chip")).to_have_text(["en · Published"])
    await expect(row).to_contain_text("Fees")  # the category, named after its slug

    await row.get_by_role("link", name="Trading fees").click()
    await page.locator("#help-delete").click()
    await page.locator("#help-confirm-delete-article").click()
    await expect(page.locator("#help-list")).to_contain_text("No articles yet", timeout=TIMEOUT)


async def test_the_help_views_fit_a_phone(
    browser: Browser, server: Server, database_url: str
) -> None:
    carol = await agent(database_url, "carol@example.com", "Carol Jones")
    context = await browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = await context.new_page()
    try:
        await log_in(page, server, carol.email)
        await page.evaluate("location.hash = '#/help/new'")
        await page.get_by_label("Title").fill("Deposit not credited")
        await page.get_by_label("Text (Markdown)").fill("Check the **network** first.")
        await expect(preview(page).locator(".body strong")).to_have_text("network")
        for selector in ("#help-title", "#help-body", "#help-preview", "#help-publish"):
            box = await page.locator(selector).bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390, selector
        width = await page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390
    finally:
        await save_screenshot(page, "help_editor_on_a_phone")
        await context.close()


async def test_screenshot_of_the_help_editor_with_a_translation(
    browser: Browser, server: Server, database_url: str
) -> None:
    db = Database(database_url)
    try:
        demo = await seed_demo(db)
        # The English text changes after the translations: the Spanish one is outdated.
        async with db.transaction() as session:
            view = await queries.article_view(session, "withdrawal-pending")
            english = next(t for t in view.translations if t.locale == "en")
            await actions.do_upsert_translation(
                session,
                key="withdrawal-pending",
                locale="en",
                title=english.title,
                body=english.body + "\n\nWithdrawals to a new address wait 24 hours.",
                questions=english.questions,
            )
    finally:
        await db.dispose()
    supervisor = next(login for login in demo.logins if login.role == "supervisor")
    context = await browser.new_context(viewport={"width": 1440, "height": 900})
    page = await context.new_page()
    try:
        await log_in(page, server, supervisor.email, supervisor.password)
        await page.evaluate("location.hash = '#/help/edit/withdrawal-pending/es'")
        await expect(page.get_by_label("Text (Markdown)")).not_to_have_value("", timeout=TIMEOUT)
        await expect(page.locator("#help-outdated")).to_be_visible()
        await page.get_by_role("tab", name="Preview").click()
        await expect(preview(page).locator(".body p").first).to_be_visible(timeout=TIMEOUT)
        await page.mouse.move(0, 0)
        path = ROOT / "docs" / "screenshots" / "console-help.png"
        await page.screenshot(path=path)

        await page.get_by_role("link", name="All articles").click()
        await expect(page.locator(".help-row")).to_have_count(8, timeout=TIMEOUT)
        pending = page.locator('.help-row[data-key="withdrawal-pending"]')
        await expect(pending.locator(".state-outdated")).to_have_text(
            ["es · Outdated", "zh · Outdated"]
        )
        await save_screenshot(page, "help_list_with_the_demo_articles")
    finally:
        await context.close()
