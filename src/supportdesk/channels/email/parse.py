"""Raw RFC 5322 bytes -> :class:`ParsedEmail`: the pure function behind every transport.

MIME structure, transfer encodings, RFC 2047 encoded words and RFC 2231 filenames are the
standard library's (``email`` with ``policy.default``); this module picks the bodies,
decodes text with charset fallbacks (charsets.py), trims quoted history (trim.py) and
classifies the mail (classify.py). It never raises: mail that cannot be read comes back
with ``parseable=False`` and the raw bytes, so storage keeps it for an admin to look at.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from email import message_from_bytes, policy
from email.headerregistry import Address as HeaderAddress
from email.headerregistry import BaseHeader, HeaderRegistry
from email.message import EmailMessage, Message, MIMEPart
from functools import lru_cache

from supportdesk.channels.email.charsets import decode_text
from supportdesk.channels.email.classify import (
    Bounce,
    MailKind,
    classify,
    extract_reply_token,
    parse_bounce,
)
from supportdesk.channels.email.html_text import html_to_text
from supportdesk.channels.email.trim import visible_text

_ID = re.compile(r"<([^<>\s]+)>")


class _MemoizedHeaderRegistry(HeaderRegistry):
    """policy.default's header parsing, memoized: ``EmailMessage`` re-parses a header on
    every access (``get_content_type`` alone parses Content-Type each time it is called),
    and the same values recur across mail. Parsed headers are immutable str subclasses."""

    def __call__(self, name: str, value: str) -> BaseHeader:
        if len(value) > 2048:  # a long References chain: rare, and not worth the memory
            return _REGISTRY(name, value)
        return _parse_header(name, value)


class _ClassCachingRegistry(HeaderRegistry):
    """HeaderRegistry builds a new header class with ``type()`` on every lookup; once per
    header name is enough."""

    def __init__(self) -> None:
        super().__init__()
        self._classes: dict[str, type[BaseHeader]] = {}

    def __getitem__(self, name: str) -> type[BaseHeader]:
        key = name.lower()
        cls = self._classes.get(key)
        if cls is None:
            cls = self._classes[key] = super().__getitem__(name)
        return cls


_REGISTRY = _ClassCachingRegistry()
_parse_header = lru_cache(maxsize=4096)(_REGISTRY.__call__)
# Same parsing as policy.default, only faster on repeated headers.
POLICY = policy.default.clone(header_factory=_MemoizedHeaderRegistry())
_ENCODED_WORD_CHARSET = re.compile(rb"=\?([A-Za-z0-9_.:-]+)(?:\*[^?]*)?\?[BbQq]\?")
_IDENTITY_HEADERS = ("From", "To", "Subject", "Date", "Message-ID")


@dataclass(frozen=True, slots=True)
class Address:
    name: str  # display name, RFC 2047 decoded; "" when absent
    email: str  # addr-spec as written, e.g. "li.lei@example.cn"

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>" if self.name else self.email


@dataclass(frozen=True, slots=True)
class Attachment:
    filename: str | None
    content_type: str
    content: bytes = field(repr=False)
    content_id: str | None = None  # without angle brackets, as cid: URLs refer to it
    inline: bool = False  # shown inside the HTML body (cid: image) rather than listed


@dataclass(frozen=True, slots=True)
class ParsedEmail:
    """One inbound message. Message ids are given without angle brackets."""

    raw: bytes = field(repr=False)
    parseable: bool = True
    error: str | None = None  # why parsing failed, when ``parseable`` is False
    defects: tuple[str, ...] = ()  # structural problems worked around (e.g. truncated)
    sender: Address | None = None
    to: tuple[Address, ...] = ()
    cc: tuple[Address, ...] = ()
    reply_to: tuple[Address, ...] = ()
    subject: str = ""
    message_id: str | None = None
    in_reply_to: str | None = None
    references: tuple[str, ...] = ()
    date: datetime | None = None
    text: str = ""  # full plain text: the text/plain part, else the HTML rendered as text
    html: str | None = None
    text_from_html: bool = False
    visible_text: str = ""  # ``text`` without quoted history and signature
    attachments: tuple[Attachment, ...] = ()
    kind: MailKind = MailKind.NORMAL
    kind_reason: str = ""
    bounce: Bounce | None = None
    reply_token: str | None = None

    @property
    def may_auto_answer(self) -> bool:
        """False for auto-replies, bulk mail and bounces: answering them makes mail loops."""
        return self.parseable and self.kind is MailKind.NORMAL

    @property
    def reply_address(self) -> Address | None:
        """Where an answer goes: Reply-To when given, else From."""
        return self.reply_to[0] if self.reply_to else self.sender


def parse_email(raw: bytes, envelope_recipients: Iterable[str] = ()) -> ParsedEmail:
    """Parse ``raw``; never raises. ``envelope_recipients``: SMTP RCPT TO, searched for a
    reply token after To and Cc (Bcc'd desk addresses appear only there)."""
    try:
        msg = message_from_bytes(raw, policy=POLICY)
        if not any(name in msg for name in _IDENTITY_HEADERS):
            return ParsedEmail(raw=raw, parseable=False, error="no message headers found")
        return _parse(raw, msg, tuple(envelope_recipients))
    except Exception as exc:  # the contract: a bad mail is kept, never lost to an exception
        return ParsedEmail(raw=raw, parseable=False, error=f"{type(exc).__name__}: {exc}")


def _parse(raw: bytes, msg: EmailMessage, envelope: tuple[str, ...]) -> ParsedEmail:
    hints = _charset_hints(raw)
    subject = _text_header(msg, "Subject")
    sender = next(iter(_addresses(msg, "From")), None)
    to, cc = _addresses(msg, "To"), _addresses(msg, "Cc")
    text_part, html_part = _body_parts(msg)
    text = _part_text(text_part, hints) if text_part is not None else ""
    html = _part_text(html_part, hints) if html_part is not None else None
    text_from_html = not text.strip() and html is not None
    if text_from_html and html is not None:
        text = html_to_text(html)
    kind, reason = classify(msg, subject, sender.email if sender else None)
    return ParsedEmail(
        raw=raw,
        defects=_defects(msg),
        sender=sender,
        to=to,
        cc=cc,
        reply_to=_addresses(msg, "Reply-To"),
        subject=subject,
        message_id=next(iter(_ids(msg, "Message-ID")), None),
        in_reply_to=next(iter(_ids(msg, "In-Reply-To")), None),
        references=_ids(msg, "References"),
        date=_date(msg),
        text=text,
        html=html,
        text_from_html=text_from_html,
        visible_text=visible_text(text),
        attachments=tuple(_attachments(msg, {id(text_part), id(html_part)}, hints)),
        kind=kind,
        kind_reason=reason,
        bounce=parse_bounce(msg) if kind is MailKind.BOUNCE else None,
        reply_token=extract_reply_token([a.email for a in (*to, *cc)] + list(envelope)),
    )


def _charset_hints(raw: bytes) -> list[str]:
    """Charsets the message declares anywhere (headers' encoded words, parts' charset=),
    tried when a part's own declaration turns out to be wrong."""
    found = [m.decode("ascii").lower() for m in _ENCODED_WORD_CHARSET.findall(raw[:65536])]
    found += [
        m.decode("ascii").lower()
        for m in re.findall(rb'charset\s*=\s*"?([A-Za-z0-9_.:-]+)', raw[:65536], re.I)
    ]
    return list(dict.fromkeys(found))


def _text_header(msg: Message, name: str) -> str:
    try:
        value = msg.get(name)
    except Exception:  # a header the policy cannot parse: show it as written
        value = next((v for k, v in msg.raw_items() if k.lower() == name.lower()), None)
    return " ".join(str(value).split()) if value is not None else ""


def _addresses(msg: Message, name: str) -> tuple[Address, ...]:
    try:
        header = msg.get(name)
        groups = getattr(header, "addresses", ())
        return tuple(_address(a) for a in groups if a.addr_spec and a.addr_spec != "<>")
    except Exception:
        return ()


def _address(address: HeaderAddress) -> Address:
    return Address(name=" ".join(address.display_name.split()), email=address.addr_spec)


def _ids(msg: Message, name: str) -> tuple[str, ...]:
    try:
        values = msg.get_all(name) or []
    except Exception:
        return ()
    ids: list[str] = []
    for value in values:
        text = str(value)
        # A bare id without brackets still threads (some clients send them).
        ids += _ID.findall(text) or [token for token in text.split() if "@" in token]
    return tuple(dict.fromkeys(ids))


def _date(msg: Message) -> datetime | None:
    try:
        value = getattr(msg.get("Date"), "datetime", None)
    except Exception:
        return None
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value
    return None  # RFC 5322 "-0000" / missing zone: the time is not trustworthy


def _body_parts(msg: EmailMessage) -> tuple[Message | None, Message | None]:
    text = msg.get_body(preferencelist=("plain",))
    html = msg.get_body(preferencelist=("html",))
    # A lone text part of a type get_body does not pick (text/enriched, text/calendar...).
    lone_text = msg.get_content_maintype() == "text" and msg.get_content_disposition() is None
    if text is None and html is None and not msg.is_multipart() and lone_text:
        text = msg
    return text, html


def _part_text(part: Message, hints: list[str]) -> str:
    payload = part.get_payload(decode=True)
    data = payload if isinstance(payload, bytes) else b""
    return decode_text(data, part.get_content_charset(), hints).replace("\r\n", "\n")


def _leaves(part: Message, in_related: bool = False) -> Iterator[tuple[Message, bool]]:
    """Leaf parts with whether they sit inside multipart/related. Attached messages
    (message/rfc822) are leaves: their content is the forwarded mail, kept whole."""
    if part.get_content_maintype() == "multipart" and isinstance(part, MIMEPart):
        related = in_related or part.get_content_subtype() == "related"
        for child in part.iter_parts():
            yield from _leaves(child, related)
    else:
        yield part, in_related


def _attachments(msg: Message, bodies: set[int], hints: list[str]) -> Iterator[Attachment]:
    for part, in_related in _leaves(msg):
        ctype = part.get_content_type()
        if id(part) in bodies or ctype in {"message/delivery-status", "text/rfc822-headers"}:
            continue
        filename = _filename(part)
        disposition = part.get_content_disposition()
        if part.get_content_maintype() == "multipart" or (
            ctype == "text/plain" and filename is None and disposition != "attachment"
        ):
            continue
        content_id = next(iter(_ID.findall(str(part.get("Content-ID", "")))), None)
        content_id = content_id or (str(part.get("Content-ID", "")).strip() or None)
        yield Attachment(
            filename=filename,
            content_type=ctype,
            content=_part_bytes(part),
            content_id=content_id,
            inline=bool(content_id) and (in_related or disposition == "inline"),
        )


def _filename(part: Message) -> str | None:
    try:
        name = part.get_filename()
    except Exception:
        name = None
    if name is None and part.get_content_type() == "message/rfc822":
        inner = part.get_payload()
        if isinstance(inner, list) and inner and isinstance(inner[0], Message):
            subject = " ".join(str(inner[0].get("Subject", "forwarded message")).split())
            return f"{subject}.eml"
    return " ".join(name.split()) if name else None


def _part_bytes(part: Message) -> bytes:
    if part.get_content_type() == "message/rfc822":
        inner = part.get_payload()
        if isinstance(inner, list) and inner and isinstance(inner[0], Message):
            return bytes(inner[0].as_bytes(policy=policy.default))
    payload = part.get_payload(decode=True)
    return payload if isinstance(payload, bytes) else b""


def _defects(msg: Message) -> tuple[str, ...]:
    names: list[str] = []
    for part in msg.walk():
        names += [type(defect).__name__ for defect in part.defects]
    return tuple(dict.fromkeys(names))
