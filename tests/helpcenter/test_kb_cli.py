"""``supportdesk kb import`` / ``kb export`` run as operators run them: a real process.

Each test that touches data runs on SQLite and on PostgreSQL (``database_url``). The files
are few and short: every run starts a process that loads the search encoders.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import plain_url

ARTICLE = """\
---
key: {key}
locale: {locale}
title: {title}
category: deposits-withdrawals
tags: [withdrawal]
questions:
- where is my money
---
{body}
"""


def supportdesk(data_dir: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("SUPPORTDESK_")}
    environ |= {"SUPPORTDESK_DATA_DIR": str(data_dir), "SUPPORTDESK_ENV": "dev", **env}
    return subprocess.run(
        [sys.executable, "-m", "supportdesk", *args],
        input="",
        capture_output=True,
        text=True,
        env=environ,
        timeout=110,
        check=False,
    )


def article(folder: Path, key: str, locale: str, title: str = "", body: str = "") -> Path:
    path = folder / f"{key}.{locale}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    text = ARTICLE.format(
        key=key, locale=locale, title=title or f"{key} in {locale}", body=body or "Some text."
    )
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def kb(tmp_path: Path, database_url: str):
    """``kb("import", path, ...)`` against this test's database."""

    def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
        url = plain_url(database_url)
        return supportdesk(tmp_path / "data", "kb", *map(str, args), SUPPORTDESK_DATABASE_URL=url)

    return run


def test_import_then_reimport_then_export_round_trips(kb, tmp_path):
    source = tmp_path / "articles"
    article(source, "withdrawal-pending", "en", body="Most withdrawals take **30 minutes**.")
    article(
        source, "withdrawal-pending", "zh", title="提币处理中", body="大部分提币 30 分钟内到账。"
    )
    (source / "README.md").write_text("# About these articles\n")

    first = kb("import", source)
    assert first.returncode == 0, first.stderr
    summary, waiting = first.stdout.splitlines()
    assert summary == "2 files: 2 created, 0 updated, 0 unchanged, 0 rejected"
    count, _, rest = waiting.partition(" ")
    assert int(count) > 0 and rest.startswith("passages wait for their semantic-search vectors")
    assert "`supportdesk kb encode`" in waiting
    assert first.stderr == ""  # not a terminal: no progress bar

    encoded = kb("encode")
    assert encoded.returncode == 0, encoded.stderr
    assert encoded.stdout == f"encoded {count} passages\n"
    assert kb("encode").stdout == "encoded 0 passages\n"

    exported = kb("export", tmp_path / "out")
    assert exported.returncode == 0, exported.stderr
    assert exported.stdout == f"exported 2 files (1 article) to {tmp_path / 'out'}\n"
    files = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert files == ["withdrawal-pending.en.md", "withdrawal-pending.zh.md"]
    assert (tmp_path / "out" / "withdrawal-pending.zh.md").read_text(encoding="utf-8") == (
        source / "withdrawal-pending.zh.md"
    ).read_text(encoding="utf-8")

    again = kb("import", tmp_path / "out")  # unchanged texts keep their vectors
    assert again.returncode == 0, again.stderr
    assert again.stdout == "2 files: 0 created, 0 updated, 2 unchanged, 0 rejected\n"


def test_rejected_files_are_named_with_line_and_reason_and_the_rest_import(kb, tmp_path):
    folder = tmp_path / "articles"
    article(folder, "good", "en")
    (folder / "no-key.en.md").write_text("---\nlocale: en\ntitle: T\n---\nBody\n")
    (folder / "bad-locale.md").write_text("---\nkey: a\nlocale: e_n\ntitle: T\n---\nBody\n")
    (folder / "list.md").write_text("---\n- key: a\n---\nBody\n")
    (folder / "open.md").write_text("---\nkey: a\nlocale: en\ntitle: T\nBody\n")
    (folder / "yaml.md").write_text("---\nkey: a\nlocale: en\ntitle: [T\n---\nBody\n")
    (folder / "latin1.md").write_bytes(b"---\nkey: a\nlocale: en\ntitle: Caf\xe9\n---\nB\n")

    result = kb("import", folder)
    assert result.returncode == 1
    assert result.stdout.splitlines()[0] == "7 files: 1 created, 0 updated, 0 unchanged, 6 rejected"
    lines = result.stderr.splitlines()
    assert lines == [
        f"rejected {folder / 'bad-locale.md'}:3: locale: must be a BCP 47 language tag "
        "such as en, zh-Hans or es-419, not 'e_n'",
        f"rejected {folder / 'latin1.md'}:4: the file is not UTF-8 (byte 0xe9): save it as UTF-8",
        f"rejected {folder / 'list.md'}:2: the front matter must be a mapping of fields, "
        "like 'key: my-article'",
        f"rejected {folder / 'no-key.en.md'}:1: the required field 'key' is missing",
        f"rejected {folder / 'open.md'}:1: the front matter opened on line 1 is never closed "
        "by a '---' line",
        lines[5],
    ]
    assert lines[5].startswith(f"rejected {folder / 'yaml.md'}:5: invalid YAML: ")


def test_draft_import_keeps_articles_unpublished(kb, tmp_path):
    path = article(tmp_path / "a", "fees", "en")
    assert kb("import", "--draft", path).returncode == 0
    kb("export", tmp_path / "out")
    assert "status: draft\n" in (tmp_path / "out" / "fees.en.md").read_text()


def test_usage_errors_exit_2_before_touching_the_database(tmp_path):
    data_dir = tmp_path / "data"
    missing = supportdesk(data_dir, "kb", "import")
    assert missing.returncode == 2
    assert "the following arguments are required: PATH" in missing.stderr

    nowhere = supportdesk(data_dir, "kb", "import", str(tmp_path / "nowhere"))
    assert nowhere.returncode == 2
    assert nowhere.stderr == f"error: no such file or directory: {tmp_path / 'nowhere'}\n"

    (tmp_path / "empty").mkdir()
    empty = supportdesk(data_dir, "kb", "import", str(tmp_path / "empty"))
    assert empty.returncode == 2
    assert empty.stderr == f"error: no Markdown (*.md) files in {tmp_path / 'empty'}\n"

    (tmp_path / "file.txt").write_text("x")
    export = supportdesk(data_dir, "kb", "export", str(tmp_path / "file.txt"))
    assert export.returncode == 2
    assert "exists and is not a directory" in export.stderr
    assert not data_dir.exists()
