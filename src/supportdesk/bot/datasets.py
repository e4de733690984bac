"""Evaluation data sets for the answer bot, read from their published file formats.

Every adapter returns the same shape, :class:`Dataset`: help-center articles to import
and questions whose expected answer is an article key or ``None`` (the bot should
abstain). Intent-classification sets become a help center with one article per intent:
its example questions are that intent's training utterances, and an in-scope question is
answered correctly when the bot returns that intent's article.

Only training (or dev) utterances ever reach the articles, so test figures stay honest;
which rows each split uses is stated in ``Dataset.notes`` and in docs/bot-eval.md.
"""

from __future__ import annotations

import csv
import json
import random
import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from supportdesk.helpcenter.importer import ParsedArticle, Rejection, parse_article_file
from supportdesk.helpcenter.schemas import MAX_QUESTIONS

SPLITS = ("test", "dev")
BODY_EXAMPLES = 5  # training utterances quoted in an intent article's body
IN_SCOPE, OUT_OF_SCOPE = "in-scope", "out-of-scope"
SAMPLE_SEED = 20240  # --limit draws the same questions on every run


class DatasetError(Exception):
    """The data set cannot be read: a missing file or a row that is not in the format."""


@dataclass(frozen=True, slots=True)
class Question:
    id: str
    text: str
    locale: str
    expected: str | None  # an article key, or None when the bot should abstain
    kind: str


@dataclass(frozen=True, slots=True)
class Dataset:
    name: str
    split: str
    articles: list[ParsedArticle]
    questions: list[Question]
    notes: str = ""


@dataclass(frozen=True, slots=True)
class Options:
    split: str = "test"
    limit: int | None = None  # ask at most this many questions (a fixed random sample)
    max_questions_per_article: int | None = None  # default: the help center's MAX_QUESTIONS


Labelled = list[tuple[str, str]]  # (utterance, intent label)


# --- faq-dev: the help-center format itself --------------------------------------------


def load_faq(path: Path, options: Options) -> Dataset:
    """``articles/*.md`` in the import format plus ``questions.jsonl`` (README of faq-dev)."""
    articles = [_parse_or_fail(file) for file in sorted((path / "articles").glob("*.md"))]
    if not articles:
        raise DatasetError(f"no articles in {path / 'articles'}")
    questions = [_faq_question(line, n) for n, line in enumerate(_lines(path / "questions.jsonl"))]
    notes = "articles and questions as published; nothing is trained or tuned on them here"
    # One file of questions, whatever --split says: "all" rather than a split it is not.
    return Dataset("faq-dev", "all", articles, sample(questions, options.limit), notes)


def _parse_or_fail(file: Path) -> ParsedArticle:
    parsed = parse_article_file(file)
    if isinstance(parsed, Rejection):
        raise DatasetError(f"{file}: {parsed}")
    return parsed


def _lines(file: Path) -> list[str]:
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise DatasetError(f"cannot read {file}: {exc.strerror or exc}") from None
    return [line for line in text.splitlines() if line.strip()]


