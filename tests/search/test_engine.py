"""What a reader sees of the ranking: the order of the listed scores, the translation each
hit is shown in, and answers while vectors are still being computed or the help center is
large."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from supportdesk.search import engine, search
from supportdesk.search.models import SearchChunk
from supportdesk.services import Services
from tests.search.articles import HELP_CENTER, HelpCenter, add_help_center


async def _hits(services: Services, text: str, locale: str | None = None) -> list[engine.Hit]:
    async with services.db.session() as session:
        return await search(session, text, locale, 10)


@pytest.mark.parametrize(
    ("text", "locale"),
    [
        ("password", "en"),
        ("how do I change my email", None),
        ("邀请好友", "zh"),
        ("comisión de la tarjeta", "es"),
        ("app", None),
    ],
)
async def test_listed_scores_never_increase_down_the_list(
    services: Services, help_center: HelpCenter, text: str, locale: str | None
) -> None:
    scores = [hit.score for hit in await _hits(services, text, locale)]
    assert scores, f"nothing found for {text!r}"
    assert scores == sorted(scores, reverse=True)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("how do I reset my password", "reset-password"),
        ("how do I invite friends and earn rewards", "referral-program"),
        ("change the email address of my account", "change-email"),
    ],
)
async def test_an_english_question_without_a_locale_is_shown_in_english(
    services: Services, help_center: HelpCenter, text: str, key: str
) -> None:
    hits = await _hits(services, text)
    assert (hits[0].key, hits[0].locale) == (key, "en")
    assert all(hit.locale == "en" for hit in hits)


async def test_a_question_in_a_language_the_article_lacks_is_shown_in_its_source_language(
    services: Services, help_center: HelpCenter
) -> None:
    # change-email exists in English and Spanish: a Chinese reader gets the original.
    hits = await _hits(services, "怎么修改账户的邮箱地址", "zh")
    assert (hits[0].key, hits[0].locale) == ("change-email", "en")


async def test_articles_without_vectors_yet_are_found_by_their_words(services: Services) -> None:
    await add_help_center(services.db)
    async with services.db.transaction() as session:  # as if the encoder had not run yet
        await session.execute(update(SearchChunk).values(e5=None, use=None))
    hits = await _hits(services, "share my referral link with friends", "en")
    assert hits[0].key == "referral-program"
    assert all(0.0 <= hit.score <= 1.0 for hit in hits)


async def test_a_help_center_without_any_vector_yet_still_answers_without_error(
    services: Services,
) -> None:
    await add_help_center(services.db)
    async with services.db.transaction() as session:
        await session.execute(update(SearchChunk).values(e5=None, use=None))
    hits = await _hits(services, "forgot password", "en")
    assert hits[0].key == "reset-password"
    assert [hit.score for hit in hits] == sorted((hit.score for hit in hits), reverse=True)


@pytest.mark.parametrize(
    ("text", "locale", "key"),
    [
        ("I can't remember my password", "en", "reset-password"),
        ("quiero comprar cripto con mi tarjeta de débito", "es", "card-purchase"),
        ("活期质押的币可以随时赎回吗", "zh", "staking-rewards"),
    ],
)
async def test_a_large_help_center_ranks_through_a_shortlist_like_a_small_one(
    services: Services,
    help_center: HelpCenter,
    monkeypatch: pytest.MonkeyPatch,
    text: str,
    locale: str,
    key: str,
) -> None:
    exact = await _hits(services, text, locale)
    monkeypatch.setattr(engine, "EXACT_LIMIT", 0)
    monkeypatch.setattr(engine, "SHORTLIST", 3)
    shortlisted = await _hits(services, text, locale)
    assert exact[0].key == shortlisted[0].key == key
    assert len(shortlisted) == min(3, len(HELP_CENTER))


async def test_a_hit_carries_its_raw_similarity_and_no_classifier_score_without_one(
    services: Services, help_center: HelpCenter
) -> None:
    hits = await _hits(services, "how do I reset my password", "en")
    assert hits[0].key == "reset-password"
    assert 0.5 < hits[0].support <= 1.0
    assert all(hit.classifier is None for hit in hits)
