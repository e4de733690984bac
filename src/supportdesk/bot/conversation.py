"""The bot's turn in a chat: answer a visitor's message, or hand the chat to a person.

A chat starts in the ``bot`` status when the help center has published articles. Each
message the visitor writes while the chat is with the bot gets an answer after the
message is committed, computed outside the write transaction (ranking takes milliseconds
that the single SQLite writer should not wait for) and written in a transaction of its
own, which first checks that the chat is still with the bot: a visitor who clicked
"Talk to a person" meanwhile is not answered by the bot any more.

The answer message carries the bot's decision as data (``message.system``, kind
``bot_answer``: the ``/api/v1/bot/answer`` body) so that the widget shows the article
card and the "This solved it" / "Talk to a person" buttons, and the agent who takes over
sees exactly what the bot said.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from supportdesk import i18n
from supportdesk.conversations.actions import Author
from supportdesk.conversations.models import Conversation, Message, SenderType, Status
from supportdesk.conversations.notify import notify_message
from supportdesk.conversations.schemas import MessagePublic
from supportdesk.conversations.workflow import do_change_status
from supportdesk.db.base import utcnow
from supportdesk.db.engine import Database, on_commit
from supportdesk.errors import Conflict
from supportdesk.helpcenter.models import ArticleTranslation, TranslationStatus

log = logging.getLogger(__name__)

BOT = Author(SenderType.BOT)
RESOLVED = "resolved"
HANDED_OFF = "handed_off"
ABANDONED = "abandoned"
_running: set[asyncio.Task[None]] = set()


async def initial_status(session: AsyncSession) -> Status:
    """``bot`` when the help center can answer anything at all, else straight to the queue."""
    published = await session.scalar(
        select(ArticleTranslation.id)
        .where(ArticleTranslation.status == TranslationStatus.PUBLISHED)
        .limit(1)
    )
    return Status.BOT if published is not None else Status.QUEUED


def schedule_bot_turn(session: AsyncSession, conversation_id: int, message_id: int) -> None:
    """After the surrounding transaction commits, let the bot answer this message."""
    db: Database = session.info["database"]

    async def start() -> None:
        task = asyncio.create_task(bot_turn(db, conversation_id, message_id), name="bot-turn")
        _running.add(task)
        task.add_done_callback(_running.discard)

    on_commit(session, start)


async def bot_turn(db: Database, conversation_id: int, message_id: int) -> None:
    try:
        from supportdesk.bot.answer import answer

        async with db.session() as session:
            conversation = await session.get(Conversation, conversation_id)
            message = await session.get(Message, message_id)
            if conversation is None or message is None or conversation.status != Status.BOT:
                return
            if not message.body.strip():
                return  # a screenshot alone: nothing to search for
            reply = await answer(session, message.body, locale=conversation.locale)
        async with db.transaction() as session:
            conversation = await session.get(Conversation, conversation_id)
            if conversation is None or conversation.status != Status.BOT:
                return
            await do_bot_answer(session, conversation, reply)
    except Exception:  # a failed answer must never lose the visitor: hand over to a person
        log.exception("the bot could not answer conversation %s", conversation_id)
        async with db.transaction() as session:
            conversation = await session.get(Conversation, conversation_id)
            if conversation is not None and conversation.status == Status.BOT:
                await do_hand_off(session, conversation, reason="error")


ABANDON_AFTER = timedelta(hours=1)


async def do_mark_abandoned(session: AsyncSession, *, now: datetime | None = None) -> int:
    """Chats left with the bot, untouched for an hour, count as abandoned (for analytics).

    The chat stays where it is: a visitor who comes back and writes is answered as usual.
    Returns how many were marked.
    """
    cutoff = (now or utcnow()) - ABANDON_AFTER
    result = await session.execute(
        update(Conversation)
        .where(
            Conversation.status == Status.BOT,
            Conversation.bot_outcome.is_(None),
            Conversation.updated_at < cutoff,
        )
        .values(bot_outcome=ABANDONED)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def do_bot_answer(
    session: AsyncSession, conversation: Conversation, reply: dict[str, Any]
) -> None:
    locale = conversation.locale
    answer = reply.get("answer")
    if answer is not None:
        lines = [i18n.translate(locale, "bot.answer_intro"), f"{answer['title']} — {answer['url']}"]
        others = [s for s in reply.get("suggestions", []) if s.get("key") != answer.get("key")]
        if others:
            lines.append(i18n.translate(locale, "bot.also_see"))
            lines += [f"- {s['title']} — {s['url']}" for s in others[:2]]
        await _bot_message(session, conversation, "\n".join(lines), reply)
    if reply.get("handoff"):
        await do_hand_off(session, conversation, reason=str(reply.get("reason") or ""))


async def do_hand_off(session: AsyncSession, conversation: Conversation, *, reason: str) -> None:
    """The chat goes to the people's queue, with a line telling the visitor so."""
    text = i18n.translate(conversation.locale, "bot.connecting")
    await _bot_message(session, conversation, text, {"kind": "handoff", "reason": reason})
    conversation.bot_outcome = HANDED_OFF
    if conversation.topic is None:
        from supportdesk.routing.topic import bot_topic

        # Routing matches it to team skills (docs/routing.md).
        conversation.topic = await bot_topic(session, conversation)
    await do_change_status(session, conversation, Status.QUEUED, actor=BOT)


async def do_visitor_bot_choice(
    session: AsyncSession, conversation: Conversation, choice: str
) -> Conversation:
    """ "This solved it" (``solved``) or "Talk to a person" (``human``), from the widget."""
    if conversation.status != Status.BOT:
        raise Conflict("this conversation is no longer with the bot", code="not_with_bot")
    if choice == "solved":
        conversation.bot_outcome = RESOLVED
        text = i18n.translate(conversation.locale, "bot.glad")
        await _bot_message(session, conversation, text, {"kind": "solved"})
        await do_change_status(session, conversation, Status.RESOLVED, actor=BOT)
    else:
        await do_hand_off(session, conversation, reason="visitor_asked")
    return conversation


async def _bot_message(
    session: AsyncSession, conversation: Conversation, text: str, data: dict[str, Any]
) -> None:
    system = data if "kind" in data else {"kind": "bot_answer", **data}
    message = Message(
        conversation_id=conversation.id,
        sender_type=SenderType.BOT,
        body=text,
        system_data=system,
        created_at=utcnow(),
    )
    session.add(message)
    await session.flush()
    conversation.last_message_at = message.created_at
    conversation.updated_at = message.created_at
    await notify_message(session, conversation, MessagePublic.of(message, [], ""))
