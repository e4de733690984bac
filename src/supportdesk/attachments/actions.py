"""Storing uploads, and who may read them.

An upload is linked to no message yet; ``conversations.actions.do_send_message`` claims it
(and emits the event that announces it). Uploading itself emits nothing.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from supportdesk.attachments.images import reencode
from supportdesk.attachments.models import Attachment
from supportdesk.attachments.sniff import Kind, safe_filename, sniff
from supportdesk.attachments.storage import Storage
from supportdesk.conversations.actions import Author
from supportdesk.conversations.models import Conversation, Message, Status
from supportdesk.db.engine import Database
from supportdesk.errors import Conflict, InvalidInput, NotFound, TooLarge

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class CleanFile:
    """An upload that passed every check, re-encoded when it is an image."""

    data: bytes
    filename: str
    content_type: str
    width: int | None = None
    height: int | None = None


def check_size(size: int, max_bytes: int) -> None:
    if size == 0:
        raise InvalidInput("the file is empty", code="empty_file")
    if size > max_bytes:
        raise TooLarge(f"the file is larger than the limit of {describe_bytes(max_bytes)}")


def describe_bytes(size: int) -> str:
    if size >= 1024 * 1024 and size % (1024 * 1024) == 0:
        return f"{size // (1024 * 1024)} MB"
    if size >= 1024 and size % 1024 == 0:
        return f"{size // 1024} KB"
    return f"{size} bytes"


async def check_file(data: bytes, filename: str | None, *, max_bytes: int) -> CleanFile:
    """Size, type by content, then re-encoding; raises 413, 415 or 422 (AppError)."""
    check_size(len(data), max_bytes)
    file_type = await asyncio.to_thread(sniff, data)
    name = safe_filename(filename, file_type)
    if file_type.kind != Kind.IMAGE or file_type.image_format is None:
        return CleanFile(data, name, file_type.content_type)
    image = await reencode(data, file_type.image_format)
    return CleanFile(image.data, name, file_type.content_type, image.width, image.height)


def check_can_upload(conversation: Conversation) -> None:
    if conversation.status == Status.CLOSED:
        raise Conflict("this conversation is closed; start a new one", code="conversation_closed")


async def do_upload(
    db: Database,
    storage: Storage,
    conversation: Conversation,
    uploader: Author,
    *,
    data: bytes,
    filename: str | None,
    max_bytes: int,
) -> Attachment:
    """Check, clean and store a file, then record it; both happen or neither does.

    The caller has checked that ``uploader`` may write in ``conversation``. This action runs
    its own transaction instead of joining the caller's: the file is written first (so
    no row ever names a missing file) and deleted again if the transaction fails at any
    point, commit included, which a caller-owned transaction could not tell us.
    """
    check_can_upload(conversation)
    clean = await check_file(data, filename, max_bytes=max_bytes)
    key = secrets.token_urlsafe(32)  # 43 characters, 256 random bits: never guessed
    await storage.put(key, clean.data)
    try:
        async with db.transaction() as session:
            attachment = _new_attachment(key, conversation, uploader, clean)
            session.add(attachment)
            await session.flush()
    except IntegrityError as exc:
        # The foreign keys name the conversation and the uploader: one was deleted meanwhile.
        await _discard(storage, key)
        raise NotFound(f"conversation {conversation.id} not found") from exc
    except BaseException:
        await _discard(storage, key)
        raise
    return attachment


def _new_attachment(
    key: str, conversation: Conversation, uploader: Author, clean: CleanFile
) -> Attachment:
    return Attachment(
        key=key,
        conversation_id=conversation.id,
        uploader_contact_id=uploader.contact.id if uploader.contact is not None else None,
        uploader_agent_id=uploader.agent.id if uploader.agent is not None else None,
        filename=clean.filename,
        content_type=clean.content_type,
        size=len(clean.data),
        width=clean.width,
        height=clean.height,
    )


async def _discard(storage: Storage, key: str) -> None:
    try:
        await storage.delete(key)
    except Exception:  # the original error matters more; this one is only logged
        log.exception("could not delete the stored file %s of a failed upload", key)


async def access_attachment_for_staff(session: AsyncSession, attachment_id: int) -> Attachment:
    attachment = await session.get(Attachment, attachment_id)
    if attachment is None:
        raise NotFound(f"attachment {attachment_id} not found")
    return attachment


async def access_attachment_for_contact(
    session: AsyncSession, contact_id: int, attachment_id: int
) -> Attachment:
    """The contact's own unsent uploads, and files on visible messages of their conversations.

    Anything else, including a file on an internal note or an agent's unsent upload,
    answers "not found", exactly like a missing attachment.
    """
    row = (
        await session.execute(
            select(Attachment, Conversation.contact_id, Message.is_internal)
            .join(Conversation, Conversation.id == Attachment.conversation_id)
            .outerjoin(Message, Message.id == Attachment.message_id)
            .where(Attachment.id == attachment_id)
        )
    ).first()
    if row is None or not _visible_to_contact(row[0], contact_id, row[1], row[2]):
        raise NotFound(f"attachment {attachment_id} not found")
    attachment: Attachment = row[0]
    return attachment


def _visible_to_contact(
    attachment: Attachment, contact_id: int, owner_id: int, internal: bool | None
) -> bool:
    if owner_id != contact_id:
        return False
    if attachment.message_id is None:
        return attachment.uploader_contact_id == contact_id
    return internal is False
