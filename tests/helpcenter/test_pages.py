"""The public help center pages, as a reader and a search engine get them (both databases).

Articles are written straight into the tables: these tests are about what the pages show,
not about how articles get there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from xml.etree import ElementTree

import pytest
from sqlalchemy import event, select

from supportdesk.helpcenter import site
from supportdesk.helpcenter.feedback import FEEDBACK_PER_IP, MAX_COMMENT_CHARS
from supportdesk.helpcenter.models import (
    Article,
    ArticleFeedback,
    ArticleTranslation,
    HelpCategory,
    TranslationStatus,
)
from supportdesk.services import Services

BASE = "http://testserver"
DRAFT = TranslationStatus.DRAFT

WITHDRAWALS = {
    "en": (
        "Why is my withdrawal pending?",
        "Most withdrawals arrive within **30 minutes**.\n\n## Checks\n\nLarge sums are reviewed.",
    ),
    "zh-Hans": (
        "为什么我的提现还在处理中？",
        "大多数提现会在 **30 分钟**内到账。\n\n## 审核\n\n大额提现需要人工审核。",
    ),
    "es": (
        "¿Por qué mi retiro está pendiente?",
        "La mayoría de los retiros llegan en **30 minutos**.",
    ),
}


@dataclass
class Desk:
    services: Services

    async def category(self, slug: str, position: int = 0, **names: str) -> int:
        async with self.services.db.transaction() as session:
            category = HelpCategory(slug=slug, position=position, names=names)
            session.add(category)
            await session.flush()
            return category.id

    async def article(
        self,
        key: str,
        texts: dict[str, tuple[str, str]],
        *,
        category_id: int | None = None,
        drafts: tuple[str, ...] = (),
        related_keys: list[str] | None = None,
    ) -> int:
        async with self.services.db.transaction() as session:
            article = Article(key=key, category_id=category_id, related_keys=related_keys or [])
            session.add(article)
            await session.flush()
            for locale, (title, body) in texts.items():
                status = DRAFT if locale in drafts else TranslationStatus.PUBLISHED
                session.add(
                    ArticleTranslation(
                        article_id=article.id,
                        locale=locale,
                        title=title,
                        body=body,
                        status=status,
                        updated_at=datetime(2025, 3, 9, 12, tzinfo=UTC),
                    )
                )
            return article.id


@pytest.fixture
def desk(services: Services) -> Desk:
    return Desk(services)


@pytest.fixture
async def withdrawals(desk: Desk) -> int:
    wallet = await desk.category("wallet", 1, en="Wallet", es="Cartera", **{"zh-Hans": "钱包"})
    return await desk.article("withdrawal-pending", WITHDRAWALS, category_id=wallet)


def meta(html: str, prop: str) -> list[str]:
    return re.findall(rf'<meta property="{re.escape(prop)}" content="([^"]*)">', html)


def hreflangs(html: str) -> dict[str, str]:
    return dict(re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">', html))


def canonical(html: str) -> str:
    found = re.search(r'<link rel="canonical" href="([^"]+)">', html)
    assert found is not None
    return found.group(1)


def html_lang(html: str) -> str:
    found = re.search(r'<html lang="([^"]+)">', html)
    assert found is not None
    return found.group(1)


def article_body(html: str) -> str:
    found = re.search(r'<div class="body">(.*?)</div>\s*</article>', html, re.S)
    assert found is not None
    return found.group(1)


def directives(csp: str) -> dict[str, str]:
    return {part.split(" ", 1)[0]: part.split(" ", 1)[1] for part in csp.split("; ")}


# --- article pages -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("locale", "og_locale", "question"),
    [
        ("en", "en_US", "Was this article helpful?"),
        ("zh-Hans", "zh_CN", "这篇文章对您有帮助吗？"),
        ("es", "es_ES", "¿Te ha resultado útil este artículo?"),
    ],
)
async def test_an_article_page_is_in_its_language_with_alternates_and_open_graph(
    client, withdrawals, locale, og_locale, question
):
    response = await client.get(f"/help/{locale}/articles/withdrawal-pending")
    assert response.status_code == 200
    html = response.text
    url = f"{BASE}/help/{locale}/articles/withdrawal-pending"
    title, body = WITHDRAWALS[locale]
    assert html_lang(html) == locale
    assert canonical(html) == url
    assert hreflangs(html) == {
        "en": f"{BASE}/help/en/articles/withdrawal-pending",
        "es": f"{BASE}/help/es/articles/withdrawal-pending",
        "zh-Hans": f"{BASE}/help/zh-Hans/articles/withdrawal-pending",
        "x-default": f"{BASE}/help/en/articles/withdrawal-pending",
    }
    assert meta(html, "og:title") == [title]
    assert meta(html, "og:description") == [body.split("\n\n")[0].replace("**", "")]
    assert meta(html, "og:url") == [url]
    assert meta(html, "og:type") == ["article"]
    assert meta(html, "og:locale") == [og_locale]
    assert len(meta(html, "og:locale:alternate")) == 2
    assert f"<h1>{title}</h1>" in html
    assert question in html
    assert "<h1>" not in article_body(html)


async def test_an_article_missing_in_a_locale_is_shown_in_english_with_a_note(client, desk):
    await desk.article("two-factor", {"en": ("Turn on two-factor", "Use an app.")})
    response = await client.get("/help/es/articles/two-factor")
    assert response.status_code == 200
    html = response.text
    assert html_lang(html) == "en"  # the language of the text shown
    assert "Este artículo aún no está disponible en español; se muestra en inglés." in html
    assert '<header class="top" lang="es">' in html  # the chrome stays Spanish
    assert canonical(html) == f"{BASE}/help/en/articles/two-factor"
    assert hreflangs(html) == {
        "en": f"{BASE}/help/en/articles/two-factor",
        "x-default": f"{BASE}/help/en/articles/two-factor",
    }
    english = (await client.get("/help/en/articles/two-factor")).text
    assert "not yet available" not in english


async def test_without_english_the_first_published_translation_is_shown(client, desk):
    await desk.article("solo", {"zh-Hans": ("仅中文", "只有中文。")})
    html = (await client.get("/help/es/articles/solo")).text
    assert html_lang(html) == "zh-Hans"
    assert "se muestra en chino (simplificado)" in html


async def test_drafts_are_never_shown(client, desk):
    await desk.article(
        "fees",
        {"en": ("Fees", "Published fees."), "es": ("Comisiones", "BORRADOR secreto")},
        drafts=("es",),
    )
    await desk.article("unreleased", {"en": ("Coming soon", "SECRET launch")}, drafts=("en",))
    spanish = await client.get("/help/es/articles/fees")
    assert spanish.status_code == 200
    assert "BORRADOR" not in spanish.text and html_lang(spanish.text) == "en"
    assert "es" not in hreflangs(spanish.text)
    hidden = await client.get("/help/en/articles/unreleased")
    assert hidden.status_code == 404
    assert "SECRET" not in hidden.text and "Page not found" in hidden.text
    home = (await client.get("/help/en/")).text
    assert "Coming soon" not in home


async def test_unknown_articles_and_locales_get_a_friendly_translated_404(client, withdrawals):
    missing = await client.get("/help/zh-Hans/articles/no-such-thing")
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("text/html")
    assert "页面不存在" in missing.text and 'href="/help/zh-Hans/"' in missing.text
    assert '<meta name="robots" content="noindex">' in missing.text
    unknown_locale = await client.get("/help/xx/", headers={"Accept-Language": "es"})
    assert unknown_locale.status_code == 404
    assert "Página no encontrada" in unknown_locale.text
    assert (await client.get("/help/en/categories/nope")).status_code == 404


async def test_another_tag_of_a_shipped_language_redirects_to_the_canonical_one(
    client, withdrawals
):
    response = await client.get("/help/zh-CN/articles/withdrawal-pending")
    assert response.status_code == 301
    assert response.headers["location"] == "/help/zh-Hans/articles/withdrawal-pending"
    assert (await client.get("/help/ES/")).headers["location"] == "/help/es/"


@pytest.mark.parametrize(
    ("accept", "target"),
    [("zh-TW,zh;q=0.9", "/help/zh-Hans/"), ("es-MX", "/help/es/"), ("", "/help/en/")],
)
async def test_help_leads_to_the_readers_language(client, accept, target):
    response = await client.get("/help", headers={"Accept-Language": accept})
    assert response.status_code == 302
    assert response.headers["location"] == target
    assert response.headers["vary"] == "Accept-Language"


async def test_the_switcher_links_the_same_article_in_each_published_locale(client, desk):
    await desk.article("kyc", {"en": ("Verify", "Text."), "zh-Hans": ("认证", "正文。")})
    html = (await client.get("/help/en/articles/kyc")).text
    switcher = re.search(r'<nav class="locales".*?</nav>', html, re.S)
    assert switcher is not None
    links = re.findall(r'<a href="([^"]+)" hreflang="([^"]+)"', switcher.group(0))
    assert links == [("/help/en/articles/kyc", "en"), ("/help/zh-Hans/articles/kyc", "zh-Hans")]
    assert 'aria-current="page">English<' in switcher.group(0)


# --- lists ---------------------------------------------------------------------------------


async def test_home_lists_categories_in_order_with_their_articles(client, desk):
    security = await desk.category("account-security", 2)  # no names: its slug, title-cased
    wallet = await desk.category("wallet", 1, en="Wallet", es="Cartera")
    await desk.article(
        "pending", {"en": ("Pending", "x"), "es": ("Pendiente", "x")}, category_id=wallet
    )
    await desk.article("password", {"en": ("Reset password", "x")}, category_id=security)
    await desk.article("loose", {"en": ("Loose end", "x")})
    await desk.category("empty")
    html = (await client.get("/help/es/")).text
    assert html_lang(html) == "es"
    assert html.index("Cartera") < html.index("Account Security") < html.index("Más artículos")
    assert ">Pendiente<" in html and 'lang="en">Reset password<' in html
    assert "Empty" not in html
    assert canonical(html) == f"{BASE}/help/es/"
    assert set(hreflangs(html)) == {"en", "es", "zh-Hans", "x-default"}
    category = (await client.get("/help/es/categories/wallet")).text
    assert "<h1>Cartera</h1>" in category and "1 artículo" in category
    assert "Reset password" not in category


async def test_pages_take_a_fixed_number_of_queries_however_many_articles(client, desk, services):
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        if not statement.startswith("BEGIN"):  # SQLite's explicit BEGIN is not a query
            statements.append(statement)

    async def queries(path: str) -> int:
        statements.clear()
        assert (await client.get(path)).status_code == 200
        return len(statements)

    wallet = await desk.category("wallet", en="Wallet")
    await desk.article("a0", WITHDRAWALS, category_id=wallet)
    engine = services.db.engine.sync_engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        few = [await queries(p) for p in ("/help/en/", "/help/en/articles/a0")]
        for n in range(1, 8):
            await desk.article(f"a{n}", WITHDRAWALS, category_id=wallet)
        many = [await queries(p) for p in ("/help/en/", "/help/en/articles/a0")]
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert many == few
    # Two reads each; an article view adds its UPDATE (counted where one engine does both).
    assert few[0] <= 2 and few[1] <= 3


async def test_related_articles_follow_the_authors_list_else_the_category(client, desk):
    wallet = await desk.category("wallet")
    await desk.article("b", {"en": ("Bravo", "x")}, category_id=wallet)
    await desk.article("c", {"en": ("Charlie", "x")})
    await desk.article("a", {"en": ("Alpha", "x")}, category_id=wallet, related_keys=["c", "gone"])
    linked = (await client.get("/help/en/articles/a")).text
    assert "Charlie" in linked and "Bravo" not in linked
    same_category = (await client.get("/help/en/articles/b")).text
    assert "Alpha" in same_category


# --- search --------------------------------------------------------------------------------


async def test_search_shows_the_search_engines_results_escaped(client, withdrawals, monkeypatch):
    @dataclass
    class EngineHit:
        key: str
        locale: str
        title: str
        url: str
        snippet: str
        score: float

    async def search(_session, text, locale, limit):
        return [EngineHit("withdrawal-pending", locale, f"Engine: {text}", "/x", "<b>s</b>", 1.0)]

    monkeypatch.setattr(site, "search", search)
    html = (await client.get("/help/en/search", params={"q": "anything"})).text
    assert "Engine: anything" in html and "&lt;b&gt;s&lt;/b&gt;" in html
    assert '<meta name="robots" content="noindex">' in html


# --- body safety and media -----------------------------------------------------------------


async def test_scripts_in_an_article_body_never_run(client, desk):
    body = (
        "Hello <script>alert(1)</script>\n\n"
        '<img src=x onerror="alert(2)">\n\n'
        '[click](javascript:alert(3)) and <a href="javascript:alert(4)">raw</a>\n\n'
        "![pic](javascript:alert(5)) ![ok](https://cdn.example.com/ok.png)\n\n"
        "[safe](https://example.com/page)"
    )
    await desk.article("xss", {"en": ("XSS", body)})
    response = await client.get("/help/en/articles/xss")
    rendered = article_body(response.text)
    assert "<script" not in rendered and "&lt;script&gt;" in rendered
    assert not re.search(r"<[^>]+\son\w+=", rendered)
    assert not re.search(r"<[^>]*\b(href|src)=\"\s*javascript:", rendered, re.I)
    assert '<img src="https://cdn.example.com/ok.png" alt="ok" loading="lazy">' in rendered
    assert 'href="https://example.com/page" rel="noopener noreferrer nofollow"' in rendered
    assert 'style="' not in response.text and "<script>" not in response.text


async def test_video_links_become_privacy_friendly_players(client, desk):
    body = (
        "Watch this:\n\n"
        "https://www.youtube.com/watch?v=dQw4w9WgXcQ\n\n"
        "https://vimeo.com/76979871\n\n"
        "[![The withdrawal screen](/static/help/poster.jpg)](/api/v1/attachments/7/clip.mp4)"
    )
    await desk.article("videos", {"en": ("Videos", body)})
    response = await client.get("/help/en/articles/videos")
    rendered = article_body(response.text)
    youtube = re.search(r"<iframe [^>]*youtube-nocookie\.com/embed/dQw4w9WgXcQ[^>]*>", rendered)
    assert youtube is not None
    assert 'sandbox="allow-scripts allow-same-origin' in youtube.group(0)
    assert 'title="YouTube video"' in youtube.group(0)
    assert 'src="https://player.vimeo.com/video/76979871?dnt=1"' in rendered
    assert re.search(
        r'<video controls="" preload="none" src="/api/v1/attachments/7/clip.mp4" '
        r'poster="/static/help/poster.jpg"',
        rendered,
    )
    csp = directives(response.headers["content-security-policy"])
    assert csp["frame-src"] == "https://www.youtube-nocookie.com https://player.vimeo.com"
    assert csp["script-src"] == "'self'" and csp["style-src"] == "'self'"
    home_csp = directives((await client.get("/help/en/")).headers["content-security-policy"])
    assert home_csp["frame-src"] == "'none'" and home_csp["frame-ancestors"] == "'none'"


# --- for search engines --------------------------------------------------------------------


async def test_sitemap_lists_every_published_translation_with_its_alternates(client, desk):
    await desk.article("one", {"en": ("One", "x"), "es": ("Uno", "x"), "zh-Hans": ("一", "x")})
    await desk.article("two", {"en": ("Two", "x"), "es": ("Dos", "BORRADOR")}, drafts=("es",))
    await desk.article("three", {"en": ("Three", "x")}, drafts=("en",))
    response = await client.get("/sitemap.xml")
    assert response.headers["content-type"].startswith("application/xml")
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
    root = ElementTree.fromstring(response.content)  # noqa: S314 - our own output
    entries = {
        url.findtext("s:loc", namespaces=ns): {
            link.get("hreflang"): link.get("href") for link in url.findall("x:link", ns)
        }
        for url in root.findall("s:url", ns)
    }
    articles = {loc for loc in entries if loc and "/articles/" in loc}
    assert articles == {
        f"{BASE}/help/en/articles/one",
        f"{BASE}/help/es/articles/one",
        f"{BASE}/help/zh-Hans/articles/one",
        f"{BASE}/help/en/articles/two",
    }
    assert entries[f"{BASE}/help/es/articles/one"] == {
        "en": f"{BASE}/help/en/articles/one",
        "es": f"{BASE}/help/es/articles/one",
        "zh-Hans": f"{BASE}/help/zh-Hans/articles/one",
        "x-default": f"{BASE}/help/en/articles/one",
    }
    assert f"{BASE}/help/zh-Hans/" in entries
    robots = await client.get("/robots.txt")
    assert f"Sitemap: {BASE}/sitemap.xml" in robots.text


# --- "Was this helpful?" and views ---------------------------------------------------------


async def feedback_rows(services: Services) -> list[ArticleFeedback]:
    async with services.db.session() as session:
        return list(await session.scalars(select(ArticleFeedback).order_by(ArticleFeedback.id)))


async def test_feedback_is_stored(client, services, withdrawals):
    response = await client.post(
        "/api/v1/help/articles/withdrawal-pending/feedback",
        json={"locale": "zh-Hans", "helpful": False, "comment": "  没说清楚手续费  "},
    )
    assert response.status_code == 201, response.text
    [row] = await feedback_rows(services)
    assert (row.article_id, row.locale, row.helpful, row.comment) == (
        withdrawals,
        "zh-Hans",
        False,
        "没说清楚手续费",
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"locale": "klingon", "helpful": True}, "locale"),
        ({"locale": "en", "helpful": True, "comment": "x" * (MAX_COMMENT_CHARS + 1)}, "comment"),
        ({"locale": "en"}, "helpful"),
    ],
)
async def test_invalid_feedback_is_refused_with_a_clear_error(
    client, services, withdrawals, body, field
):
    response = await client.post("/api/v1/help/articles/withdrawal-pending/feedback", json=body)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid" and error["message"].startswith(f"{field}:")
    assert await feedback_rows(services) == []


async def test_feedback_on_an_unknown_or_draft_article_is_not_found(client, desk):
    await desk.article("draft", {"en": ("Draft", "x")}, drafts=("en",))
    for key in ("draft", "missing"):
        response = await client.post(
            f"/api/v1/help/articles/{key}/feedback", json={"locale": "en", "helpful": True}
        )
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "article_not_found"


async def test_feedback_is_rate_limited_per_address(client, withdrawals):
    url = "/api/v1/help/articles/withdrawal-pending/feedback"
    for _ in range(FEEDBACK_PER_IP):
        assert (await client.post(url, json={"locale": "en", "helpful": True})).status_code == 201
    refused = await client.post(url, json={"locale": "en", "helpful": True})
    assert refused.status_code == 429 and "retry-after" in refused.headers


async def test_feedback_works_without_javascript(client, services, withdrawals):
    response = await client.post(
        "/help/es/articles/withdrawal-pending/feedback",
        data={"helpful": "yes", "comment": "Muy claro", "shown": "es"},
    )
    assert response.status_code == 303
    assert (
        response.headers["location"]
        == "/help/es/articles/withdrawal-pending?feedback=thanks#feedback"
    )
    [row] = await feedback_rows(services)
    assert (row.locale, row.helpful, row.comment) == ("es", True, "Muy claro")
    thanks = (await client.get(response.headers["location"])).text
    assert "¡Gracias por tu opinión!" in thanks and "<form method" not in thanks


async def test_each_article_view_is_counted(client, services, withdrawals):
    for locale in ("en", "es", "zh-Hans"):
        assert (await client.get(f"/help/{locale}/articles/withdrawal-pending")).status_code == 200
    await client.get("/help/en/")
    async with services.db.session() as session:
        assert await session.scalar(select(Article.views).where(Article.id == withdrawals)) == 3
