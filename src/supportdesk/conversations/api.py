"""Conversations and messages: the visitor's side (widget) and the staff's side (console)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response
from sqlalchemy.ext.asyncio import AsyncSession

from supportdesk.accounts.models import Agent, Team
from supportdesk.accounts.queries import access_agent, access_team
from supportdesk.contacts.models import Contact
from supportdesk.conversations import actions, workflow
from supportdesk.conversations.actions import Author
from supportdesk.conversations.models import Conversation, Message, SenderType, Status
from supportdesk.conversations.queries import (
    PREVIEW_CHARS,
    access_conversation_for_contact,
    access_conversation_for_staff,
    conversations_query,
    inbox_counts,
    inbox_previews,
    list_conversations,
    list_messages,
    unread_counts,
)
from supportdesk.conversations.schemas import (
    BotChoice,
    ConversationPublic,
    ConversationStaff,
    ConversationStart,
    ConversationUpdate,
    ConversationWithUnread,
    InboxCounts,
    InboxPreview,
    MessageCreate,
    MessagePage,
    MessagePublic,
    ReadReceipt,
    StaffMessageCreate,
    VisitorConversationRow,
)
from supportdesk.deps import ContactDep, ServicesDep, StaffDep
from supportdesk.errors import InvalidInput
from supportdesk.ratelimit import check_rate
from supportdesk.schemas_common import MAX_ID, Id, SearchText
from supportdesk.services import Services

router = APIRouter(tags=["conversations"])

AfterId = Annotated[int, Query(ge=0, le=MAX_ID, description="Only messages with a greater id")]
BeforeId = Annotated[int | None, Query(ge=1, le=MAX_ID, description="Page backwards from this id")]
Limit = Annotated[int, Query(ge=1, le=200)]


# --- the visitor's side -------------------------------------------------------------------


@router.get("/widget/conversations", response_model=list[VisitorConversationRow])
async def visitor_conversations(
    contact: ContactDep, services: ServicesDep
) -> list[VisitorConversationRow]:
    """The visitor's conversations, latest activity first, each with its latest message."""
    async with services.db.session() as session:
        rows = await list_conversations(session, conversations_query(contact_id=contact.id))
        latest, _, files = await inbox_previews(session, rows, include_internal=False)
    return [
        VisitorConversationRow(
            **ConversationPublic.model_validate(c).model_dump(),
            last_message=_preview(latest.get(c.id), files),
        )
        for c in rows
    ]


@router.post("/widget/conversations", response_model=ConversationPublic, status_code=201)
async def visitor_start_conversation(
    body: ConversationStart, contact: ContactDep, services: ServicesDep, response: Response
) -> Conversation:
    """201 for a new conversation; 200 with the first one when ``client_id`` was already sent."""
    await _limit_visitor(services, contact)
    max_chars = services.settings.max_message_chars
    if body.body.strip():
        actions.check_body(body.body, max_chars=max_chars, has_attachments=False)
    async with services.db.transaction() as session:
        conversation, created = await actions.do_start_conversation(
            session, contact, subject=body.subject, locale=body.locale, client_id=body.client_id
        )
        if created and body.body.strip():
            await actions.do_send_message(
                session,
                conversation,
                Author(SenderType.CONTACT, contact=contact),
                body.body,
                max_chars=max_chars,
                client_id=body.client_id,
            )
    response.status_code = 201 if created else 200
    return conversation


@router.get("/widget/conversations/{conversation_id}", response_model=ConversationPublic)
async def visitor_conversation(
    conversation_id: Id, contact: ContactDep, services: ServicesDep
) -> Conversation:
    async with services.db.session() as session:
        return await access_conversation_for_contact(session, contact.id, conversation_id)


@router.get("/widget/conversations/{conversation_id}/messages", response_model=MessagePage)
async def visitor_messages(
    conversation_id: Id,
    contact: ContactDep,
    services: ServicesDep,
    after_id: AfterId = 0,
    before_id: BeforeId = None,
    limit: Limit = 100,
) -> MessagePage:
    async with services.db.session() as session:
        await access_conversation_for_contact(session, contact.id, conversation_id)
        messages = await list_messages(
            session,
            conversation_id,
            include_internal=False,
            after_id=after_id,
            before_id=before_id,
            limit=limit,
        )
    return MessagePage(messages=messages)


