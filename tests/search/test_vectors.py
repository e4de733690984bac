"""Vectors computed after the import: words searchable at once, meaning once encoded."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from supportdesk.helpcenter.importer import ParsedArticle, import_documents
from supportdesk.search.engine import search
from supportdesk.search.index import defer_vectors, index_articles
from supportdesk.search.keyword import keyword_scores
from supportdesk.search.memory import node_index
from supportdesk.search.models import SearchChunk
from supportdesk.search.vectors import VectorWorker, encode_pending, pending_count
from supportdesk.services import Services

DOCUMENTS = [
    ParsedArticle(
        "whitelist",
        "en",
        "Restrict withdrawals to whitelisted addresses",
        "Turn on the withdrawal whitelist in Security settings. Only saved addresses can "
        "then receive withdrawals; a new address waits 24 hours before it can be used.",
        "security",
    ),
    ParsedArticle(
        "referral",
        "en",
        "Invite friends and earn referral rewards",
        "Share your referral link. When a friend signs up and trades, you earn 20% of "
        "their trading fees every day.",
        "promotions",
    ),
]


async def pending(services: Services) -> int:
    async with services.db.session() as session:
        return await pending_count(session)


# They share no word with the English articles: only the vectors can tell them apart.
CHINESE_QUESTIONS = {
    "怎么设置只能提币到常用地址": "whitelist",
    "邀请朋友注册有什么奖励": "referral",
}


async def top_key(services: Services, text: str) -> str | None:
    async with services.db.session() as session:
        node_index(session).checked_at = float("-inf")  # as a second later
        hits = await search(session, text, "zh")
    return hits[0].key if hits else None


async def test_a_deferred_import_is_found_by_its_words_before_any_vector_exists(services):
    await import_documents(services.db, DOCUMENTS, encode=False)

    assert await pending(services) > 0
    async with services.db.session() as session:
        hits = await search(session, "withdrawal whitelist", "en")
    assert hits[0].key == "whitelist"


async def test_encoding_the_pending_passages_gives_every_node_the_vectors(services):
    await import_documents(services.db, DOCUMENTS, encode=False)
    before = await pending(services)
    seen: list[tuple[int, int]] = []

    encoded = await encode_pending(
        services.db, progress=lambda done, total: seen.append((done, total))
    )

    assert encoded == before
    assert await pending(services) == 0
    assert seen[-1] == (before, before)
    for question, key in CHINESE_QUESTIONS.items():
        assert await top_key(services, question) == key
    assert await encode_pending(services.db) == 0
    async with services.db.session() as session:  # the keyword index is intact
        assert set(await keyword_scores(session, ["whitelist"])) == {
            hit.translation_id for hit in await search(session, "whitelist", "en", 1)
        }


async def test_an_import_that_encodes_leaves_nothing_pending(services):
    report = await import_documents(services.db, DOCUMENTS)

    assert report.created == 2
    assert await pending(services) == 0


async def test_a_passage_replaced_while_it_was_being_encoded_is_encoded_in_its_new_form(
    services, monkeypatch
):
    await import_documents(services.db, DOCUMENTS, encode=False)
    from supportdesk.search import vectors

    real_encode = vectors._encode
    replaced = False

    def encode_then_reindex(batch):  # type: ignore[no-untyped-def]
        nonlocal replaced
        result = real_encode(batch)
        if not replaced:
            replaced = True
            asyncio.run_coroutine_threadsafe(reindex_everything(services), loop).result()
        return result

    loop = asyncio.get_running_loop()
    monkeypatch.setattr(vectors, "_encode", encode_then_reindex)

    await encode_pending(services.db)

    assert replaced
    assert await pending(services) == 0
    for question, key in CHINESE_QUESTIONS.items():
        assert await top_key(services, question) == key


async def reindex_everything(services: Services) -> None:
    async with services.db.transaction() as session:
        defer_vectors(session)
        ids = list(await session.scalars(select(SearchChunk.article_id).distinct()))
        await index_articles(session, ids)  # new rows, without vectors


async def test_the_background_worker_encodes_what_an_index_write_left_pending(services):
    worker = VectorWorker(services.db, poll_seconds=60.0)
    task = asyncio.create_task(worker.run_forever())
    try:
        await asyncio.sleep(0)
        await import_documents(services.db, DOCUMENTS, encode=False)
        for _ in range(600):  # woken at the commit: long before its 60-second poll
            if await pending(services) == 0:
                break
            await asyncio.sleep(0.1)
        assert await pending(services) == 0
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task


async def test_the_worker_loads_the_encoders_at_start_only_when_there_are_articles(
    services, monkeypatch
):
    from supportdesk.search import embed

    monkeypatch.setattr(embed, "_models", {})
    worker = VectorWorker(services.db)
    await worker.warm_up()
    assert embed._models == {}  # an empty help center: the bot is not used

    await import_documents(services.db, DOCUMENTS, encode=False)
    await worker.warm_up()
    assert set(embed._models) == {"e5", "use"}
