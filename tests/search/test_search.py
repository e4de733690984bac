"""Help-center search: languages, cross-lingual answers, locale preference, freshness."""

from __future__ import annotations

import asyncio

import pytest

from supportdesk.db.engine import Database
from supportdesk.helpcenter.models import TranslationStatus
from supportdesk.search import search
from supportdesk.search.keyword import keyword_scores
from supportdesk.search.text import tokenize
from supportdesk.services import Services
from tests.search.articles import HelpCenter, add_article, edit_translation


async def _top(db: Database, text: str, locale: str | None = None) -> tuple[str, str]:
    async with db.session() as session:
        hits = await search(session, text, locale, 5)
    assert hits, f"nothing found for {text!r}"
    return hits[0].key, hits[0].locale


@pytest.mark.parametrize(
    ("text", "locale", "expected"),
    [
        ("忘记密码了，登录不上怎么办", "zh", ("reset-password", "zh")),
        ("olvidé mi contraseña y no puedo entrar", "es", ("reset-password", "es")),
        ("I can't remember my password", "en", ("reset-password", "en")),
        ("邀请朋友注册有什么奖励", "zh", ("referral-program", "zh")),
        ("¿cómo cambio mi correo electrónico?", "es", ("change-email", "es")),
        ("where do I download the app for my phone", "en", ("mobile-app", "en")),
    ],
)
async def test_a_question_finds_the_article_in_its_own_language(
    services: Services, help_center: HelpCenter, text: str, locale: str, expected: tuple
) -> None:
    assert await _top(services.db, text, locale) == expected


async def test_a_spanish_question_finds_an_article_that_exists_only_in_english(
    services: Services, help_center: HelpCenter
) -> None:
    assert await _top(services.db, "quiero comprar cripto con mi tarjeta de débito", "es") == (
        "card-purchase",
        "en",
    )


async def test_a_chinese_question_finds_an_article_that_exists_only_in_english(
    services: Services, help_center: HelpCenter
) -> None:
    assert (await _top(services.db, "活期质押的币可以随时赎回吗", "zh"))[0] == "staking-rewards"


async def test_the_readers_locale_is_shown_first_when_the_article_has_it(
    services: Services, help_center: HelpCenter
) -> None:
    assert await _top(services.db, "how do I reset my password", "es") == (
        "reset-password",
        "es",
    )
    assert await _top(services.db, "how do I reset my password", "zh") == (
        "reset-password",
        "zh",
    )


async def test_each_article_appears_once(services: Services, help_center: HelpCenter) -> None:
    async with services.db.session() as session:
        hits = await search(session, "password", "en", 10)
    keys = [hit.key for hit in hits]
    assert len(keys) == len(set(keys))
    assert all(0.0 <= hit.score <= 1.0 for hit in hits)


async def test_drafts_are_not_found_until_published(services: Services) -> None:
    article_id = await add_article(
        services.db,
        "futures-launch",
        {"en": ("Perpetual futures on the moon market", "Trade lunar perpetual futures.")},
        status=TranslationStatus.DRAFT,
    )
    async with services.db.session() as session:
        assert await search(session, "lunar perpetual futures", "en") == []
    await edit_translation(services.db, article_id, "en", status=TranslationStatus.PUBLISHED)
    assert (await _top(services.db, "lunar perpetual futures", "en"))[0] == "futures-launch"


async def test_another_node_sees_a_changed_article_without_restart(
    services: Services, help_center: HelpCenter, database_url: str
) -> None:
    other_node = Database(database_url)
    try:
        assert await _top(other_node, "how do I stake coins", "en") == ("staking-rewards", "en")
        await edit_translation(
            services.db,
            help_center.ids["staking-rewards"],
            "en",
            title="Savings vault",
            body="Put coins in the vault to receive interest every day.",
        )
        for _ in range(40):
            async with other_node.session() as session:
                hits = await search(session, "savings vault interest", "en")
            if hits and hits[0].title == "Savings vault":
                break
            await asyncio.sleep(0.1)
        assert hits[0].title == "Savings vault"
    finally:
        await other_node.dispose()


async def test_unpublishing_removes_an_article_from_results(
    services: Services, help_center: HelpCenter
) -> None:
    for locale in ("en", "zh", "es"):
        await edit_translation(
            services.db, help_center.ids["referral-program"], locale, status=TranslationStatus.DRAFT
        )
    async with services.db.session() as session:
        hits = await search(session, "invite friends referral rewards", "en", 10)
    assert "referral-program" not in [hit.key for hit in hits]


async def test_keyword_index_matches_chinese_words_and_folded_spanish(
    services: Services, help_center: HelpCenter
) -> None:
    async with services.db.session() as session:
        chinese = await keyword_scores(session, tokenize("密码忘了", "zh"))
        spanish = await keyword_scores(session, tokenize("CONTRASENA olvidada", "es"))
    assert chinese and spanish


async def test_an_empty_help_center_finds_nothing(services: Services) -> None:
    async with services.db.session() as session:
        assert await search(session, "password", "en") == []
