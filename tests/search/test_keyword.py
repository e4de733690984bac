"""Keyword queries leave out the terms that half the help center uses."""

from __future__ import annotations

import pytest

from supportdesk.helpcenter.importer import ParsedArticle, import_documents
from supportdesk.search import keyword
from supportdesk.search.keyword import keyword_scores, query_terms, term_stats
from supportdesk.search.text import tokenize


def test_query_terms_drop_frequent_terms_and_keep_the_rest_in_order():
    frequent = {"account": 900, "order": 500}
    assert query_terms(["cancel", "order", "account", "grid"], frequent) == ["cancel", "grid"]


def test_a_question_of_frequent_terms_only_keeps_its_rarest():
    frequent = {"account": 900, "order": 500, "fee": 300}
    assert query_terms(["account", "order", "fee"], frequent) == ["order", "fee"]


def test_terms_that_cannot_be_quoted_safely_are_dropped():
    assert query_terms(['a"b', "ok", "x*", "ok"]) == ["ok"]


def articles(count: int) -> list[ParsedArticle]:
    """``count`` articles that all speak of an "account"; one of them of a "whitelist"."""
    documents = [
        ParsedArticle(
            f"topic-{n}",
            "en",
            f"Account topic {n}",
            f"Your account settings for topic number {n}.",
            "general",
        )
        for n in range(count)
    ]
    documents.append(
        ParsedArticle(
            "whitelist",
            "en",
            "Withdrawal whitelist",
            "Your account can withdraw only to whitelisted addresses.",
            "security",
        )
    )
    return documents


@pytest.fixture
def small_thresholds(monkeypatch):
    monkeypatch.setattr(keyword, "FREQUENT_MIN_PASSAGES", 5)
    monkeypatch.setattr(keyword, "FREQUENT_SHARE", 0.3)


async def test_a_term_in_most_passages_is_left_out_and_the_rare_one_finds_the_article(
    services, small_thresholds
):
    await import_documents(services.db, articles(12), encode=False)

    async with services.db.session() as session:
        frequent = await term_stats(session).current(session)
        scores = await keyword_scores(session, tokenize("whitelist for my account", "en"))

    assert "account" in frequent
    assert "whitelist" not in frequent
    assert len(scores) == 1  # only the article with the rare word matched


async def test_a_small_help_center_has_no_frequent_terms(services):
    await import_documents(services.db, articles(12), encode=False)

    async with services.db.session() as session:
        assert await term_stats(session).current(session) == {}
        scores = await keyword_scores(session, tokenize("account", "en"))

    assert len(scores) == 13
