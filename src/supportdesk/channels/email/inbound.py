"""What every inbound transport hands over: the raw message and its envelope."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime


@dataclass(frozen=True, slots=True)
class InboundMessage:
    """One message as a transport received it, before parsing. IMAP has no envelope:
    ``mail_from`` is "" and ``rcpt_tos`` empty."""

    raw: bytes
    mail_from: str = ""
    rcpt_tos: tuple[str, ...] = ()
    peer: str | None = None
    tls: bool = False  # received over an encrypted connection (SMTP only)
    received_at: datetime = field(default_factory=lambda: datetime.now(UTC))


MessageCallback = Callable[[InboundMessage], Awaitable[None]]
