"""Reading the import format: what a file means, and how a broken one is explained.

Pure parsing, no database: each rejection names the file, the line at fault and the reason.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from supportdesk.helpcenter.exporter import format_article
from supportdesk.helpcenter.importer import (
    ParsedArticle,
    Rejection,
    collect_files,
    parse_article_file,
)

FAQ_DEV = Path("/work/shared/data/faq-dev")
GOOD = """\
---
key: withdrawal-pending          # stable id shared by all translations
locale: en
title: Why is my withdrawal still pending?
category: deposits-withdrawals
tags: [withdrawal, pending]
questions:
  - my withdrawal is stuck
  - where is my money
---

Body in **Markdown**.

More body.
"""


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def rejection(tmp_path: Path, text: str | bytes, name: str = "bad.en.md") -> Rejection:
    result = parse_article_file(write(tmp_path, name, text))
    assert isinstance(result, Rejection), result
    assert result.path.endswith(name)
    return result


def test_a_good_file_parses_to_its_fields(tmp_path):
    parsed = parse_article_file(write(tmp_path, "w.en.md", GOOD))
    assert parsed == ParsedArticle(
        key="withdrawal-pending",
        locale="en",
        title="Why is my withdrawal still pending?",
        body="Body in **Markdown**.\n\nMore body.",
        category="deposits-withdrawals",
        tags=["withdrawal", "pending"],
        questions=["my withdrawal is stuck", "where is my money"],
        status="published",
        path=str(tmp_path / "w.en.md"),
    )


def test_windows_line_ends_and_a_byte_order_mark_are_accepted(tmp_path):
    text = "\ufeff" + GOOD.replace("\n", "\r\n")
    parsed = parse_article_file(write(tmp_path, "w.en.md", text.encode()))
    assert isinstance(parsed, ParsedArticle)
    assert parsed.body == "Body in **Markdown**.\n\nMore body."


def test_locale_tags_are_stored_in_their_conventional_case(tmp_path):
    parsed = parse_article_file(
        write(tmp_path, "w.md", GOOD.replace("locale: en", "locale: ZH-hant"))
    )
    assert isinstance(parsed, ParsedArticle) and parsed.locale == "zh-Hant"
    parsed = parse_article_file(
        write(tmp_path, "w.md", GOOD.replace("locale: en", "locale: es-419"))
    )
    assert isinstance(parsed, ParsedArticle) and parsed.locale == "es-419"


@pytest.mark.parametrize(
    ("change", "line", "reason"),
    [
        (
            ("key: withdrawal-pending          # stable id shared by all translations\n", ""),
            1,
            "the required field 'key' is missing",
        ),
        (("locale: en", "locale: english!"), 3, "locale: must be a BCP 47 language tag"),
        (("locale: en", "locale: no"), 3, "locale: must be a BCP 47 language tag"),
        (("key: withdrawal-pending ", "key: Withdrawal_Pending "), 2, "key: must be lowercase"),
        (
            ("title: Why is my withdrawal still pending?", "title: 2024-01-01"),
            4,
            "title: the title must be text",
        ),
        (
            ("category: deposits-withdrawals", "category: Deposits & withdrawals"),
            5,
            "category: must be a slug",
        ),
        (("tags: [withdrawal, pending]", "tags: withdrawal"), 6, "tags: must be a list"),
        (("  - where is my money", "  - [not, text]"), 9, "questions: item 2 must be text"),
        (("tags: [withdrawal, pending]", "tags: [a]\nauthor: me"), 7, "unknown field 'author'"),
        (("tags: [withdrawal, pending]", "tags: [a]\ntags: [b]"), 7, "'tags' is given twice"),
        (("tags: [withdrawal, pending]", "tags: [withdrawal, pending"), 7, "invalid YAML"),
        (("category: deposits-withdrawals", "category: [unclosed"), 6, "invalid YAML"),
        (("\nBody in **Markdown**.\n\nMore body.\n", "\n   \n"), 10, "the body"),
    ],
    ids=[
        "missing-key",
        "bad-locale",
        "yaml-no-is-not-a-locale",
        "bad-key",
        "title-not-text",
        "bad-category",
        "tags-not-a-list",
        "question-not-text",
        "unknown-field",
        "duplicate-field",
        "invalid-yaml",
        "invalid-yaml-flow",
        "empty-body",
    ],
)
def test_a_broken_field_is_named_with_its_line(tmp_path, change, line, reason):
    old, new = change
    assert old in GOOD
    found = rejection(tmp_path, GOOD.replace(old, new))
    assert found.reason.startswith(reason) or reason in found.reason, found
    assert found.line == line, found


def test_too_many_questions_points_at_the_first_one_too_many(tmp_path):
    questions = "".join(f"  - question {n}\n" for n in range(51))
    text = GOOD.replace("  - my withdrawal is stuck\n  - where is my money\n", questions)
    found = rejection(tmp_path, text)
    assert found.line == 8 + 50
    assert "at most 50" in found.reason


def test_front_matter_that_is_not_a_mapping_is_rejected(tmp_path):
    found = rejection(tmp_path, "---\n- key\n- locale\n---\nBody\n")
    assert (found.line, found.reason) == (
        2,
        "the front matter must be a mapping of fields, like 'key: my-article'",
    )


def test_a_file_without_front_matter_is_rejected_at_line_1(tmp_path):
    found = rejection(tmp_path, "# Just Markdown\n\nNo front matter.\n")
    assert found.line == 1
    assert "must start with a '---' line" in found.reason


def test_front_matter_never_closed_is_rejected_at_its_opening_line(tmp_path):
    found = rejection(tmp_path, "---\nkey: a\nlocale: en\ntitle: T\n\nBody without the end\n")
    assert found.line == 1
    assert "never closed by a '---' line" in found.reason


def test_a_file_that_is_not_utf8_names_the_line_of_the_bad_byte(tmp_path):
    text = GOOD.replace("More body.", "Caf\xe9 con leche").encode("latin-1")
    found = rejection(tmp_path, text)
    assert found.line == 14
    assert found.reason == "the file is not UTF-8 (byte 0xe9): save it as UTF-8"


def test_str_of_a_rejection_reads_like_a_compiler_message(tmp_path):
    found = rejection(tmp_path, GOOD.replace("locale: en", "locale: 42"), name="w.en.md")
    assert str(found) == f"{tmp_path / 'w.en.md'}:3: locale: {found.reason.split(': ', 1)[1]}"


def test_folders_are_searched_for_markdown_skipping_readmes_and_hidden_files(tmp_path):
    for name in ("a.en.md", "sub/b.es.md", "README.md", ".git/c.md", "notes.txt"):
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(GOOD)
    found = collect_files([tmp_path, tmp_path / "a.en.md"])
    assert [p.relative_to(tmp_path).as_posix() for p in found] == ["a.en.md", "sub/b.es.md"]
    with pytest.raises(FileNotFoundError):
        collect_files([tmp_path / "nowhere"])


def test_every_faq_dev_article_exports_to_a_file_that_parses_the_same(tmp_path):
    files = collect_files([FAQ_DEV])
    assert len(files) == 61
    for file in files:
        original = parse_article_file(file)
        assert isinstance(original, ParsedArticle), original
        again = parse_article_file(write(tmp_path, file.name, format_article(original)))
        assert isinstance(again, ParsedArticle), again
        assert (again.key, again.locale, again.title, again.body) == (
            original.key,
            original.locale,
            original.title,
            original.body,
        )
        assert (again.category, again.tags, again.questions, again.status) == (
            original.category,
            original.tags,
            original.questions,
            original.status,
        )


def test_awkward_values_survive_an_export(tmp_path):
    doc = ParsedArticle(
        key="quotes",
        locale="zh-Hans",
        title='Yes: "quoted" # not a comment',
        body="---\nA body that starts with a rule\n\n    code",
        category=None,
        tags=["no", "1.5", "null"],
        questions=["- a dash", "key: value?", "多语言 question"],
        status="draft",
        related=["other-article"],
    )
    again = parse_article_file(write(tmp_path, "q.md", format_article(doc)))
    assert again == ParsedArticle(**{**doc.__dict__, "path": str(tmp_path / "q.md")})


def test_the_progress_bar_redraws_one_line_and_ends_it():
    import io

    from supportdesk.helpcenter.importer import ProgressBar

    out = io.StringIO()
    bar = ProgressBar(out, label="importing", width=10)
    bar(0, 400)
    bar(400, 400)
    bar.close()
    assert out.getvalue() == (
        "\rimporting   0/400 [          ]   0%\rimporting 400/400 [==========] 100%\n"
    )
