"""Outbound mail: building a threaded HTML + text message and sending it with aiosmtplib.

Pure sending: the persisted outbox with retry and back-off wraps :func:`send_message`.
Threading headers follow RFC 5322 section 3.6.4: ``In-Reply-To`` names the message being
answered, ``References`` carries the thread's ids so every client files the reply under
the same conversation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.headerregistry import Address as HeaderAddress
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from enum import StrEnum

import aiosmtplib


class SMTPSecurity(StrEnum):
    NONE = "none"  # plain connection (a local relay)
    STARTTLS = "starttls"  # connect in clear, upgrade before authenticating (port 587)
    TLS = "tls"  # TLS from the first byte (implicit TLS, port 465)


@dataclass(frozen=True, slots=True)
class SMTPSettings:
    host: str
    port: int = 587
    security: SMTPSecurity = SMTPSecurity.STARTTLS
    username: str | None = None
    password: str | None = None
    timeout: float = 30.0
    validate_certs: bool = True


@dataclass(frozen=True, slots=True)
class OutgoingEmail:
    """What to send. Addresses are ``(display name, address)`` pairs; ids have no brackets."""

    sender: tuple[str, str]
    to: Sequence[tuple[str, str]]
    subject: str
    text: str
    html: str | None = None
    reply_to: tuple[str, str] | None = None  # the per-conversation address, e.g. support+t.x@
    in_reply_to: str | None = None
    references: Sequence[str] = ()
    message_id: str | None = None  # generated when absent
    auto_submitted: str | None = None  # "auto-generated" for notifications (RFC 3834)
    language: str | None = None  # Content-Language, e.g. "zh"
    extra_headers: Sequence[tuple[str, str]] = field(default=())


def _address(pair: tuple[str, str]) -> HeaderAddress:
    return HeaderAddress(display_name=pair[0], addr_spec=pair[1])


def build_message(email: OutgoingEmail) -> EmailMessage:
    """A multipart/alternative message (text first, HTML preferred) with threading headers."""
    msg = EmailMessage()
    msg["From"] = _address(email.sender)
    msg["To"] = [_address(pair) for pair in email.to]
    if email.reply_to is not None:
        msg["Reply-To"] = _address(email.reply_to)
    msg["Subject"] = email.subject
    msg["Date"] = format_datetime(datetime.now(UTC))
    domain = email.sender[1].rpartition("@")[2] or None
    msg["Message-ID"] = f"<{email.message_id}>" if email.message_id else make_msgid(domain=domain)
    if email.in_reply_to:
        msg["In-Reply-To"] = f"<{email.in_reply_to}>"
    references = list(dict.fromkeys([*email.references, *filter(None, [email.in_reply_to])]))
    if references:
        msg["References"] = " ".join(f"<{ref}>" for ref in references)
    if email.auto_submitted:
        msg["Auto-Submitted"] = email.auto_submitted
    if email.language:
        msg["Content-Language"] = email.language
    for name, value in email.extra_headers:
        msg[name] = value
    msg.set_content(email.text)
    if email.html is not None:
        msg.add_alternative(email.html, subtype="html")
    return msg


async def send_message(message: EmailMessage, settings: SMTPSettings) -> None:
    """Send ``message`` to its To/Cc/Bcc recipients; raises aiosmtplib.SMTPException (or
    OSError) on failure, so the caller (the outbox) decides when to retry."""
    await aiosmtplib.send(
        message,
        hostname=settings.host,
        port=settings.port,
        username=settings.username,
        password=settings.password,
        use_tls=settings.security is SMTPSecurity.TLS,
        start_tls=settings.security is SMTPSecurity.STARTTLS,
        validate_certs=settings.validate_certs,
        timeout=settings.timeout,
    )
