"""The catalogs agree with each other and with CLDR; negotiation and formatting follow CLDR."""

from __future__ import annotations

import string
from datetime import UTC, datetime, timedelta

import pytest
from babel import Locale

from supportdesk.i18n import (
    MissingMessageError,
    available_locales,
    catalog_for,
    format_datetime,
    format_relative_time,
    negotiate,
    plural,
    translate,
)
from supportdesk.i18n import _messages as messages_of

LOCALES = available_locales()
TRANSLATIONS = [locale for locale in LOCALES if locale != "en"]


def placeholders(message: str | dict[str, str]) -> set[str]:
    texts = [message] if isinstance(message, str) else list(message.values())
    formatter = string.Formatter()
    return {name for text in texts for _, name, _, _ in formatter.parse(text) if name}


def test_the_product_ships_english_chinese_and_spanish():
    assert set(LOCALES) >= {"en", "zh-Hans", "es"}


@pytest.mark.parametrize("locale", TRANSLATIONS)
def test_every_translation_has_exactly_the_english_keys(locale):
    english, translated = messages_of("en"), messages_of(locale)
    assert sorted(english.keys() - translated.keys()) == [], "missing translations"
    assert sorted(translated.keys() - english.keys()) == [], "keys English does not have"


@pytest.mark.parametrize("locale", TRANSLATIONS)
def test_a_message_is_plural_in_every_locale_or_in_none(locale):
    english, translated = messages_of("en"), messages_of(locale)
    for key, message in english.items():
        assert type(translated[key]) is type(message), key


@pytest.mark.parametrize("locale", LOCALES)
def test_plural_messages_have_the_categories_cldr_requires(locale):
    required = Locale.parse(locale, sep="-").plural_form.tags | {"other"}
    for key, message in messages_of(locale).items():
        if isinstance(message, dict):
            assert set(message) == required, f"{locale} {key}"


@pytest.mark.parametrize("locale", TRANSLATIONS)
def test_translations_use_the_placeholders_of_english(locale):
    english, translated = messages_of("en"), messages_of(locale)
    for key, message in english.items():
        assert placeholders(translated[key]) == placeholders(message), f"{locale} {key}"


@pytest.mark.parametrize(
    ("requested", "expected"),
    [
        ("zh", "zh-Hans"),
        ("zh-CN", "zh-Hans"),
        ("zh-SG", "zh-Hans"),
        ("zh-Hans-CN", "zh-Hans"),
        ("zh_CN", "zh-Hans"),
        ("zh-TW", "zh-Hans"),
        ("zh-HK", "zh-Hans"),
        ("es", "es"),
        ("es-MX", "es"),
        ("es-419", "es"),
        ("en-GB", "en"),
        ("fr-FR", "en"),
        ("", "en"),
        (None, "en"),
        ("not a tag!", "en"),
        ("*", "en"),
        ("fr-CH, fr;q=0.9, es;q=0.8, *;q=0.5", "es"),
        ("en;q=0.5, zh-CN", "zh-Hans"),
        ("es;q=0, en", "en"),
        ("zh-TW, en;q=0.5", "en"),
        ("zh-TW,zh;q=0.9,en-US;q=0.8", "zh-Hans"),
    ],
)
def test_negotiation_picks_the_best_catalog(requested, expected):
    assert negotiate(requested, ("en", "es", "zh-Hans")) == expected


def test_traditional_chinese_gets_its_own_catalog_once_there_is_one():
    offered = ("en", "es", "zh-Hans", "zh-Hant")
    assert negotiate("zh-TW", offered) == "zh-Hant"
    assert negotiate("zh-HK", offered) == "zh-Hant"
    assert negotiate("zh-CN", offered) == "zh-Hans"


def test_a_regional_catalog_wins_over_the_language_catalog():
    assert negotiate("pt-BR", ("en", "pt", "pt-BR")) == "pt-BR"
    assert negotiate("pt-PT", ("en", "pt", "pt-BR")) == "pt"


@pytest.mark.parametrize(
    ("locale", "count", "expected"),
    [
        ("en", 1, "1 new message"),
        ("en", 2, "2 new messages"),
        ("en", 0, "0 new messages"),
        ("en", 1200, "1,200 new messages"),
        ("es", 1, "1 mensaje nuevo"),
        ("es", 2, "2 mensajes nuevos"),
        ("es", 1_000_000, "1.000.000 de mensajes nuevos"),
        ("zh-Hans", 1, "1 条新消息"),
        ("zh-Hans", 2, "2 条新消息"),
        ("zh-CN", 3, "3 条新消息"),
    ],
)
def test_plural_follows_the_cldr_rules_of_the_locale(locale, count, expected):
    assert plural(locale, "widget.new_messages", count) == expected


def test_translate_fills_placeholders():
    assert translate("es", "widget.queue_position", position=3) == "Posición en la cola: 3"
    assert translate("zh-CN", "widget.queue_position", position=3) == "您当前排在第 3 位"


def test_a_key_missing_in_a_translation_falls_back_to_english(monkeypatch):
    import supportdesk.i18n as i18n

    partial = {k: v for k, v in messages_of("es").items() if k != "widget.send"}
    monkeypatch.setattr(i18n, "_messages", lambda loc: partial if loc == "es" else messages_of(loc))
    assert translate("es", "widget.send") == "Send"
    assert i18n.catalog_for("es")["messages"]["widget.send"] == "Send"


def test_a_key_missing_in_english_raises():
    with pytest.raises(MissingMessageError):
        translate("en", "widget.no_such_key")
    with pytest.raises(MissingMessageError):
        plural("es", "widget.no_such_key", 2)


def test_plain_and_plural_messages_are_not_interchangeable():
    with pytest.raises(MissingMessageError):
        translate("en", "widget.new_messages")
    with pytest.raises(MissingMessageError):
        plural("en", "widget.send", 2)


def test_catalog_for_the_browser_is_negotiated_and_complete():
    catalog = catalog_for("zh-TW")
    assert catalog["locale"] == "zh-Hans"
    assert catalog["messages"] == messages_of("zh-Hans")
    assert catalog_for("de")["locale"] == "en"


def test_dates_are_formatted_in_the_readers_time_zone_and_language():
    moment = datetime(2025, 3, 9, 15, 30, tzinfo=UTC)  # New York is on EDT since 07:00 UTC
    assert format_datetime(moment, "zh-CN", "Asia/Shanghai") == "2025年3月9日 23:30:00"
    assert format_datetime(moment, "en", "America/New_York") == "Mar 9, 2025, 11:30:00\u202fAM"
    assert format_datetime(moment, "es", "America/New_York", "short") == "9/3/25, 11:30"


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="aware"):
        format_datetime(datetime(2025, 3, 9, 15, 30), "en", "UTC")  # noqa: DTZ001


def test_relative_times_read_naturally_in_each_language():
    now = datetime(2025, 3, 9, 15, 30, tzinfo=UTC)
    later, earlier = now + timedelta(hours=2), now - timedelta(minutes=5)
    assert format_relative_time(later, "en", now) == "in 2 hours"
    assert format_relative_time(later, "zh-Hans", now) == "2小时后"
    assert format_relative_time(earlier, "es", now) == "hace 5 minutos"
    when = format_relative_time(later, "es", now)
    assert translate("es", "widget.offline_back", when=when) == (
        "Ahora no estamos disponibles; volvemos dentro de 2 horas"
    )
