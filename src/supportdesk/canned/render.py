"""Placeholders in canned replies: ``{{contact.name}}`` and friends, and the choice of variant.

Only the names in :data:`PLACEHOLDERS` exist; an unknown one is refused when the reply is
saved, so an agent never sends a customer a literal ``{{contact.nmae}}``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from supportdesk import i18n

PLACEHOLDER = re.compile(r"\{\{\s*([a-z_]+(?:\.[a-z_]+)?)\s*\}\}")
PLACEHOLDERS = (
    "contact.name",
    "contact.first_name",
    "contact.email",
    "agent.name",
    "agent.first_name",
    "conversation.id",
)


def unknown_placeholders(text: str) -> list[str]:
    return [name for name in PLACEHOLDER.findall(text) if name not in PLACEHOLDERS]


def fill(text: str, values: Mapping[str, str]) -> str:
    """Replace each placeholder by its value; a missing value becomes an empty string, and
    the space or comma it leaves behind ("Hi , thanks", "helped, !") is tidied up."""
    filled = PLACEHOLDER.sub(lambda m: values.get(m.group(1), ""), text)
    filled = re.sub(r"[ \t]+([,.!?;:，。！？])", r"\1", filled)
    # "helped, {{name}}!" with no name: the comma that introduced the name goes too.
    filled = re.sub(r"[,，]([.!?。！？])", r"\1", filled)
    return re.sub(r"[ \t]{2,}", " ", filled)


def first_name(name: str) -> str:
    """The first word of a Latin-script name; a Chinese name (no spaces) whole."""
    return name.strip().split(" ")[0] if name.strip() else ""


def choose_variant(bodies: Mapping[str, str], locale: str) -> tuple[str, str]:
    """The variant in the conversation's language, else English, else the first one.

    Locales negotiate as everywhere else (``es-MX`` takes ``es``, ``zh-CN`` takes ``zh-Hans``).
    Returns ``(locale of the variant, text)``; ``bodies`` must not be empty.
    """
    tags = sorted(bodies)
    chosen = i18n.negotiate(locale, available=tags)
    if chosen not in bodies:
        chosen = "en" if "en" in bodies else tags[0]
    return chosen, bodies[chosen]
