"""The built-in SMTP receiver: every accepted message goes, as raw bytes, to an async callback.

It runs in the caller's event loop (``loop.create_server`` with aiosmtpd's ``SMTP``
protocol) rather than in aiosmtpd's threaded ``Controller``, so the callback can use the
application's database engine, which belongs to that loop. The reply to DATA is sent only
after the callback returns: a message is acknowledged (250) once stored, and a failed
callback answers 451 so the sending server keeps it and retries (RFC 5321 section 4.2.5).
"""

from __future__ import annotations

import asyncio
import logging
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aiosmtpd.smtp import SMTP, Envelope, Session

from supportdesk.channels.email.inbound import InboundMessage, MessageCallback

log = logging.getLogger(__name__)

DEFAULT_SIZE_LIMIT = 25 * 1024 * 1024


class MessageRejected(Exception):
    """Raised by a callback to refuse a message for good (5xx): the sender bounces it."""

    def __init__(self, reply: str = "550 5.7.1 Message refused") -> None:
        super().__init__(reply)
        self.reply = reply


class InboundHandler:
    """aiosmtpd handler. ``accept_recipient`` (optional) refuses unknown addresses at RCPT
    with 550, so mail for other domains is never accepted (this is not a relay)."""

    def __init__(
        self,
        callback: MessageCallback,
        accept_recipient: Callable[[str], bool] | None = None,
    ) -> None:
        self._callback = callback
        self._accept_recipient = accept_recipient

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: Any
    ) -> str:
        if self._accept_recipient is not None and not self._accept_recipient(address):
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        peer = session.peer[0] if isinstance(session.peer, tuple) else None
        message = InboundMessage(
            raw=bytes(raw) if not isinstance(raw, str) else raw.encode("utf-8", "surrogateescape"),
            mail_from=envelope.mail_from or "",
            rcpt_tos=tuple(envelope.rcpt_tos),
            peer=str(peer) if peer is not None else None,
            tls=server.transport is not None
            and server.transport.get_extra_info("ssl_object") is not None,
        )
        try:
            await self._callback(message)
        except MessageRejected as exc:
            return exc.reply
        except Exception:
            log.exception("inbound mail from %s not stored; asking the sender to retry", peer)
            return "451 4.3.0 Temporary failure, please try again later"
        return "250 2.0.0 Message accepted"


@dataclass
class SMTPReceiver:
    """A listening receiver; ``port`` is the bound port (useful with port 0)."""

    server: asyncio.Server
    host: str
    port: int

    async def close(self) -> None:
        self.server.close()
        # Python 3.13+ can also drop open sessions; before that they end on their own.
        close_clients = getattr(self.server, "close_clients", None)
        if close_clients is not None:
            close_clients()
        await self.server.wait_closed()


async def start_smtp_receiver(
    callback: MessageCallback,
    *,
    host: str = "127.0.0.1",
    port: int = 2525,
    hostname: str | None = None,
    data_size_limit: int = DEFAULT_SIZE_LIMIT,
    accept_recipient: Callable[[str], bool] | None = None,
    tls_context: ssl.SSLContext | None = None,
    implicit_tls: bool = False,
) -> SMTPReceiver:
    """Listen on ``host:port`` in the running loop. Messages over ``data_size_limit`` bytes
    are refused with 552 (RFC 1870) before the callback sees them. With ``tls_context``
    the server offers STARTTLS, or, with ``implicit_tls``, speaks TLS from the first byte."""
    handler = InboundHandler(callback, accept_recipient)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(
            handler,
            hostname=hostname,
            data_size_limit=data_size_limit,
            decode_data=False,
            enable_SMTPUTF8=True,
            ident="Supportdesk ESMTP",
            tls_context=None if implicit_tls else tls_context,
        ),
        host=host,
        port=port,
        ssl=tls_context if implicit_tls else None,
    )
    bound_port = server.sockets[0].getsockname()[1]
    return SMTPReceiver(server=server, host=host, port=int(bound_port))
