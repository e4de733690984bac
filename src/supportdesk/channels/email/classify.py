"""Which inbound mail must never be answered, bounces, and reply tokens.

Loop protection follows RFC 3834 (section 2: ``Auto-Submitted`` other than ``no`` marks
automatic mail; section 3.1.8: such mail must not be answered automatically) and the de
facto headers of older auto-responders (``Precedence``, ``X-Autoreply``, ``X-Autorespond``)
and mailing lists (RFC 2369 ``List-Unsubscribe``, RFC 2919 ``List-Id``). Bounces are
delivery status notifications (RFC 3464: ``multipart/report; report-type=delivery-status``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from email.message import Message
from enum import StrEnum


class MailKind(StrEnum):
    """How the desk treats a message. Only ``NORMAL`` mail may get an automatic answer."""

    NORMAL = "normal"
    AUTO_REPLY = "auto_reply"
    BULK = "bulk"
    BOUNCE = "bounce"


@dataclass(frozen=True, slots=True)
class Bounce:
    """What a delivery status notification says about the failed recipient."""

    recipient: str | None
    status: str | None  # RFC 3463 enhanced status code, e.g. "5.1.1"
    action: str | None  # "failed", "delayed", ...
    diagnostic: str | None
    original_message_id: str | None

    @property
    def permanent(self) -> bool:
        return bool(self.status and self.status.startswith("5"))


_OUT_OF_OFFICE_SUBJECT = re.compile(
    r"^\s*(?:auto(?:matic)?[\s-]?(?:reply|response)|out of (?:the )?office|autoreply|"
    r"respuesta autom[áa]tica|fuera de la oficina|自动回复|自動回覆|自動回复|"
    r"abwesenheitsnotiz|r[ée]ponse automatique)\b",
    re.I,
)
_BOUNCE_SENDER = re.compile(r"^(?:mailer-daemon|postmaster)@", re.I)
_BOUNCE_SUBJECT = re.compile(
    r"(?:undeliver|delivery status notification|failure notice|returned mail|"
    r"delivery has failed|mail delivery failed|退信|未送达)",
    re.I,
)
_ID = re.compile(r"<([^<>\s]+)>")


def _header(msg: Message, name: str) -> str:
    value = msg.get(name)
    return str(value).strip() if value is not None else ""


def classify(msg: Message, subject: str, sender: str | None) -> tuple[MailKind, str]:
    """The kind of ``msg`` and the reason (a header name or rule), for the audit trail."""
    if _is_bounce(msg, subject, sender):
        return MailKind.BOUNCE, "delivery-status"
    auto_submitted = _header(msg, "Auto-Submitted").lower()
    if auto_submitted and auto_submitted.split(";")[0].strip() != "no":
        return MailKind.AUTO_REPLY, "auto-submitted"
    for name in ("X-Autoreply", "X-Autorespond", "X-Autoreply-From", "X-Mail-Autoreply"):
        if name in msg:
            return MailKind.AUTO_REPLY, name.lower()
    precedence = _header(msg, "Precedence").lower()
    if precedence == "auto_reply":
        return MailKind.AUTO_REPLY, "precedence"
    if precedence in {"bulk", "junk", "list"}:
        return MailKind.BULK, "precedence"
    for name in ("List-Id", "List-Unsubscribe"):
        if name in msg:
            return MailKind.BULK, name.lower()
    if _OUT_OF_OFFICE_SUBJECT.match(subject):
        return MailKind.AUTO_REPLY, "subject"
    return MailKind.NORMAL, ""


def _is_bounce(msg: Message, subject: str, sender: str | None) -> bool:
    if msg.get_content_type() == "multipart/report":
        return msg.get_param("report-type", "").lower() == "delivery-status"  # type: ignore[union-attr]
    return bool(sender and _BOUNCE_SENDER.match(sender) and _BOUNCE_SUBJECT.search(subject))


def _field(block: Message, name: str) -> str | None:
    value = block.get(name)
    if value is None:
        return None
    text = " ".join(str(value).split())
    # "rfc822; user@example.com" (RFC 3464 section 2.3.2: address-type ; address)
    return text.split(";", 1)[1].strip() if ";" in text and name.endswith("Recipient") else text


def parse_bounce(msg: Message) -> Bounce:
    """Details of a DSN; fields stay None when the report does not carry them."""
    recipient = status = action = diagnostic = original_id = None
    for part in msg.walk():
        ctype = part.get_content_type()
        if ctype == "message/delivery-status":
            blocks = part.get_payload()
            for block in blocks if isinstance(blocks, list) else []:
                if not isinstance(block, Message):
                    continue
                recipient = recipient or _field(block, "Final-Recipient")
                recipient = recipient or _field(block, "Original-Recipient")
                status = status or _field(block, "Status")
                action = action or _field(block, "Action")
                diagnostic = diagnostic or _field(block, "Diagnostic-Code")
        elif ctype in {"message/rfc822", "text/rfc822-headers"} and original_id is None:
            original_id = _original_message_id(part)
    return Bounce(recipient, status, action, diagnostic, original_id)


def _original_message_id(part: Message) -> str | None:
    payload = part.get_payload()
    inner = payload[0] if isinstance(payload, list) and payload else None
    if isinstance(inner, Message):
        found = _ID.findall(_header(inner, "Message-ID"))
    else:
        text = part.get_payload(decode=True)
        raw = text.decode("utf-8", "replace") if isinstance(text, bytes) else ""
        match = re.search(r"^Message-ID:\s*(.+)$", raw, re.I | re.M)
        found = _ID.findall(match.group(1)) if match else []
    return found[0] if found else None


_TOKEN = re.compile(r"^[^@+]+\+(?P<tag>[A-Za-z]+)\.(?P<token>[A-Za-z0-9_-]{6,128})@", re.I)


def extract_reply_token(addresses: Iterable[str], tag: str = "t") -> str | None:
    """The token in the first ``local+<tag>.<token>@domain`` address, e.g. support+t.ab12cd@…"""
    for address in addresses:
        match = _TOKEN.match(address.strip())
        if match and match["tag"].lower() == tag.lower():
            return match["token"]
    return None


__all__ = ["Bounce", "MailKind", "classify", "extract_reply_token", "parse_bounce"]
