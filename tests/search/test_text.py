from __future__ import annotations

from supportdesk.search.text import chunk_body, detect_language, fold, tokenize


def test_latin_text_is_folded_and_stemmed() -> None:
    assert fold("Contraseña ÁRBOL") == "contrasena arbol"
    assert tokenize("Withdrawals pending", "en") == tokenize("withdrawal pend", "en")
    assert tokenize("Retiros pendientes", "es") == tokenize("retiro pendiente", "es")


def test_chinese_is_segmented_into_words() -> None:
    tokens = tokenize("为什么提币的时候还选不了地址", "zh")
    assert "提币" in tokens and "地址" in tokens
    assert "的" not in tokens


def test_mixed_chinese_and_english_keeps_both() -> None:
    tokens = tokenize("加了whitelist地址", "zh")
    assert "whitelist" in tokens and "地址" in tokens


def test_languages_are_detected() -> None:
    assert detect_language("怎么注销账户") == "zh"
    assert detect_language("quiero hablar con una persona") == "es"
    assert detect_language("how do I delete my account") == "en"
    assert detect_language("???") == ""


def test_bodies_are_chunked_by_section() -> None:
    body = "Intro line.\n\n**Fees**\n\nA fee of 1% applies.\n\n**Limits**\n\nUp to 10 BTC."
    chunks = chunk_body(body, 40)
    assert chunks[0] == "Intro line."
    assert any(chunk.startswith("Fees") for chunk in chunks)
    assert any(chunk.startswith("Limits") for chunk in chunks)
