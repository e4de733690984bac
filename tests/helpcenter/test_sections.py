"""Sections: a category holds sections, a section holds articles (both databases).

Managed through the API, carried by the import format's ``section:`` field, and shown as
headings on the public category page and in the article page's breadcrumb.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import supportdesk.helpcenter.actions as actions
from supportdesk.helpcenter.exporter import export_help_center
from supportdesk.helpcenter.importer import (
    ParsedArticle,
    Rejection,
    collect_files,
    import_documents,
    parse_article_file,
    parse_files,
)

HELP = "/api/v1/help"


@pytest.fixture(autouse=True)
def indexed(monkeypatch) -> None:
    async def record(session, ids):
        return None

    monkeypatch.setattr(actions, "index_articles", record)


async def put(staff, key, body, locale="en", expected=(200, 201)):
    response = await staff.client.put(f"{HELP}/articles/{key}/translations/{locale}", json=body)
    assert response.status_code in expected, response.text
    return response.json()


def article(title: str, **fields: object) -> dict[str, object]:
    return {"title": title, "body": f"About {title}.", **fields}


async def test_managers_create_rename_reorder_and_delete_sections(supervisor_sam, agent_carol):
    client = supervisor_sam.client
    assert (await client.post(f"{HELP}/categories", json={"slug": "wallet"})).status_code == 201
    sections = f"{HELP}/categories/wallet/sections"
    first = await client.post(sections, json={"slug": "deposits", "names": {"en": "Deposits"}})
    assert first.status_code == 201, first.text
    assert first.json() == {
        "slug": "deposits",
        "position": 0,
        "names": {"en": "Deposits"},
        "articles": 0,
    }
    second = await client.post(sections, json={"slug": "withdrawals"})
    assert second.json()["position"] == 1
    assert second.json()["names"] == {"en": "Withdrawals"}
    taken = await client.post(sections, json={"slug": "deposits"})
    assert (taken.status_code, taken.json()["error"]["code"]) == (409, "slug_taken")
    # An agent edits articles but does not organise the help center.
    refused = await agent_carol.client.post(sections, json={"slug": "fees"})
    assert refused.status_code == 403

    ordered = await client.put(f"{sections}/order", json={"slugs": ["withdrawals"]})
    assert ordered.status_code == 204
    listed = (await agent_carol.client.get(sections)).json()
    assert [(s["slug"], s["position"]) for s in listed] == [("withdrawals", 0), ("deposits", 1)]
    unknown = await client.put(f"{sections}/order", json={"slugs": ["nope"]})
    assert (unknown.status_code, unknown.json()["error"]["code"]) == (422, "unknown_section")

    renamed = await client.patch(
        f"{sections}/deposits",
        json={"slug": "top-ups", "names": {"en": "Top-ups", "es": "Recargas"}},
    )
    assert renamed.status_code == 200, renamed.text
    assert (renamed.json()["slug"], renamed.json()["names"]["es"]) == ("top-ups", "Recargas")
    categories = (await client.get(f"{HELP}/categories")).json()
    assert [s["slug"] for s in categories[0]["sections"]] == ["withdrawals", "top-ups"]

    await put(agent_carol, "pending", article("Pending", category="wallet", section="top-ups"))
    assert (await client.delete(f"{sections}/top-ups")).status_code == 204
    detail = (await client.get(f"{HELP}/articles/pending/translations")).json()
    # The article stays in its category, without a section.
    assert (detail["category"], detail["section"]) == ("wallet", None)
    missing = await client.delete(f"{sections}/top-ups")
    assert (missing.status_code, missing.json()["error"]["code"]) == (404, "section_not_found")


async def test_an_article_joins_a_section_of_its_category(agent_carol, client):
    saved = await put(agent_carol, "pending", article("Pending", category="wallet", section="out"))
    assert (saved["category"], saved["section"]) == ("wallet", "out")
    # Left out, the section stays; a translation shares it.
    saved = await put(agent_carol, "pending", article("Pendiente"), locale="es")
    assert saved["section"] == "out"
    public = (await client.get(f"{HELP}/articles/pending?locale=es")).json()
    assert (public["category"], public["section"]) == ("wallet", "out")
    # A new category leaves the old category's section.
    saved = await put(agent_carol, "pending", article("Pending", category="fees"))
    assert (saved["category"], saved["section"]) == ("fees", None)
    saved = await put(agent_carol, "pending", article("Pending", section="basics"))
    assert (saved["category"], saved["section"]) == ("fees", "basics")


async def test_a_section_without_a_category_is_refused(agent_carol):
    response = await agent_carol.client.put(
        f"{HELP}/articles/loose/translations/en", json=article("Loose", section="basics")
    )
    error = response.json()["error"]
    assert (response.status_code, error["code"]) == (422, "section_without_category")
    bad = await agent_carol.client.put(
        f"{HELP}/articles/loose/translations/en",
        json=article("Loose", category="wallet", section="Not A Slug"),
    )
    assert bad.status_code == 422


# --- the import format -------------------------------------------------------------------


def write(directory: Path, name: str, text: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


WITH_SECTION = """---
key: pending
locale: en
title: Pending withdrawal
category: wallet
section: withdrawals
---
Wait 30 minutes.
"""


async def test_sections_round_trip_through_an_export(services, tmp_path):
    write(tmp_path / "in", "pending.en.md", WITH_SECTION)
    write(
        tmp_path / "in",
        "pending.es.md",
        WITH_SECTION.replace("locale: en", "locale: es").replace("Wait", "Espere"),
    )
    write(
        tmp_path / "in",
        "fees.en.md",
        "---\nkey: fees\nlocale: en\ntitle: Fees\ncategory: wallet\n---\nNone.\n",
    )
    documents = parse_files(collect_files([tmp_path / "in"]))
    report = await import_documents(services.db, documents, encode=False)  # type: ignore[arg-type]
    assert (report.created, report.rejected) == (3, [])

    await export_help_center(services.db, tmp_path / "out")
    exported = (tmp_path / "out" / "pending.en.md").read_text(encoding="utf-8")
    assert "category: wallet\nsection: withdrawals\n" in exported
    assert "section:" not in (tmp_path / "out" / "fees.en.md").read_text(encoding="utf-8")
    again = parse_files(collect_files([tmp_path / "out"]))
    assert [d.section for d in again if isinstance(d, ParsedArticle)].count("withdrawals") == 2
    second = await import_documents(services.db, again, encode=False)  # type: ignore[arg-type]
    assert (second.unchanged, second.created, second.updated) == (3, 0, 0)


def test_a_bad_section_is_rejected_with_its_line(tmp_path):
    bad = parse_article_file(
        write(tmp_path, "bad.en.md", WITH_SECTION.replace("withdrawals", "Big Withdrawals"))
    )
    assert isinstance(bad, Rejection)
    assert str(bad).endswith(
        "bad.en.md:6: section: must be a slug of lowercase letters, "
        "digits and hyphens, at most 64 characters, not 'Big Withdrawals'"
    )
    alone = parse_article_file(
        write(tmp_path, "alone.en.md", WITH_SECTION.replace("category: wallet\n", ""))
    )
    assert isinstance(alone, Rejection)
    assert alone.line == 5
    assert "a section belongs to a category" in alone.reason


# --- the public pages --------------------------------------------------------------------


def headings(html: str) -> list[str]:
    return re.findall(r'<h2 id="section-[^"]+-title">([^<]+)</h2>', html)


async def test_the_category_page_groups_articles_under_sections(supervisor_sam, client):
    staff = supervisor_sam
    await staff.client.post(
        f"{HELP}/categories", json={"slug": "wallet", "names": {"en": "Wallet", "es": "Billetera"}}
    )
    sections = f"{HELP}/categories/wallet/sections"
    await staff.client.post(
        sections, json={"slug": "deposits", "names": {"en": "Deposits", "zh-Hans": "充值"}}
    )
    await staff.client.post(
        sections,
        json={
            "slug": "withdrawals",
            "names": {"en": "Withdrawals", "zh-Hans": "提现", "es": "Retiros"},
        },
    )
    await put(staff, "pending", article("Pending", category="wallet", section="withdrawals"))
    await put(staff, "pending", {"title": "处理中", "body": "请等待。"}, locale="zh-Hans")
    await put(staff, "card", article("Card top-up", category="wallet", section="deposits"))
    await put(staff, "limits", article("Limits", category="wallet"))

    zh = (await client.get("/help/zh-Hans/categories/wallet")).text
    assert headings(zh) == ["充值", "提现"]
    # Articles in no section come first; each title in the reader's language when it can.
    assert zh.index("Limits") < zh.index("充值") < zh.index("Card top-up") < zh.index("处理中")
    es = (await client.get("/help/es/categories/wallet")).text
    # No Spanish name for "deposits": its English one.
    assert headings(es) == ["Deposits", "Retiros"]
    assert "<h1>Billetera</h1>" in es

    await staff.client.put(f"{sections}/order", json={"slugs": ["withdrawals"]})
    es = (await client.get("/help/es/categories/wallet")).text
    assert headings(es) == ["Retiros", "Deposits"]

    page = (await client.get("/help/zh-Hans/articles/pending")).text
    start = page.index('class="crumbs"')
    crumbs = page[start : page.index("</nav>", start)]
    assert '<a href="/help/zh-Hans/categories/wallet">Wallet</a>' in crumbs
    assert '<a href="/help/zh-Hans/categories/wallet#section-withdrawals">提现</a>' in crumbs
