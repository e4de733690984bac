"""A conversation's topic for routing: the category of the article the bot found best."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from supportdesk.conversations.models import Conversation, Message, SenderType
from supportdesk.helpcenter.models import Article, HelpCategory


def top_article_key(system: dict[str, Any] | None) -> str | None:
    """The bot's answer, else its first suggestion, from a ``bot_answer`` message's data."""
    if not system or system.get("kind") != "bot_answer":
        return None
    answer = system.get("answer")
    if isinstance(answer, dict) and answer.get("key"):
        return str(answer["key"])
    suggestions = system.get("suggestions") or []
    if suggestions and isinstance(suggestions[0], dict) and suggestions[0].get("key"):
        return str(suggestions[0]["key"])
    return None


async def bot_topic(session: AsyncSession, conversation: Conversation) -> str | None:
    """The category slug of the bot's latest best article in this conversation, if any."""
    rows = await session.scalars(
        select(Message.system_data)
        .where(Message.conversation_id == conversation.id, Message.sender_type == SenderType.BOT)
        .order_by(Message.id.desc())
        .limit(10)
    )
    key = next((k for k in (top_article_key(r) for r in rows) if k), None)
    if key is None:
        return None
    slug = await session.scalar(
        select(HelpCategory.slug)
        .join(Article, Article.category_id == HelpCategory.id)
        .where(Article.key == key)
    )
    return None if slug is None else str(slug)
