"""The absolute floors: only articles with enough example questions are judged by them."""

from __future__ import annotations

from supportdesk.bot.scope import MIN_CLASSIFIER, MIN_SUPPORT, is_unsupported
from supportdesk.search.engine import Hit


def _hit(support: float, classifier: float | None) -> Hit:
    return Hit(
        key="card-arrival",
        locale="en",
        title="Card arrival",
        url="/help/en/articles/card-arrival",
        snippet="",
        score=0.99,
        article_id=1,
        translation_id=1,
        relevance=4.0,
        support=support,
        classifier=classifier,
    )


def test_an_article_without_a_classifier_is_left_to_the_relative_confidence() -> None:
    assert not is_unsupported(_hit(support=0.0, classifier=None))


def test_an_intent_article_close_to_the_question_is_supported() -> None:
    assert not is_unsupported(_hit(support=MIN_SUPPORT + 0.05, classifier=MIN_CLASSIFIER + 0.5))


def test_an_intent_article_far_from_the_question_is_unsupported() -> None:
    assert is_unsupported(_hit(support=MIN_SUPPORT - 0.05, classifier=0.9))
    assert is_unsupported(_hit(support=0.95, classifier=MIN_CLASSIFIER - 0.1))
