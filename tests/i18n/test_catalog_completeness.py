"""Every string of every area is translated into every shipped language, with the same
placeholders: a missing Chinese string would silently show English in the middle of a
Chinese page."""

from __future__ import annotations

import json
import re

import pytest

from supportdesk.i18n import LOCALES_DIR, available_locales

AREAS = sorted(path.name for path in LOCALES_DIR.iterdir() if path.is_dir())


def _load(area: str, locale: str) -> dict:
    return json.loads((LOCALES_DIR / area / f"{locale}.json").read_text(encoding="utf-8"))


def _placeholders(message: str | dict) -> set[str]:
    texts = message.values() if isinstance(message, dict) else [message]
    return {name for text in texts for name in re.findall(r"\{(\w+)\}", text)}


@pytest.mark.parametrize("area", AREAS)
@pytest.mark.parametrize("locale", [loc for loc in available_locales() if loc != "en"])
def test_every_english_string_is_translated_with_the_same_placeholders(area, locale):
    english, other = _load(area, "en"), _load(area, locale)
    assert sorted(set(english) - set(other)) == [], f"missing in {area}/{locale}.json"
    assert sorted(set(other) - set(english)) == [], f"not in {area}/en.json"
    for key, message in english.items():
        assert _placeholders(other[key]) == _placeholders(message), (area, locale, key)
        assert isinstance(other[key], dict) == isinstance(message, dict), (area, locale, key)
