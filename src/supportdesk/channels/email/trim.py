"""The part of a reply a person wrote: quoted history and signatures cut for display.

The cut happens at the first line that starts quoted history (a reply header such as
Gmail's "On … wrote:", Outlook's "From: … Sent: …" block, "-----Original Message-----",
their Chinese and Spanish forms), at a signature separator ("-- ", RFC 3676 section 4.3)
or at a trailing block of ``>`` quoted lines. Two safety rules: text after a "forwarded
message" marker is never cut (a forward *is* the content), and when the cut would leave
nothing the full text is shown. The full original is always kept by the caller.
"""

from __future__ import annotations

import re

_REPLY_HEADERS = [
    # Gmail / Apple Mail / Thunderbird: "On Tue, 3 Jan 2023 at 10:00, Bob <b@x> wrote:"
    re.compile(r"^\s*On\b.{0,300}\bwrote:\s*$", re.I | re.S),
    # Spanish: "El mar, 3 ene 2023 a las 10:00, Bob (<b@x>) escribió:"
    re.compile(r"^\s*El\b.{0,300}\bescribi[óo]:\s*$", re.I | re.S),
    # Chinese: "在 2023年1月3日 10:00，Bob <b@x> 写道：" (Foxmail, QQ),
    # "Bob <b@x> 于2023年1月3日周二 写道：" (Gmail)
    re.compile(r"^\s*\S.{0,300}(?:写道|寫道)\s*[:：]\s*$", re.S),
    re.compile(r"^\s*Le\b.{0,300}\ba écrit\s*:\s*$", re.I | re.S),
    re.compile(r"^\s*Am\b.{0,300}\bschrieb\b.{0,100}:\s*$", re.I | re.S),
    # Outlook / Exchange separators
    re.compile(
        r"^\s*-{2,}\s*(?:Original Message|Mensaje original|原始邮件|原始郵件|"
        r"Urspr[üu]ngliche Nachricht|Message d'origine)\s*-{2,}\s*$",
        re.I,
    ),
]
# Outlook's header block: a "From:" line followed within a few lines by "Sent:"/"Date:".
_FROM_LINE = re.compile(r"^\s*\**(?:From|De|发件人|寄件者|Von)\s*\**\s*[:：]", re.I)
_SENT_LINE = re.compile(
    r"^\s*\**(?:Sent|Date|Enviado(?: el)?|Fecha|发送时间|日期|寄件日期|Gesendet|Envoyé)"
    r"\s*\**\s*[:：]",
    re.I,
)
_SUBJECT_LINE = re.compile(r"^\s*\**(?:Subject|Asunto|主题|主旨|Betreff|Objet)\s*\**\s*[:：]", re.I)
_FORWARD_MARKERS = re.compile(
    r"^\s*(?:-{2,}\s*(?:Forwarded message|Mensaje reenviado|转发的邮件|轉寄的郵件)\s*-{2,}"
    r"|Begin forwarded message:|-{2,}\s*转发邮件信息\s*-{2,})",
    re.I,
)
_MOBILE_SIGNATURES = re.compile(
    r"^\s*(?:Sent from my \w+|Get Outlook for \w+|Enviado desde mi \w+|发自我的\s*\w+|"
    r"從我的\s*\w+\s*傳送|来自我的\s*\w+)",
    re.I,
)


def _is_reply_header(lines: list[str], i: int) -> bool:
    line = lines[i]
    # Clients wrap long reply headers over two lines ("On …, Bob <b@x>\nwrote:").
    joined = line + " " + lines[i + 1] if i + 1 < len(lines) else line
    for pattern in _REPLY_HEADERS:
        if pattern.match(line) or (len(line) < 300 and pattern.match(joined)):
            return True
    if _FROM_LINE.match(line):
        # A customer describing a transfer writes "From: 0xab…\nTo: …\nDate: …" too; an
        # Outlook header names a mail sender (an @) or goes on to a Subject line.
        window = lines[i + 1 : i + 6]
        dated = any(_SENT_LINE.match(following) for following in window[:4])
        mail_like = "@" in line or any(_SUBJECT_LINE.match(following) for following in window)
        return dated and mail_like
    return False


def _quote_start(lines: list[str]) -> int | None:
    """Index of the first line of quoted history or signature; ``len(lines)`` when a
    forwarded message starts first (nothing may be cut); None when there is no quote."""
    for i, line in enumerate(lines):
        if _FORWARD_MARKERS.match(line):
            return len(lines)
        stripped = line.rstrip()
        if stripped in {"--", "-- "} or line == "-- ":
            return i
        if _is_reply_header(lines, i):
            # Outlook draws a rule of underscores right above its header block.
            while i > 0 and (not lines[i - 1].strip() or set(lines[i - 1].strip()) == {"_"}):
                i -= 1
            return i
    return None


def _strip_trailing_quotes(lines: list[str]) -> list[str]:
    end = len(lines)
    while end > 0 and (not lines[end - 1].strip() or lines[end - 1].lstrip().startswith(">")):
        end -= 1
    kept = lines[:end]
    while kept and _MOBILE_SIGNATURES.match(kept[-1]):
        kept.pop()
    return kept


def visible_text(text: str) -> str:
    """What the sender wrote in this message: ``text`` minus quoted history and signature."""
    lines = text.replace("\r\n", "\n").split("\n")
    start = _quote_start(lines)
    if start == len(lines):
        return text.strip()
    if start is not None:
        lines = lines[:start]
    visible = "\n".join(_strip_trailing_quotes(lines)).strip()
    return visible or text.strip()
