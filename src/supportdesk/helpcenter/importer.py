"""``supportdesk kb import``: Markdown files with YAML front matter into the help center.

One file per article per locale (SPEC, "Help-center import format")::

    ---
    key: withdrawal-pending
    locale: en
    title: Why is my withdrawal still pending?
    category: deposits-withdrawals
    tags: [withdrawal, pending]
    questions:
      - my withdrawal is stuck
    ---
    Body in Markdown.

A file that breaks a rule is rejected with its line and the reason; the others import.
Re-importing a key and locale updates it in place, and a file that changes nothing writes
nothing. The work goes in transactions of about :data:`BATCH_SIZE` files, each with a
handful of bulk queries and one update of the search index.
"""

from __future__ import annotations

import dataclasses
import re
import sys
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import yaml  # type: ignore[import-untyped]  # no stubs in the dependencies

from supportdesk.db.engine import Database
from supportdesk.helpcenter import schemas
from supportdesk.helpcenter.actions import (
    KEEP,
    Outcome,
    TranslationInput,
    do_upsert_translations,
)
from supportdesk.helpcenter.models import TranslationStatus
from supportdesk.helpcenter.schemas import SOURCE_LOCALE, canonical_locale, is_locale
from supportdesk.schemas_common import check_storable_text
from supportdesk.search.index import defer_vectors
from supportdesk.search.vectors import encode_pending

BATCH_SIZE = 200
MAX_FILE_BYTES = 1024 * 1024
FIELDS = ("key", "locale", "title", "category", "tags", "questions", "status", "related")
REQUIRED = ("key", "locale", "title")
# libyaml when available: the same documents and marks, several times faster.
_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

Progress = Callable[[int, int], None]  # (files done, files in all)


@dataclass
class ParsedArticle:
    """One translation of one article, as a file holds it (or as a program builds it)."""

    key: str
    locale: str
    title: str
    body: str
    category: str | None = None
    tags: list[str] = field(default_factory=list)
    questions: list[str] = field(default_factory=list)
    status: str = "published"
    related: list[str] | None = None  # keys of related articles; None: leave them as they are
    path: str | None = None  # where it was read, for reports


@dataclass(frozen=True, slots=True)
class Rejection:
    path: str
    line: int  # 1-based; 0 when the document did not come from a file
    reason: str

    def __str__(self) -> str:
        return (
            f"{self.path}:{self.line}: {self.reason}"
            if self.line
            else f"{self.path}: {self.reason}"
        )


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[Rejection] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged + len(self.rejected)

    def count(self, outcome: Outcome) -> None:
        setattr(self, outcome.value, getattr(self, outcome.value) + 1)

    def summary(self) -> str:
        files = f"{self.total} file{'' if self.total == 1 else 's'}"
        return (
            f"{files}: {self.created} created, {self.updated} updated, "
            f"{self.unchanged} unchanged, {len(self.rejected)} rejected"
        )


