"""What readers tell us about articles: "Was this helpful?" answers and page views."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import exists, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from supportdesk import i18n
from supportdesk.helpcenter.models import (
    Article,
    ArticleFeedback,
    ArticleTranslation,
    TranslationStatus,
)

__all__ = [
    "FEEDBACK_PER_IP",
    "FEEDBACK_WINDOW_SECONDS",
    "MAX_COMMENT_CHARS",
    "FeedbackCreate",
    "FeedbackReceipt",
    "do_count_view",
    "do_record_feedback",
    "published_article",
]

MAX_COMMENT_CHARS = 2000
# Anyone may answer, without an account: enough for a reader going through a dozen
# articles, too few for a script to skew an article's score.
FEEDBACK_PER_IP = 30
FEEDBACK_WINDOW_SECONDS = 3600


class FeedbackCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    locale: str = Field(description="The locale of the text the reader saw (en, es, zh-Hans)")
    helpful: bool
    comment: str = Field(default="", max_length=MAX_COMMENT_CHARS)

    @field_validator("locale")
    @classmethod
    def _known_locale(cls, value: str) -> str:
        if value not in i18n.available_locales():
            raise ValueError(f"must be one of {', '.join(i18n.available_locales())}")
        return value

    @field_validator("comment")
    @classmethod
    def _trimmed(cls, value: str) -> str:
        return value.strip()


class FeedbackReceipt(BaseModel):
    recorded: bool = True


async def published_article(session: AsyncSession, key: str) -> Article | None:
    """The article ``key`` when at least one of its translations is published."""
    published = exists().where(
        ArticleTranslation.article_id == Article.id,
        ArticleTranslation.status == TranslationStatus.PUBLISHED,
    )
    result = await session.scalars(select(Article).where(Article.key == key, published))
    return result.first()


async def do_record_feedback(
    session: AsyncSession, article: Article, answer: FeedbackCreate
) -> ArticleFeedback:
    feedback = ArticleFeedback(
        article_id=article.id,
        locale=answer.locale,
        helpful=answer.helpful,
        comment=answer.comment,
    )
    session.add(feedback)
    await session.flush()
    return feedback


async def do_count_view(session: AsyncSession, article_id: int) -> None:
    """One more view, in one UPDATE: no read, so concurrent views never lose a count."""
    await session.execute(
        update(Article).where(Article.id == article_id).values(views=Article.views + 1)
    )
