"""Email tickets against real servers: the app's own SMTP receiver on a free port, an
aiosmtpd sink standing in for the desk's outbound SMTP server, and Dovecot for IMAP."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from email.message import EmailMessage
from email.utils import make_msgid

import aiosmtplib
import pytest

from supportdesk.channels.email.inbound import InboundMessage
from supportdesk.channels.email.smtp_receiver import SMTPReceiver, start_smtp_receiver
from supportdesk.config import Settings
from tests.channels.email.conftest import dovecot, fixture_bytes  # noqa: F401  (shared)

DESK = "support@desk.example"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def sink_port() -> int:
    return free_port()


@pytest.fixture
def receiver_port() -> int:
    return free_port()


@pytest.fixture
def settings(settings: Settings, sink_port: int, receiver_port: int) -> Settings:
    """The shared settings with email on: outbound to the sink, a receiver for inbound."""
    return settings.model_copy(
        update={
            "smtp_host": "127.0.0.1",
            "smtp_port": sink_port,
            "smtp_security": "none",
            "smtp_from": f"Acme Support <{DESK}>",
            "smtp_retry_seconds": 0.2,
            "smtp_receiver_port": receiver_port,
            "email_domain": "desk.example",
        }
    )


class Sink:
    """The outbound SMTP server: every message the desk sent, as received."""

    def __init__(self) -> None:
        self.received: list[InboundMessage] = []
        self.server: SMTPReceiver | None = None

    async def store(self, message: InboundMessage) -> None:
        self.received.append(message)


@pytest.fixture
async def sink(sink_port: int) -> AsyncIterator[Sink]:
    box = Sink()
    box.server = await start_smtp_receiver(box.store, port=sink_port)
    yield box
    await box.server.close()


def customer_mail(
    body: str = "My withdrawal of 0.5 BTC has been pending for two days.",
    *,
    subject: str = "Withdrawal pending",
    sender: str = "Li Lei <lilei@example.cn>",
    to: str = DESK,
    message_id: str | None = None,
    in_reply_to: str | None = None,
    headers: dict[str, str] | None = None,
) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Message-ID"] = message_id or make_msgid(domain="example.cn")
    if in_reply_to:
        msg["In-Reply-To"] = f"<{in_reply_to}>"
        msg["References"] = f"<{in_reply_to}>"
    for name, value in (headers or {}).items():
        msg[name] = value
    msg.set_content(body)
    return msg


async def deliver(port: int, message: EmailMessage, *, rcpt: str | None = None) -> None:
    """Send ``message`` to the desk's receiver as a mail server would."""
    await aiosmtplib.send(
        message, hostname="127.0.0.1", port=port, recipients=[rcpt] if rcpt else None
    )


async def eventually(check: Callable[[], Awaitable[bool]], within: float = 10.0) -> None:
    deadline = time.monotonic() + within
    while not await check():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.05)
