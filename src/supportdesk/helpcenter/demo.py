"""The demo exchange's help center: eight short articles in English, Chinese and Spanish."""

from __future__ import annotations

from pathlib import Path

from supportdesk.db.engine import Database
from supportdesk.helpcenter.importer import (
    ParsedArticle,
    Rejection,
    collect_files,
    import_documents,
    parse_files,
)

DEMO_ARTICLES = Path(__file__).parent / "demo_articles"


def demo_documents() -> list[ParsedArticle]:
    """The demo articles, parsed; a file that does not parse is a bug in the package."""
    parsed = parse_files(collect_files([DEMO_ARTICLES]))
    broken = [str(p) for p in parsed if isinstance(p, Rejection)]
    if broken:
        raise RuntimeError(f"demo articles do not import: {'; '.join(broken)}")
    return [p for p in parsed if isinstance(p, ParsedArticle)]


async def seed_help_center(db: Database) -> int:
    """Import the demo articles (again: unchanged ones write nothing); how many were new."""
    report = await import_documents(db, demo_documents())
    return report.created
