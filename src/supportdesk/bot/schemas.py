from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, StringConstraints

from supportdesk.schemas_common import Locale, RequestModel

MAX_QUESTION_CHARS = 2000
Question = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_QUESTION_CHARS)
]
Reason = Literal["confident", "low_confidence", "human_requested", "urgent", "no_articles"]


class BotQuestion(RequestModel):
    text: Question
    locale: Locale | None = None


class ArticleRef(BaseModel):
    key: str
    locale: str
    title: str
    url: str
    score: float


class BotAnswer(BaseModel):
    answer: ArticleRef | None
    suggestions: list[ArticleRef]
    handoff: bool
    reason: Reason
