"""The chat widget on the demo page, in a real Chromium against a real server.

The visitor uses the page as a person would (mouse, keyboard, files); the agent answers
through the REST API and the console WebSocket, as the console does. The launcher sits in
a closed shadow root, which no selector reaches: it is clicked where it is drawn, or
reached with the keyboard.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import io
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest_asyncio
from PIL import Image
from playwright.async_api import Browser, BrowserContext, Frame, Page, Route, expect

from tests.e2e.netcut import CuttableProxy
from tests.realtime.wsharness import (
    IDENTITY_SECRET,
    Server,
    Socket,
    Staff,
    client_id,
    create_agent,
    is_frame,
    login,
    open_socket,
)

DOCS_SCREENSHOTS = Path(__file__).parents[2] / "docs" / "screenshots"
DEADLINE = 15.0
BLOB_URL = re.compile(r"^blob:")
expect.set_options(timeout=10_000)


# --- fixtures ----------------------------------------------------------------------------


@pytest_asyncio.fixture(loop_scope="session")
async def carol(database_url: str, server: Server) -> AsyncIterator[Staff]:
    await create_agent(database_url, "carol@example.com", "Carol Diaz", "agent")
    staff = await login(server, "carol@example.com")
    yield staff
    await staff.http.aclose()


@pytest_asyncio.fixture(loop_scope="session")
async def carol_online(carol: Staff, server: Server) -> AsyncIterator[Socket]:
    """Carol's console socket: while it is open she counts as online."""
    sock = await open_socket(f"{server.ws}/console", cookie=carol.cookie, origin=server.http)
    yield sock
    await sock.close()


@pytest_asyncio.fixture(loop_scope="session")
async def proxy(server: Server) -> AsyncIterator[CuttableProxy]:
    started = CuttableProxy(server.port)
    await started.start()
    yield started
    await started.stop()


# --- helpers -----------------------------------------------------------------------------


async def widget_frame(page: Page) -> Frame:
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline:
        for frame in page.frames:
            if "/widget/frame" in frame.url:
                return frame
        await page.wait_for_timeout(50)
    raise AssertionError("the widget frame never appeared")


async def open_widget(page: Page, url: str) -> Frame:
    """Load ``url``, wait for the widget to be ready and click the launcher."""
    await page.goto(url)
    frame = await widget_frame(page)
    await expect(frame.locator("#panel:not([aria-busy])")).to_be_attached()
    await click_launcher(page)
    await expect(frame.locator("#input")).to_be_visible()
    return frame


async def click_launcher(page: Page) -> None:
    size = page.viewport_size
    assert size is not None
    await page.mouse.click(size["width"] - 50, size["height"] - 50)


async def send(frame: Frame, text: str) -> None:
    await frame.locator("#input").fill(text)
    await frame.locator("#input").press("Enter")


def own_message(frame: Frame, text: str):
    return frame.locator(".msg-row.own", has_text=text)


def agent_message(frame: Frame, text: str):
    return frame.locator(".msg-row.agent", has_text=text)


async def current_conversation(frame: Frame) -> int:
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline:
        found = await frame.evaluate(
            """() => {
                for (const key of Object.keys(localStorage))
                    if (key.endsWith(':current')) return JSON.parse(localStorage[key]);
                return null;
            }"""
        )
        if found:
            return int(found)
        await frame.wait_for_timeout(50)
    raise AssertionError("the widget never stored its conversation")


async def reply(staff: Staff, conversation_id: int, body: str, **extra: object) -> dict:
    response = await staff.http.post(
        f"/api/v1/conversations/{conversation_id}/messages",
        json={"body": body, "client_id": client_id(), **extra},
    )
    assert response.status_code == 201, response.text
    return response.json()


async def stored_messages(staff: Staff, conversation_id: int) -> list[dict]:
    response = await staff.http.get(f"/api/v1/conversations/{conversation_id}/messages")
    assert response.status_code == 200, response.text
    return [m for m in response.json()["messages"] if m["sender"]["type"] != "system"]