@router.post("/widget/conversations/{conversation_id}/messages", response_model=MessagePublic)
async def visitor_send(
    conversation_id: Id,
    body: MessageCreate,
    contact: ContactDep,
    services: ServicesDep,
    response: Response,
) -> MessagePublic:
    """201 for a new message; 200 with the original when the ``client_id`` was already sent."""
    await _limit_visitor(services, contact)

    async def store(session: AsyncSession) -> tuple[MessagePublic, bool]:
        conversation = await access_conversation_for_contact(session, contact.id, conversation_id)
        return await actions.do_send_message(
            session,
            conversation,
            Author(SenderType.CONTACT, contact=contact),
            body.body,
            max_chars=services.settings.max_message_chars,
            client_id=body.client_id,
            attachment_ids=body.attachment_ids,
        )

    message, created = await services.db.batched(store)
    response.status_code = 201 if created else 200
    return message


@router.post("/widget/conversations/{conversation_id}/read", response_model=ConversationPublic)
async def visitor_read(
    conversation_id: Id, body: ReadReceipt, contact: ContactDep, services: ServicesDep
) -> Conversation:
    async with services.db.transaction() as session:
        conversation = await access_conversation_for_contact(session, contact.id, conversation_id)
        return await actions.do_mark_read(
            session, conversation, SenderType.CONTACT, body.message_id
        )


@router.post("/widget/conversations/{conversation_id}/bot", response_model=ConversationPublic)
async def visitor_bot_choice(
    conversation_id: Id, body: BotChoice, contact: ContactDep, services: ServicesDep
) -> Conversation:
    """The visitor's answer to the bot: ``solved`` (resolves the chat) or ``human``
    (hands it to the people's queue). 409 ``not_with_bot`` once the bot is out of it."""
    from supportdesk.bot.conversation import do_visitor_bot_choice

    async with services.db.transaction() as session:
        conversation = await access_conversation_for_contact(session, contact.id, conversation_id)
        return await do_visitor_bot_choice(session, conversation, body.choice)


async def _limit_visitor(services: Services, contact: Contact) -> None:
    await check_rate(services.limiter, f"visitor-send:{contact.id}", 60, 60, "messages")


# --- the staff's side ---------------------------------------------------------------------


@router.get("/conversations", response_model=list[ConversationWithUnread])
async def staff_conversations(
    staff: StaffDep,
    services: ServicesDep,
    status: Status | None = None,
    assignee: Annotated[str | None, Query(pattern=r"^(me|none|\d{1,18})$")] = None,
    team_id: Annotated[Id | None, Query()] = None,
    contact_id: Annotated[Id | None, Query()] = None,
    q: Annotated[SearchText | None, Query()] = None,
    active: bool = False,
    sort: Literal["recent", "waiting"] = "recent",
    before: datetime | None = None,
    limit: Limit = 50,
) -> list[ConversationWithUnread]:
    """``sort=recent`` (default): newest activity first, paged with ``before``.
    ``sort=waiting``: the customer waiting longest first (one page of up to ``limit``).
    ``assignee``: ``me``, ``none`` (unassigned) or an agent id; ``active``: only bot,
    queued, open and pending conversations."""
    if sort == "waiting" and before is not None:
        raise InvalidInput("before pages sort=recent only; sort=waiting returns one page")
    assignee_id = staff.agent.id if assignee == "me" else None
    if assignee and assignee.isdigit():
        assignee_id = int(assignee)
    stmt = conversations_query(
        status=status,
        assignee_id=assignee_id,
        unassigned=assignee == "none",
        team_id=team_id,
        contact_id=contact_id,
        q=q,
        active=active,
    )
    async with services.db.session() as session:
        rows = await list_conversations(
            session, stmt, limit=limit, before=before, by_waiting=sort == "waiting"
        )
        unread = await unread_counts(session, rows)
        latest, contacts, files = await inbox_previews(session, rows)
    return [_inbox_row(c, unread, latest, contacts, files) for c in rows]


def _inbox_row(
    conversation: Conversation,
    unread: dict[int, int],
    latest: dict[int, Message],
    contacts: dict[int, Contact],
    files: dict[int, int],
) -> ConversationWithUnread:
    contact = contacts.get(conversation.contact_id)
    preview = _preview(latest.get(conversation.id), files)
    return ConversationWithUnread(
        **ConversationStaff.model_validate(conversation).model_dump(),
        unread=unread.get(conversation.id, 0),
        contact_name=contact.name if contact else "",
        contact_email=contact.email if contact else None,
        last_message=preview,
    )


