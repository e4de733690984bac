"""Shapes of email records for staff."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel


class EmailPublic(BaseModel):
    """One mail in or out of a ticket, as staff see it in the conversation's email log."""

    id: int
    direction: str  # in | out
    kind: str  # normal | auto_reply | bulk | bounce | unparseable
    kind_reason: str
    message_id: str | None
    in_reply_to: str | None
    from_address: str
    to_address: str
    subject: str
    size: int
    conversation_id: int | None
    chat_message_id: int | None
    contact_id: int | None
    error: str
    created_at: datetime
    # Outbound mail: pending | sent | failed (from the outbox); null for inbound mail.
    delivery: str | None = None
    delivery_error: str = ""
    original_url: str
    raw_url: str


class EmailOriginal(BaseModel):
    """The full mail as received: the whole text (nothing trimmed), the HTML sanitised for
    display, every header, and the attachments' names."""

    id: int
    subject: str
    parseable: bool
    error: str | None
    headers: list[tuple[str, str]]
    text: str
    html: str | None
    attachments: list[str]