async def stored_bodies(staff: Staff, conversation_id: int) -> list[str]:
    return [m["body"] for m in await stored_messages(staff, conversation_id)]


async def contact_read_up_to(staff: Staff, conversation_id: int, message_id: int) -> bool:
    response = await staff.http.get(f"/api/v1/conversations/{conversation_id}")
    return response.json()["contact_last_read_id"] >= message_id


async def until(check: Callable[[], Awaitable[bool]]) -> None:
    deadline = time.monotonic() + DEADLINE
    while not await check():
        assert time.monotonic() < deadline, "the state was not reached in time"
        await asyncio.sleep(0.05)


def png_bytes(width: int = 320, height: int = 200, color: str = "#0b5cff") -> bytes:
    image = Image.new("RGB", (width, height), color)
    for x in range(0, width, 20):
        for y in range(height // 2, height):
            image.putpixel((x, y), (255, 255, 255))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


async def new_page(browser: Browser, **options: object) -> tuple[BrowserContext, Page]:
    context = await browser.new_context(**options)
    return context, await context.new_page()


async def docs_screenshot(page: Page, name: str) -> None:
    DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=DOCS_SCREENSHOTS / name)


# --- conversation ------------------------------------------------------------------------


async def test_visitor_and_agent_chat_live_with_typing_and_read_receipts(
    page: Page, server: Server, carol: Staff, carol_online: Socket
):
    frame = await open_widget(page, f"{server.http}/demo")
    await expect(frame.locator("#availability-text")).to_have_text("Our team is online")
    await expect(frame.locator("#away")).to_be_hidden()

    await send(frame, "Hi! My BTC withdrawal has been **pending** for two hours.")
    first = own_message(frame, "My BTC withdrawal has been pending")
    await expect(first.locator(".status")).to_have_text("Sent")
    await expect(first.locator("strong")).to_have_text("pending")
    conversation_id = await current_conversation(frame)

    # Shift+Enter starts a new line; Enter sends both lines as one message.
    textarea = frame.locator("#input")
    await textarea.press_sequentially("The amount is 0.05 BTC")
    typing = await carol_online.expect(is_frame("typing", conversation_id=conversation_id))
    assert (typing["state"], typing["who"]) == ("start", "contact")
    await textarea.press("Shift+Enter")
    await textarea.press_sequentially("TX id 8f3c…91d")
    await expect(textarea).to_have_value("The amount is 0.05 BTC\nTX id 8f3c…91d")
    await textarea.press("Enter")
    second = own_message(frame, "The amount is 0.05 BTC")
    await expect(second.locator(".bubble br")).to_have_count(1)
    await expect(textarea).to_have_value("")
    await expect(second.locator(".status")).to_have_text("Sent")
    await expect(first.locator(".status")).to_have_count(0)  # only under the newest

    await carol_online.send(
        {"type": "typing", "conversation_id": conversation_id, "state": "start"}
    )
    await expect(frame.locator("#typing")).to_have_text("Carol Diaz is typing…")

    await reply(carol, conversation_id, "Internal: check the hot wallet queue", internal=True)
    await reply(
        carol,
        conversation_id,
        "Thanks for waiting! Your withdrawal is in the **next batch** — "
        "it should reach your wallet within 30 minutes.",
    )
    answer = agent_message(frame, "Your withdrawal is in the")
    await expect(answer).to_be_visible()
    await expect(answer.locator(".sender")).to_have_text("Carol Diaz")
    await expect(answer.locator(".avatar")).to_have_text("CD")
    await expect(frame.locator("#typing")).to_be_hidden()
    await expect(frame.locator("#log")).not_to_contain_text("hot wallet queue")
    # The open panel tells the desk the visitor has read the reply.
    answer_id = (await stored_messages(carol, conversation_id))[-1]["id"]
    await until(lambda: contact_read_up_to(carol, conversation_id, answer_id))

    messages = await stored_messages(carol, conversation_id)
    newest_own = max(m["id"] for m in messages if m["sender"]["type"] == "contact")
    read = await carol.http.post(
        f"/api/v1/conversations/{conversation_id}/read", json={"message_id": newest_own}
    )
    assert read.status_code == 200, read.text
    await expect(second.locator(".status")).to_have_text("Read")

    await send(frame, "Perfect, thank you!")
    await expect(own_message(frame, "Perfect, thank you!").locator(".status")).to_have_text("Sent")
    await expect(frame.locator(".msg-row.own")).to_have_count(3)
    await docs_screenshot(page, "widget-desktop.png")


