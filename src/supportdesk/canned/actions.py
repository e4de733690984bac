"""Every write to canned replies, and the event that tells open consoles to refresh them."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from supportdesk.accounts.models import Agent
from supportdesk.canned.models import CannedReply
from supportdesk.canned.render import choose_variant, fill, first_name
from supportdesk.canned.schemas import CannedReplyCreate, CannedReplyUpdate
from supportdesk.contacts.models import Contact
from supportdesk.conversations.models import Conversation
from supportdesk.db.base import utcnow
from supportdesk.errors import Conflict, NotFound
from supportdesk.realtime.events import STAFF_STREAM, emit


async def access_canned_reply(session: AsyncSession, reply_id: int) -> CannedReply:
    reply = await session.get(CannedReply, reply_id)
    if reply is None:
        raise NotFound(f"canned reply {reply_id} not found")
    return reply


async def check_shortcut_free(session: AsyncSession, shortcut: str, *, but: int = 0) -> None:
    taken = await session.scalar(
        select(CannedReply.id).where(CannedReply.shortcut == shortcut, CannedReply.id != but)
    )
    if taken is not None:
        raise Conflict(f"the shortcut /{shortcut} is already used", code="shortcut_taken")


async def do_create_canned_reply(
    session: AsyncSession, data: CannedReplyCreate, author: Agent
) -> CannedReply:
    await check_shortcut_free(session, data.shortcut)
    reply = CannedReply(
        shortcut=data.shortcut, title=data.title, bodies=dict(data.bodies), created_by_id=author.id
    )
    session.add(reply)
    await session.flush()
    await _notify(session, reply.id)
    return reply


async def do_update_canned_reply(
    session: AsyncSession, reply: CannedReply, data: CannedReplyUpdate
) -> CannedReply:
    if data.shortcut is not None and data.shortcut != reply.shortcut:
        await check_shortcut_free(session, data.shortcut, but=reply.id)
        reply.shortcut = data.shortcut
    if data.title is not None:
        reply.title = data.title
    if data.bodies is not None:
        reply.bodies = dict(data.bodies)
    reply.updated_at = utcnow()
    await session.flush()
    await _notify(session, reply.id)
    return reply


async def do_delete_canned_reply(session: AsyncSession, reply: CannedReply) -> None:
    await session.delete(reply)
    await session.flush()
    await _notify(session, reply.id, deleted=True)


async def _notify(session: AsyncSession, reply_id: int, *, deleted: bool = False) -> None:
    await emit(session, STAFF_STREAM, "canned_reply.changed", {"id": reply_id, "deleted": deleted})


async def render_canned_reply(
    session: AsyncSession, reply: CannedReply, conversation: Conversation, agent: Agent
) -> tuple[str, str]:
    """``(locale, text)``: the variant for the conversation's language, placeholders filled."""
    contact = await session.get(Contact, conversation.contact_id)
    locale, text = choose_variant(reply.bodies, conversation.locale)
    name = contact.name if contact else ""
    values = {
        "contact.name": name,
        "contact.first_name": first_name(name),
        "contact.email": (contact.email or "") if contact else "",
        "agent.name": agent.name,
        "agent.first_name": first_name(agent.name),
        "conversation.id": str(conversation.id),
    }
    return locale, fill(text, values)


async def all_canned_replies(session: AsyncSession) -> list[CannedReply]:
    return list(await session.scalars(select(CannedReply).order_by(CannedReply.shortcut)))
