"""``supportdesk bot eval``: a data set in a throw-away workspace, asked through the bot.

The workspace is a fresh SQLite database in a temporary directory, migrated like any
other; the articles go in through the help center's importer and every question through
:func:`supportdesk.bot.answer`, the function behind ``POST /api/v1/bot/answer``, so the
figures are those of the product and not of a copy of its ranking.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, TextIO

from supportdesk.bot.answer import answer
from supportdesk.bot.datasets import Dataset, DatasetError, Question
from supportdesk.bot.metrics import Outcome, summarise
from supportdesk.db.engine import Database
from supportdesk.db.migrate import migrate
from supportdesk.helpcenter.importer import import_documents

Progress = Callable[[str, int, int], None]  # (stage, done, total)


@dataclass(frozen=True, slots=True)
class EvalRun:
    dataset: Dataset
    outcomes: list[Outcome]
    import_seconds: float
    documents: int


async def evaluate(dataset: Dataset, *, progress: Progress | None = None) -> EvalRun:
    """Import ``dataset.articles`` into a new workspace and ask every question there."""
    with tempfile.TemporaryDirectory(prefix="supportdesk-eval-") as workspace:
        db = Database(f"sqlite+aiosqlite:///{Path(workspace) / 'supportdesk.db'}")
        try:
            await migrate(db)
            started = time.perf_counter()
            await import_articles(db, dataset, progress)
            import_seconds = time.perf_counter() - started
            outcomes = await ask_all(db, dataset.questions, progress)
        finally:
            await db.dispose()
    return EvalRun(dataset, outcomes, round(import_seconds, 2), len(dataset.articles))


async def import_articles(db: Database, dataset: Dataset, progress: Progress | None) -> None:
    """Import through the help center's importer; a rejected document fails the run, since
    scores over part of a data set would look comparable and are not."""

    def step(done: int, total: int) -> None:
        if progress is not None:
            progress("import", done, total)

    result = await import_documents(db, dataset.articles, progress=step)
    if result.rejected:
        first = result.rejected[0]
        raise DatasetError(f"{len(result.rejected)} documents rejected, first {first}")


async def ask_all(
    db: Database, questions: Sequence[Question], progress: Progress | None
) -> list[Outcome]:
    # Untimed: loads the encoders and the node's in-memory index, which a server does once
    # at start-up and not in a visitor's request.
    await ask(db, Question("warm-up", "hello", "en", None, "warm-up"))
    outcomes = []
    for done, question in enumerate(questions, start=1):
        outcomes.append(await ask(db, question))
        if progress is not None:
            progress("ask", done, len(questions))
    return outcomes


async def ask(db: Database, question: Question) -> Outcome:
    started = time.perf_counter()
    async with db.session() as session:
        reply = await answer(session, question.text, locale=question.locale)
    elapsed_ms = (time.perf_counter() - started) * 1000
    return outcome(question, reply, elapsed_ms)


def outcome(question: Question, reply: dict[str, Any], latency_ms: float) -> Outcome:
    """Read the bot's reply (the ``/api/v1/bot/answer`` body) for one question."""
    chosen = reply.get("answer")
    return Outcome(
        id=question.id,
        locale=question.locale,
        kind=question.kind,
        expected=question.expected,
        predicted=chosen["key"] if chosen else None,
        suggested=tuple(s["key"] for s in reply.get("suggestions") or ()),
        reason=str(reply.get("reason", "")),
        latency_ms=latency_ms,
    )


def report(run: EvalRun, *, data: Path, options: dict[str, Any]) -> dict[str, Any]:
    """The JSON document that ``supportdesk bot eval`` prints (docs/bot-eval.md)."""
    return {
        "dataset": run.dataset.name,
        "split": run.dataset.split,
        "data": str(data),
        "notes": run.dataset.notes,
        "options": options,
        "documents": run.documents,
        "articles": len({a.key for a in run.dataset.articles}),
        "import_seconds": run.import_seconds,
        **summarise(run.outcomes),
    }


def write_predictions(run: EvalRun, out: TextIO) -> None:
    """One JSON line per question: the faq-dev scorer's ``{"id", "predicted"}`` and more."""
    texts = {q.id: q.text for q in run.dataset.questions}
    for item in run.outcomes:
        row = asdict(item) | {"text": texts[item.id], "top1": item.top1, "top3": item.top3}
        out.write(json.dumps(row, ensure_ascii=False) + "\n")


class StderrProgress:
    """Progress lines on stderr, at most one per stage every ``interval`` seconds."""

    def __init__(self, interval: float = 2.0, stream: TextIO | None = None) -> None:
        self.interval = interval
        self.stream = stream or sys.stderr
        self.last: dict[str, float] = {}

    def __call__(self, stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        if done < total and now - self.last.get(stage, 0.0) < self.interval:
            return
        self.last[stage] = now
        label = "imported" if stage == "import" else "asked"
        print(f"{label} {done}/{total}", file=self.stream, flush=True)