async def test_an_unanswered_visitor_can_leave_an_email(page: Page, server: Server):
    frame = await open_widget(page, f"{server.http}/demo")
    await expect(frame.locator("#availability-text")).to_have_text("We're away right now")
    away = frame.locator("#away")
    await expect(away).to_contain_text("No one is online right now")
    email = frame.locator("#email-input")
    await email.fill("not-an-email")
    await away.get_by_role("button", name="Save").click()
    await expect(frame.locator("#email-status")).to_have_text("Please enter a valid email address.")
    await email.fill("alex@example.com")
    await email.press("Enter")
    await expect(frame.locator("#email-status")).to_have_text(
        "Thanks! We'll reply to alex@example.com"
    )
    me = await frame.evaluate(
        """async () => {
            const token = JSON.parse(localStorage.getItem('supportdesk:token'));
            const r = await fetch('/api/v1/widget/me', {headers: {'X-Visitor-Token': token}});
            return r.json();
        }"""
    )
    assert me["email"] == "alex@example.com"


# --- attachments -------------------------------------------------------------------------


async def test_screenshots_attach_by_picker_and_by_paste_and_open_larger(
    page: Page, server: Server, carol: Staff
):
    frame = await open_widget(page, f"{server.http}/demo")
    await frame.locator("#file-input").set_input_files(
        {"name": "withdrawal.png", "mimeType": "image/png", "buffer": png_bytes()}
    )
    chip = frame.locator(".chip", has_text="withdrawal.png")
    await expect(chip).to_have_class("chip done")
    await expect(chip.locator("img")).to_have_attribute("src", BLOB_URL)
    await frame.locator("#input").fill("Here is the screenshot")
    await frame.locator("#input").press("Enter")
    sent = own_message(frame, "Here is the screenshot")
    await expect(sent.locator(".status")).to_have_text("Sent")
    await expect(sent.locator(".thumb img")).to_have_attribute("src", BLOB_URL)
    await expect(frame.locator(".chip")).to_have_count(0)

    await sent.locator(".thumb").click()
    await expect(frame.locator("#lightbox")).to_be_visible()
    await expect(frame.locator("#lightbox-image")).to_have_attribute("alt", "withdrawal.png")
    await frame.locator("#lightbox").press("Escape")
    await expect(frame.locator("#lightbox")).to_be_hidden()
    await expect(frame.locator("#input")).to_be_visible()  # Escape closed only the preview

    await frame.locator("#input").focus()
    await frame.evaluate(
        """(b64) => {
            const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
            const data = new DataTransfer();
            data.items.add(new File([bytes], 'image.png', {type: 'image/png'}));
            const input = document.getElementById('input');
            input.dispatchEvent(new ClipboardEvent('paste', {clipboardData: data, bubbles: true,
                                                             cancelable: true}));
        }""",
        base64.b64encode(png_bytes(color="#12b76a")).decode(),
    )
    pasted = frame.locator(".chip", has_text="screenshot-")
    await expect(pasted).to_have_class("chip done")
    await frame.locator("#send").click()
    await expect(frame.locator(".msg-row.own .thumb")).to_have_count(2)
    await expect(frame.locator(".msg-row.own").last.locator(".status")).to_have_text("Sent")

    conversation_id = await current_conversation(frame)
    messages = (await carol.http.get(f"/api/v1/conversations/{conversation_id}/messages")).json()[
        "messages"
    ]
    files = [a for m in messages for a in m["attachments"]]
    assert [f["content_type"] for f in files] == ["image/png", "image/png"]

    # The agent's files come back as thumbnails (images) and download links (others).
    upload = await carol.http.post(
        f"/api/v1/conversations/{conversation_id}/attachments",
        files={"file": ("steps.txt", b"1. Open Wallet\n2. Tap Withdraw\n", "text/plain")},
    )
    assert upload.status_code == 201, upload.text
    await reply(carol, conversation_id, "These steps help", attachment_ids=[upload.json()["id"]])
    link = agent_message(frame, "These steps help").locator("a.file")
    await expect(link).to_contain_text("steps.txt")


