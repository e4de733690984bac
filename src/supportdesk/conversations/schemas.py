"""Public shapes of conversations and messages: REST responses and event payloads alike."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from supportdesk.attachments.models import Attachment
from supportdesk.conversations.models import (
    Channel,
    Conversation,
    Message,
    Priority,
    SenderType,
    Status,
)
from supportdesk.schemas_common import ClientId, Id, Locale, RequestModel


class AttachmentPublic(BaseModel):
    id: int
    filename: str
    content_type: str
    size: int
    width: int | None
    height: int | None
    url: str

    @classmethod
    def of(cls, attachment: Attachment) -> AttachmentPublic:
        return cls(
            id=attachment.id,
            filename=attachment.filename,
            content_type=attachment.content_type,
            size=attachment.size,
            width=attachment.width,
            height=attachment.height,
            url=f"/api/v1/attachments/{attachment.id}",
        )


class Sender(BaseModel):
    type: SenderType
    agent_id: int | None = None
    name: str = ""


class MessagePublic(BaseModel):
    id: int
    conversation_id: int
    sender: Sender
    body: str
    internal: bool
    client_id: str | None
    created_at: datetime
    attachments: list[AttachmentPublic] = Field(default_factory=list)
    # System notes only: {"kind": "status", "status", "actor"} or {"kind": "assignment",
    # "actor", "agent_id", "agent", "team_id", "team", "note"}; null for other messages.
    system: dict[str, Any] | None = None

    @classmethod
    def of(
        cls, message: Message, attachments: list[Attachment], sender_name: str = ""
    ) -> MessagePublic:
        return cls(
            id=message.id,
            conversation_id=message.conversation_id,
            sender=Sender(
                type=message.sender_type, agent_id=message.sender_agent_id, name=sender_name
            ),
            body=message.body,
            internal=message.is_internal,
            client_id=message.client_id,
            created_at=message.created_at,
            attachments=[AttachmentPublic.of(a) for a in attachments],
            system=message.system_data,
        )


class ConversationPublic(BaseModel):
    """What the visitor may see of their conversation."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    status: Status
    channel: Channel
    subject: str
    locale: str
    created_at: datetime
    updated_at: datetime
    last_message_at: datetime | None
    contact_last_read_id: int
    agent_last_read_id: int


class ConversationStaff(ConversationPublic):
    """What staff see: assignment, priority, waiting time."""

    contact_id: int
    priority: Priority
    team_id: int | None
    assignee_id: int | None
    waiting_since: datetime | None
    resolved_at: datetime | None


def conversation_payload(conversation: Conversation) -> dict[str, Any]:
    return ConversationStaff.model_validate(conversation).model_dump(mode="json")


def conversation_public_payload(conversation: Conversation) -> dict[str, Any]:
    return ConversationPublic.model_validate(conversation).model_dump(mode="json")


class ConversationStart(RequestModel):
    """The visitor opens a conversation, optionally with a first message."""

    body: str = Field(default="", max_length=1_000_000)
    client_id: ClientId | None = None
    subject: str = Field(default="", max_length=300)
    locale: Locale | None = None


class MessageCreate(RequestModel):
    body: str = Field(default="", max_length=1_000_000)
    client_id: ClientId | None = None
    attachment_ids: list[Id] = Field(default_factory=list, max_length=10)


class StaffMessageCreate(MessageCreate):
    internal: bool = False


class BotChoice(RequestModel):
    choice: Literal["solved", "human"]


class ReadReceipt(RequestModel):
    message_id: int = Field(ge=0)


class ConversationUpdate(RequestModel):
    """Staff changes; every field optional. ``assignee_id``/``team_id`` null unassigns."""

    status: Status | None = None
    priority: Priority | None = None
    assignee_id: Id | None = None
    team_id: Id | None = None
    note: str = Field(default="", max_length=2000)


class InboxPreview(BaseModel):
    """The latest message of a conversation, cut for a list row."""

    sender_type: SenderType
    body: str
    internal: bool
    attachments: int = 0
    created_at: datetime
    system: dict[str, Any] | None = None


class ConversationWithUnread(ConversationStaff):
    unread: int = 0
    contact_name: str = ""
    contact_email: str | None = None
    last_message: InboxPreview | None = None


class VisitorConversationRow(ConversationPublic):
    """A conversation in the visitor's list, with its latest message (never a note)."""

    last_message: InboxPreview | None = None


class ViewCount(BaseModel):
    total: int
    unread: int


class InboxCounts(BaseModel):
    """Active conversations (bot, queued, open, pending) per view; ``statuses`` counts all."""

    mine: ViewCount
    unassigned: ViewCount
    all: ViewCount
    teams: dict[str, ViewCount]
    statuses: dict[str, int]


class MessagePage(BaseModel):
    messages: list[MessagePublic]
