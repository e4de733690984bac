"""The built-in SMTP receiver on a real socket, spoken to by a real SMTP client."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

import aiosmtplib
import pytest

from supportdesk.channels.email import parse_email
from supportdesk.channels.email.inbound import InboundMessage
from supportdesk.channels.email.smtp_receiver import (
    MessageRejected,
    SMTPReceiver,
    start_smtp_receiver,
)

Callback = Callable[[InboundMessage], Awaitable[None]]


@pytest.fixture
async def received() -> list[InboundMessage]:
    return []


@pytest.fixture
async def receiver(received: list[InboundMessage]) -> AsyncIterator[SMTPReceiver]:
    async def store(message: InboundMessage) -> None:
        if b"Subject: please fail" in message.raw:
            raise RuntimeError("database is down")
        if b"Subject: spam" in message.raw:
            raise MessageRejected("550 5.7.1 Spam refused")
        received.append(message)

    server = await start_smtp_receiver(
        store,
        port=0,
        data_size_limit=64 * 1024,
        accept_recipient=lambda address: address.lower().endswith("@desk.example"),
    )
    yield server
    await server.close()


async def _send(server: SMTPReceiver, raw: bytes, rcpt: str = "support@desk.example") -> None:
    await aiosmtplib.send(
        raw,
        sender="lilei@example.cn",
        recipients=[rcpt],
        hostname=server.host,
        port=server.port,
        start_tls=False,
        timeout=10,
    )


async def test_receiver_hands_raw_bytes_and_envelope_to_the_callback(
    receiver: SMTPReceiver, received: list[InboundMessage], fixture_bytes: dict[str, bytes]
) -> None:
    await _send(
        receiver, fixture_bytes["gb2312_withdrawal.eml"], "support+t.Abc123xyz@desk.example"
    )

    [message] = received
    assert message.mail_from == "lilei@example.cn"
    assert message.rcpt_tos == ("support+t.Abc123xyz@desk.example",)
    assert message.peer == "127.0.0.1"
    parsed = parse_email(message.raw, message.rcpt_tos)
    assert parsed.subject == "提现一直没有到账"
    assert "朱镕基路" in parsed.text
    assert parsed.reply_token == "Abc123xyz"  # only in the envelope: the desk was Bcc'd


async def test_failed_callback_answers_451_so_the_sender_retries(
    receiver: SMTPReceiver, received: list[InboundMessage]
) -> None:
    raw = b"From: a@example.com\r\nTo: support@desk.example\r\nSubject: please fail\r\n\r\nhi\r\n"
    with pytest.raises(aiosmtplib.SMTPDataError) as error:
        await _send(receiver, raw)
    assert error.value.code == 451
    assert received == []


async def test_callback_can_refuse_a_message_for_good(receiver: SMTPReceiver) -> None:
    raw = b"From: a@example.com\r\nTo: support@desk.example\r\nSubject: spam\r\n\r\nbuy\r\n"
    with pytest.raises(aiosmtplib.SMTPDataError) as error:
        await _send(receiver, raw)
    assert error.value.code == 550


async def test_message_over_the_size_limit_is_refused_with_552(
    receiver: SMTPReceiver, received: list[InboundMessage]
) -> None:
    raw = b"From: a@example.com\r\nSubject: big\r\n\r\n" + b"x" * 70 * 1024 + b"\r\n"
    with pytest.raises(aiosmtplib.SMTPResponseException) as error:
        await _send(receiver, raw)
    assert error.value.code == 552
    assert received == []


async def test_mail_for_another_domain_is_refused_at_rcpt(
    receiver: SMTPReceiver, received: list[InboundMessage]
) -> None:
    raw = b"From: a@example.com\r\nSubject: relay?\r\n\r\nhi\r\n"
    with pytest.raises(aiosmtplib.SMTPRecipientsRefused) as error:
        await _send(receiver, raw, rcpt="victim@elsewhere.example")
    assert error.value.recipients[0].code == 550
    assert received == []
