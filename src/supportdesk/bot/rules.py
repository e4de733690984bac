"""The bot's rules, which an admin sets: when to answer and when to hand off.

Stored as one JSON document (``bot_settings``); fields absent there take the defaults
below, so a newer version's rules apply to an older document.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from supportdesk.bot.handoff import (
    HUMAN_EXEMPLARS,
    HUMAN_KEYWORDS,
    URGENT_EXEMPLARS,
    URGENT_KEYWORDS,
    Detector,
)
from supportdesk.bot.models import BotSettings
from supportdesk.db.base import utcnow

Phrase = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class HandoffRule(BaseModel):
    model_config = ConfigDict(extra="forbid")

    enabled: bool = True
    # Added to the built-in lists (the built-ins always apply while the rule is enabled).
    keywords: list[Phrase] = Field(default_factory=list, max_length=500)
    phrases: list[Phrase] = Field(default_factory=list, max_length=200)
    # mUSE cosine at or above which a message counts as like one of the example phrases.
    similarity: float = Field(default=0.6, ge=0.3, le=1.0)


class BotRules(BaseModel):
    """What ``GET/PUT /api/v1/bot/rules`` read and write."""

    model_config = ConfigDict(extra="forbid")

    # The bot answers only when its best article's score reaches this (0..1).
    min_confidence: float = Field(default=0.5, ge=0.0, le=1.0)
    human_request: HandoffRule = Field(default_factory=HandoffRule)
    urgent: HandoffRule = Field(default_factory=lambda: HandoffRule(similarity=0.62))

    def human_detector(self) -> Detector:
        return _detector(self.human_request, HUMAN_KEYWORDS, HUMAN_EXEMPLARS)

    def urgent_detector(self) -> Detector:
        return _detector(self.urgent, URGENT_KEYWORDS, URGENT_EXEMPLARS)


def _detector(rule: HandoffRule, keywords: tuple[str, ...], exemplars: tuple[str, ...]) -> Detector:
    return Detector(
        keywords=(*keywords, *rule.keywords),
        exemplars=(*exemplars, *rule.phrases),
        threshold=rule.similarity,
    )


async def load_rules(session: AsyncSession) -> BotRules:
    stored = await session.scalar(select(BotSettings.rules).where(BotSettings.id == 1))
    return BotRules.model_validate(stored or {})


async def do_set_rules(session: AsyncSession, rules: BotRules, agent_id: int | None) -> BotRules:
    row = await session.get(BotSettings, 1)
    document = rules.model_dump(mode="json")
    if row is None:
        session.add(BotSettings(id=1, rules=document, updated_by=agent_id))
    else:
        row.rules, row.updated_at, row.updated_by = document, utcnow(), agent_id
    await session.flush()
    return rules