class ArticleError(Exception):
    """A file that breaks a rule: the line at fault (1-based) and the reason."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(reason)
        self.line, self.reason = line, reason


# --- finding and parsing files -----------------------------------------------------------


def collect_files(paths: Iterable[Path]) -> list[Path]:
    """The files named, and every ``*.md`` under the directories named, each once.

    In directories, hidden files and folders and ``README.md`` files are skipped (they
    describe a set of articles; they are not articles). A missing path raises
    :class:`FileNotFoundError`.
    """
    found: dict[Path, Path] = {}
    for path in paths:
        if path.is_dir():
            candidates = sorted(p for p in path.rglob("*.md") if _is_article_file(p, path))
        elif path.exists():
            candidates = [path]
        else:
            raise FileNotFoundError(f"no such file or directory: {path}")
        for candidate in candidates:
            found.setdefault(candidate.resolve(), candidate)
    return list(found.values())


def _is_article_file(path: Path, root: Path) -> bool:
    parts = path.relative_to(root).parts
    hidden = any(part.startswith(".") for part in parts)
    return path.is_file() and not hidden and path.name.lower() != "readme.md"


def parse_article_file(path: Path | str) -> ParsedArticle | Rejection:
    where = str(path)
    try:
        with open(path, "rb") as file:
            data = file.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        return Rejection(where, 0, f"cannot read the file: {exc.strerror or exc}")
    if len(data) > MAX_FILE_BYTES:
        return Rejection(where, 0, f"the file is larger than {MAX_FILE_BYTES // 1024} KiB")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        byte = data[exc.start]
        return Rejection(
            where, line, f"the file is not UTF-8 (byte 0x{byte:02x}): save it as UTF-8"
        )
    try:
        return parse_article_text(text, path=where)
    except ArticleError as exc:
        return Rejection(where, exc.line, exc.reason)


def parse_files(
    files: Sequence[Path], *, progress: Progress | None = None
) -> list[ParsedArticle | Rejection]:
    parsed = []
    for done, path in enumerate(files, start=1):
        parsed.append(parse_article_file(path))
        if progress is not None:
            progress(done, len(files))
    if isinstance(progress, ProgressBar):
        progress.close()
    return parsed


def parse_article_text(text: str, *, path: str | None = None) -> ParsedArticle:
    """Parse one file's text; raises :class:`ArticleError` with the line at fault."""
    lines = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if lines[0].rstrip() != "---":
        raise ArticleError(1, "the file must start with a '---' line that opens the front matter")
    end = next((n for n in range(1, len(lines)) if lines[n].rstrip() == "---"), None)
    if end is None:
        raise ArticleError(1, "the front matter opened on line 1 is never closed by a '---' line")
    node, data = _load_yaml("\n".join(lines[1:end]), end + 1)
    body = "\n".join(lines[end + 1 :]).rstrip()
    body = re.sub(r"\A(?:[ \t]*\n)+", "", body)
    lines_of = _FieldLines(node)
    fields = _check_field_names(data, lines_of)
    try:
        fields["body"] = check_body(body)
    except ValueError as exc:
        raise ArticleError(end + 2 if body else end + 1, str(exc)) from None
    return _build(fields, lines_of, path)


def _load_yaml(front: str, closing_line: int) -> tuple[yaml.Node | None, Any]:
    loader = _Loader(front)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 2 if mark is not None else 2
        raise ArticleError(min(line, closing_line), f"invalid YAML: {exc.problem or exc}") from None
    except yaml.YAMLError as exc:
        raise ArticleError(2, f"invalid YAML: {exc}") from None
    finally:
        loader.dispose()
    return node, data


class _FieldLines:
    """The line of each field of the front matter (and of each item of a list field)."""

    def __init__(self, node: yaml.Node | None) -> None:
        self.keys: dict[str, int] = {}
        self.items: dict[str, list[int]] = {}
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                name = str(key_node.value)
                self.keys.setdefault(name, key_node.start_mark.line + 2)
                if isinstance(value_node, yaml.SequenceNode):
                    self.items[name] = [item.start_mark.line + 2 for item in value_node.value]
        self.duplicates = self._duplicates(node)

    @staticmethod
    def _duplicates(node: yaml.Node | None) -> list[tuple[str, int]]:
        seen: set[str] = set()
        found = []
        if isinstance(node, yaml.MappingNode):
            for key_node, _ in node.value:
                name = str(key_node.value)
                if name in seen:
                    found.append((name, key_node.start_mark.line + 2))
                seen.add(name)
        return found

    def line(self, name: str, item: int | None = None) -> int:
        if item is not None and item < len(self.items.get(name, [])):
            return self.items[name][item]
        return self.keys.get(name, 1)


def _check_field_names(data: Any, lines: _FieldLines) -> dict[str, Any]:
    if data is None:
        raise ArticleError(1, "the front matter is empty: it needs at least key, locale and title")
    if not isinstance(data, dict):
        raise ArticleError(
            2, "the front matter must be a mapping of fields, like 'key: my-article'"
        )
    for name, line in lines.duplicates:
        raise ArticleError(line, f"the field {name!r} is given twice")
    for name in data:
        if not isinstance(name, str) or name not in FIELDS:
            raise ArticleError(
                lines.line(str(name)),
                f"unknown field {name!r}; the fields are: {', '.join(FIELDS)}",
            )
    for name in REQUIRED:
        if data.get(name) is None:
            raise ArticleError(1, f"the required field {name!r} is missing")
    return dict(data)


# --- the rules for each field ------------------------------------------------------------