async def test_refused_files_explain_why(page: Page, server: Server):
    frame = await open_widget(page, f"{server.http}/demo")
    error = frame.locator("#file-error")

    await frame.locator("#file-input").set_input_files(
        {"name": "setup.exe", "mimeType": "application/x-msdownload", "buffer": b"MZ\x90\x00"}
    )
    await expect(error).to_contain_text("setup.exe can't be sent")
    await expect(frame.locator(".chip")).to_have_count(0)

    too_big = b"\x00" * (10 * 1024 * 1024 + 1)
    await frame.locator("#file-input").set_input_files(
        {"name": "huge.pdf", "mimeType": "application/pdf", "buffer": too_big}
    )
    await expect(error).to_have_text("huge.pdf is too large (the limit is 10 MB).")

    # Passes the browser's check (a .txt), refused by the server, which reads the content.
    await frame.locator("#file-input").set_input_files(
        {"name": "page.txt", "mimeType": "text/plain", "buffer": b"<html><script></script>"}
    )
    await expect(error).to_contain_text("page.txt can't be sent")
    await expect(frame.locator(".chip")).to_have_count(0)


# --- resilience --------------------------------------------------------------------------


async def test_a_network_cut_shows_a_banner_and_missed_messages_arrive_once(
    page: Page, server: Server, proxy: CuttableProxy, carol: Staff
):
    frame = await open_widget(page, f"{proxy.http}/demo")
    banner = frame.locator("#offline-banner")
    await send(frame, "Is my deposit confirmed?")
    await expect(own_message(frame, "Is my deposit confirmed?").locator(".status")).to_have_text(
        "Sent"
    )
    conversation_id = await current_conversation(frame)
    await expect(banner).to_be_hidden()

    proxy.cut()
    await expect(banner).to_have_text("You're offline — reconnecting…")
    await expect(banner).to_have_attribute("aria-live", "polite")
    # While offline the agent answers (straight to the server) and the visitor writes.
    await reply(carol, conversation_id, "Missed one: it has 2 of 3 confirmations")
    await reply(carol, conversation_id, "Missed two: confirmed now")
    await send(frame, "Written while offline")
    written = own_message(frame, "Written while offline")
    await expect(written.locator(".status")).to_have_text("Sending…")

    proxy.restore()
    await expect(banner).to_be_hidden(timeout=40_000)
    await expect(agent_message(frame, "Missed one")).to_have_count(1)
    await expect(agent_message(frame, "Missed two")).to_have_count(1)
    await expect(written.locator(".status")).to_have_text("Sent")
    await expect(written).to_have_count(1)
    assert (await stored_bodies(carol, conversation_id)).count("Written while offline") == 1

    # A later live message still arrives exactly once.
    await reply(carol, conversation_id, "Anything else?")
    await expect(agent_message(frame, "Anything else?")).to_have_count(1)
    await expect(agent_message(frame, "Missed one")).to_have_count(1)


async def test_a_chat_opened_while_the_desk_is_unreachable_starts_once_it_is_back(
    page: Page, proxy: CuttableProxy
):
    await page.goto(f"{proxy.http}/demo")
    frame = await widget_frame(page)
    await expect(frame.locator("#panel:not([aria-busy])")).to_be_attached()
    proxy.cut()  # the page has loaded; the visitor's session does not exist yet
    await click_launcher(page)
    banner = frame.locator("#offline-banner")
    await expect(banner).to_have_text("You're offline — reconnecting…")

    proxy.restore()
    await expect(banner).to_be_hidden(timeout=40_000)
    await send(frame, "Hello after the outage")
    await expect(own_message(frame, "Hello after the outage").locator(".status")).to_have_text(
        "Sent"
    )


