"""Turning a MIME part's bytes into text when the declared charset may be wrong or missing.

Mail in the wild labels charsets loosely: ``gb2312`` bodies use GBK/GB18030 characters,
``big5`` bodies use HKSCS characters, ``iso-8859-1`` bodies are Windows-1252 (smart quotes)
or even UTF-8. Each declared name is widened to the superset codec that decoders in mail
clients and browsers use (WHATWG Encoding Standard, section 4.2 "Names and labels"), then
decoded strictly; when that fails, the fallbacks in :func:`decode_text` apply.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterable

# Declared label -> the codec that decodes what senders labelled that way actually send.
_SUPERSETS = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "cp936": "gb18030",
    "euc-cn": "gb18030",
    "big5": "big5hkscs",
    "x-x-big5": "big5hkscs",
    "iso-2022-jp": "iso2022_jp_ext",
    "csiso2022jp": "iso2022_jp_ext",
    "shift_jis": "cp932",
    "x-sjis": "cp932",
    "ks_c_5601-1987": "cp949",
    "euc-kr": "cp949",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "iso-8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "iso_8859-1": "cp1252",
    "windows-1252": "cp1252",
    "utf8": "utf-8",
    "unicode-1-1-utf-8": "utf-8",
}

# Single-byte charsets accept almost any bytes, so a strict decode never reveals the lie
# "declared Latin-1, sent UTF-8"; valid multi-byte UTF-8 in genuine Latin-1 text is rare
# enough that it is the better reading.
_SINGLE_BYTE = frozenset({"cp1252", "iso8859-15", "cp1250", "cp1251", "koi8-r"})


def codec_for(label: str | None) -> str | None:
    """The Python codec name for a declared charset label, or None when it is unknown."""
    if not label:
        return None
    cleaned = label.strip().strip("\"'").lower()
    cleaned = _SUPERSETS.get(cleaned, cleaned)
    try:
        return codecs.lookup(cleaned).name
    except LookupError:
        return None


def decode_text(data: bytes, declared: str | None, hints: Iterable[str] = ()) -> str:
    """Decode ``data``; never raises.

    Order: the declared charset (widened, strict); UTF-8 (strict); charsets declared
    elsewhere in the same message (``hints``: other parts, encoded words in the subject);
    finally the declared charset, else Windows-1252, replacing undecodable bytes.
    """
    codec = codec_for(declared)
    if codec in _SINGLE_BYTE or codec is None:
        candidates = ["utf-8", *([codec] if codec else [])]
    else:
        candidates = [codec, "utf-8"]
    candidates += [c for c in (codec_for(h) for h in hints) if c]
    for candidate in dict.fromkeys(candidates):
        try:
            return data.decode(candidate)
        except UnicodeDecodeError:
            continue
    return data.decode(codec or "cp1252", errors="replace")
