"""What an agent sees of each mail in the fixture corpus (tests/channels/email/fixtures)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from supportdesk.channels.email import (
    MailKind,
    ParsedEmail,
    html_to_text,
    parse_email,
    visible_text,
)
from tests.channels.email.conftest import FIXTURES


def parse(name: str) -> ParsedEmail:
    return parse_email((FIXTURES / name).read_bytes())


@pytest.mark.parametrize(
    ("name", "sender", "subject", "body_part"),
    [
        ("gb2312_withdrawal.eml", "李雷", "提现一直没有到账", "朱镕基路 88 号"),  # 镕 is GBK-only
        ("gbk_qp.eml", "韩梅梅", "账户冻结", "账户被冻结了，怎么办？"),
        ("gb18030_rare_char.eml", "吉田", "名字里有𠮷字，实名认证失败", "我的名字是𠮷田"),
        ("big5_hk.eml", "陳大文", "提款還沒有到帳", "你好，我嘅提款還沒有到帳。"),  # 嘅: HKSCS
        ("iso2022jp.eml", "山田太郎", "入金が反映されません", "昨日の入金がまだ反映されていません"),
        ("latin1_qp_es.eml", "José Muñoz", "¿Dónde está mi retiro?", "Lo envié hace tres días."),
    ],
)
def test_names_subjects_and_bodies_in_legacy_charsets_read_correctly(
    name: str, sender: str, subject: str, body_part: str
) -> None:
    mail = parse(name)
    assert mail.parseable
    assert mail.sender is not None and mail.sender.name == sender
    assert mail.subject == subject
    assert body_part in mail.text
    assert "\ufffd" not in mail.text
    assert mail.may_auto_answer


def test_headers_users_see_are_decoded() -> None:
    mail = parse("gb2312_withdrawal.eml")
    assert mail.sender is not None and mail.sender.email == "lilei@example.cn"
    assert [str(a) for a in mail.to] == ["Support <support@desk.example>"]
    assert mail.message_id == "cn-001@mail.example.cn"
    assert mail.date == datetime(2024, 3, 5, 2, 12, tzinfo=UTC)
    assert mail.date.utcoffset() == timedelta(hours=8)
    assert mail.date.tzinfo == timezone(timedelta(hours=8))


def test_nested_multipart_gives_text_html_inline_image_and_attachment() -> None:
    mail = parse("nested_related.eml")

    assert mail.text.strip() == "Hi, the deposit failed — screenshot inline, statement attached."
    assert mail.html is not None and 'src="cid:shot1@example.com"' in mail.html
    assert [str(a) for a in mail.cc] == ["Bob, Jr. <bob@example.com>"]
    assert mail.reply_address is not None
    assert mail.reply_address.email == "alice.personal@example.org"
    image, statement = mail.attachments
    assert (image.filename, image.content_type, image.content_id) == (
        "shot.png",
        "image/png",
        "shot1@example.com",
    )
    assert image.inline and image.content.startswith(b"\x89PNG\r\n\x1a\n")
    assert statement.filename == "对账单.pdf"  # RFC 2231 encoded
    assert not statement.inline and statement.content.startswith(b"%PDF-1.4")


def test_gmail_reply_keeps_only_what_the_customer_wrote() -> None:
    mail = parse("gmail_reply_en.eml")
    assert mail.visible_text == "Thanks, it arrived this morning!\n\nErin"
    assert "Your withdrawal has been sent." in mail.text  # the full original stays
    assert mail.in_reply_to == "ticket-1042-3@desk.example"
    assert mail.references == ("ticket-1042-1@desk.example", "ticket-1042-3@desk.example")
    assert mail.reply_token == "Zx81kQpL02"


@pytest.mark.parametrize(
    ("name", "visible"),
    [
        (
            "outlook_reply_en.eml",
            "I have reset my 2FA as you said, still locked.\n\nRegards\nFrank",
        ),
        ("outlook_original_message.eml", "Understood, I revoked the key."),
        ("reply_zh_foxmail.eml", "已经到账了，谢谢！\n\n王芳"),
        (
            "gmail_reply_zh.eml",
            "交易哈希是 0x5c504ed432cb51138bcf09aa5e8a410dd4a1e204ef84bfed1be16dfba1b22060",
        ),
        ("reply_es_gmail.eml", "Ya subí la foto del pasaporte."),
        ("outlook_reply_es.eml", "Sigue bloqueado, ¿qué hago?"),
    ],
)
def test_replies_in_english_chinese_and_spanish_are_trimmed(name: str, visible: str) -> None:
    mail = parse(name)
    assert mail.visible_text == visible
    assert len(mail.text) > len(mail.visible_text)


def test_chinese_gmail_reply_carries_the_reply_token_in_to() -> None:
    mail = parse("gmail_reply_zh.eml")
    assert mail.reply_token == "Q7wErTy9"
    assert mail.to[0].name == "客服"


def test_inline_forward_is_shown_whole() -> None:
    mail = parse("forwarded_inline.eml")
    assert "Click here to verify your wallet" in mail.visible_text
    assert mail.visible_text.startswith("Is this email really from you?")


def test_forward_as_attachment_keeps_the_original_message() -> None:
    mail = parse("forwarded_attachment.eml")
    assert mail.visible_text == "See the attached message, I did not ask for this."
    [forwarded] = mail.attachments
    assert forwarded.content_type == "message/rfc822"
    assert forwarded.filename == "Claim your airdrop.eml"
    inner = parse_email(forwarded.content)
    assert inner.message_id == "scam-1@scam.example"
    assert inner.text.strip() == "Send 0.1 ETH to receive 1 ETH."


@pytest.mark.parametrize(
    ("name", "kind", "reason"),
    [
        ("autoreply_out_of_office.eml", MailKind.AUTO_REPLY, "auto-submitted"),
        ("autoreply_x_autoreply_zh.eml", MailKind.AUTO_REPLY, "x-autoreply"),
        ("newsletter_bulk.eml", MailKind.BULK, "precedence"),
        ("bounce_dsn.eml", MailKind.BOUNCE, "delivery-status"),
    ],
)
def test_automatic_mail_is_never_answered(name: str, kind: MailKind, reason: str) -> None:
    mail = parse(name)
    assert (mail.kind, mail.kind_reason) == (kind, reason)
    assert not mail.may_auto_answer


def test_bounce_names_the_failed_recipient_and_status() -> None:
    bounce = parse("bounce_dsn.eml").bounce
    assert bounce is not None
    assert bounce.recipient == "nobody@gone.example"
    assert bounce.status == "5.1.1" and bounce.permanent
    assert bounce.action == "failed"
    assert bounce.diagnostic is not None and "User unknown" in bounce.diagnostic
    assert bounce.original_message_id == "ticket-1060-1@desk.example"


def test_html_only_newsletter_gets_a_readable_text_rendering() -> None:
    mail = parse("newsletter_bulk.eml")
    assert mail.text_from_html
    assert mail.text == (
        "This week\n\nBitcoin\xa0fees & more.\n\n- ETH upgrade\n- New listings\n\n"
        "Read online (https://weekly.example/read)"
    )
    assert "track()" not in mail.text and "color:red" not in mail.text


@pytest.mark.parametrize(
    ("name", "text"),
    [
        # Declared Latin-1, sent as UTF-8: read as UTF-8, not as "depÃ³sito".
        ("lying_charset_latin1.eml", "El depósito de 100 € no aparece — ¿por qué?"),
        # Declared UTF-8, sent as GBK; the subject's encoded word names GB2312.
        ("lying_charset_gbk.eml", "充值三小时了还没到账。"),
    ],
)
def test_a_lying_charset_falls_back_to_what_the_bytes_are(name: str, text: str) -> None:
    assert parse(name).text.strip() == text


def test_truncated_mail_keeps_what_arrived_and_flags_the_damage() -> None:
    mail = parse("truncated_multipart.eml")
    assert mail.parseable
    assert mail.text.strip() == "Here is my statement."
    assert "CloseBoundaryNotFoundDefect" in mail.defects
    [partial] = mail.attachments
    assert partial.filename == "statement.pdf"
    assert partial.content.startswith(b"%PDF-1.4")


def test_bytes_that_are_no_mail_are_kept_raw_and_flagged() -> None:
    raw = (FIXTURES / "garbage_binary.eml").read_bytes()
    mail = parse_email(raw)
    assert not mail.parseable
    assert mail.error == "no message headers found"
    assert mail.raw == raw
    assert not mail.may_auto_answer


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"From: \r\n\r\n",
        b"From: =?utf-8?B?!!!?= <\r\nSubject: =?x-unknown?Q?abc?=\r\n\r\nbody",
        b"Subject: x\r\nContent-Type: text/plain; charset=x-no-such-charset\r\n\r\n\xff\xfe",
        b"Subject: x\r\nContent-Type: multipart/mixed\r\n\r\n--\r\n",
        b"Subject: x\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!not base64",
        b"Date: Thu, 32 Foo 20244 99:99:99 +9999\r\nMessage-ID: <<>>\r\n\r\n",
        b"To: undisclosed-recipients:;\r\nReferences: no-brackets@x.example junk\r\n\r\nhi",
    ],
)
def test_malformed_mail_never_raises(raw: bytes) -> None:
    mail = parse_email(raw)
    assert mail.raw == raw
    assert isinstance(mail.text, str)


def test_unknown_charset_still_shows_the_text() -> None:
    raw = b"Subject: x\r\nContent-Type: text/plain; charset=x-no-such-charset\r\n\r\ncaf\xc3\xa9 ok"
    assert parse_email(raw).text == "café ok"


def test_references_without_brackets_still_thread() -> None:
    raw = b"Subject: re\r\nReferences: a1@x.example b2@x.example\r\n\r\nhi"
    assert parse_email(raw).references == ("a1@x.example", "b2@x.example")


def test_every_fixture_parses_without_error() -> None:
    for path in sorted(FIXTURES.glob("*.eml")):
        mail = parse_email(path.read_bytes())
        assert mail.parseable == (path.name != "garbage_binary.eml"), path.name
        assert mail.error is None or path.name == "garbage_binary.eml"


def test_large_outlook_reply_keeps_its_attachment_and_trims_the_chinese_header_block() -> None:
    mail = parse("large_outlook_zh_with_attachment.eml")
    assert mail.visible_text.endswith("谢谢！\n张伟")
    [statement] = mail.attachments
    assert statement.filename == "提现记录.pdf"  # RFC 2047 inside a quoted filename
    assert len(statement.content) == 180_016
    assert mail.html is not None
    rendered = visible_text(html_to_text(mail.html))
    assert "2024-03-09 19:00 提现 Withdrawal #100333" in rendered
    assert "请提供三月份的提现记录" not in rendered  # the quoted request, below 发件人/发送时间


CORPUS = sorted(FIXTURES.glob("*.eml"))


@settings(max_examples=150, deadline=None)
@given(
    index=st.integers(0, len(CORPUS) - 1),
    cut=st.floats(0, 1),
    flips=st.lists(st.tuples(st.floats(0, 1), st.integers(0, 255)), max_size=8),
)
def test_cut_or_corrupted_fixtures_still_parse_without_raising(
    index: int, cut: float, flips: list[tuple[float, int]]
) -> None:
    data = bytearray(CORPUS[index].read_bytes())
    for where, byte in flips:
        data[int(where * (len(data) - 1))] = byte
    raw = bytes(data[: int(cut * len(data))])
    mail = parse_email(raw)
    assert mail.raw == raw
    assert isinstance(mail.visible_text, str) and isinstance(mail.subject, str)
    assert mail.parseable or mail.error


def test_outlook_html_body_trims_like_its_text_body() -> None:
    mail = parse("outlook_reply_en.eml")
    assert mail.html is not None
    rendered = html_to_text(mail.html)
    assert "From: Supportdesk <support@desk.example>" in rendered
    assert (
        visible_text(rendered) == "I have reset my 2FA as you said, still locked.\nRegards\nFrank"
    )