def _preview(message: Message | None, files: dict[int, int]) -> InboxPreview | None:
    if message is None:
        return None
    return InboxPreview(
        sender_type=message.sender_type,
        body=message.body[:PREVIEW_CHARS],
        internal=message.is_internal,
        attachments=files.get(message.id, 0),
        created_at=message.created_at,
        system=message.system_data,
    )


@router.get("/conversations/counts", response_model=InboxCounts)
async def staff_inbox_counts(staff: StaffDep, services: ServicesDep) -> dict[str, Any]:
    """How many active conversations each inbox view holds, and how many have unread messages."""
    async with services.db.session() as session:
        return await inbox_counts(session, staff.agent.id)


@router.get("/conversations/{conversation_id}", response_model=ConversationStaff)
async def staff_conversation(
    conversation_id: Id, _staff: StaffDep, services: ServicesDep
) -> Conversation:
    async with services.db.session() as session:
        return await access_conversation_for_staff(session, conversation_id)


@router.patch("/conversations/{conversation_id}", response_model=ConversationStaff)
async def staff_update_conversation(
    conversation_id: Id, body: ConversationUpdate, staff: StaffDep, services: ServicesDep
) -> Conversation:
    fields = body.model_fields_set
    actor = Author(SenderType.AGENT, agent=staff.agent)
    async with services.db.transaction() as session:
        conversation = await access_conversation_for_staff(session, conversation_id)
        if "assignee_id" in fields or "team_id" in fields:
            agent = (
                await _agent_or_none(session, body.assignee_id)
                if "assignee_id" in fields
                else (
                    await session.get(Agent, conversation.assignee_id)
                    if conversation.assignee_id
                    else None
                )
            )
            team = await _team_or_none(session, body.team_id) if "team_id" in fields else None
            await workflow.do_assign(
                session,
                conversation,
                actor=actor,
                agent=agent,
                team=team,
                note=body.note,
                set_team="team_id" in fields,
            )
        if body.priority is not None:
            await workflow.do_set_priority(session, conversation, body.priority)
        if body.status is not None:
            await workflow.do_change_status(session, conversation, body.status, actor=actor)
    return conversation


async def _team_or_none(session: AsyncSession, team_id: int | None) -> Team | None:
    return None if team_id is None else await access_team(session, team_id)


async def _agent_or_none(session: AsyncSession, agent_id: int | None) -> Agent | None:
    return None if agent_id is None else await access_agent(session, agent_id)


@router.get("/conversations/{conversation_id}/messages", response_model=MessagePage)
async def staff_messages(
    conversation_id: Id,
    _staff: StaffDep,
    services: ServicesDep,
    after_id: AfterId = 0,
    before_id: BeforeId = None,
    limit: Limit = 100,
) -> MessagePage:
    async with services.db.session() as session:
        await access_conversation_for_staff(session, conversation_id)
        messages = await list_messages(
            session,
            conversation_id,
            include_internal=True,
            after_id=after_id,
            before_id=before_id,
            limit=limit,
        )
    return MessagePage(messages=messages)


@router.post("/conversations/{conversation_id}/messages", response_model=MessagePublic)
async def staff_send(
    conversation_id: Id,
    body: StaffMessageCreate,
    staff: StaffDep,
    services: ServicesDep,
    response: Response,
) -> MessagePublic:
    """A reply, or an internal note (``internal: true``) that the contact never sees."""

    async def store(session: AsyncSession) -> tuple[MessagePublic, bool]:
        conversation = await access_conversation_for_staff(session, conversation_id)
        return await actions.do_send_message(
            session,
            conversation,
            Author(SenderType.AGENT, agent=staff.agent),
            body.body,
            max_chars=services.settings.max_message_chars,
            internal=body.internal,
            client_id=body.client_id,
            attachment_ids=body.attachment_ids,
        )

    message, created = await services.db.batched(store)
    response.status_code = 201 if created else 200
    return message


@router.post("/conversations/{conversation_id}/read", response_model=ConversationStaff)
async def staff_read(
    conversation_id: Id, body: ReadReceipt, _staff: StaffDep, services: ServicesDep
) -> Conversation:
    async with services.db.transaction() as session:
        conversation = await access_conversation_for_staff(session, conversation_id)
        return await actions.do_mark_read(session, conversation, SenderType.AGENT, body.message_id)
