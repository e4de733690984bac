"""The agent console in a real Chromium against a real server.

Agents log in through the page; visitors are driven over REST (``/widget/...``), as the
widget would, so each test checks what the agent sees live and what the visitor receives.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest_asyncio
from PIL import Image
from playwright.async_api import Browser, Frame, Page, expect

from supportdesk.accounts.models import Agent, Role
from supportdesk.db.engine import Database
from supportdesk.demo import seed_demo
from tests.e2e.conftest import save_screenshot
from tests.realtime.wsharness import (
    IDENTITY_SECRET,
    PASSWORD,
    Server,
    Staff,
    Visitor,
    client_id,
    create_agent,
    login,
    new_visitor,
)

TIMEOUT = 10_000
ROOT = Path(__file__).parents[2]


# --- helpers -------------------------------------------------------------------------------

_clients: list[Visitor | Staff] = []


@pytest_asyncio.fixture(autouse=True, loop_scope="session")
async def _close_clients() -> AsyncIterator[None]:
    yield
    while _clients:
        await _clients.pop().http.aclose()


async def visitor_named(server: Server, name: str) -> Visitor:
    visitor = await new_visitor(server, name)
    _clients.append(visitor)
    return visitor


async def log_in(page: Page, server: Server, email: str, password: str = PASSWORD) -> None:
    await page.goto(f"{server.http}/console")
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Password").fill(password)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.locator("#views")).to_be_visible(timeout=TIMEOUT)
    await expect(page.locator("#connection-status")).to_have_text("Connected", timeout=TIMEOUT)


async def agent(database_url: str, email: str, name: str, role: Role = Role.AGENT) -> Agent:
    return await create_agent(database_url, email, name, role)


async def start_chat(visitor: Visitor, body: str, **extra: Any) -> dict[str, Any]:
    response = await visitor.http.post(
        "/api/v1/widget/conversations", json={"body": body, "client_id": client_id(), **extra}
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


async def visitor_says(visitor: Visitor, conversation_id: int, body: str) -> None:
    response = await visitor.http.post(
        f"/api/v1/widget/conversations/{conversation_id}/messages",
        json={"body": body, "client_id": client_id()},
    )
    assert response.status_code == 201, response.text


async def visitor_messages(visitor: Visitor, conversation_id: int) -> list[dict[str, Any]]:
    response = await visitor.http.get(f"/api/v1/widget/conversations/{conversation_id}/messages")
    assert response.status_code == 200, response.text
    return list(response.json()["messages"])


async def verified_visitor(server: Server, user_id: str, **fields: Any) -> Visitor:
    visitor = await visitor_named(server, fields.pop("name", "Visitor"))
    user_hash = hmac.new(IDENTITY_SECRET.encode(), user_id.encode(), hashlib.sha256).hexdigest()
    response = await visitor.http.post(
        "/api/v1/widget/session",
        json={"visitor_token": visitor.token, "user_id": user_id, "user_hash": user_hash, **fields},
    )
    assert response.status_code == 200, response.text
    visitor.token = response.json()["visitor_token"]
    visitor.http.headers["X-Visitor-Token"] = visitor.token
    return visitor


def row(page: Page, conversation_id: int) -> Any:
    return page.locator(f'.conv-row[data-id="{conversation_id}"]')


def view_of(page: Page, conversation_id: int) -> Any:
    return page.locator(f'.conv-view[data-conversation-id="{conversation_id}"]')


async def open_conversation(page: Page, conversation_id: int) -> Any:
    await page.evaluate(f"location.hash = '#/c/{conversation_id}'")
    view = view_of(page, conversation_id)
    await expect(view).to_be_visible(timeout=TIMEOUT)
    return view


async def composer_send(view: Any, text: str) -> None:
    box = view.locator("textarea.composer-input")
    await box.fill(text)
    await box.press("Enter")


# --- sign in and out -------------------------------------------------------------------------


async def test_wrong_password_shows_an_error_then_the_agent_logs_in_and_out(
    page: Page, server: Server, database_url: str
) -> None:
    carol = await agent(database_url, "carol@example.com", "Carol Jones")
    email = carol.email
    await page.goto(f"{server.http}/console")
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Password").fill("not the password")
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("alert")).to_have_text("Wrong email or password.")

    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.locator("#user-menu-button")).to_contain_text("Carol Jones")
    await expect(page.locator("#presence-toggle")).to_have_text("Online", timeout=TIMEOUT)

    # The session survives a reload (GET /auth/me).
    await page.reload()
    await expect(page.locator("#user-menu-button")).to_contain_text("Carol Jones")

    await page.locator("#presence-toggle").click()
    await expect(page.locator("#presence-toggle")).to_have_text("Away")

    await page.locator("#user-menu-button").click()
    await page.get_by_role("menuitem", name="Sign out").click()
    await expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    await page.reload()
    await expect(page.get_by_role("button", name="Sign in")).to_be_visible()


# --- the inbox, replies and notes ------------------------------------------------------------


async def test_a_new_chat_appears_live_and_the_reply_reaches_the_visitor_but_the_note_does_not(
    page: Page, server: Server, database_url: str
) -> None:
    carol = await agent(database_url, "carol@example.com", "Carol Jones")
    email = carol.email
    await log_in(page, server, email)
    await page.get_by_role("link", name=re.compile("^Unassigned")).click()
    await expect(page.locator("#list-title")).to_have_text("Unassigned")

    alice = await visitor_named(server, "Alice Liddell")
    chat = await start_chat(alice, "My withdrawal is stuck")
    await expect(row(page, chat["id"])).to_contain_text("Alice Liddell", timeout=TIMEOUT)
    await expect(row(page, chat["id"])).to_contain_text("My withdrawal is stuck")
    await expect(row(page, chat["id"]).locator(".unread-count")).to_have_text("1")
    await expect(page.locator('.view-link[href="#/inbox/unassigned"] .badge-unread')).to_have_text(
        "1", timeout=TIMEOUT
    )

    await row(page, chat["id"]).click()
    view = view_of(page, chat["id"])
    await expect(view.locator(".msg-in")).to_contain_text("My withdrawal is stuck")
    await expect(row(page, chat["id"]).locator(".unread-count")).to_have_count(0)

    # A second visitor message arrives live in the open conversation.
    await visitor_says(alice, chat["id"], "TX 0xabc")
    await expect(view.locator(".msg-in").last).to_contain_text("TX 0xabc", timeout=TIMEOUT)

    await composer_send(view, "We are **looking** into it")
    reply = view.locator(".msg-out", has_text="looking into it")
    await expect(reply).to_have_attribute("data-id", re.compile(r"^\d+$"), timeout=TIMEOUT)
    await expect(reply.locator("strong")).to_have_text("looking")

    await view.get_by_role("tab", name="Internal note").click()
    await composer_send(view, "Checking the ledger, do not promise a date")
    note = view.locator(".msg-note", has_text="Checking the ledger")
    await expect(note).to_have_attribute("data-id", re.compile(r"^\d+$"), timeout=TIMEOUT)
    await expect(note.locator(".note-label")).to_have_text("Internal note")
    background = await note.locator(".msg-bubble").evaluate(
        "el => getComputedStyle(el).backgroundColor"
    )
    assert background == "rgb(255, 244, 214)"  # amber, unlike a reply's blue

    bodies = [m["body"] for m in await visitor_messages(alice, chat["id"])]
    assert "We are **looking** into it" in bodies
    assert not any("ledger" in body for body in bodies)

    # The visitor reads the reply: the console shows "Seen".
    last_id = max(m["id"] for m in await visitor_messages(alice, chat["id"]))
    await alice.http.post(
        f"/api/v1/widget/conversations/{chat['id']}/read", json={"message_id": last_id}
    )
    await expect(view.locator(".seen")).to_contain_text("Seen", timeout=TIMEOUT)


async def test_an_agent_attaches_an_image_and_it_previews_and_enlarges(
    page: Page, server: Server, database_url: str, tmp_path: Path
) -> None:
    carol = await agent(database_url, "carol@example.com", "Carol Jones")
    email = carol.email
    bob = await visitor_named(server, "Bob")
    chat = await start_chat(bob, "Here is my problem")
    await log_in(page, server, email)
    view = await open_conversation(page, chat["id"])

    image = tmp_path / "receipt.png"
    Image.new("RGB", (320, 200), (47, 111, 236)).save(image)
    await view.locator('input[type="file"]').set_input_files(str(image))
    await expect(view.locator(".file-chip.file-done")).to_contain_text(
        "receipt.png", timeout=TIMEOUT
    )
    await composer_send(view, "See the attached receipt")
    sent = view.locator(".msg-out", has_text="See the attached receipt")
    await expect(sent).to_have_attribute("data-id", re.compile(r"^\d+$"), timeout=TIMEOUT)
    await sent.locator(".attachment-image").click()
    await expect(page.locator("dialog.lightbox img")).to_be_visible()
    await page.keyboard.press("Escape")
    await expect(page.locator("dialog.lightbox")).to_have_count(0)

    messages = await visitor_messages(bob, chat["id"])
    assert messages[-1]["attachments"][0]["filename"] == "receipt.png"


# --- canned replies --------------------------------------------------------------------------


async def test_a_canned_reply_is_created_and_inserted_with_the_contact_name(
    page: Page, server: Server, database_url: str
) -> None:
    carol = await agent(database_url, "carol@example.com", "Carol Jones")
    email = carol.email
    dana = await visitor_named(server, "Dana Scully")
    chat = await start_chat(dana, "Hello?")
    await log_in(page, server, email)

    await page.get_by_role("link", name="Canned replies").first.click()
    await page.locator("#canned-new").click()
    await page.get_by_label("Shortcut").fill("greet")
    await page.get_by_label("Title").fill("Greeting")
    await page.locator("#canned-body").fill("Hi {{contact.name}}, how can I help? {{bogus}}")
    await page.locator("#canned-save").click()
    await expect(page.locator("#err-body")).to_contain_text("bogus", timeout=TIMEOUT)

    await page.locator("#canned-body").fill("Hi {{contact.name}}, how can I help?")
    await page.get_by_role("tab", name=re.compile(r"\(es\)")).click()
    await page.locator("#canned-body").fill("Hola {{contact.first_name}}, ¿en qué te ayudo?")
    await page.locator("#canned-save").click()
    await expect(page.locator(".canned-item", has_text="/greet")).to_be_visible(timeout=TIMEOUT)
    await expect(page.locator(".canned-item", has_text="/greet")).to_contain_text("en · es")

    # A second reply with the same shortcut is refused inline.
    await page.locator("#canned-new").click()
    await page.get_by_label("Shortcut").fill("greet")
    await page.get_by_label("Title").fill("Another")
    await page.locator("#canned-body").fill("Hello")
    await page.locator("#canned-save").click()
    await expect(page.locator("#err-shortcut")).to_have_text(
        "Another canned reply already uses this shortcut."
    )

    view = await open_conversation(page, chat["id"])
    box = view.locator("textarea.composer-input")
    await box.click()
    await box.press_sequentially("/gre")
    option = view.locator(".canned-option", has_text="/greet")
    await expect(option).to_be_visible(timeout=TIMEOUT)
    await expect(option).to_have_attribute("aria-selected", "true")
    await box.press("Enter")
    await expect(box).to_have_value("Hi Dana Scully, how can I help?", timeout=TIMEOUT)
    await box.press("Enter")
    sent = view.locator(".msg-out", has_text="Hi Dana Scully")
    await expect(sent).to_have_attribute("data-id", re.compile(r"^\d+$"), timeout=TIMEOUT)
    bodies = [m["body"] for m in await visitor_messages(dana, chat["id"])]
    assert "Hi Dana Scully, how can I help?" in bodies


# --- actions ---------------------------------------------------------------------------------


async def test_assign_transfer_with_a_note_priority_resolve_and_reopen(
    page: Page, server: Server, database_url: str
) -> None:
    admin_agent = await agent(database_url, "dave@example.com", "Dave Admin", Role.ADMIN)
    admin: Staff = await login(server, admin_agent.email)
    _clients.append(admin)
    team = (await admin.http.post("/api/v1/teams", json={"name": "LATAM"})).json()
    carol = await agent(database_url, "carol@example.com", "Carol Jones")
    email = carol.email
    erin = await visitor_named(server, "Erin")
    chat = await start_chat(erin, "Necesito ayuda")
    await log_in(page, server, email)
    view = await open_conversation(page, chat["id"])

    await view.get_by_role("button", name="Assign to me").click()
    await expect(view.locator(f"#status-{chat['id']}")).to_have_text("Open", timeout=TIMEOUT)
    await expect(view.get_by_label("Assignee")).to_have_value(str(carol.id))
    await expect(view.get_by_role("button", name="Assign to me")).to_have_count(0)

    await view.get_by_role("button", name="Transfer…").click()
    dialog = page.get_by_role("dialog")
    await dialog.get_by_label("Team").select_option(label="LATAM")
    await dialog.get_by_label("Note for the next agent").fill("Spanish speaker, KYC done")
    await dialog.get_by_role("button", name="Transfer", exact=True).click()
    await expect(dialog).to_have_count(0)
    await expect(view.locator(".msg", has_text="Spanish speaker, KYC done")).to_be_visible(
        timeout=TIMEOUT
    )

    await view.get_by_label("Priority").select_option("urgent")
    await expect(view.locator(".priority-select.priority-urgent")).to_be_visible(timeout=TIMEOUT)

    state = (await admin.http.get(f"/api/v1/conversations/{chat['id']}")).json()
    assert state["team_id"] == team["id"]
    assert state["assignee_id"] is None
    assert state["priority"] == "urgent"
    assert not any("KYC" in m["body"] for m in await visitor_messages(erin, chat["id"]))

    await view.get_by_role("button", name="Resolve").click()
    await expect(view.locator(f"#status-{chat['id']}")).to_have_text("Resolved", timeout=TIMEOUT)
    await view.get_by_role("button", name="Reopen").click()
    await expect(view.locator(f"#status-{chat['id']}")).to_have_text("Open", timeout=TIMEOUT)

    # Shortcuts: "a" assigns to me, "e" resolves.
    await page.locator("body").click(position={"x": 5, "y": 300})
    await page.keyboard.press("a")
    await expect(view.get_by_label("Assignee")).to_have_value(str(carol.id))
    await page.keyboard.press("e")
    await expect(view.locator(f"#status-{chat['id']}")).to_have_text("Resolved", timeout=TIMEOUT)


# --- contact panel and tabs --------------------------------------------------------------------


async def test_the_contact_panel_shows_who_it_is_and_previous_chats_open_in_tabs(
    page: Page, server: Server, database_url: str
) -> None:
    carol = await agent(database_url, "carol@example.com", "Carol Jones")
    email = carol.email
    frank = await verified_visitor(
        server,
        "user-42",
        name="Frank Ocean",
        email="frank@example.com",
        timezone="America/Bogota",
        attributes={"plan": "vip", "kyc_level": 2},
    )
    first = await start_chat(frank, "First question", subject="Deposit")
    second = await start_chat(frank, "Second question", subject="Withdrawal")
    await log_in(page, server, email)
    await open_conversation(page, second["id"])

    panel = page.locator("#contact-panel")
    await expect(panel.locator(".contact-name")).to_have_text("Frank Ocean", timeout=TIMEOUT)
    await expect(panel.locator("#contact-email")).to_contain_text("frank@example.com")
    await expect(panel.locator("#contact-verified")).to_contain_text("Verified user")
    await expect(panel).to_contain_text("user-42")
    await expect(panel).to_contain_text("America/Bogota")
    await expect(panel.locator("#contact-attributes")).to_contain_text("plan")
    await expect(panel.locator("#contact-attributes")).to_contain_text("vip")
    await expect(panel.locator("#contact-history")).to_contain_text("Deposit")

    await panel.locator("#contact-history a", has_text="Deposit").click()
    await expect(view_of(page, first["id"])).to_be_visible()
    tabs = page.locator("#tabs").get_by_role("tab")
    await expect(tabs).to_have_count(2)
    await expect(tabs.nth(1)).to_have_attribute("aria-selected", "true")

    # A message in the background tab marks it; switching back clears the mark.
    await visitor_says(frank, second["id"], "Any news?")
    background_tab = page.locator(f'.tab[data-id="{second["id"]}"]')
    await expect(background_tab.locator(".tab-dot")).to_be_visible(timeout=TIMEOUT)
    await page.locator("body").click(position={"x": 5, "y": 300})
    await page.keyboard.press("Control+1")
    await expect(view_of(page, second["id"]).locator(".msg-in").last).to_contain_text("Any news?")
    await expect(background_tab.locator(".tab-dot")).to_have_count(0)

    await page.locator(f'.tab[data-id="{first["id"]}"] .tab-close').click()
    await expect(tabs).to_have_count(1)


async def test_shortcut_help_and_search_by_email_and_id(
    page: Page, server: Server, database_url: str
) -> None:
    carol = await agent(database_url, "carol@example.com", "Carol Jones")
    email = carol.email
    grace = await verified_visitor(server, "grace-1", name="Grace Hopper", email="grace@navy.mil")
    henry = await visitor_named(server, "Henry Ford")
    chat_g = await start_chat(grace, "Compiler question")
    chat_h = await start_chat(henry, "Engine question")
    await log_in(page, server, email)

    await page.locator("body").click(position={"x": 5, "y": 300})
    await page.keyboard.press("?")
    dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
    await expect(dialog).to_be_visible()
    await expect(dialog).to_contain_text("Resolve the conversation")
    await page.keyboard.press("Escape")
    await expect(dialog).to_have_count(0)

    await page.keyboard.press("/")
    await expect(page.locator("#search")).to_be_focused()
    await page.keyboard.type("grace@navy.mil")
    await page.keyboard.press("Enter")
    await expect(page.locator("#list-title")).to_contain_text("grace@navy.mil")
    await expect(page.locator(".conv-row")).to_have_count(1, timeout=TIMEOUT)
    await expect(row(page, chat_g["id"])).to_contain_text("Grace Hopper")

    await page.locator("#search").fill(f"#{chat_h['id']}")
    await page.locator("#search").press("Enter")
    await expect(page.locator(".conv-row")).to_have_count(1, timeout=TIMEOUT)
    await expect(row(page, chat_h["id"])).to_contain_text("Henry Ford")

    # j selects, Enter opens.
    await page.locator("#search").press("Escape")
    await page.get_by_role("link", name=re.compile("^All")).click()
    await expect(page.locator(".conv-row")).to_have_count(2, timeout=TIMEOUT)
    await page.keyboard.press("j")
    await page.keyboard.press("Enter")
    await expect(page.locator(".conv-view:visible")).to_have_count(1, timeout=TIMEOUT)


# --- safety ----------------------------------------------------------------------------------


async def test_html_and_script_links_from_visitors_render_as_text_and_run_nothing(
    page: Page, server: Server, database_url: str
) -> None:
    payload = "<img src=x onerror=alert(1)>"
    carol = await agent(database_url, "carol@example.com", "Carol Jones")
    email = carol.email
    mallory = await visitor_named(server, payload)
    response = await mallory.http.post(
        "/api/v1/widget/session",
        json={"visitor_token": mallory.token, "attributes": {"note": payload}},
    )
    assert response.status_code == 200, response.text
    chat = await start_chat(
        mallory, f"{payload} and [x](javascript:alert(1)) <script>alert(2)</script>"
    )
    dialogs: list[str] = []
    page.on("dialog", lambda d: dialogs.append(d.message))
    await log_in(page, server, email)
    await page.get_by_role("link", name=re.compile("^All")).click()
    await expect(row(page, chat["id"])).to_contain_text(payload, timeout=TIMEOUT)

    view = await open_conversation(page, chat["id"])
    message = view.locator(".msg-in").first
    await expect(message).to_contain_text(payload)
    await expect(message).to_contain_text("<script>alert(2)</script>")
    await expect(page.locator("#contact-panel .contact-name")).to_have_text(payload)
    await expect(page.locator("#contact-attributes")).to_contain_text(payload)
    assert await page.locator('img[src="x"]').count() == 0
    assert await page.locator('a[href^="javascript"]').count() == 0
    assert await page.locator("script:not([src])").count() == 0
    assert dialogs == []


# --- screenshot --------------------------------------------------------------------------------


async def test_screenshot_of_the_console_with_demo_data(
    browser: Browser, server: Server, database_url: str
) -> None:
    db = Database(database_url)
    try:
        demo = await seed_demo(db)
    finally:
        await db.dispose()
    supervisor = next(login for login in demo.logins if login.role == "supervisor")
    context = await browser.new_context(viewport={"width": 1440, "height": 900})
    page = await context.new_page()
    try:
        await log_in(page, server, supervisor.email, supervisor.password)
        await page.get_by_role("link", name=re.compile("^All")).click()
        rows = page.locator(".conv-row")
        await expect(rows.first).to_be_visible(timeout=TIMEOUT)
        chinese = page.locator(".conv-row", has=page.locator(".lang-badge", has_text="zh"))
        target = chinese.first if await chinese.count() else rows.first
        await target.click()
        await expect(page.locator(".conv-view:visible .msg").first).to_be_visible(timeout=TIMEOUT)
        await expect(page.locator("#contact-panel .contact-name")).to_be_visible()
        await page.locator(".conv-view:visible textarea.composer-input").fill(
            "Thanks for waiting — the transfer is **confirmed**."
        )
        await page.mouse.move(0, 0)
        path = ROOT / "docs" / "screenshots" / "console.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=path)
    finally:
        await context.close()


# --- the widget and the console together -------------------------------------------------------


async def widget_frame(page: Page) -> Frame:
    """The widget's iframe (inside a closed shadow root, so found through page.frames)."""
    for _ in range(200):
        for frame in page.frames:
            if "/widget/frame" in frame.url:
                return frame
        await page.wait_for_timeout(50)
    raise AssertionError("the widget frame never appeared")