async def test_conversation_and_draft_survive_reload_and_navigation(
    page: Page, server: Server, carol: Staff
):
    frame = await open_widget(page, f"{server.http}/demo")
    await send(frame, "Where is my withdrawal?")
    await expect(own_message(frame, "Where is my withdrawal?").locator(".status")).to_have_text(
        "Sent"
    )
    conversation_id = await current_conversation(frame)
    await reply(carol, conversation_id, "Let me check that for you.")
    await expect(agent_message(frame, "Let me check")).to_be_visible()
    await frame.locator("#input").fill("half-written draft")

    await page.reload()
    frame = await widget_frame(page)
    await expect(frame.locator("#input")).to_be_visible()  # still open: no click needed
    await expect(agent_message(frame, "Let me check")).to_have_count(1)
    await expect(own_message(frame, "Where is my withdrawal?")).to_have_count(1)
    await expect(frame.locator("#input")).to_have_value("half-written draft")

    await page.goto(f"{server.http}/demo?page=wallet")
    frame = await widget_frame(page)
    await expect(frame.locator("#input")).to_be_visible()
    await expect(agent_message(frame, "Let me check")).to_have_count(1)
    await expect(frame.locator("#input")).to_have_value("half-written draft")

    # A closed conversation says so and offers a new one; the list keeps the old one.
    patched = await carol.http.patch(
        f"/api/v1/conversations/{conversation_id}", json={"status": "closed"}
    )
    assert patched.status_code == 200, patched.text
    notice = frame.locator("#closed-notice")
    await expect(notice).to_contain_text("This conversation is closed.")
    await expect(frame.locator(".system-msg")).to_have_text("Conversation closed")
    await expect(frame.locator("#composer")).to_be_hidden()
    await notice.get_by_role("button", name="Start a new conversation").click()
    await expect(frame.locator("#input")).to_be_visible()
    await expect(frame.locator(".msg-row")).to_have_count(0)
    await send(frame, "A new question")
    await expect(own_message(frame, "A new question").locator(".status")).to_have_text("Sent")
    assert await current_conversation(frame) != conversation_id
    await frame.get_by_role("button", name="Your conversations").click()
    await expect(frame.locator(".conversation")).to_have_count(2)
    await expect(frame.locator(".conversation", has_text="Closed")).to_have_count(1)
    # Each row shows its latest message, worded for the visitor.
    await expect(frame.locator(".conversation-preview")).to_have_text(
        ["You: A new question", "Conversation closed"]
    )


# --- languages, phones, keyboard -----------------------------------------------------------


async def test_the_visitor_switches_language_and_it_sticks(page: Page, server: Server):
    frame = await open_widget(page, f"{server.http}/demo")
    await expect(frame.locator("#title")).to_have_text("Support")

    await frame.get_by_role("button", name="Language").click()
    await frame.get_by_role("menuitemradio", name="简体中文").click()
    await expect(frame.locator("#title")).to_have_text("在线客服")
    await expect(frame.locator("#input")).to_have_attribute("placeholder", "输入消息…")
    await expect(frame.locator("#availability-text")).to_have_text("客服暂时不在线")
    await send(frame, "你好，我的提现还没到账")
    await expect(own_message(frame, "提现").locator(".status")).to_have_text("已发送")

    await frame.get_by_role("button", name="语言").click()
    await frame.get_by_role("menuitemradio", name="Español").click()
    await expect(frame.locator("#title")).to_have_text("Soporte")
    await expect(frame.locator("#input")).to_have_attribute("placeholder", "Escribe un mensaje…")
    await expect(own_message(frame, "提现").locator(".status")).to_have_text("Enviado")

    await page.reload()
    frame = await widget_frame(page)
    await expect(frame.locator("#title")).to_have_text("Soporte")
    locale = await frame.evaluate(
        """async () => {
            const token = JSON.parse(localStorage.getItem('supportdesk:token'));
            const r = await fetch('/api/v1/widget/me', {headers: {'X-Visitor-Token': token}});
            return (await r.json()).locale;
        }"""
    )
    assert locale == "es"


