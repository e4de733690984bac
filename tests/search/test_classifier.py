"""The example-question classifier: which articles it covers, and what it answers."""

from __future__ import annotations

import numpy as np

from supportdesk.bot.answer import answer
from supportdesk.db.engine import Database
from supportdesk.helpcenter.models import Article, ArticleTranslation
from supportdesk.search.classifier import MIN_EXAMPLES, train
from supportdesk.search.index import index_articles
from supportdesk.services import Services


async def _add_intents(db: Database, intents: dict[str, list[str]]) -> None:
    async with db.transaction() as session:
        ids = []
        for key, questions in intents.items():
            article = Article(key=key)
            session.add(article)
            await session.flush()
            ids.append(article.id)
            title = key.replace("-", " ").capitalize()
            session.add(
                ArticleTranslation(
                    article_id=article.id, locale="en", title=title, body=title, questions=questions
                )
            )
        await session.flush()
        await index_articles(session, ids)


def _unit(rows: np.ndarray) -> np.ndarray:
    return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)


def test_only_articles_with_enough_example_questions_become_classes() -> None:
    rng = np.random.default_rng(1)
    owners = np.array([0] * MIN_EXAMPLES + [1] * MIN_EXAMPLES + [2] * (MIN_EXAMPLES - 1))
    e5 = _unit(rng.standard_normal((len(owners), 384)))
    use = _unit(rng.standard_normal((len(owners), 512)))
    classifier = train(e5, use, owners)
    assert classifier is not None
    assert classifier.classes.tolist() == [0, 1]
    assert int(np.argmax(classifier.scores(e5[0], use[0]))) == 0


def test_a_help_center_without_example_questions_has_no_classifier() -> None:
    assert (
        train(np.zeros((0, 384), np.float32), np.zeros((0, 512), np.float32), np.zeros(0, np.int64))
        is None
    )


CARD_INTENTS = {
    "card-arrival": [
        "when will my new card arrive?",
        "my card still hasn't come in the mail",
        "how long does card delivery take",
        "is there a way to track my card",
        "I ordered a card a week ago and nothing yet",
    ],
    "card-lost": [
        "I lost my card",
        "my card was left at a restaurant and is gone",
        "can't find my card anywhere",
        "what do I do if I misplaced my card",
        "I dropped my card somewhere",
    ],
}


async def test_a_visitor_is_answered_by_the_article_whose_example_questions_match(
    services: Services,
) -> None:
    await _add_intents(services.db, CARD_INTENTS)
    async with services.db.session() as session:
        reply = await answer(session, "the card you sent me never showed up", "en")
    assert reply["suggestions"][0]["key"] == "card-arrival"


async def test_a_question_like_none_of_the_example_questions_is_handed_off(
    services: Services,
) -> None:
    # One of two intents always "wins" relatively; the absolute floors make the bot abstain.
    await _add_intents(services.db, CARD_INTENTS)
    async with services.db.session() as session:
        reply = await answer(session, "set an alarm for seven tomorrow morning", "en")
    assert reply["answer"] is None
    assert reply["reason"] == "low_confidence"
