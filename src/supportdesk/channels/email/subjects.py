"""Subjects for threading by subject, the last resort after headers and reply tokens.

Clients prefix replies and forwards in their user's language ("Re:", "AW:", "RV:",
"回复：", "答复:", "转发:") and stack them ("RE: Fwd: RE:"); the desk's own tag
("[#1042]") may survive when everything else was stripped by the customer's client.
"""

from __future__ import annotations

import re

# Reply/forward prefixes: English, German (AW, WG), Spanish (RV), French (TR), Dutch (Antw,
# Doorst), Nordic (SV, VS), Chinese simplified/traditional, Japanese (返信, 転送).
_PREFIX = re.compile(
    r"^\s*(?:(?:re|fwd?|aw|wg|rv|tr|sv|vs|antw|doorst|odp|r)\s*(?:\[\d+\])?\s*[:：]"
    r"|(?:回复|答复|回覆|答覆|转发|轉寄|轉發|返信|転送)\s*[:：])\s*",
    re.I,
)
_TICKET_TAG = re.compile(r"\[#(\d{1,12})\]")


def thread_subject(subject: str) -> str:
    """``subject`` without reply/forward prefixes, ticket tags and case or spacing
    differences, for comparing two subjects: "RE: 回复：[#12] Withdrawal  pending" and
    "withdrawal pending" give the same result."""
    text = _TICKET_TAG.sub(" ", subject)
    previous = None
    while previous != text:
        previous = text
        text = _PREFIX.sub("", text)
    return " ".join(text.split()).casefold()


def ticket_number(subject: str) -> int | None:
    """The desk's ticket number from a "[#1042]" tag in ``subject``, if any."""
    match = _TICKET_TAG.search(subject)
    return int(match.group(1)) if match else None
