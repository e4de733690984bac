"""The events that tell clients about conversations and messages.

Visibility rule: staff hear everything on the ``staff`` stream; the contact hears its own
conversation on ``contact:<id>``, never internal notes and never staff-only fields.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from supportdesk.conversations.models import Conversation, Message, SenderType
from supportdesk.conversations.schemas import (
    MessagePublic,
    conversation_payload,
    conversation_public_payload,
)
from supportdesk.db.base import utcnow
from supportdesk.realtime.events import STAFF_STREAM, contact_stream, emit


async def notify_message(
    session: AsyncSession, conversation: Conversation, message: MessagePublic
) -> None:
    """``message.created`` carries the conversation as it is after the message, so one
    event per stream tells a client everything that changed."""
    body = message.model_dump(mode="json")
    await emit(
        session,
        STAFF_STREAM,
        "message.created",
        {"message": body, "conversation": conversation_payload(conversation)},
    )
    if not message.internal:
        await emit(
            session,
            contact_stream(conversation.contact_id),
            "message.created",
            {"message": body, "conversation": conversation_public_payload(conversation)},
        )


async def notify_conversation(
    session: AsyncSession, conversation: Conversation, type_: str, *, to_contact: bool = True
) -> None:
    await emit(session, STAFF_STREAM, type_, {"conversation": conversation_payload(conversation)})
    if to_contact:
        await emit(
            session,
            contact_stream(conversation.contact_id),
            type_,
            {"conversation": conversation_public_payload(conversation)},
        )


async def do_system_note(
    session: AsyncSession,
    conversation: Conversation,
    text: str,
    data: dict[str, Any],
    *,
    internal: bool = False,
) -> None:
    """``text`` is the English sentence; ``data`` what happened, for translated display."""
    message = Message(
        conversation_id=conversation.id,
        sender_type=SenderType.SYSTEM,
        body=text,
        system_data=data,
        is_internal=internal,
        created_at=utcnow(),
    )
    session.add(message)
    await session.flush()
    await notify_message(session, conversation, MessagePublic.of(message, [], "system"))