def _build(fields: Mapping[str, Any], lines: _FieldLines, path: str | None) -> ParsedArticle:
    def check(name: str, rule: Callable[[Any], Any]) -> Any:
        try:
            return rule(fields.get(name))
        except _ItemError as exc:
            raise ArticleError(lines.line(name, exc.index), f"{name}: {exc.reason}") from None
        except ValueError as exc:
            raise ArticleError(lines.line(name), f"{name}: {exc}") from None

    return ParsedArticle(
        key=check("key", check_key),
        locale=check("locale", check_locale),
        title=check("title", check_title),
        body=fields["body"],
        category=check("category", check_category),
        tags=check("tags", check_tags),
        questions=check("questions", check_questions),
        status=check("status", check_status),
        related=check("related", check_related),
        path=path,
    )


class _ItemError(ValueError):
    def __init__(self, index: int, reason: str) -> None:
        super().__init__(reason)
        self.index, self.reason = index, reason


def check_key(value: Any) -> str:
    if not isinstance(value, str) or not re.fullmatch(schemas.KEY_PATTERN, value):
        raise ValueError(
            "must be lowercase letters, digits and hyphens, at most 100 characters, "
            f"starting with a letter or digit (like withdrawal-pending), not {value!r}"
        )
    return value


def check_locale(value: Any) -> str:
    if not isinstance(value, str) or not is_locale(value.strip()):
        raise ValueError(
            f"must be a BCP 47 language tag such as en, zh-Hans or es-419, not {value!r}"
        )
    return canonical_locale(value)


def check_title(value: Any) -> str:
    text = _text(value, "the title")
    if len(text) > schemas.TITLE_CHARS:
        raise ValueError(f"must have at most {schemas.TITLE_CHARS} characters, not {len(text)}")
    return text


def check_body(value: str) -> str:
    if not value.strip():
        raise ValueError("the body (the Markdown after the front matter) is empty")
    if len(value) > schemas.BODY_CHARS:
        raise ValueError(f"the body must have at most {schemas.BODY_CHARS} characters")
    check_storable_text(value)
    return value


