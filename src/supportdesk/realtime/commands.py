"""What a client's frame does: parse it, authorise it, call the actions layer, shape a reply."""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from supportdesk.accounts.actions import do_set_presence
from supportdesk.accounts.models import Presence
from supportdesk.contacts.models import Contact
from supportdesk.conversations import actions
from supportdesk.conversations.actions import Author
from supportdesk.conversations.models import Conversation, SenderType
from supportdesk.conversations.queries import (
    access_conversation_for_contact,
    access_conversation_for_staff,
    conversation_of_client_id,
)
from supportdesk.conversations.schemas import MessagePublic
from supportdesk.errors import AppError, Forbidden, InvalidInput, RateLimited, Unauthorized
from supportdesk.http import describe_validation
from supportdesk.ratelimit import check_rate
from supportdesk.realtime.events import STAFF_STREAM, Published, contact_stream
from supportdesk.realtime.frames import Ping, Read, Send, SetPresence, Typing, client_frame

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from supportdesk.realtime.gateway import Client
    from supportdesk.services import Services

Reply = dict[str, Any] | None


async def handle(services: Services, client: Client, raw: str) -> Reply:
    ref = _ref_of(raw)
    try:
        frame = client_frame.validate_json(raw)
    except ValidationError as exc:
        return error_frame(ref, "bad_frame", describe_validation(exc.errors()))
    try:
        if isinstance(frame, Ping):
            return {"type": "pong", "ref": frame.ref}
        if isinstance(frame, Send):
            return await _send(services, client, frame)
        if isinstance(frame, Typing):
            return await _typing(services, client, frame)
        if isinstance(frame, Read):
            return await _read(services, client, frame)
        return await _presence(services, client, frame)
    except RateLimited as exc:
        return {**error_frame(ref, exc.code, exc.message), "retry_after": exc.retry_after}
    except AppError as exc:
        return error_frame(ref, exc.code, exc.message)


def _ref_of(raw: str) -> str | None:
    """The client's reference (``client_id`` or ``ref``), echoed in the reply if readable."""
    try:
        data = json.loads(raw)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    ref = data.get("client_id") or data.get("ref")
    return ref[:64] if isinstance(ref, str) else None


def error_frame(ref: str | None, code: str, message: str) -> dict[str, Any]:
    return {"type": "error", "ref": ref, "code": code, "message": message}


async def _access(session: AsyncSession, client: Client, conversation_id: int) -> Conversation:
    if client.agent is not None:
        return await access_conversation_for_staff(session, conversation_id)
    assert client.contact_id is not None
    return await access_conversation_for_contact(session, client.contact_id, conversation_id)


async def _send(services: Services, client: Client, frame: Send) -> Reply:
    """Acknowledged means committed: the ack is sent after the transaction ends."""
    if client.agent is None:
        await check_rate(services.limiter, f"visitor-send:{client.contact_id}", 60, 60, "messages")
    max_chars = services.settings.max_message_chars
    if client.agent is not None and frame.conversation_id is None:
        raise InvalidInput("conversation_id is required for staff", code="invalid")

    async def store(session: AsyncSession) -> tuple[MessagePublic, bool]:
        if client.agent is not None:
            author = Author(SenderType.AGENT, agent=client.agent)
        else:
            contact = await session.get(Contact, client.contact_id)
            if contact is None:  # deleted while connected (data deletion)
                raise Unauthorized("this visitor no longer exists", code="token_invalid")
            author = Author(SenderType.CONTACT, contact=contact)
        conversation = await _conversation_for_send(session, client, frame, author, max_chars)
        return await actions.do_send_message(
            session,
            conversation,
            author,
            frame.body,
            max_chars=max_chars,
            internal=frame.internal,
            client_id=frame.client_id,
            attachment_ids=frame.attachment_ids,
        )

    # Sends from many sockets commit together when they arrive together (db/engine.py).
    message, created = await services.db.batched(store)
    return {
        "type": "ack",
        "ref": frame.client_id,
        "created": created,
        "message": message.model_dump(mode="json"),
    }


async def _conversation_for_send(
    session: AsyncSession, client: Client, frame: Send, author: Author, max_chars: int
) -> Conversation:
    if frame.conversation_id is not None:
        return await _access(session, client, frame.conversation_id)
    # A visitor's first message starts a conversation; the client id makes a retry find it.
    assert author.contact is not None
    existing = await conversation_of_client_id(session, author.contact.id, frame.client_id)
    if existing is not None:
        return existing
    actions.check_body(frame.body, max_chars=max_chars, has_attachments=bool(frame.attachment_ids))
    conversation, _created = await actions.do_start_conversation(
        session, author.contact, client_id=frame.client_id
    )
    return conversation


TYPING_INTERVAL = 2.0


def _typing_is_repeat(client: Client, frame: Typing) -> bool:
    now = time.monotonic()
    key = (frame.conversation_id, frame.state)
    if now - client.typing_sent.get(key, -TYPING_INTERVAL) < TYPING_INTERVAL:
        return True
    if len(client.typing_sent) > 100:
        client.typing_sent.clear()
    client.typing_sent[key] = now
    other = (frame.conversation_id, "stop" if frame.state == "start" else "start")
    client.typing_sent.pop(other, None)
    return False


async def _typing(services: Services, client: Client, frame: Typing) -> Reply:
    if _typing_is_repeat(client, frame):
        return None
    async with services.db.session() as session:
        conversation = await _access(session, client, frame.conversation_id)
    typing: dict[str, Any] = {
        "type": "typing",
        "conversation_id": conversation.id,
        "state": frame.state,
    }
    if client.agent is not None:
        agent_frame = {
            **typing,
            "who": "agent",
            "agent_id": client.agent.id,
            "name": client.agent.name,
        }
        await services.broker.publish(
            [
                Published(
                    contact_stream(conversation.contact_id),
                    {**typing, "who": "agent", "name": client.agent.name},
                ),
                Published(STAFF_STREAM, agent_frame),
            ]
        )
    else:
        await services.broker.publish([Published(STAFF_STREAM, {**typing, "who": "contact"})])
    return None


async def _read(services: Services, client: Client, frame: Read) -> Reply:
    side = SenderType.AGENT if client.agent is not None else SenderType.CONTACT
    async with services.db.transaction() as session:
        conversation = await _access(session, client, frame.conversation_id)
        await actions.do_mark_read(session, conversation, side, frame.message_id)
    return {"type": "ok", "ref": frame.ref}


async def _presence(services: Services, client: Client, frame: SetPresence) -> Reply:
    if client.agent is None:
        raise Forbidden("only agents have a presence", code="forbidden")
    async with services.db.transaction() as session:
        await do_set_presence(session, client.agent, Presence(frame.status))
    return {"type": "ok", "ref": frame.ref}
