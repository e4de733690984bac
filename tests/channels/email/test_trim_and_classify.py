"""Trimming rules and loop protection, one rule per case."""

from __future__ import annotations

import pytest

from supportdesk.channels.email import (
    MailKind,
    extract_reply_token,
    html_to_text,
    parse_email,
    visible_text,
)
from supportdesk.channels.email.subjects import thread_subject, ticket_number


@pytest.mark.parametrize(
    ("text", "visible"),
    [
        ("Yes.\n\nOn Mon, 1 Jan 2024, Bob <b@x.example> wrote:\n> Did it arrive?", "Yes."),
        ("Sí.\n\nEl lun, 1 ene 2024 a las 9:00, Bob (<b@x.example>) escribió:\n> ¿Llegó?", "Sí."),
        ("好的。\n\n在 2024年1月1日 09:00，Bob <b@x.example> 写道：\n> 到账了吗？", "好的。"),
        ("好的。\n\nBob <b@x.example> 于2024年1月1日周一 09:00写道：\n\n> 到账了吗？", "好的。"),
        ("Done.\n\n-----Original Message-----\nFrom: Desk\nSent: today\n\nold", "Done."),
        ("Thanks\n\nFrom: Desk <d@x.example>\nDate: Mon, 1 Jan 2024\nTo: me\n\nold", "Thanks"),
        ("好\n\n发件人: Desk\n发送时间: 2024年1月1日 9:00\n收件人: 我\n主题: 工单\n\n旧内容", "好"),
        ("Paid.\n-- \nAlice\n+1 555 0100", "Paid."),
        ("Paid.\n\nSent from my iPhone", "Paid."),
        ("Paid.\n\n发自我的iPhone", "Paid."),
        ("Done.\n\n> earlier message\n> more", "Done."),
    ],
)
def test_quoted_history_and_signatures_are_cut(text: str, visible: str) -> None:
    assert visible_text(text) == visible


def test_inline_answers_between_quotes_are_kept() -> None:
    text = "> What is your UID?\n12345\n> Which network?\nTRON\n\n> Thanks"
    assert visible_text(text) == "> What is your UID?\n12345\n> Which network?\nTRON"


def test_transfer_details_that_look_like_a_header_block_are_kept() -> None:
    text = (
        "My deposit is missing.\n\nFrom: 0x742d35Cc6634C0532925a3b844Bc454e4438f44e\n"
        "To: 0x5c504ed432cb51138bcf09aa5e8a410dd4a1e204\nDate: 2024-03-01 10:00 UTC\n"
        "Amount: 100 USDT"
    )
    assert visible_text(text) == text


def test_a_mail_that_is_only_a_quote_is_shown_whole() -> None:
    text = "On Mon, 1 Jan 2024, Bob <b@x.example> wrote:\n> Did it arrive?"
    assert visible_text(text) == text


def test_forwarded_content_after_the_marker_is_never_cut() -> None:
    text = (
        "FYI\n\n---------- Forwarded message ---------\nFrom: Scam <s@x.example>\n"
        "Date: Mon, 1 Jan 2024\nSubject: Win\n\nOn Sunday you wrote:\n> hi\n"
    )
    assert visible_text(text) == text.strip()


def test_a_sentence_mentioning_wrote_is_not_a_reply_header() -> None:
    text = "On Monday support wrote to me that it was sent, but it never arrived."
    assert visible_text(text) == text


def test_html_only_gmail_reply_is_trimmed_through_its_blockquote() -> None:
    html = (
        '<div dir="ltr">Got it, thanks!</div><br><div class="gmail_quote">'
        "<div>On Tue, Mar 12, 2024 at 6:00 PM Desk &lt;d@x.example&gt; wrote:<br></div>"
        '<blockquote class="gmail_quote">Hello,<br><br>It was sent.</blockquote></div>'
    )
    text = html_to_text(html)
    assert "> It was sent." in text
    assert visible_text(text) == "Got it, thanks!"


def test_html_rendering_shows_where_links_really_go() -> None:
    html = '<p>Please <a href="https://phish.example/login">verify your account</a></p>'
    assert html_to_text(html) == "Please verify your account (https://phish.example/login)"