def _faq_question(line: str, number: int) -> Question:
    try:
        row = json.loads(line)
        return Question(
            id=str(row["id"]),
            text=str(row["text"]),
            locale=str(row["locale"]),
            expected=row["expected"],
            kind=str(row.get("kind", IN_SCOPE if row["expected"] else OUT_OF_SCOPE)),
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise DatasetError(f"questions.jsonl line {number + 1}: {exc!r}") from None


# --- intent-classification sets ---------------------------------------------------------


def load_banking77(path: Path, options: Options) -> Dataset:
    """``train.csv``/``test.csv`` (``text,category``). No dev split upstream: dev holds out
    every 10th training row of each intent and builds the articles from the other nine."""
    train = _read_csv(path / "train.csv")
    if options.split == "dev":
        train, asked = _hold_out(train, every=10)
        notes = "articles: 90% of train.csv; questions: the other 10% (every 10th per intent)"
    else:
        asked = _read_csv(path / "test.csv")
        notes = "articles: all of train.csv; questions: test.csv"
    return _intent_dataset("banking77", "en", train, asked, [], options, notes)


def load_clinc150(path: Path, options: Options) -> Dataset:
    """``data_full.json``: train builds the articles; test (or val) plus oos_test (or
    oos_val) are asked. ``oos_train`` is not used: the bot has no "other" article and must
    abstain by itself."""
    data = _read_json(path / "data_full.json" if path.is_dir() else path)
    ask, oos = ("val", "oos_val") if options.split == "dev" else ("test", "oos_test")
    try:
        train = [(str(t), str(label)) for t, label in data["train"]]
        asked = [(str(t), str(label)) for t, label in data[ask]]
        unanswerable = [str(t) for t, _ in data[oos]]
    except (KeyError, TypeError, ValueError) as exc:
        raise DatasetError(f"data_full.json is not in the CLINC150 format: {exc!r}") from None
    notes = f"articles: train (15,000 rows, oos_train unused); questions: {ask} + {oos}"
    return _intent_dataset("clinc150", "en", train, asked, unanswerable, options, notes)


def load_top_es(path: Path, options: Options) -> Dataset:
    """Spanish Multilingual TOP (PyText TSV): train-es builds the articles; eval-es (dev)
    or test-es is asked."""
    train = _read_tsv(path / "train-es.tsv")
    asked = _read_tsv(path / ("eval-es.tsv" if options.split == "dev" else "test-es.tsv"))
    notes = "articles: train-es.tsv; questions: " + (
        "eval-es.tsv" if options.split == "dev" else "test-es.tsv"
    )
    return _intent_dataset("top-es", "es", train, asked, [], options, notes)


def load_xsid_zh(path: Path, options: Options) -> Dataset:
    """xSID Chinese has no training split: for ``test`` the articles are built from the
    300 ``zh.valid`` utterances and the 500 ``zh.test`` ones are asked; for ``dev`` every
    5th valid utterance of each intent is held out and asked, the rest build the articles.
    It is a few-shot figure (1 to 80 utterances per intent), not comparable with the
    published zero-shot results, which train on English."""
    valid = _read_conll(path / "zh.valid.conll")
    if options.split == "dev":
        train, asked = _hold_out(valid, every=5)
        notes = "articles: 80% of zh.valid; questions: every 5th zh.valid row per intent"
    else:
        train, asked = valid, _read_conll(path / "zh.test.conll")
        notes = "no training split exists: articles from zh.valid (300), questions zh.test"
    return _intent_dataset("xsid-zh", "zh", train, asked, [], options, notes)


def _intent_dataset(
    name: str,
    locale: str,
    train: Labelled,
    asked: Labelled,
    unanswerable: Sequence[str],
    options: Options,
    notes: str,
) -> Dataset:
    articles = intent_articles(train, locale, options.max_questions_per_article)
    questions = [
        Question(f"{name}-{n:05d}", text, locale, intent_key(label), IN_SCOPE)
        for n, (text, label) in enumerate(asked)
    ]
    questions += [
        Question(f"{name}-oos-{n:05d}", text, locale, None, OUT_OF_SCOPE)
        for n, text in enumerate(unanswerable)
    ]
    return Dataset(name, options.split, articles, sample(questions, options.limit), notes)


def intent_articles(
    train: Labelled, locale: str, max_questions: int | None = None
) -> list[ParsedArticle]:
    """One article per intent: its first training utterances are its example questions,
    up to ``max_questions`` and never more than the help center takes (``MAX_QUESTIONS``)."""
    by_intent: dict[str, list[str]] = defaultdict(list)
    for text, label in train:
        by_intent[label].append(text.strip())
    return [
        ParsedArticle(
            key=intent_key(label),
            locale=locale,
            title=humanise(label),
            body="\n".join(f"- {text}" for text in texts[:BODY_EXAMPLES]),
            category=intent_key(label.split("/")[0]) if "/" in label else None,
            questions=texts[: min(max_questions or MAX_QUESTIONS, MAX_QUESTIONS)],
        )
        for label, texts in sorted(by_intent.items())
    ]


def intent_key(label: str) -> str:
    """An intent label as an article key: lower-case letters, digits and hyphens."""
    spaced = re.sub(r"(?<=[a-z])(?=[A-Z])", "-", label.strip())
    return re.sub(r"[^a-z0-9]+", "-", spaced.lower()).strip("-")


def humanise(label: str) -> str:
    """``card_arrival`` → ``Card arrival``, ``weather/checkSunrise`` → ``Weather: check sunrise``.

    Titles stay in English whatever the data set's language: the labels are all there is.
    """
    parts = [intent_key(part).replace("-", " ") for part in label.split("/")]
    text = ": ".join(part for part in parts if part)
    return text[:1].upper() + text[1:]


def _hold_out(rows: Labelled, every: int) -> tuple[Labelled, Labelled]:
    """Split off every ``every``-th row of each label (the last of each group of ``every``)."""
    seen: dict[str, int] = defaultdict(int)
    kept: Labelled = []
    held: Labelled = []
    for text, label in rows:
        seen[label] += 1
        (held if seen[label] % every == 0 else kept).append((text, label))
    return kept, held


def sample(questions: list[Question], limit: int | None) -> list[Question]:
    """At most ``limit`` questions, drawn at random with a fixed seed (test files are often
    sorted by intent, so the first N rows would cover only a few intents)."""
    if limit is None or limit >= len(questions):
        return questions
    return random.Random(SAMPLE_SEED).sample(questions, limit)  # noqa: S311 -- not a secret


# --- file formats -------------------------------------------------------------------------


def _read_csv(file: Path) -> Labelled:
    """BANKING77: a header ``text,category``, then one query per row."""
    with _open(file) as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames is None or not {"text", "category"} <= set(reader.fieldnames):
            raise DatasetError(f"{file}: expected the header text,category")
        return [(row["text"], row["category"]) for row in reader]


def _read_tsv(file: Path) -> Labelled:
    """PyText TSV: intent, slots, utterance, language, tokens (the last one is JSON with
    quotes in it, so no CSV quoting applies)."""
    rows: Labelled = []
    with _open(file) as handle:
        for number, row in enumerate(csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)):
            if len(row) < 3:
                raise DatasetError(f"{file} line {number + 1}: expected 5 tab-separated columns")
            rows.append((row[2].strip(), row[0]))
    return rows