async def test_chinese_browser_gets_a_chinese_widget(
    browser: Browser, server: Server, database_url: str, carol_online: Socket
):
    await create_agent(database_url, "wang@example.com", "王芳", "agent")
    wang = await login(server, "wang@example.com")
    context, page = await new_page(browser, viewport={"width": 1280, "height": 900}, locale="zh-CN")
    try:
        frame = await open_widget(page, f"{server.http}/demo")
        await expect(frame.locator("#title")).to_have_text("在线客服")
        await expect(frame.locator("#availability-text")).to_have_text("客服团队在线")
        await send(frame, "您好，我昨天提现了 0.05 BTC，现在还显示处理中。")
        await expect(own_message(frame, "处理中").locator(".status")).to_have_text("已发送")
        conversation_id = await current_conversation(frame)
        await reply(
            wang, conversation_id, "您好！我已查到这笔提现，它会在下一批次发出，预计 30 分钟内到账"
        )
        await expect(agent_message(frame, "下一批次")).to_be_visible()
        await expect(agent_message(frame, "下一批次").locator(".sender")).to_have_text("王芳")
        await send(frame, "好的，谢谢！")
        await expect(own_message(frame, "谢谢").locator(".status")).to_have_text("已发送")
        await docs_screenshot(page, "widget-zh.png")
    finally:
        await context.close()
        await wang.http.aclose()


async def test_on_a_phone_the_panel_is_full_screen_and_the_composer_usable(
    browser: Browser, server: Server, carol: Staff, carol_online: Socket
):
    context, page = await new_page(
        browser,
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    try:
        frame = await open_widget(page, f"{server.http}/demo")
        size = await frame.evaluate("() => [innerWidth, innerHeight]")
        assert size == [390, 844]
        composer = frame.locator("#input")
        box = await composer.bounding_box()
        assert box is not None and box["y"] + box["height"] <= 844
        await send(frame, "Can I cancel a pending withdrawal?")
        await expect(own_message(frame, "cancel a pending").locator(".status")).to_have_text("Sent")
        conversation_id = await current_conversation(frame)
        await reply(carol, conversation_id, "Yes — open **Wallet → Withdrawals** and tap Cancel.")
        await expect(agent_message(frame, "tap Cancel")).to_be_visible()
        await frame.locator("#input").blur()
        await page.mouse.move(0, 0)
        await docs_screenshot(page, "widget-phone.png")
        await frame.get_by_role("button", name="Close").first.click()
        await expect(frame.locator("#input")).to_be_hidden()
    finally:
        await context.close()


async def test_keyboard_alone_opens_writes_sends_and_closes(page: Page, server: Server):
    await page.goto(f"{server.http}/demo")
    frame = await widget_frame(page)
    await expect(frame.locator("#panel:not([aria-busy])")).to_be_attached()
    is_launcher = "() => document.activeElement && document.activeElement.localName"
    for _ in range(40):
        await page.keyboard.press("Tab")
        if await page.evaluate(is_launcher) == "supportdesk-widget":
            break
    assert await page.evaluate(is_launcher) == "supportdesk-widget"

    await page.keyboard.press("Enter")
    await expect(frame.locator("#input")).to_be_focused()
    await page.keyboard.type("Typed without a mouse")
    await page.keyboard.press("Enter")
    await expect(own_message(frame, "Typed without a mouse").locator(".status")).to_have_text(
        "Sent"
    )

    # Tab and Shift+Tab cycle inside the panel.
    for key in ["Tab"] * 12 + ["Shift+Tab"] * 12:
        await page.keyboard.press(key)
        assert await frame.evaluate(
            "() => document.hasFocus() && document.getElementById('panel')"
            ".contains(document.activeElement)"
        ), key

    await page.keyboard.press("Escape")
    await expect(frame.locator("#input")).to_be_hidden()
    assert await page.evaluate(is_launcher) == "supportdesk-widget"
    await page.keyboard.press("Enter")
    await expect(frame.locator("#input")).to_be_focused()


# --- safety ------------------------------------------------------------------------------

XSS = [
    "<img src=x onerror=window.__xss=1>",
    "[click me](javascript:window.__xss=2)",
    "<script>window.__xss=3</script>",
    '**<svg onload="window.__xss=4">**',
    "[x](data:text/html,<script>window.__xss=5</script>)",
    "`</code><img src=y onerror=window.__xss=6>`",
]


async def test_script_in_messages_is_shown_as_text_and_never_runs(
    page: Page, server: Server, carol: Staff
):
    dialogs: list[str] = []
    errors: list[str] = []
    page.on("dialog", lambda dialog: dialogs.append(dialog.message))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))

    frame = await open_widget(page, f"{server.http}/demo")
    for payload in XSS:
        await send(frame, payload)
    await expect(frame.locator(".msg-row.own")).to_have_count(len(XSS))
    await expect(frame.locator(".msg-row.own.pending")).to_have_count(0)
    conversation_id = await current_conversation(frame)
    for payload in XSS:
        await reply(carol, conversation_id, payload)
    await expect(frame.locator(".msg-row.agent")).to_have_count(len(XSS))

    log = frame.locator("#log")
    await expect(log).to_contain_text("<img src=x onerror=window.__xss=1>")
    await expect(log).to_contain_text("<script>window.__xss=3</script>")
    assert await frame.locator("#log img:not(.thumb img)").count() == 0
    assert await frame.locator("#log script, #log svg:not(.avatar svg)").count() == 0
    hrefs = await frame.locator("#log a").evaluate_all("links => links.map(a => a.href)")
    assert all(href.startswith(("http:", "https:", "mailto:")) for href in hrefs), hrefs
    assert await frame.evaluate("() => window.__xss") is None
    assert await page.evaluate("() => window.__xss") is None
    assert dialogs == []
    assert errors == []


