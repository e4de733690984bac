"""``supportdesk kb export``: every translation back to the import format, one file each.

The files are ``<key>.<locale>.md`` and parse to the same data they were written from, so
an export re-imported changes nothing (drafts carry ``status: draft``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml  # type: ignore[import-untyped]  # no stubs in the dependencies

from supportdesk.db.engine import Database
from supportdesk.helpcenter.article_format import ParsedArticle
from supportdesk.helpcenter.models import TranslationStatus
from supportdesk.helpcenter.queries import list_articles

PAGE = 500  # articles read at a time


@dataclass(frozen=True, slots=True)
class ExportReport:
    articles: int
    files: int


async def export_help_center(db: Database, directory: Path) -> ExportReport:
    """Write every translation of every article, drafts included, into ``directory``."""
    keys: set[str] = set()
    files = 0
    async for page in exportable_documents(db):
        write_files(directory, page)
        keys.update(document.key for document in page)
        files += len(page)
    return ExportReport(len(keys), files)


def write_files(directory: Path, documents: list[ParsedArticle]) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for document in documents:
        path = directory / f"{document.key}.{document.locale}.md"
        path.write_text(format_article(document), encoding="utf-8", newline="\n")


async def exportable_documents(db: Database) -> AsyncIterator[list[ParsedArticle]]:
    """Every translation as a document, a page of articles at a time."""
    offset = 0
    while True:
        async with db.session() as session:
            _, views = await list_articles(session, limit=PAGE, offset=offset, with_bodies=True)
        yield [
            ParsedArticle(
                key=view.article.key,
                locale=translation.locale,
                title=translation.title,
                body=translation.body,
                category=view.category,
                section=view.section,
                tags=list(view.article.tags),
                questions=list(translation.questions),
                status=TranslationStatus(translation.status).value,
                related=list(view.article.related_keys) or None,
            )
            for view in views
            for translation in view.translations
        ]
        if len(views) < PAGE:
            return
        offset += PAGE


def format_article(document: ParsedArticle) -> str:
    """The file for ``document``: front matter (only the fields that say something), body."""
    # default_flow_style: False is "key: value" or one item a line; None an inline [a, b].
    fields: list[tuple[str, Any, bool | None]] = [
        ("key", document.key, False),
        ("locale", document.locale, False),
        ("title", document.title, False),
    ]
    if document.category:
        fields.append(("category", document.category, False))
    if document.section:
        fields.append(("section", document.section, False))
    if document.tags:
        fields.append(("tags", document.tags, None))  # inline: [a, b]
    if document.questions:
        fields.append(("questions", document.questions, False))  # one per line
    if document.related:
        fields.append(("related", document.related, None))
    if document.status != TranslationStatus.PUBLISHED.value:
        fields.append(("status", document.status, False))
    front = "".join(_field(name, value, flow) for name, value, flow in fields)
    return f"---\n{front}---\n{document.body}\n"


def _field(name: str, value: Any, flow: bool | None) -> str:
    text: str = yaml.safe_dump(
        {name: value},
        allow_unicode=True,
        default_flow_style=flow,
        sort_keys=False,
        width=2**30,  # one line per value, however long: no folding to re-read
    )
    return text
