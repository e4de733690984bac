"""Outbound mail through aiosmtplib to the built-in receiver: plain, STARTTLS and TLS."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import aiosmtplib
import pytest

from supportdesk.channels.email import parse_email
from supportdesk.channels.email.inbound import InboundMessage
from supportdesk.channels.email.sender import (
    OutgoingEmail,
    SMTPSecurity,
    SMTPSettings,
    build_message,
    send_message,
)
from supportdesk.channels.email.smtp_receiver import SMTPReceiver, start_smtp_receiver
from tests.channels.email.tls import server_context

REPLY = OutgoingEmail(
    sender=("Supportdesk 客服", "support@desk.example"),
    to=[("李雷", "lilei@example.cn")],
    subject="回复：提现一直没有到账 [#1042]",
    text="您好，您的提现已经发出。\n\nSupportdesk",
    html="<p>您好，您的提现<b>已经发出</b>。</p><p>Supportdesk</p>",
    reply_to=("Supportdesk", "support+t.Zx81kQpL02@desk.example"),
    in_reply_to="cn-001@mail.example.cn",
    references=["cn-000@mail.example.cn"],
    message_id="ticket-1042-2@desk.example",
    language="zh",
)


def test_built_message_is_html_and_text_with_threading_headers() -> None:
    parsed = parse_email(build_message(REPLY).as_bytes())

    assert parsed.subject == "回复：提现一直没有到账 [#1042]"
    assert str(parsed.sender) == "Supportdesk 客服 <support@desk.example>"
    assert parsed.message_id == "ticket-1042-2@desk.example"
    assert parsed.in_reply_to == "cn-001@mail.example.cn"
    assert parsed.references == ("cn-000@mail.example.cn", "cn-001@mail.example.cn")
    assert parsed.reply_address is not None
    assert parsed.reply_address.email == "support+t.Zx81kQpL02@desk.example"
    assert parsed.text.strip() == "您好，您的提现已经发出。\n\nSupportdesk"
    assert parsed.html is not None and "<b>已经发出</b>" in parsed.html
    assert parsed.date is not None


def test_notifications_are_marked_auto_generated_so_they_are_never_answered() -> None:
    notice = OutgoingEmail(
        sender=("Supportdesk", "noreply@desk.example"),
        to=[("", "a@example.com")],
        subject="Your ticket was resolved",
        text="Rate us",
        auto_submitted="auto-generated",
    )
    message = build_message(notice)
    assert message["Message-ID"].endswith("@desk.example>")
    assert not parse_email(message.as_bytes()).may_auto_answer


@pytest.fixture
async def inbox() -> list[InboundMessage]:
    return []


async def _receiver(inbox: list[InboundMessage], **tls: object) -> SMTPReceiver:
    async def store(message: InboundMessage) -> None:
        inbox.append(message)

    return await start_smtp_receiver(store, port=0, **tls)  # type: ignore[arg-type]


@pytest.fixture
async def plain_receiver(inbox: list[InboundMessage]) -> AsyncIterator[SMTPReceiver]:
    server = await _receiver(inbox)
    yield server
    await server.close()


async def test_sending_without_tls_delivers_both_alternatives(
    plain_receiver: SMTPReceiver, inbox: list[InboundMessage]
) -> None:
    settings = SMTPSettings(host="127.0.0.1", port=plain_receiver.port, security=SMTPSecurity.NONE)
    await send_message(build_message(REPLY), settings)

    [message] = inbox
    assert message.rcpt_tos == ("lilei@example.cn",)
    assert message.mail_from == "support@desk.example"
    assert not message.tls
    parsed = parse_email(message.raw)
    assert parsed.in_reply_to == "cn-001@mail.example.cn"
    assert "已经发出" in parsed.text and parsed.html is not None


@pytest.mark.parametrize("security", [SMTPSecurity.STARTTLS, SMTPSecurity.TLS])
async def test_sending_over_tls_encrypts_the_session(
    security: SMTPSecurity, inbox: list[InboundMessage], tmp_path: Path
) -> None:
    context = server_context(tmp_path)
    server = await _receiver(inbox, tls_context=context, implicit_tls=security is SMTPSecurity.TLS)
    try:
        settings = SMTPSettings(
            host="127.0.0.1", port=server.port, security=security, validate_certs=False
        )
        await send_message(build_message(REPLY), settings)
    finally:
        await server.close()

    [message] = inbox
    assert message.tls
    assert parse_email(message.raw).message_id == "ticket-1042-2@desk.example"


async def test_starttls_is_required_when_configured(plain_receiver: SMTPReceiver) -> None:
    settings = SMTPSettings(host="127.0.0.1", port=plain_receiver.port)  # STARTTLS default
    with pytest.raises(aiosmtplib.SMTPException):
        await send_message(build_message(REPLY), settings)
