"""The answer bot's decision: answer from the help center, or hand off to a human.

    async def answer(session, text, locale=None) -> dict

returns the body of ``POST /api/v1/bot/answer`` (docs/bot.md): ``answer`` (the best
article, or None when the bot abstains), ``suggestions`` (up to 3, best first), ``handoff``
and ``reason``. Reasons, in the order they are checked:

* ``urgent`` — money taken, an account taken over or frozen: a person must look at it;
* ``human_requested`` — the visitor asks for a person, complains or wants compensation;
* ``no_articles`` — nothing in the help center matches;
* ``low_confidence`` — the best article's score is under the admin's ``min_confidence``;
  or nothing in the best article is close to the message in absolute terms (its score
  only says it beats the other articles); or the message is small talk (a greeting, "are
  you a bot?", price speculation) closer to :mod:`supportdesk.bot.scope`'s examples than
  to the best article;
* ``confident`` — the answer is the best article.
"""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from supportdesk.bot.rules import BotRules, load_rules
from supportdesk.bot.scope import is_small_talk, is_unsupported
from supportdesk.search import embed
from supportdesk.search.engine import Hit, rank

SUGGESTIONS = 3


async def answer(
    session: AsyncSession, text: str, locale: str | None = None, rules: BotRules | None = None
) -> dict[str, Any]:
    """Decide how the bot replies to ``text`` (``locale``: the reader's, when known)."""
    rules = rules or await load_rules(session)
    vectors = await embed.encode_query_async(text)
    ranking = await rank(session, text, locale, vectors=vectors, limit=SUGGESTIONS)
    suggestions = [public_hit(hit) for hit in ranking.hits]
    reason = await asyncio.to_thread(_handoff_reason, rules, text, vectors)
    if reason is None and not ranking.hits:
        reason = "no_articles"
    elif reason is None and await asyncio.to_thread(_unsure, rules, ranking.hits[0], vectors):
        reason = "low_confidence"
    if reason is not None:
        return {"answer": None, "suggestions": suggestions, "handoff": True, "reason": reason}
    return {
        "answer": suggestions[0],
        "suggestions": suggestions,
        "handoff": False,
        "reason": "confident",
    }


def _unsure(rules: BotRules, best: Hit, vectors: embed.Vectors) -> bool:
    # In a worker thread: the first call encodes the small-talk exemplars.
    return (
        best.score < rules.min_confidence
        or is_unsupported(best)
        or is_small_talk(vectors.use[0], best.similarity)
    )


def _handoff_reason(rules: BotRules, text: str, vectors: embed.Vectors) -> str | None:
    if rules.urgent.enabled and rules.urgent_detector().matches(text, vectors.use[0]):
        return "urgent"
    if rules.human_request.enabled and rules.human_detector().matches(text, vectors.use[0]):
        return "human_requested"
    return None


def public_hit(hit: Hit) -> dict[str, Any]:
    return {
        "key": hit.key,
        "locale": hit.locale,
        "title": hit.title,
        "url": hit.url,
        "score": hit.score,
    }
