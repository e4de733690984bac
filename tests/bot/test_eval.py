"""``supportdesk bot eval``: its scores, its data-set readers and the command itself."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from supportdesk.bot.datasets import (
    IN_SCOPE,
    OUT_OF_SCOPE,
    DatasetError,
    Options,
    Question,
    humanise,
    intent_key,
    load_dataset,
    sample,
)
from supportdesk.bot.metrics import Outcome, percentile, summarise


def outcome(
    expected: str | None,
    predicted: str | None,
    suggested: tuple[str, ...] = (),
    *,
    locale: str = "en",
    kind: str = "paraphrase",
    latency_ms: float = 1.0,
) -> Outcome:
    return Outcome(
        id=f"q{expected}{predicted}{suggested}",
        locale=locale,
        kind=kind,
        expected=expected,
        predicted=predicted,
        suggested=suggested or ((predicted,) if predicted else ()),
        reason="confident" if predicted else "low_confidence",
        latency_ms=latency_ms,
    )


# --- metrics --------------------------------------------------------------------------


def test_top1_needs_the_answer_and_top3_the_first_three_suggestions() -> None:
    scores = summarise(
        [
            outcome("a", "a"),
            outcome("a", "b", ("b", "c", "a")),
            outcome("a", "b", ("b", "c", "d", "a")),  # fourth suggestion: not top-3
            outcome("a", None, ("a",)),  # abstained: wrong at top-1, still a top-3 hit
        ]
    )["in_scope"]
    assert scores == {
        "n": 4,
        "top1": 0.25,
        "top3": 0.75,
        "ranked_top1": 0.5,
        "abstained": 1,
        "false_handoff_rate": 0.25,
    }


def test_abstention_precision_counts_every_abstention_and_recall_only_expected_nulls() -> None:
    outcomes = [
        outcome(None, None),
        outcome(None, None, kind="human-request"),
        outcome(None, "a", kind="out-of-scope"),
        outcome("a", None),  # a false hand-off hurts precision
        outcome("a", "a"),
    ]
    assert summarise(outcomes)["abstention"] == {
        "expected_null": 3,
        "abstained": 3,
        "precision": 0.6667,
        "recall": 0.6667,
    }


def test_abstention_precision_is_null_when_the_bot_never_abstains() -> None:
    assert summarise([outcome("a", "a")])["abstention"]["precision"] is None


def test_breakdowns_score_each_locale_and_kind_separately() -> None:
    outcomes = [
        outcome("a", "a", locale="en"),
        outcome("a", "b", locale="zh", kind="typo"),
        outcome(None, None, locale="zh", kind="out-of-scope"),
    ]
    scores = summarise(outcomes)
    assert scores["by_locale"]["en"] == {
        "n": 1,
        "top1": 1.0,
        "top3": 1.0,
        "false_handoff_rate": 0.0,
    }
    assert scores["by_locale"]["zh"]["top1"] == 0.0
    assert scores["by_locale"]["zh"]["abstention_recall"] == 1.0
    assert scores["by_kind"]["out-of-scope"] == {"n": 1, "abstention_recall": 1.0}
    assert scores["reasons"] == {"confident": 2, "low_confidence": 1}


def test_latency_percentiles_use_the_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 50) == 50.0
    assert percentile(values, 95) == 95.0
    assert percentile([7.0], 95) == 7.0
    assert percentile([], 50) is None
    latency = summarise([outcome("a", "a", latency_ms=v) for v in values])["latency_ms"]
    assert latency == {"p50": 50.0, "p95": 95.0, "max": 100.0, "mean": 50.5}


# --- data-set readers, each on a small file in its published format ----------------------


def faq_fixture(root: Path) -> Path:
    articles = root / "articles"
    articles.mkdir(parents=True)
    for key, locale, title, body in [
        ("passkey-login", "en", "Log in with a passkey", "Open Security, add a passkey."),
        ("passkey-login", "es", "Iniciar sesión con una llave", "Abra Seguridad y añada una."),
        ("grid-bot", "en", "Run a spot grid bot", "A grid bot buys low and sells high."),
    ]:
        (articles / f"{key}.{locale}.md").write_text(
            f'---\nkey: {key}\nlocale: {locale}\ntitle: "{title}"\ncategory: trading\n'
            f"tags: [{key}]\n---\n{body}\n",
            encoding="utf-8",
        )
    rows = [
        {"id": "f-1", "text": "can I sign in with a passkey", "locale": "en",
         "expected": "passkey-login", "kind": "paraphrase"},
        {"id": "f-2", "text": "¿cómo funciona el grid bot?", "locale": "es",
         "expected": "grid-bot", "kind": "cross-lingual"},
        {"id": "f-3", "text": "what will BTC do tomorrow", "locale": "en",
         "expected": None, "kind": "out-of-scope"},
    ]  # fmt: skip
    lines = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
    (root / "questions.jsonl").write_text(lines, encoding="utf-8")
    return root


def test_faq_reader_imports_every_article_file_and_keeps_null_expectations(
    tmp_path: Path,
) -> None:
    dataset = load_dataset("faq-dev", faq_fixture(tmp_path), Options())
    assert sorted((a.key, a.locale) for a in dataset.articles) == [
        ("grid-bot", "en"),
        ("passkey-login", "en"),
        ("passkey-login", "es"),
    ]
    assert [(q.id, q.expected, q.kind) for q in dataset.questions] == [
        ("f-1", "passkey-login", "paraphrase"),
        ("f-2", "grid-bot", "cross-lingual"),
        ("f-3", None, "out-of-scope"),
    ]


def test_faq_reader_names_an_article_file_the_importer_rejects(tmp_path: Path) -> None:
    root = faq_fixture(tmp_path)
    (root / "articles" / "broken.en.md").write_text("no front matter\n", encoding="utf-8")
    with pytest.raises(DatasetError, match=r"broken\.en\.md"):
        load_dataset("faq-dev", root, Options())


def test_banking77_reader_makes_one_article_per_intent_from_train_rows(tmp_path: Path) -> None:
    (tmp_path / "train.csv").write_text(
        'text,category\nI am still waiting on my card?,card_arrival\n"Card, where is it",'
        "card_arrival\nHow do I top up?,top_up_by_card\n",
        encoding="utf-8",
    )
    (tmp_path / "test.csv").write_text(
        "text,category\nmy card has not come,card_arrival\n", encoding="utf-8"
    )
    dataset = load_dataset("banking77", tmp_path, Options())
    card = next(a for a in dataset.articles if a.key == "card-arrival")
    assert card.title == "Card arrival"
    assert card.locale == "en"
    assert card.questions == ["I am still waiting on my card?", "Card, where is it"]
    assert dataset.questions == [
        Question("banking77-00000", "my card has not come", "en", "card-arrival", IN_SCOPE)
    ]
    capped = load_dataset("banking77", tmp_path, Options(max_questions_per_article=1))
    assert next(a for a in capped.articles if a.key == "card-arrival").questions == [
        "I am still waiting on my card?"
    ]


def test_banking77_dev_split_holds_out_training_rows_instead_of_reading_test(
    tmp_path: Path,
) -> None:
    rows = "".join(f"card {n},card_arrival\n" for n in range(20))
    (tmp_path / "train.csv").write_text("text,category\n" + rows, encoding="utf-8")
    dataset = load_dataset("banking77", tmp_path, Options(split="dev"))
    assert [q.text for q in dataset.questions] == ["card 9", "card 19"]
    assert not {"card 9", "card 19"} & set(dataset.articles[0].questions)


def test_clinc150_reader_asks_in_scope_test_rows_and_expects_abstention_on_oos(
    tmp_path: Path,
) -> None:
    data = {
        "train": [["how do i say hi in french", "translate"], ["is it cold", "weather"]],
        "val": [["say thanks in german", "translate"]],
        "test": [["translate cat into spanish", "translate"]],
        "oos_train": [["tell me about dinosaurs", "oos"]],
        "oos_val": [["who won the game", "oos"]],
        "oos_test": [["how tall is everest", "oos"]],
    }
    (tmp_path / "data_full.json").write_text(json.dumps(data), encoding="utf-8")
    dataset = load_dataset("clinc150", tmp_path, Options())
    assert {a.key for a in dataset.articles} == {"translate", "weather"}
    assert [(q.text, q.expected, q.kind) for q in dataset.questions] == [
        ("translate cat into spanish", "translate", IN_SCOPE),
        ("how tall is everest", None, OUT_OF_SCOPE),
    ]
    dev = load_dataset("clinc150", tmp_path, Options(split="dev"))
    assert [q.text for q in dev.questions] == ["say thanks in german", "who won the game"]


def test_top_es_reader_reads_the_pytext_tsv_with_its_json_tokens_column(
    tmp_path: Path,
) -> None:
    tokens = '{"tokenizations":[{"tokens":["borrar","alarmas"]}]}'
    (tmp_path / "train-es.tsv").write_text(
        f"alarm/cancel_alarm\t\tBorrar alarmas \tes_XX\t{tokens}\n"
        f"weather/checkSunrise\t\t¿A qué hora sale el sol? \tes_XX\t{tokens}\n",
        encoding="utf-8",
    )
    (tmp_path / "test-es.tsv").write_text(
        f"alarm/cancel_alarm\t0:5:datetime\tQuita la alarma \tes_XX\t{tokens}\n",
        encoding="utf-8",
    )
    dataset = load_dataset("top-es", tmp_path, Options())
    keys = {a.key: a for a in dataset.articles}
    assert set(keys) == {"alarm-cancel-alarm", "weather-check-sunrise"}
    assert keys["weather-check-sunrise"].title == "Weather: check sunrise"
    assert keys["alarm-cancel-alarm"].questions == ["Borrar alarmas"]
    assert keys["alarm-cancel-alarm"].locale == "es"
    assert [(q.text, q.expected) for q in dataset.questions] == [
        ("Quita la alarma", "alarm-cancel-alarm")
    ]


def test_xsid_reader_builds_articles_from_valid_and_asks_test(tmp_path: Path) -> None:
    def conll(rows: list[tuple[str, str]]) -> str:
        return "".join(
            f"# id = {n}\n# text-en = x\n# text = {text}\n# intent = {intent}\n"
            f"1\t{text}\t{intent}\tO\n\n"
            for n, (text, intent) in enumerate(rows)
        )

    valid = [(f"今天会下雨吗{n}", "weather/find") for n in range(5)] + [("播放音乐", "PlayMusic")]
    (tmp_path / "zh.valid.conll").write_text(conll(valid), encoding="utf-8")
    (tmp_path / "zh.test.conll").write_text(conll([("放首歌", "PlayMusic")]), encoding="utf-8")
    test = load_dataset("xsid-zh", tmp_path, Options())
    assert {a.key: len(a.questions) for a in test.articles} == {"play-music": 1, "weather-find": 5}
    assert [(q.text, q.expected, q.locale) for q in test.questions] == [
        ("放首歌", "play-music", "zh")
    ]
    dev = load_dataset("xsid-zh", tmp_path, Options(split="dev"))
    assert [q.text for q in dev.questions] == ["今天会下雨吗4"]


def test_intent_labels_become_article_keys_and_titles() -> None:
    assert intent_key("card_payment_wrong_exchange_rate") == "card-payment-wrong-exchange-rate"
    assert intent_key("SearchScreeningEvent") == "search-screening-event"
    assert humanise("reminder/set_reminder") == "Reminder: set reminder"


def test_a_limit_draws_the_same_spread_sample_every_time() -> None:
    questions = [Question(str(n), "t", "en", "a", IN_SCOPE) for n in range(100)]
    first = sample(questions, 10)
    assert first == sample(questions, 10)
    assert len({q.id for q in first}) == 10
    assert [q.id for q in first] != [str(n) for n in range(10)]


def test_an_unreadable_data_set_is_a_dataset_error(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="cannot read"):
        load_dataset("banking77", tmp_path, Options())


# --- the command ----------------------------------------------------------------------


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("SUPPORTDESK_")}
    return subprocess.run(
        [sys.executable, "-m", "supportdesk", "bot", "eval", *args],
        capture_output=True,
        text=True,
        env=environ | {"SUPPORTDESK_ENV": "dev"},
        timeout=110,
        check=False,
    )


def test_bot_eval_prints_the_documented_json_on_a_tiny_faq_set(tmp_path: Path) -> None:
    root = faq_fixture(tmp_path / "faq")
    predictions = tmp_path / "predictions.jsonl"
    result = run_cli("--dataset", "faq-dev", "--data", str(root), "--predictions", str(predictions))
    assert result.returncode == 0, result.stderr
    assert "asked 3/3" in result.stderr
    report = json.loads(result.stdout)
    assert report["dataset"] == "faq-dev"
    assert report["documents"] == 3
    assert report["articles"] == 2
    assert report["questions"] == 3
    assert set(report["in_scope"]) == {
        "n",
        "top1",
        "top3",
        "ranked_top1",
        "abstained",
        "false_handoff_rate",
    }
    assert report["in_scope"]["n"] == 2
    assert set(report["abstention"]) == {"expected_null", "abstained", "precision", "recall"}
    assert set(report["by_locale"]) == {"en", "es"}
    assert set(report["by_kind"]) == {"paraphrase", "cross-lingual", "out-of-scope"}
    assert set(report["latency_ms"]) == {"p50", "p95", "max", "mean"}
    assert sum(report["reasons"].values()) == 3
    rows = [json.loads(line) for line in predictions.read_text(encoding="utf-8").splitlines()]
    assert [row["id"] for row in rows] == ["f-1", "f-2", "f-3"]
    assert {"predicted", "expected", "suggested", "reason", "latency_ms"} <= set(rows[0])


def test_bot_eval_reports_a_missing_data_set_in_one_line(tmp_path: Path) -> None:
    result = run_cli("--dataset", "clinc150", "--data", str(tmp_path / "nowhere"))
    assert result.returncode == 1
    assert result.stderr.startswith("error: cannot read")
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
