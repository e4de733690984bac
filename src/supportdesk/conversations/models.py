from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from supportdesk.accounts.models import Agent, Team, _enum
from supportdesk.contacts.models import Contact
from supportdesk.db.base import Base, utcnow


class Status(enum.StrEnum):
    BOT = "bot"
    QUEUED = "queued"
    OPEN = "open"
    PENDING = "pending"  # waiting on the customer
    RESOLVED = "resolved"
    CLOSED = "closed"


class Priority(enum.StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


class Channel(enum.StrEnum):
    CHAT = "chat"
    EMAIL = "email"
    WEB = "web"
    API = "api"


class SenderType(enum.StrEnum):
    CONTACT = "contact"
    AGENT = "agent"
    BOT = "bot"
    SYSTEM = "system"


class Conversation(Base):
    __tablename__ = "conversations"
    __table_args__ = (
        Index("ix_conversations_status_waiting", "status", "waiting_since"),
        # A team's queue, oldest first (routing/queue.py).
        Index("ix_conversations_queue", "status", "team_id", "queued_at"),
        # The client id of the send that started it: a retried first send finds it again.
        UniqueConstraint("contact_id", "client_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[Status] = mapped_column(_enum(Status, "status"), default=Status.QUEUED)
    priority: Mapped[Priority] = mapped_column(_enum(Priority, "priority"), default=Priority.NORMAL)
    channel: Mapped[Channel] = mapped_column(_enum(Channel, "channel"), default=Channel.CHAT)
    subject: Mapped[str] = mapped_column(String(300), default="")
    client_id: Mapped[str | None] = mapped_column(String(64), default=None)
    locale: Mapped[str] = mapped_column(String(35), default="en")
    team_id: Mapped[int | None] = mapped_column(
        ForeignKey("teams.id", ondelete="SET NULL"), index=True, default=None
    )
    assignee_id: Mapped[int | None] = mapped_column(
        ForeignKey("agents.id", ondelete="SET NULL"), index=True, default=None
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_message_at: Mapped[datetime | None] = mapped_column(default=None)
    # Since when the customer has been waiting for the desk; None when the desk has answered.
    waiting_since: Mapped[datetime | None] = mapped_column(default=None)
    resolved_at: Mapped[datetime | None] = mapped_column(default=None)
    # How the answer bot's part ended: resolved (the visitor said it solved it), handed_off
    # (to a person, asked for or decided by the bot), or abandoned; None: the bot took no part.
    bot_outcome: Mapped[str | None] = mapped_column(String(16), default=None)
    # Routing (docs/routing.md): the topic matched to team skills, when the conversation
    # entered its team's queue, and when its current agent got it.
    topic: Mapped[str | None] = mapped_column(String(64), default=None)
    queued_at: Mapped[datetime | None] = mapped_column(default=None)
    assigned_at: Mapped[datetime | None] = mapped_column(default=None)
    # Read receipts: the last message id each side has seen.
    contact_last_read_id: Mapped[int] = mapped_column(default=0)
    agent_last_read_id: Mapped[int] = mapped_column(default=0)

    contact: Mapped[Contact] = relationship(lazy="raise")
    team: Mapped[Team | None] = relationship(lazy="raise")
    assignee: Mapped[Agent | None] = relationship(lazy="raise")


class Message(Base):
    __tablename__ = "messages"
    __table_args__ = (
        # A retried send carries the same client id and finds the first message.
        UniqueConstraint("conversation_id", "sender_type", "client_id"),
        Index("ix_messages_conversation_id_id", "conversation_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    sender_type: Mapped[SenderType] = mapped_column(_enum(SenderType, "sender_type"))
    sender_agent_id: Mapped[int | None] = mapped_column(
        ForeignKey("agents.id", ondelete="SET NULL"), default=None
    )
    body: Mapped[str] = mapped_column(Text, default="")
    # For system notes: what happened, as data ({"kind": "status", "status": "resolved",
    # "actor": "Carol"}), so each reader's UI words it in the reader's own language; ``body``
    # keeps an English sentence for API clients that show text only.
    system_data: Mapped[dict[str, Any] | None] = mapped_column(default=None)
    is_internal: Mapped[bool] = mapped_column(default=False)
    client_id: Mapped[str | None] = mapped_column(String(64), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    sender_agent: Mapped[Agent | None] = relationship(lazy="raise")