def _headers(*lines: str, subject: str = "Question") -> bytes:
    head = "\r\n".join(("From: c@example.com", "To: support@desk.example", *lines))
    return f"{head}\r\nSubject: {subject}\r\n\r\nbody\r\n".encode()


@pytest.mark.parametrize(
    ("raw", "kind"),
    [
        (_headers("Auto-Submitted: no"), MailKind.NORMAL),
        (_headers("Auto-Submitted: auto-generated"), MailKind.AUTO_REPLY),
        (_headers("Auto-Submitted: auto-replied; owner-email=a@b"), MailKind.AUTO_REPLY),
        (_headers("X-Autorespond: yes"), MailKind.AUTO_REPLY),
        (_headers("Precedence: auto_reply"), MailKind.AUTO_REPLY),
        (_headers("Precedence: junk"), MailKind.BULK),
        (_headers("Precedence: list"), MailKind.BULK),
        (_headers("List-Unsubscribe: <mailto:u@list.example>"), MailKind.BULK),
        (_headers("List-Id: <team.list.example>"), MailKind.BULK),
        (_headers(subject="Out of Office: back Monday"), MailKind.AUTO_REPLY),
        (_headers(subject="Respuesta automática: su ticket"), MailKind.AUTO_REPLY),
        (_headers(subject="自动回复：您的工单"), MailKind.AUTO_REPLY),
        (_headers(subject="My out of office colleague said to write"), MailKind.NORMAL),
        (_headers(subject="Auto-responses from your bot are wrong"), MailKind.NORMAL),
        (_headers(subject="Absence de dépôt"), MailKind.NORMAL),
        (_headers(subject="休假期间无法提现"), MailKind.NORMAL),
    ],
)
def test_loop_protection_headers_and_subjects(raw: bytes, kind: MailKind) -> None:
    mail = parse_email(raw)
    assert mail.kind is kind
    assert mail.may_auto_answer is (kind is MailKind.NORMAL)


def test_a_plain_mailer_daemon_notice_is_a_bounce_without_details() -> None:
    raw = (
        b"From: MAILER-DAEMON@mx.example\r\nTo: support@desk.example\r\n"
        b"Subject: failure notice\r\n\r\nSorry, we were unable to deliver your message.\r\n"
    )
    mail = parse_email(raw)
    assert mail.kind is MailKind.BOUNCE
    assert mail.bounce is not None and mail.bounce.recipient is None


@pytest.mark.parametrize(
    ("addresses", "token"),
    [
        (["support+t.Ab12Cd34@desk.example"], "Ab12Cd34"),
        (["Other@x.example", "SUPPORT+T.zz9_-xyQ@desk.example"], "zz9_-xyQ"),
        (["support@desk.example"], None),
        (["support+t.abc@desk.example"], None),  # too short to be ours
        (["support+news.Ab12Cd34@desk.example"], None),
    ],
)
def test_reply_token_is_read_from_the_plus_address(addresses: list[str], token: str | None) -> None:
    assert extract_reply_token(addresses) == token


@pytest.mark.parametrize(
    "subject",
    [
        "Withdrawal pending",
        "Re: Withdrawal pending",
        "RE: Fwd: RE: withdrawal  pending",
        "AW: WG: Withdrawal pending",
        "RV: [#1042] Withdrawal pending",
        "回复：Withdrawal pending",
        "答复: 转发: Withdrawal Pending",
        "Re[2]: Withdrawal pending",
    ],
)
def test_reply_and_forward_prefixes_do_not_change_the_thread_subject(subject: str) -> None:
    assert thread_subject(subject) == "withdrawal pending"


def test_subjects_that_merely_start_like_a_prefix_are_kept() -> None:
    assert thread_subject("Refund: still waiting") == "refund: still waiting"
    assert thread_subject("Transfer failed") == "transfer failed"


def test_ticket_number_is_read_from_the_desk_tag() -> None:
    assert ticket_number("Re: [#1042] Withdrawal pending") == 1042
    assert ticket_number("Order #1042") is None
