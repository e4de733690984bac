"""Uploading files into a conversation, and serving them to those who may see them."""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request, Response
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser

from supportdesk.attachments import actions
from supportdesk.attachments.models import Attachment
from supportdesk.contacts.models import Contact
from supportdesk.conversations.actions import Author
from supportdesk.conversations.models import Conversation, SenderType
from supportdesk.conversations.queries import (
    access_conversation_for_contact,
    access_conversation_for_staff,
)
from supportdesk.conversations.schemas import AttachmentPublic
from supportdesk.deps import ContactDep, ServicesDep, Staff, StaffDep, StaffOrContactDep
from supportdesk.errors import InvalidInput, NotFound, TooLarge
from supportdesk.ratelimit import check_rate
from supportdesk.schemas_common import Id
from supportdesk.services import Services

router = APIRouter(tags=["attachments"])

FILE_FIELD = "file"
# Room for the multipart boundaries and part headers around the file itself.
MULTIPART_OVERHEAD = 16 * 1024
VISITOR_UPLOADS_PER_MINUTE = 30

UPLOAD_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": [FILE_FIELD],
                    "properties": {FILE_FIELD: {"type": "string", "format": "binary"}},
                }
            }
        },
    }
}
SERVE_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    # Even if a browser renders the file as a page, it may load nothing and run nothing.
    "Content-Security-Policy": "default-src 'none'; sandbox",
    "Cache-Control": "private",
}


# --- uploading ----------------------------------------------------------------------------


@router.post(
    "/widget/conversations/{conversation_id}/attachments",
    response_model=AttachmentPublic,
    status_code=201,
    openapi_extra=UPLOAD_BODY,
)
async def visitor_upload(
    conversation_id: Id, request: Request, contact: ContactDep, services: ServicesDep
) -> AttachmentPublic:
    """Upload a file (multipart field ``file``); send it with a message's ``attachment_ids``."""
    await check_rate(
        services.limiter, f"visitor-upload:{contact.id}", VISITOR_UPLOADS_PER_MINUTE, 60, "uploads"
    )
    async with services.db.session() as session:
        conversation = await access_conversation_for_contact(session, contact.id, conversation_id)
    return await _upload(
        request, services, conversation, Author(SenderType.CONTACT, contact=contact)
    )


@router.post(
    "/conversations/{conversation_id}/attachments",
    response_model=AttachmentPublic,
    status_code=201,
    openapi_extra=UPLOAD_BODY,
)
async def staff_upload(
    conversation_id: Id, request: Request, staff: StaffDep, services: ServicesDep
) -> AttachmentPublic:
    """Upload a file (multipart field ``file``); send it with a message's ``attachment_ids``."""
    async with services.db.session() as session:
        conversation = await access_conversation_for_staff(session, conversation_id)
    return await _upload(
        request, services, conversation, Author(SenderType.AGENT, agent=staff.agent)
    )


async def _upload(
    request: Request, services: Services, conversation: Conversation, author: Author
) -> AttachmentPublic:
    data, filename = await read_upload(request, services.settings.max_upload_bytes)
    attachment = await actions.do_upload(
        services.db,
        services.storage,
        conversation,
        author,
        data=data,
        filename=filename,
        max_bytes=services.settings.max_upload_bytes,
    )
    return AttachmentPublic.of(attachment)


async def read_upload(request: Request, max_bytes: int) -> tuple[bytes, str | None]:
    """The bytes and the client's name of the ``file`` field, refusing early what is too big.

    The body is parsed here rather than by a ``File()`` parameter because FastAPI would
    read all of it (to a temporary file) before we could refuse: a declared length over
    the limit is refused before reading, and an undeclared one is cut off at the limit.
    """
    limit = max_bytes + MULTIPART_OVERHEAD
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise _too_large(max_bytes)
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise InvalidInput(
            f"send the file as multipart/form-data in a field named {FILE_FIELD!r}",
            code="multipart_required",
        )
    parser = MultiPartParser(
        request.headers, _capped(request.stream(), limit), max_files=1, max_fields=10
    )
    try:
        form = await parser.parse()
    except _BodyTooLarge:
        raise _too_large(max_bytes) from None
    except MultiPartException as exc:
        raise InvalidInput(
            f"the multipart body is malformed: {exc}", code="bad_multipart"
        ) from None
    try:
        upload = form.get(FILE_FIELD)
        if not isinstance(upload, UploadFile):
            raise InvalidInput(
                f"no file in the multipart field {FILE_FIELD!r}", code="file_missing"
            )
        data = await upload.read(max_bytes + 1)
        actions.check_size(len(data), max_bytes)
        return data, upload.filename
    finally:
        await form.close()


class _BodyTooLarge(MultiPartException):
    """A MultiPartException, so that the parser closes its temporary files on the way out."""


async def _capped(stream: AsyncIterator[bytes], limit: int) -> AsyncGenerator[bytes, None]:
    received = 0
    async for chunk in stream:
        received += len(chunk)
        if received > limit:
            raise _BodyTooLarge("request body too large")
        yield chunk


def _too_large(max_bytes: int) -> TooLarge:
    return TooLarge(f"the file is larger than the limit of {actions.describe_bytes(max_bytes)}")


# --- reading ------------------------------------------------------------------------------

# The same schemes as supportdesk.deps (same names in OpenAPI), but none is required here.


@router.get(
    "/attachments/{attachment_id}",
    response_class=Response,
    responses={200: {"description": "The file, with its stored content type"}},
)
async def read_attachment(
    attachment_id: Id, reader: StaffOrContactDep, services: ServicesDep
) -> Response:
    """The file, for staff and for the visitor whose conversation it belongs to."""
    attachment = await _access(services, reader, attachment_id)
    try:
        data = await services.storage.get(attachment.key)
    except FileNotFoundError:
        raise NotFound(f"attachment {attachment_id} not found") from None
    headers = {**SERVE_HEADERS, "Content-Disposition": content_disposition(attachment)}
    return Response(content=data, media_type=attachment.content_type, headers=headers)


async def _access(services: Services, reader: Staff | Contact, attachment_id: int) -> Attachment:
    async with services.db.session() as session:
        if isinstance(reader, Staff):
            return await actions.access_attachment_for_staff(session, attachment_id)
        return await actions.access_attachment_for_contact(session, reader.id, attachment_id)


def content_disposition(attachment: Attachment) -> str:
    """Images inline, the rest as a download; the name per RFC 6266 with RFC 5987 encoding.

    ``filename`` is an ASCII fallback for old clients; ``filename*`` carries the real name.
    """
    disposition = "inline" if attachment.content_type.startswith("image/") else "attachment"
    fallback = "".join(
        ch if 0x20 <= ord(ch) < 0x7F and ch not in '"\\%' else "_" for ch in attachment.filename
    )
    encoded = quote(attachment.filename, safe="")
    return f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{encoded}"
