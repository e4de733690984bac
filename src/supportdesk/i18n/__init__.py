"""Every user-visible string, in every language, through one mechanism.

Catalogs are JSON files, one per area and locale, in ``locales/<area>/<BCP 47 tag>.json``:
flat keys to strings with ``{name}`` placeholders, or, for a message that depends on a
number, an object keyed by CLDR plural category (``{"one": "…", "other": "…"}``). The server
formats with the functions here; the browser loads the same messages with :func:`catalog_for`.

Babel (CLDR data) does everything that depends on the language's rules: likely scripts for
negotiation, plural categories, dates, times and relative times. English is the source
language: a key missing in another catalog falls back to English, and a key missing in
English is a bug, so it raises :class:`MissingMessageError`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime, tzinfo
from functools import cache
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

from babel import Locale
from babel.core import get_global, parse_locale
from babel.dates import format_datetime as babel_format_datetime
from babel.dates import format_timedelta
from babel.numbers import format_decimal

__all__ = [
    "DEFAULT_LOCALE",
    "LOCALES_DIR",
    "Message",
    "MissingMessageError",
    "available_locales",
    "catalog_for",
    "format_datetime",
    "format_relative_time",
    "negotiate",
    "plural",
    "translate",
]

DEFAULT_LOCALE = "en"
LOCALES_DIR = Path(__file__).parent / "locales"

Message = str | dict[str, str]
DateFormat = Literal["short", "medium", "long", "full"]


class MissingMessageError(LookupError):
    """A key that the English catalog lacks, or a plain/plural message used as the other."""


# --- catalogs ----------------------------------------------------------------------------


@cache
def available_locales() -> tuple[str, ...]:
    """The locales with a catalog, as BCP 47 tags (``en``, ``es``, ``zh-Hans``)."""
    return tuple(sorted({path.stem for path in LOCALES_DIR.glob("*/*.json")}))


@cache
def _messages(locale: str) -> dict[str, Message]:
    """Every area's catalog of exactly ``locale``, checked for shape (empty when none).

    Each area of the product (``widget``, ``console``, ...) keeps its strings in its own
    folder, so its translators and its code change one file; a key must be unique over all.
    """
    if locale not in available_locales():
        return {}
    merged: dict[str, Message] = {}
    for path in sorted(LOCALES_DIR.glob(f"*/{locale}.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        for key, value in data.items():
            plain = isinstance(value, str)
            plural_form = isinstance(value, dict) and all(
                isinstance(v, str) for v in value.values()
            )
            if not (plain or plural_form):
                raise ValueError(f"{path}: {key!r} must be a string or an object of strings")
            if key in merged:
                raise ValueError(f"{path}: {key!r} is also defined in another area's catalog")
            merged[key] = value
    return merged


def catalog_for(locale: str) -> dict[str, object]:
    """What the browser loads: ``{"locale": tag, "messages": {key: message}}``.

    ``locale`` is negotiated first; ``messages`` holds every English key, overridden by the
    negotiated locale's translations, so the browser needs no fallback logic of its own.
    ``locale`` is the tag the browser passes to ``Intl.PluralRules`` and ``Intl.DateTimeFormat``.
    """
    resolved = negotiate(locale)
    messages = {**_messages(DEFAULT_LOCALE), **_messages(resolved)}
    return {"locale": resolved, "messages": messages}


def _lookup(locale: str, key: str) -> tuple[str, Message]:
    """The message for ``key`` and the locale it came from (``locale``, else English)."""
    for candidate in dict.fromkeys((negotiate(locale), DEFAULT_LOCALE)):
        message = _messages(candidate).get(key)
        if message is not None:
            return candidate, message
    raise MissingMessageError(f"no message {key!r} in the {DEFAULT_LOCALE} catalog")


def translate(locale: str, key: str, **params: object) -> str:
    """The message ``key`` in ``locale`` with its ``{placeholders}`` filled from ``params``."""
    _, message = _lookup(locale, key)
    if not isinstance(message, str):
        raise MissingMessageError(f"{key!r} is a plural message: use plural()")
    return message.format(**params)


def plural(locale: str, key: str, count: int, **params: object) -> str:
    """The form of ``key`` that CLDR's plural rules pick for ``count``.

    ``{count}`` is available as a placeholder, formatted with the locale's digit grouping.
    The rules are those of the catalog the message came from, so an English fallback is
    still grammatical English.
    """
    source, message = _lookup(locale, key)
    if not isinstance(message, dict):
        raise MissingMessageError(f"{key!r} is not a plural message: use translate()")
    rules = _babel_locale(source)
    category = rules.plural_form(count)
    text = message.get(category, message["other"])
    return text.format(**{"count": format_decimal(count, locale=rules), **params})


# --- negotiation -------------------------------------------------------------------------


def negotiate(requested: str | None, available: Iterable[str] | None = None) -> str:
    """The best available locale for an ``Accept-Language`` header or one BCP 47 tag.

    Tags are tried in order of preference (RFC 9110 §12.5.4 quality values). A tag is first
    completed with its likely script (CLDR likely subtags, UTS #35): ``zh``, ``zh-CN`` and
    ``zh-SG`` are written in Simplified Chinese (``zh-Hans``); ``zh-TW``, ``zh-HK`` and
    ``zh-MO`` in Traditional Chinese (``zh-Hant``). Each tag then matches, most specific
    first, ``lang-Script-REGION``, ``lang-REGION``, ``lang-Script``, ``lang``; so any
    ``es-*`` gets ``es``.

    Only when no requested tag matches that way does a catalog of the same language in
    another script count: ``zh-TW`` gets ``zh-Hant`` when it exists and falls back to
    ``zh-Hans`` only while it is missing, because Simplified Chinese serves a Traditional
    reader better than English. A language listed lower but matched exactly still wins
    (``zh-TW, en;q=0.5`` gets ``en`` without a ``zh-Hant`` catalog). Nothing matching,
    or nothing requested, gives ``en``.
    """
    offered = tuple(available_locales() if available is None else available)
    by_lower = {tag.lower(): tag for tag in offered}
    tags = [_subtags(tag) for tag in _preferences(requested or "")]
    parsed = [subtags for subtags in tags if subtags is not None]
    for language, script, region in parsed:
        for candidate in _candidates(language, script, region):
            if candidate.lower() in by_lower:
                return by_lower[candidate.lower()]
    for language, _, _ in parsed:
        for tag in offered:
            if tag.lower().split("-")[0] == language:
                return tag
    return DEFAULT_LOCALE


def _preferences(header: str) -> list[str]:
    """Language ranges of an ``Accept-Language`` value, best first; ``q=0`` and ``*`` dropped."""
    weighted: list[tuple[float, str]] = []
    for item in header.split(","):
        tag, _, parameters = item.strip().partition(";")
        quality = 1.0
        name, _, value = parameters.strip().partition("=")
        if name.strip().lower() == "q":
            try:
                quality = float(value)
            except ValueError:
                continue
        if tag.strip() and tag.strip() != "*" and quality > 0:
            weighted.append((quality, tag.strip()))
    # sorted() is stable: equal qualities keep the order the client sent.
    return [tag for _, tag in sorted(weighted, key=lambda pair: -pair[0])]


def _subtags(tag: str) -> tuple[str, str | None, str | None] | None:
    """``(language, script, region)`` with the likely script filled in; None if malformed."""
    try:
        language, region, script, *_ = parse_locale(tag.replace("_", "-"), sep="-")
    except ValueError:
        return None
    language = language.lower()
    if script is None:
        likely = get_global("likely_subtags")
        maximal = likely.get(f"{language}_{region}") or likely.get(language)
        if maximal is not None:
            _, _, script, *_ = parse_locale(maximal)
    return language, script, region


def _candidates(language: str, script: str | None, region: str | None) -> list[str]:
    forms = [
        (language, script, region),
        (language, None, region),
        (language, script, None),
        (language, None, None),
    ]
    tags = ["-".join(part for part in form if part) for form in forms]
    return list(dict.fromkeys(tags))


# --- dates and times ---------------------------------------------------------------------


@cache
def _babel_locale(locale: str) -> Locale:
    return Locale.parse(negotiate(locale), sep="-")


def _zone(tz: str | tzinfo) -> tzinfo:
    return ZoneInfo(tz) if isinstance(tz, str) else tz


def format_datetime(
    dt: datetime, locale: str, tz: str | tzinfo, format: DateFormat = "medium"
) -> str:
    """``dt`` as a reader in ``locale`` writes it, on the clock of time zone ``tz``.

    ``dt`` must be aware: a naive datetime has no single meaning across time zones.
    ``tz`` is an IANA name (``Asia/Shanghai``) or a ``tzinfo``.
    """
    if dt.tzinfo is None:
        raise ValueError("format_datetime needs an aware datetime")
    return babel_format_datetime(dt, format, tzinfo=_zone(tz), locale=_babel_locale(locale))


def format_relative_time(dt: datetime, locale: str, now: datetime) -> str:
    """How far ``dt`` is from ``now``: "in 2 hours", "2小时后", "hace 5 minutos".

    Both must be aware. The unit is the largest that fits (Babel's default threshold).
    """
    if dt.tzinfo is None or now.tzinfo is None:
        raise ValueError("format_relative_time needs aware datetimes")
    return format_timedelta(dt - now, add_direction=True, locale=_babel_locale(locale))
