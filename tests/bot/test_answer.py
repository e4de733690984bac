"""The bot answers when sure, and hands off when unsure, asked to, or on urgent cases."""

from __future__ import annotations

import pytest

from supportdesk.bot.answer import answer
from supportdesk.bot.rules import BotRules, HandoffRule
from supportdesk.services import Services
from tests.search.articles import HelpCenter


async def _ask(services: Services, text: str, locale: str | None = None, **rules: object) -> dict:
    async with services.db.session() as session:
        return await answer(session, text, locale, BotRules(**rules) if rules else None)


@pytest.mark.parametrize(
    ("text", "locale", "key"),
    [
        ("I forgot my password, how do I get back in?", "en", "reset-password"),
        ("忘记密码了怎么办", "zh", "reset-password"),
        ("¿cómo invito a mis amigos y gano recompensas?", "es", "referral-program"),
        ("puedo comprar bitcoin con mi tarjeta visa?", "es", "card-purchase"),
    ],
)
async def test_a_clear_question_gets_a_confident_answer(
    services: Services, help_center: HelpCenter, text: str, locale: str, key: str
) -> None:
    reply = await _ask(services, text, locale)
    assert reply["reason"] == "confident"
    assert reply["handoff"] is False
    assert reply["answer"]["key"] == key
    assert reply["suggestions"][0] == reply["answer"]
    assert reply["answer"]["url"] == f"/help/{reply['answer']['locale']}/articles/{key}"


@pytest.mark.parametrize(
    "text",
    [
        "I want to talk to a real person",
        "agent please",
        "人工客服",
        "我要转人工",
        "quiero hablar con una persona",
        "necesito hablar con un humano",
    ],
)
async def test_asking_for_a_person_hands_off_in_any_language(
    services: Services, help_center: HelpCenter, text: str
) -> None:
    reply = await _ask(services, text)
    assert (reply["answer"], reply["handoff"], reply["reason"]) == (None, True, "human_requested")


@pytest.mark.parametrize(
    "text",
    [
        "my account was hacked and my password changed",
        "someone made an unauthorized withdrawal of all my BTC",
        "我的账户被盗了，币全被转走了",
        "me robaron los fondos de la cuenta",
    ],
)
async def test_urgent_topics_hand_off(
    services: Services, help_center: HelpCenter, text: str
) -> None:
    reply = await _ask(services, text)
    assert (reply["answer"], reply["handoff"], reply["reason"]) == (None, True, "urgent")


@pytest.mark.parametrize(
    "text",
    ["asdf qwerty zxcv", "what will the weather be like on Mars tomorrow?", "狗狗币还能涨吗"],
)
async def test_the_bot_abstains_on_questions_the_help_center_does_not_answer(
    services: Services, help_center: HelpCenter, text: str
) -> None:
    reply = await _ask(services, text)
    assert reply["answer"] is None
    assert reply["handoff"] is True
    assert reply["reason"] == "low_confidence"


async def test_an_empty_help_center_hands_off(services: Services) -> None:
    reply = await _ask(services, "how do I reset my password")
    assert reply == {"answer": None, "suggestions": [], "handoff": True, "reason": "no_articles"}


async def test_a_disabled_rule_no_longer_hands_off(
    services: Services, help_center: HelpCenter
) -> None:
    reply = await _ask(
        services, "I want to talk to a real person", human_request={"enabled": False}
    )
    assert reply["reason"] != "human_requested"


async def test_an_admins_extra_keyword_hands_off(
    services: Services, help_center: HelpCenter
) -> None:
    rules = {"urgent": HandoffRule(keywords=["chargeback"])}
    reply = await _ask(services, "I will file a chargeback with my bank", **rules)
    assert reply["reason"] == "urgent"


async def test_the_confidence_threshold_is_the_admins(
    services: Services, help_center: HelpCenter
) -> None:
    reply = await _ask(services, "I forgot my password", "en", min_confidence=1.0)
    assert (reply["answer"], reply["reason"]) == (None, "low_confidence")
    assert reply["suggestions"][0]["key"] == "reset-password"


@pytest.mark.parametrize(
    "text",
    ["hola!", "good morning", "早上好", "are you a robot?", "你是机器人吗", "will BTC go up?"],
)
async def test_greetings_and_small_talk_abstain(
    services: Services, help_center: HelpCenter, text: str
) -> None:
    reply = await _ask(services, text)
    assert (reply["answer"], reply["handoff"], reply["reason"]) == (None, True, "low_confidence")


@pytest.mark.parametrize(
    ("text", "locale"),
    [("用银行卡怎么买币", "zh"), ("¿puedo pagar cripto con tarjeta de crédito?", "es")],
)
async def test_a_question_about_an_english_only_article_gets_that_article(
    services: Services, help_center: HelpCenter, text: str, locale: str
) -> None:
    reply = await _ask(services, text, locale)
    assert reply["reason"] == "confident"
    assert (reply["answer"]["key"], reply["answer"]["locale"]) == ("card-purchase", "en")
