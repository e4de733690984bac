"""The public help center in a real Chromium against a real server.

Articles are written straight into the server's database; the pages are read as a visitor
reads them: in Chinese and Spanish, on a phone, and answering "Was this helpful?".
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest_asyncio
from playwright.async_api import Browser, Page, expect
from sqlalchemy import select

from supportdesk.db.engine import Database
from supportdesk.helpcenter.models import (
    Article,
    ArticleFeedback,
    ArticleTranslation,
    HelpCategory,
)
from tests.realtime.wsharness import Server

TIMEOUT = 10_000
DOCS_SCREENSHOTS = Path(__file__).parents[2] / "docs" / "screenshots"

BODIES = {
    "en": (
        "Why is my withdrawal still pending?",
        """Most withdrawals reach your wallet within **30 minutes**. When one takes longer, \
it is usually waiting for one of the checks below.

## What we check

1. **Network confirmations**: the blockchain must confirm the transaction.
2. **Security review**: large or unusual withdrawals are reviewed by our team.
3. **Address whitelist**: new addresses wait 24 hours after you add them.

| Network | Usual time | Confirmations |
|:--------|:----------:|--------------:|
| Bitcoin | 30–60 min  | 2             |
| Ethereum | 5–10 min  | 64            |
| Tron    | 1–3 min    | 20            |

## Still waiting?

Copy the transaction ID from **Wallet → History** and check it on a block explorer:

```
https://www.blockchain.com/explorer/transactions/btc/0c1f9d2e7a4b8c3d5e6f
```

If it has not appeared after two hours, contact support with the transaction ID.""",
    ),
    "zh-Hans": (
        "为什么我的提现还在处理中？",
        """大多数提现会在 **30 分钟**内到账。如果时间更长，通常是在等待以下某项检查。

## 我们会检查什么

1. **网络确认**：区块链需要确认这笔交易。
2. **安全审核**：大额或异常提现需要人工审核。
3. **地址白名单**：新添加的地址需要等待 24 小时。""",
    ),
    "es": (
        "¿Por qué mi retiro sigue pendiente?",
        """La mayoría de los retiros llegan a tu cartera en **30 minutos**. Si tarda más, \
normalmente está esperando una de estas comprobaciones.

## Qué comprobamos

1. **Confirmaciones de la red**: la cadena de bloques debe confirmar la transacción.
2. **Revisión de seguridad**: los retiros grandes o inusuales los revisa nuestro equipo.""",
    ),
}


@pytest_asyncio.fixture(loop_scope="session")
async def help_center(database_url: str, server: Server) -> AsyncIterator[Database]:
    db = Database(database_url)
    async with db.transaction() as session:
        wallet = HelpCategory(
            slug="wallet", names={"en": "Wallet", "es": "Cartera", "zh-Hans": "钱包"}
        )
        session.add(wallet)
        await session.flush()
        for key, texts in (("withdrawal-pending", BODIES), ("network-fees", None)):
            article = Article(key=key, category_id=wallet.id)
            session.add(article)
            await session.flush()
            texts = texts or {
                "en": ("How network fees work", "Fees go to the network."),
                "es": ("Cómo funcionan las comisiones", "Las comisiones van a la red."),
                "zh-Hans": ("网络手续费说明", "手续费支付给网络。"),
            }
            for locale, (title, body) in texts.items():
                session.add(
                    ArticleTranslation(
                        article_id=article.id,
                        locale=locale,
                        title=title,
                        body=body,
                        updated_at=datetime(2025, 3, 9, 12, tzinfo=UTC),
                    )
                )
    try:
        yield db
    finally:
        await db.dispose()


async def cjk_glyphs_render(page: Page, selector: str) -> bool:
    """Whether two different Chinese characters draw differently in the element's font.

    Without a CJK font both would be the same "tofu" box.
    """
    return bool(
        await page.evaluate(
            """(selector) => {
                const font = getComputedStyle(document.querySelector(selector)).font;
                const draw = (text) => {
                    const canvas = document.createElement("canvas");
                    canvas.width = 64; canvas.height = 64;
                    const context = canvas.getContext("2d");
                    context.font = font.replace(/\\d+(\\.\\d+)?px/, "40px");
                    context.fillText(text, 4, 48);
                    return canvas.toDataURL();
                };
                return draw("提") !== draw("现") && draw("提") !== draw("\\u{10FFFD}");
            }""",
            selector,
        )
    )


async def test_chinese_and_spanish_articles_render_and_the_switcher_moves_between_them(
    page: Page, server: Server, help_center: Database
):
    await page.goto(f"{server.http}/help/zh-Hans/articles/withdrawal-pending")
    await expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    await expect(page.locator("h1")).to_have_text("为什么我的提现还在处理中？")
    await expect(page.locator("#feedback-title")).to_have_text("这篇文章对您有帮助吗？")
    assert await cjk_glyphs_render(page, "h1")
    await page.get_by_role("navigation", name="语言").get_by_role("link", name="Español").click()
    await expect(page).to_have_url(f"{server.http}/help/es/articles/withdrawal-pending")
    await expect(page.locator("html")).to_have_attribute("lang", "es")
    await expect(page.locator("h1")).to_have_text("¿Por qué mi retiro sigue pendiente?")
    await expect(page.locator(".crumbs")).to_contain_text("Cartera")
    await page.get_by_role("link", name="Cómo funcionan las comisiones").click()
    await expect(page.locator("h1")).to_have_text("Cómo funcionan las comisiones")
    await (
        page.get_by_role("navigation", name="Idiomas")
        .get_by_role("link", name="中文 (简体)")
        .click()
    )
    await expect(page.locator("h1")).to_have_text("网络手续费说明")


async def test_an_article_is_readable_on_a_phone(
    browser: Browser, server: Server, help_center: Database
):
    context = await browser.new_context(
        viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True
    )
    page = await context.new_page()
    try:
        for path in (
            "/help/en/articles/withdrawal-pending",
            "/help/zh-Hans/",
            "/help/es/search?q=retiro",
        ):
            await page.goto(f"{server.http}{path}")
            await expect(page.locator("h1")).to_be_visible()
            widths = await page.evaluate("() => [document.documentElement.scrollWidth, innerWidth]")
            assert widths[0] <= widths[1], f"{path} scrolls sideways: {widths}"
        await page.goto(f"{server.http}/help/en/articles/withdrawal-pending")
        size = await page.evaluate(
            "() => parseFloat(getComputedStyle(document.querySelector('.body p')).fontSize)"
        )
        assert size >= 16
        box = await page.get_by_role("button", name="Yes").bounding_box()
        assert box is not None and box["height"] >= 40  # a comfortable tap target
        await page.screenshot(path=DOCS_SCREENSHOTS / "help-article-phone.png")
    finally:
        await context.close()


async def test_feedback_is_sent_without_leaving_the_page(
    page: Page, server: Server, help_center: Database
):
    url = f"{server.http}/help/en/articles/withdrawal-pending"
    await page.goto(url)
    DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=DOCS_SCREENSHOTS / "help-article.png", full_page=True)
    await page.get_by_label("Tell us more (optional)").fill("The table helped.")
    await page.get_by_role("button", name="Yes").click()
    await expect(page.get_by_role("status")).to_have_text("Thanks for your feedback!")
    await expect(page.locator(".feedback form")).to_be_hidden()
    assert page.url == url  # answered by fetch(), not by the form's own post
    async with help_center.session() as session:
        rows = (await session.scalars(select(ArticleFeedback))).all()
    assert [(row.locale, row.helpful, row.comment) for row in rows] == [
        ("en", True, "The table helped.")
    ]
