"""``supportdesk kb import``: Markdown files with YAML front matter into the help center.

One file per article per locale, in the format :mod:`supportdesk.helpcenter.article_format`
reads. A file that breaks a rule is rejected with its line and the reason; the others import.
Re-importing a key and locale updates it in place, and a file that changes nothing writes
nothing. The work goes in transactions of about :data:`BATCH_SIZE` files, each with a
handful of bulk queries and one update of the search index.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from supportdesk.db.engine import Database
from supportdesk.helpcenter.actions import (
    KEEP,
    Outcome,
    TranslationInput,
    do_upsert_translations,
)
from supportdesk.helpcenter.article_format import (
    ArticleError,
    ParsedArticle,
    Rejection,
    check_document,
    parse_article_text,
)
from supportdesk.helpcenter.models import TranslationStatus
from supportdesk.helpcenter.schemas import SOURCE_LOCALE
from supportdesk.progress import ProgressBar
from supportdesk.search.index import defer_vectors
from supportdesk.search.vectors import encode_pending

__all__ = [
    "ImportReport",
    "ParsedArticle",
    "ProgressBar",
    "Rejection",
    "as_drafts",
    "check_document",
    "collect_files",
    "import_documents",
    "parse_article_file",
    "parse_article_text",
    "parse_files",
]

BATCH_SIZE = 200
MAX_FILE_BYTES = 1024 * 1024

Progress = Callable[[int, int], None]  # (files done, files in all)


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
    and the others still import. The article's category, section, tags and related keys come from
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
            section_slug=doc.section if n == 0 else KEEP,
            tags=doc.tags if n == 0 else KEEP,
            related_keys=doc.related if n == 0 and doc.related is not None else KEEP,
        )
        for n, doc in enumerate(group)
    ]


def as_drafts(documents: Iterable[ParsedArticle]) -> list[ParsedArticle]:
    return [dataclasses.replace(d, status=TranslationStatus.DRAFT.value) for d in documents]
