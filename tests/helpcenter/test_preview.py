"""``POST /help/preview``: the console's preview renders Markdown exactly as the public pages do.

Runs on SQLite and PostgreSQL. The search index is stubbed, as in test_api.py.
"""

from __future__ import annotations

import pytest

import supportdesk.helpcenter.actions as actions
from supportdesk.helpcenter.schemas import BODY_CHARS

HELP = "/api/v1/help"
MARKDOWN = (
    "# Steps\n\nOpen **Wallet** → *Withdraw*.\n\n"
    "| Fee | Time |\n|:--|--:|\n| 1 USDT | 30 min |\n\n"
    "<script>alert(1)</script> [bad](javascript:alert(1)) [ok](https://example.com)\n\n"
    "![x](http://insecure.example/x.png)\n"
)


@pytest.fixture(autouse=True)
def no_index(monkeypatch) -> None:
    async def skip(session, ids):
        return None

    monkeypatch.setattr(actions, "index_articles", skip)


async def preview(staff, **body):
    return await staff.client.post(f"{HELP}/preview", json=body)


async def test_the_preview_is_the_html_of_the_public_article_page(agent_carol, client):
    response = await preview(agent_carol, markdown=MARKDOWN, title="Withdraw", locale="en")
    assert response.status_code == 200, response.text
    html = response.json()["html"]
    put = await agent_carol.client.put(
        f"{HELP}/articles/steps/translations/en", json={"title": "Withdraw", "body": MARKDOWN}
    )
    assert put.status_code == 201, put.text
    page = await client.get("/help/en/articles/steps")
    assert page.status_code == 200
    assert html.strip() in page.text
    # The same sanitising as the page: headings demoted, alignment as classes, no script.
    assert "<h2>Steps</h2>" in html
    assert 'class="align-right"' in html
    assert "<script" not in html
    assert 'href="javascript' not in html
    assert 'href="https://example.com" rel="noopener noreferrer nofollow"' in html
    assert "insecure.example" not in html


async def test_the_preview_document_escapes_the_title_and_links_the_help_stylesheet(
    agent_carol,
):
    response = await preview(
        agent_carol, markdown="Hola", title="<img src=x onerror=alert(1)>", locale="ES-419"
    )
    assert response.status_code == 200, response.text
    document = response.json()["document"]
    assert document.startswith("<!doctype html>")
    assert '<html lang="es-419">' in document
    assert "<h1>&lt;img src=x onerror=alert(1)&gt;</h1>" in document
    assert "<img" not in document
    assert '<link rel="stylesheet" href="/static/help/help.css?v=' in document
    assert "<p>Hola</p>" in document


async def test_an_empty_editor_previews_as_an_empty_body(agent_carol):
    response = await preview(agent_carol, markdown="")
    assert response.status_code == 200, response.text
    assert response.json()["html"] == ""


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ({"markdown": "x" * (BODY_CHARS + 1)}, "markdown"),
        ({"markdown": "x", "title": "t" * 301}, "title"),
        ({"markdown": "x", "locale": "e_n"}, "locale"),
        ({"markdown": "nul \x00 byte"}, "NUL"),
        ({"markdown": "x", "html": True}, "html"),
        ({}, "markdown"),
    ],
)
async def test_bad_previews_are_refused_with_their_place(agent_carol, body, where):
    response = await agent_carol.client.post(f"{HELP}/preview", json=body)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    places = [".".join(d["loc"]) for d in error.get("details", [])]
    assert where in error["message"] or f"body.{where}" in places, error


async def test_visitors_cannot_use_the_renderer(client):
    response = await client.post(f"{HELP}/preview", json={"markdown": "hi"})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"