async def test_hostile_host_css_cannot_hide_or_restyle_the_widget(page: Page, server: Server):
    hostile = """<!doctype html><html><head><style>
        * { all: unset !important; font-size: 40px !important; }
        button, iframe, supportdesk-widget { display: none !important; }
        body * { transform: rotate(180deg) !important; }
        </style></head><body><p>Hostile host</p>
        <script src="/widget.js" data-color="not-a-colour" async></script></body></html>"""
    await page.route(
        f"{server.http}/hostile",
        lambda route: route.fulfill(status=200, content_type="text/html", body=hostile),
    )
    frame = await open_widget(page, f"{server.http}/hostile")
    await send(frame, "Still works")
    await expect(own_message(frame, "Still works").locator(".status")).to_have_text("Sent")
    brand = await frame.evaluate(
        "() => getComputedStyle(document.documentElement).getPropertyValue('--brand').trim()"
    )
    assert brand == "#0b5cff"


async def test_a_verified_user_finds_their_conversation_in_another_browser(
    browser: Browser, server: Server
):
    user_hash = hmac.new(IDENTITY_SECRET.encode(), b"user-42", hashlib.sha256).hexdigest()
    host_page = f"""<!doctype html><html><head><title>Account</title></head><body>
        <h1>Your account</h1>
        <script src="/widget.js" data-user-id="user-42" data-user-hash="{user_hash}"
                data-name="Alex Chen" data-email="alex@example.com" async></script>
        </body></html>"""

    async def serve(route: Route) -> None:
        await route.fulfill(status=200, content_type="text/html", body=host_page)

    for device in ("laptop", "phone"):
        context, page = await new_page(browser, viewport={"width": 1280, "height": 900})
        try:
            await page.route(f"{server.http}/account", serve)
            frame = await open_widget(page, f"{server.http}/account")
            if device == "laptop":
                await send(frame, "Asked on my laptop")
                await expect(
                    own_message(frame, "Asked on my laptop").locator(".status")
                ).to_have_text("Sent")
            else:
                await frame.get_by_role("button", name="Your conversations").click()
                await frame.locator(".conversation").click()
                await expect(own_message(frame, "Asked on my laptop")).to_be_visible()
        finally:
            await context.close()