def check_category(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not re.fullmatch(schemas.CATEGORY_PATTERN, value):
        raise ValueError(
            "must be a slug of lowercase letters, digits and hyphens, at most 64 characters, "
            f"not {value!r}"
        )
    return value


def check_status(value: Any) -> str:
    statuses = [s.value for s in TranslationStatus]
    if value is None:
        return TranslationStatus.PUBLISHED.value
    if value not in statuses:
        raise ValueError(f"must be one of {', '.join(statuses)}, not {value!r}")
    return str(value)


def check_tags(value: Any) -> list[str]:
    return _text_list(value, "tags", schemas.MAX_TAGS, schemas.TAG_CHARS)


def check_questions(value: Any) -> list[str]:
    return _text_list(value, "questions", schemas.MAX_QUESTIONS, schemas.QUESTION_CHARS)


def check_related(value: Any) -> list[str] | None:
    if value is None:
        return None
    keys = _text_list(value, "related", 50, 100)
    for n, key in enumerate(keys):
        try:
            check_key(key)
        except ValueError as exc:
            raise _ItemError(n, str(exc)) from None
    return keys


def _text(value: Any, what: str) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{what} must be text, not {value!r}; put it in quotes")
    text = value.strip()
    if not text:
        raise ValueError(f"{what} must not be empty")
    check_storable_text(text)
    return text


def _text_list(value: Any, what: str, most: int, chars: int) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ValueError(f"must be a list, like [a, b] or lines starting with '- ', not {value!r}")
    if len(value) > most:
        raise _ItemError(most, f"at most {most} items, not {len(value)}")
    items = []
    for n, item in enumerate(value):
        try:
            text = _text(item, f"item {n + 1}")
        except ValueError as exc:
            raise _ItemError(n, str(exc)) from None
        if len(text) > chars:
            raise _ItemError(n, f"item {n + 1} has more than {chars} characters")
        items.append(text)
    return items


def check_document(doc: ParsedArticle) -> ParsedArticle:
    """The same rules for a document built by a program; raises ValueError naming the field."""
    fields = {f: getattr(doc, f) for f in ("key", "locale", "title", "category", "tags")}
    fields |= {"questions": doc.questions, "status": doc.status, "related": doc.related}
    try:
        fields["body"] = check_body(doc.body if isinstance(doc.body, str) else "")
        return _build(fields, _FieldLines(None), doc.path)
    except ArticleError as exc:
        raise ValueError(exc.reason) from None


# --- importing ---------------------------------------------------------------------------


async def import_documents(
    db: Database,
    documents: Iterable[ParsedArticle],
    *,
    progress: Progress | None = None,
    batch_size: int = BATCH_SIZE,
    encode: bool = True,
    encode_progress: Progress | None = None,
) -> ImportReport:
    """Create or update the translations of ``documents``; what happened to each.

    Documents that break a rule, or repeat a key and locale already seen, are rejected
    and the others still import. The article's category, tags and related keys come from
    its English document when the import has one, else from its first one by locale.

    Articles are stored and keyword-indexed batch by batch without their vectors; with
    ``encode`` the vectors are computed before returning (``encode_progress`` tells how
    far), else a server's background worker computes them (:mod:`supportdesk.search.vectors`).
    """
    report = ImportReport()
    groups = _group_by_key(documents, report)
    total = sum(len(g) for g in groups) + len(report.rejected)
    done = len(report.rejected)
    for batch in _batches(groups, batch_size):
        items = [item for group in batch for item in _inputs(group)]
        async with db.transaction() as session:
            defer_vectors(session)
            outcomes = await do_upsert_translations(session, items)
        for outcome in outcomes:
            report.count(outcome)
        done += len(items)
        if progress is not None:
            progress(done, total)
    if encode:
        await encode_pending(db, progress=encode_progress)
    return report


def _group_by_key(
    documents: Iterable[ParsedArticle], report: ImportReport
) -> list[list[ParsedArticle]]:
    groups: dict[str, list[ParsedArticle]] = {}
    seen: dict[tuple[str, str], str] = {}
    for document in documents:
        where = document.path or f"{document.key}.{document.locale}"
        try:
            doc = check_document(document)
        except ValueError as exc:
            report.rejected.append(Rejection(where, 0, str(exc)))
            continue
        first = seen.get((doc.key, doc.locale))
        if first is not None:
            reason = f"{doc.key} ({doc.locale}) is already imported from {first}"
            report.rejected.append(Rejection(where, 1 if document.path else 0, reason))
            continue
        seen[(doc.key, doc.locale)] = where
        groups.setdefault(doc.key, []).append(doc)
    for group in groups.values():
        group.sort(key=lambda d: (d.locale != SOURCE_LOCALE, d.locale))
    return list(groups.values())


def _batches(groups: list[list[ParsedArticle]], size: int) -> Iterable[list[list[ParsedArticle]]]:
    """Groups together up to about ``size`` documents; an article's documents stay together,
    so a translation is written in the same transaction as (after) its English text."""
    batch: list[list[ParsedArticle]] = []
    count = 0
    for group in groups:
        batch.append(group)
        count += len(group)
        if count >= size:
            yield batch
            batch, count = [], 0
    if batch:
        yield batch


def _inputs(group: Sequence[ParsedArticle]) -> list[TranslationInput]:
    return [
        TranslationInput(
            key=doc.key,
            locale=doc.locale,
            title=doc.title,
            body=doc.body,
            questions=doc.questions,
            status=TranslationStatus(doc.status),
            category_slug=doc.category if n == 0 else KEEP,
            tags=doc.tags if n == 0 else KEEP,
            related_keys=doc.related if n == 0 and doc.related is not None else KEEP,
        )
        for n, doc in enumerate(group)
    ]


def as_drafts(documents: Iterable[ParsedArticle]) -> list[ParsedArticle]:
    return [dataclasses.replace(d, status=TranslationStatus.DRAFT.value) for d in documents]


# --- progress ----------------------------------------------------------------------------


class ProgressBar:
    """``importing  1200/15000 [====      ]  8%`` redrawn in place on a terminal.

    At most ten redraws a second; :meth:`close` ends the line. Use it only when the stream
    is a terminal: in a log, a bar is noise.
    """

    def __init__(self, stream: TextIO = sys.stderr, label: str = "importing", width: int = 30):
        self.stream, self.label, self.width = stream, label, width
        self._last = 0.0
        self._shown = False

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if done < total and now - self._last < 0.1:
            return
        self._last = now
        filled = self.width * done // total if total else self.width
        percent = 100 * done // total if total else 100
        bar = "=" * filled + " " * (self.width - filled)
        self.stream.write(f"\r{self.label} {done:>{len(str(total))}}/{total} [{bar}] {percent:3d}%")
        self.stream.flush()
        self._shown = True

    def close(self) -> None:
        if self._shown:
            self.stream.write("\n")
            self.stream.flush()