def _read_conll(file: Path) -> Labelled:
    """xSID CoNLL: each utterance's ``# text = ...`` and ``# intent = ...`` comment lines."""
    rows: Labelled = []
    text: str | None = None
    for line in _lines(file):
        if line.startswith("# text = "):
            text = line.removeprefix("# text = ").strip()
        elif line.startswith("# intent = "):
            if text is None:
                raise DatasetError(f"{file}: an intent line before any text line")
            rows.append((text, line.removeprefix("# intent = ").strip()))
            text = None
    return rows


def _read_json(file: Path) -> dict[str, list[list[str]]]:
    with _open(file) as handle:
        try:
            data = json.load(handle)
        except ValueError as exc:
            raise DatasetError(f"{file}: not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise DatasetError(f"{file}: expected a JSON object of splits")
    return data


def _open(file: Path) -> TextIO:
    try:
        return file.open(encoding="utf-8", newline="")
    except OSError as exc:
        raise DatasetError(f"cannot read {file}: {exc.strerror or exc}") from None


LOADERS: dict[str, Callable[[Path, Options], Dataset]] = {
    "faq-dev": load_faq,
    "banking77": load_banking77,
    "clinc150": load_clinc150,
    "top-es": load_top_es,
    "xsid-zh": load_xsid_zh,
}


def load_dataset(name: str, path: Path, options: Options) -> Dataset:
    if options.split not in SPLITS:
        raise DatasetError(f"unknown split {options.split!r}; use one of {', '.join(SPLITS)}")
    try:
        loader = LOADERS[name]
    except KeyError:
        raise DatasetError(f"unknown data set {name!r}; use one of {', '.join(LOADERS)}") from None
    dataset = loader(path, options)
    if not dataset.questions:
        raise DatasetError(f"{name}: no questions in {path}")
    return dataset
