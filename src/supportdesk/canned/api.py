"""Canned replies, for every staff member: list, create, edit, delete, render for a chat."""

from __future__ import annotations

from fastapi import APIRouter, Response

from supportdesk.canned import actions
from supportdesk.canned.models import CannedReply
from supportdesk.canned.schemas import (
    CannedReplyCreate,
    CannedReplyPublic,
    CannedReplyUpdate,
    RenderedReply,
    RenderRequest,
)
from supportdesk.conversations.queries import access_conversation_for_staff
from supportdesk.deps import ServicesDep, StaffDep
from supportdesk.schemas_common import Id

router = APIRouter(prefix="/canned-replies", tags=["canned replies"])


@router.get("", response_model=list[CannedReplyPublic])
async def list_canned_replies(_staff: StaffDep, services: ServicesDep) -> list[CannedReply]:
    async with services.db.session() as session:
        return await actions.all_canned_replies(session)


@router.post("", response_model=CannedReplyPublic, status_code=201)
async def create_canned_reply(
    body: CannedReplyCreate, staff: StaffDep, services: ServicesDep
) -> CannedReply:
    async with services.db.transaction() as session:
        return await actions.do_create_canned_reply(session, body, staff.agent)


@router.patch("/{reply_id}", response_model=CannedReplyPublic)
async def update_canned_reply(
    reply_id: Id, body: CannedReplyUpdate, _staff: StaffDep, services: ServicesDep
) -> CannedReply:
    async with services.db.transaction() as session:
        reply = await actions.access_canned_reply(session, reply_id)
        return await actions.do_update_canned_reply(session, reply, body)


@router.delete("/{reply_id}", status_code=204)
async def delete_canned_reply(reply_id: Id, _staff: StaffDep, services: ServicesDep) -> Response:
    async with services.db.transaction() as session:
        reply = await actions.access_canned_reply(session, reply_id)
        await actions.do_delete_canned_reply(session, reply)
    return Response(status_code=204)


@router.post("/{reply_id}/render", response_model=RenderedReply)
async def render_canned_reply(
    reply_id: Id, body: RenderRequest, staff: StaffDep, services: ServicesDep
) -> RenderedReply:
    """The reply in the conversation's language with its placeholders filled in."""
    async with services.db.session() as session:
        reply = await actions.access_canned_reply(session, reply_id)
        conversation = await access_conversation_for_staff(session, body.conversation_id)
        locale, text = await actions.render_canned_reply(session, reply, conversation, staff.agent)
    return RenderedReply(body=text, locale=locale)