async def test_a_visitor_on_the_demo_site_and_an_agent_in_the_console_talk_live(
    browser: Browser, page: Page, server: Server, database_url: str, tmp_path: Path
) -> None:
    carol = await agent(database_url, "carol@example.com", "Carol Jones")
    await log_in(page, server, carol.email)
    await page.get_by_role("link", name="Canned replies").first.click()
    await page.locator("#canned-new").click()
    await page.get_by_label("Shortcut").fill("thanks")
    await page.get_by_label("Title").fill("Thanks for the screenshot")
    await page.locator("#canned-body").fill("Thanks for the screenshot, I'm checking it now.")
    await page.locator("#canned-save").click()
    await expect(page.locator(".canned-item", has_text="/thanks")).to_be_visible(timeout=TIMEOUT)
    await page.get_by_role("link", name=re.compile("^All")).click()

    context = await browser.new_context(viewport={"width": 1280, "height": 800})
    visitor_page = await context.new_page()
    try:
        await visitor_page.goto(f"{server.http}/demo")
        frame = await widget_frame(visitor_page)
        await expect(frame.locator("#panel:not([aria-busy])")).to_be_attached(timeout=TIMEOUT)
        await visitor_page.mouse.click(1280 - 50, 800 - 50)  # the launcher, bottom right
        composer = frame.get_by_label("Message", exact=True)
        await expect(composer).to_be_visible(timeout=TIMEOUT)
        shot = tmp_path / "withdrawal.png"
        Image.new("RGB", (400, 240), (18, 183, 106)).save(shot)
        await frame.locator('input[type="file"]').set_input_files(str(shot))
        await expect(frame.locator(".chip", has_text="withdrawal.png")).to_have_class(
            "chip done", timeout=TIMEOUT
        )
        await composer.fill("My withdrawal is stuck, see the screenshot")
        await composer.press("Enter")

        incoming = page.locator(".conv-row", has_text="My withdrawal is stuck")
        await expect(incoming).to_be_visible(timeout=TIMEOUT)
        await incoming.click()
        view = page.locator(".conv-view:visible")
        message = view.locator(".msg-in", has_text="My withdrawal is stuck")
        await expect(message.locator(".attachment-image img")).to_be_visible(timeout=TIMEOUT)

        box = view.locator("textarea.composer-input")
        await box.click()
        await box.press_sequentially("/thanks")
        await expect(view.locator(".canned-option", has_text="/thanks")).to_be_visible()
        await box.press("Enter")
        await expect(box).to_have_value("Thanks for the screenshot, I'm checking it now.")
        await box.press("Enter")
        await view.get_by_role("tab", name="Internal note").click()
        await composer_send(view, "Secret: ledger check pending")
        await expect(view.locator(".msg-note", has_text="Secret")).to_have_attribute(
            "data-id", re.compile(r"^\d+$"), timeout=TIMEOUT
        )

        await expect(frame.get_by_text("I'm checking it now.")).to_be_visible(timeout=TIMEOUT)
        await expect(frame.get_by_text("Secret: ledger check pending")).to_have_count(0)
        await save_screenshot(visitor_page, "joint_visitor_side")
    finally:
        await context.close()
