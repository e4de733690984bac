"""Importing and exporting the help center, on SQLite and PostgreSQL.

Round trip: faq-dev imports, exports, and the export re-imports with nothing changed.
Translation states: a translation whose English source changed is ``outdated``.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from sqlalchemy import func, select

import supportdesk.helpcenter.actions as actions
from supportdesk.helpcenter.demo import DEMO_ARTICLES, seed_help_center
from supportdesk.helpcenter.exporter import export_help_center
from supportdesk.helpcenter.importer import (
    ParsedArticle,
    collect_files,
    import_documents,
    parse_files,
)
from supportdesk.helpcenter.models import Article, ArticleTranslation, HelpCategory
from supportdesk.helpcenter.queries import article_view, find_published_article, locale_states

FAQ_DEV = Path("/work/shared/data/faq-dev")


@pytest.fixture(autouse=True)
def indexed(monkeypatch) -> list[list[int]]:
    """The ids passed to each call of the search index, which is not run here: encoding an
    article takes about a second, and these tests are about the help center
    (test_import_index.py runs the real one)."""
    calls: list[list[int]] = []

    async def record(session, ids):
        calls.append(list(ids))

    monkeypatch.setattr(actions, "index_articles", record)
    return calls


def faq_documents() -> list[ParsedArticle]:
    parsed = parse_files(collect_files([FAQ_DEV]))
    assert all(isinstance(p, ParsedArticle) for p in parsed), parsed
    return parsed  # type: ignore[return-value]


def doc(key="pending", locale="en", title="Pending withdrawal", body="Wait 30 minutes.", **kw):
    return ParsedArticle(key=key, locale=locale, title=title, body=body, **kw)


async def count(services, model) -> int:
    async with services.db.session() as session:
        return await session.scalar(select(func.count()).select_from(model))


async def states(services, key: str) -> dict[str, str]:
    async with services.db.session() as session:
        view = await article_view(session, key)
    return locale_states(view.translations, ["en", "zh", "es"])


async def test_faq_dev_round_trips_through_an_export(services, tmp_path):
    first = await import_documents(services.db, faq_documents())
    assert (first.created, first.updated, first.unchanged, first.rejected) == (61, 0, 0, [])
    assert await count(services, Article) == 25
    assert await count(services, HelpCategory) == 9

    exported = await export_help_center(services.db, tmp_path / "out")
    assert (exported.articles, exported.files) == (25, 61)
    files = collect_files([tmp_path / "out"])
    assert sorted(f.name for f in files) == sorted(f.name for f in collect_files([FAQ_DEV]))

    again = await import_documents(services.db, parse_files(files))  # type: ignore[arg-type]
    assert (again.created, again.updated, again.unchanged, again.rejected) == (0, 0, 61, [])
    strip = {"path": None}
    originals = {(d.key, d.locale): dataclasses.replace(d, **strip) for d in faq_documents()}
    for parsed in parse_files(files):
        assert isinstance(parsed, ParsedArticle)
        assert dataclasses.replace(parsed, **strip) == originals[(parsed.key, parsed.locale)]


async def test_reimporting_updates_in_place_and_counts_unchanged_files(services):
    await import_documents(services.db, [doc(), doc(locale="es", title="Retiro pendiente")])
    report = await import_documents(
        services.db, [doc(body="Wait up to an hour."), doc(locale="es", title="Retiro pendiente")]
    )
    assert (report.created, report.updated, report.unchanged) == (0, 1, 1)
    assert await count(services, ArticleTranslation) == 2
    async with services.db.session() as session:
        view = await article_view(session, "pending")
    assert [t.body for t in view.translations] == ["Wait up to an hour.", "Wait 30 minutes."]


async def test_a_changed_tag_or_category_alone_is_an_update(services):
    await import_documents(services.db, [doc(tags=["a"], category="one")])
    report = await import_documents(services.db, [doc(tags=["a", "b"], category="two")])
    assert report.updated == 1
    async with services.db.session() as session:
        view = await article_view(session, "pending")
    assert (view.category, view.article.tags) == ("two", ["a", "b"])


async def test_an_unchanged_import_writes_nothing_and_indexes_nothing(services, indexed):
    documents = [doc(key=f"a-{n}", locale=loc) for n in range(5) for loc in ("en", "zh")]
    await import_documents(services.db, documents, batch_size=4)
    # Batches keep an article's translations together and index once each.
    assert [len(ids) for ids in indexed] == [2, 2, 1]
    indexed.clear()
    report = await import_documents(services.db, documents)
    assert report.unchanged == 10
    assert indexed == []


async def test_a_translation_becomes_outdated_when_its_english_source_changes(services):
    await import_documents(services.db, [doc(), doc(locale="zh", title="提币处理中")])
    assert await states(services, "pending") == {
        "en": "published",
        "zh": "published",
        "es": "missing",
    }
    await import_documents(services.db, [doc(body="New English text.")])
    assert await states(services, "pending") == {
        "en": "published",
        "zh": "outdated",
        "es": "missing",
    }
    # Translating again (with the new English in the same import) makes it current.
    await import_documents(
        services.db, [doc(body="New English text."), doc(locale="zh", title="提币审核中")]
    )
    assert (await states(services, "pending"))["zh"] == "published"


async def test_a_translation_imported_before_its_english_text_is_not_outdated(services):
    # Files are applied English first whatever their order in the import.
    await import_documents(services.db, [doc(locale="es", title="Retiro"), doc()])
    assert (await states(services, "pending"))["es"] == "published"


async def test_english_tags_and_category_win_over_the_translations(services):
    await import_documents(
        services.db,
        [
            doc(locale="zh", tags=["zh-tag"], category="zh-cat"),
            doc(tags=["withdrawal"], category="deposits"),
        ],
    )
    again = await import_documents(
        services.db,
        [
            doc(locale="zh", tags=["zh-tag"], category="zh-cat"),
            doc(tags=["withdrawal"], category="deposits"),
        ],
    )
    assert again.unchanged == 2
    async with services.db.session() as session:
        view = await article_view(session, "pending")
    assert (view.category, view.article.tags) == ("deposits", ["withdrawal"])


async def test_draft_imports_are_not_public_until_published(services):
    await import_documents(services.db, [doc(status="draft")])
    assert (await states(services, "pending"))["en"] == "draft"
    async with services.db.session() as session:
        try:
            await find_published_article(session, "pending", "en")
        except Exception as exc:  # NotFound: a draft is not public
            assert "no published article" in str(exc)
        else:
            raise AssertionError("a draft was public")


async def test_documents_from_a_program_are_checked_like_files(services):
    report = await import_documents(
        services.db,
        [
            doc(key="Bad Key"),
            doc(key="ok", locale="xx_YY!"),
            doc(key="ok", questions=["q"] * 51),
            doc(key="ok", body="  "),
            doc(key="good"),
            doc(key="good", title="Same key and locale again"),
        ],
    )
    assert report.created == 1
    reasons = [r.reason for r in report.rejected]
    assert reasons[0].startswith("key: must be lowercase")
    assert reasons[1].startswith("locale: must be a BCP 47")
    assert reasons[2].startswith("questions: at most 50")
    assert "body" in reasons[3]
    assert reasons[4] == "good (en) is already imported from good.en"


async def test_the_demo_help_center_imports_in_three_languages(services):
    assert len(list(DEMO_ARTICLES.glob("*.md"))) == 24
    assert await seed_help_center(services.db) == 24
    assert await seed_help_center(services.db) == 0
    async with services.db.session() as session:
        for key in ("withdrawal-pending", "api-keys", "p2p-trading"):
            view = await article_view(session, key)
            assert [t.locale for t in view.translations] == ["en", "es", "zh"]
            assert all(2 <= len(t.questions) <= 4 for t in view.translations)


async def test_listing_articles_takes_the_same_few_queries_for_any_number(services):
    from sqlalchemy import event

    from supportdesk.helpcenter.queries import list_articles

    documents = [doc(key=f"a-{n}", locale=loc) for n in range(12) for loc in ("en", "es", "zh")]
    await import_documents(services.db, documents)
    statements: list[str] = []

    def count_statement(conn, cursor, statement, *args):
        statements.append(statement)

    engine = services.db.engine.sync_engine
    event.listen(engine, "before_cursor_execute", count_statement)
    try:
        async with services.db.session() as session:
            total, views = await list_articles(session, limit=10)
    finally:
        event.remove(engine, "before_cursor_execute", count_statement)
    assert (total, len(views)) == (12, 10)
    assert all(len(view.translations) == 3 for view in views)
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) == 3  # the count, the page, every translation of the page
