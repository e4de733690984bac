"""Email's own tables: kept beside conversations and messages, not as columns on them.

A conversation that is a ticket by email has an ``EmailThread`` (its reply token and the
subject it is matched by); every mail in or out has an ``EmailRecord`` (threading headers,
the raw bytes' storage key, what kind of mail it was); mail to send waits in
``OutboxEmail`` until the SMTP server accepted it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from supportdesk.db.base import Base, utcnow

# RFC 5322 allows longer ids; real ones are far shorter, and a unique index wants a bound.
MAX_MESSAGE_ID = 500


class EmailThread(Base):
    __tablename__ = "email_threads"

    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), primary_key=True
    )
    # support+t.<token>@domain routes a reply here even when the client drops In-Reply-To.
    reply_token: Mapped[str] = mapped_column(String(64), unique=True)
    # thread_subject() of the first mail: the last threading resort, per contact.
    subject_key: Mapped[str] = mapped_column(String(300), index=True, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class EmailRecord(Base):
    """One mail, in or out. ``kind``: normal, auto_reply, bulk, bounce or unparseable."""

    __tablename__ = "email_messages"
    __table_args__ = (Index("ix_email_messages_kind_id", "kind", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Without angle brackets; None for mail that had none (or could not be parsed).
    message_id: Mapped[str | None] = mapped_column(
        String(MAX_MESSAGE_ID), unique=True, default=None
    )
    in_reply_to: Mapped[str | None] = mapped_column(String(MAX_MESSAGE_ID), default=None)
    references: Mapped[str] = mapped_column(Text, default="")  # space-separated ids
    direction: Mapped[str] = mapped_column(String(8))  # in | out
    kind: Mapped[str] = mapped_column(String(16), default="normal")
    kind_reason: Mapped[str] = mapped_column(String(200), default="")
    conversation_id: Mapped[int | None] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True, default=None
    )
    # The conversation message it became (or was sent from); ``message_id`` is the header.
    chat_message_id: Mapped[int | None] = mapped_column(
        ForeignKey("messages.id", ondelete="SET NULL"), default=None
    )
    contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("contacts.id", ondelete="SET NULL"), index=True, default=None
    )
    from_address: Mapped[str] = mapped_column(String(320), default="")
    to_address: Mapped[str] = mapped_column(String(1000), default="")
    subject: Mapped[str] = mapped_column(String(1000), default="")
    raw_key: Mapped[str | None] = mapped_column(String(64), default=None)  # attachments storage
    size: Mapped[int] = mapped_column(default=0)
    error: Mapped[str] = mapped_column(Text, default="")  # why it could not be parsed or stored
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class OutboxEmail(Base):
    """A message to send, built once (so every attempt sends the same bytes and Message-ID).

    ``status``: pending → sent, or failed after ``smtp_max_attempts``. A worker claims a
    row by moving ``next_attempt_at`` past the send's timeout, so two nodes do not send it
    twice and a node that died mid-send leaves it to be retried.
    """

    __tablename__ = "email_outbox"
    __table_args__ = (Index("ix_email_outbox_status_next_attempt_at", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int | None] = mapped_column(
        ForeignKey("conversations.id", ondelete="SET NULL"), index=True, default=None
    )
    purpose: Mapped[str] = mapped_column(String(32), default="reply")  # reply | acknowledgement
    mail_from: Mapped[str] = mapped_column(String(320))
    recipients: Mapped[str] = mapped_column(String(1000))  # comma-separated addresses
    message_id: Mapped[str] = mapped_column(String(MAX_MESSAGE_ID))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(default=None)
