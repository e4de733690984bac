"""The browser modules that the widget and the console share, run in Chromium itself."""

from __future__ import annotations

from typing import Any

from playwright.async_api import Page

from tests.realtime.wsharness import Server

RENDER = """async (text) => {
  const { renderMarkdown } = await import('/static/shared/markdown.js');
  const box = document.createElement('div');
  box.append(renderMarkdown(text));
  document.body.append(box);
  const links = [...box.querySelectorAll('a')].map(a => ({
    href: a.getAttribute('href'), rel: a.rel, target: a.target, text: a.textContent}));
  const tags = [...box.querySelectorAll('*')].map(e => e.tagName.toLowerCase());
  return {text: box.textContent, links, tags, html: box.innerHTML};
}"""


async def _render(page: Page, server: Server, text: str) -> dict[str, Any]:
    if not page.url.startswith(server.http):
        await page.goto(f"{server.http}/healthz")
    return await page.evaluate(RENDER, text)  # type: ignore[no-any-return]


async def test_markup_in_messages_is_shown_as_text_and_runs_nothing(page: Page, server: Server):
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: dialogs.append(dialog.message))
    payloads = [
        "<img src=x onerror=alert(1)>",
        "<script>alert(2)</script>",
        '<a href="javascript:alert(3)">x</a>',
        "<svg onload=alert(4)>",
    ]
    for payload in payloads:
        result = await _render(page, server, payload)
        assert result["text"] == payload
        assert result["tags"] == ["p"], result["html"]
    assert dialogs == []


async def test_only_web_and_mail_links_become_links_with_safe_attributes(
    page: Page, server: Server
):
    result = await _render(
        page,
        server,
        "[bad](javascript:alert(1)) [data](data:text/html,hi) [ok](https://example.com/a?b=1) "
        "see https://status.example.com/x. or [mail](mailto:help@example.com)",
    )
    assert [link["href"] for link in result["links"]] == [
        "https://example.com/a?b=1",
        "https://status.example.com/x",
        "mailto:help@example.com",
    ]
    assert all(link["rel"] == "noopener noreferrer nofollow" for link in result["links"])
    assert all(link["target"] == "_blank" for link in result["links"])
    assert "[bad](javascript:alert(1))" in result["text"]


async def test_markdown_lite_formats_emphasis_code_and_lists(page: Page, server: Server):
    result = await _render(
        page,
        server,
        "**Withdrawal** is *pending*; id `0xabc_def`\n\n- first\n- second\n\n```\n<b>raw</b>\n```",
    )
    assert result["tags"] == ["p", "strong", "em", "code", "ul", "li", "li", "pre", "code"]
    assert "<b>raw</b>" in result["text"]


async def test_snake_case_and_arithmetic_are_not_emphasis(page: Page, server: Server):
    result = await _render(page, server, "use my_wallet_name and 2*3*4")
    assert result["tags"] == ["p"]
    assert result["text"] == "use my_wallet_name and 2*3*4"


TRANSLATE = """async ([locale, count, when, zone]) => {
  const { loadTranslator } = await import('/static/shared/i18n.js');
  const tr = await loadTranslator(locale);
  return {locale: tr.locale, plural: tr.n('widget.new_messages', count),
          time: tr.time(when, zone), missing: tr.t('no.such.key')};
}"""


async def test_translator_uses_the_locales_plural_rules_and_the_viewers_time_zone(
    page: Page, server: Server
):
    await page.goto(f"{server.http}/healthz")
    when = "2026-03-29T00:30:00Z"
    english = await page.evaluate(TRANSLATE, ["en-GB", 1, when, "Europe/Madrid"])
    spanish = await page.evaluate(TRANSLATE, ["es-MX", 3, when, "America/New_York"])
    chinese = await page.evaluate(TRANSLATE, ["zh-CN", 1, when, "Asia/Shanghai"])
    assert english["locale"] == "en" and english["plural"].startswith("1 ")
    assert "1:30" in english["time"]  # 00:30 UTC, an hour before Madrid moves to summer time
    assert spanish["locale"] == "es" and spanish["plural"].startswith("3 ")
    assert "20:30" in spanish["time"] or "8:30" in spanish["time"]
    assert chinese["locale"] == "zh-Hans" and "8:30" in chinese["time"]
    assert english["missing"] == "no.such.key"
