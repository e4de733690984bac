"""The answer bot's turn in a chat: it answers first, and hands over to a person."""

from __future__ import annotations

import asyncio
import time
import uuid

from tests.conftest import start_conversation
from tests.search.articles import add_help_center

WIDGET = "/api/v1/widget/conversations"


async def _wait_for(check, deadline: float = 30.0):
    """Poll ``check`` (an async callable) until it returns something truthy."""
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        found = await check()
        if found:
            return found
        await asyncio.sleep(0.05)
    raise AssertionError("the bot did not answer in time")


async def _bot_messages(visitor, conversation: dict) -> list[dict]:
    page = await visitor.client.get(f"{WIDGET}/{conversation['id']}/messages")
    return [m for m in page.json()["messages"] if m["sender"]["type"] == "bot"]


async def test_without_a_help_center_a_chat_goes_straight_to_the_people(visitor_alice):
    conversation = await start_conversation(visitor_alice, "hello?")
    assert conversation["status"] == "queued"


async def test_the_bot_answers_first_with_the_article_and_the_visitor_says_it_solved_it(
    services, visitor_alice, agent_carol
):
    await add_help_center(services.db)
    conversation = await start_conversation(visitor_alice, "I forgot my password")
    assert conversation["status"] == "bot"

    [answer] = await _wait_for(lambda: _bot_messages(visitor_alice, conversation))
    assert answer["system"]["kind"] == "bot_answer"
    assert answer["system"]["answer"]["key"] == "reset-password"
    assert answer["system"]["handoff"] is False
    assert "/help/en/articles/reset-password" in answer["body"]

    solved = await visitor_alice.client.post(
        f"{WIDGET}/{conversation['id']}/bot", json={"choice": "solved"}
    )
    assert solved.status_code == 200 and solved.json()["status"] == "resolved"
    staff_view = await agent_carol.client.get(f"/api/v1/conversations/{conversation['id']}")
    assert staff_view.json()["status"] == "resolved"
    again = await visitor_alice.client.post(
        f"{WIDGET}/{conversation['id']}/bot", json={"choice": "human"}
    )
    assert again.status_code == 409 and again.json()["error"]["code"] == "not_with_bot"


async def test_talk_to_a_person_queues_the_chat_with_the_bots_exchange_visible(
    services, visitor_alice, agent_carol
):
    await add_help_center(services.db)
    conversation = await start_conversation(visitor_alice, "I forgot my password")
    await _wait_for(lambda: _bot_messages(visitor_alice, conversation))

    human = await visitor_alice.client.post(
        f"{WIDGET}/{conversation['id']}/bot", json={"choice": "human"}
    )
    assert human.json()["status"] == "queued"
    staff = await agent_carol.client.get(f"/api/v1/conversations/{conversation['id']}/messages")
    kinds = [
        (m["sender"]["type"], (m["system"] or {}).get("kind")) for m in staff.json()["messages"]
    ]
    assert kinds[0] == ("contact", None)
    assert ("bot", "bot_answer") in kinds and ("bot", "handoff") in kinds


async def test_a_visitor_asking_for_a_human_in_chinese_is_handed_over_at_once(
    services, visitor_alice
):
    await add_help_center(services.db)
    response = await visitor_alice.client.post(
        WIDGET, json={"body": "我要人工客服", "client_id": uuid.uuid4().hex, "locale": "zh"}
    )
    conversation = response.json()

    async def queued() -> bool:
        current = await visitor_alice.client.get(f"{WIDGET}/{conversation['id']}")
        return current.json()["status"] == "queued"

    await _wait_for(queued)
    [handoff] = [
        m
        for m in await _bot_messages(visitor_alice, conversation)
        if m["system"]["kind"] == "handoff"
    ]
    assert handoff["system"]["reason"] == "human_requested"
    assert "转接人工客服" in handoff["body"]  # told in Chinese


async def test_a_chat_left_with_the_bot_for_an_hour_counts_as_abandoned(
    services, visitor_alice, agent_carol
):
    from datetime import timedelta

    from supportdesk.bot.conversation import do_mark_abandoned
    from supportdesk.conversations.models import Conversation
    from supportdesk.db.base import utcnow

    await add_help_center(services.db)
    conversation = await start_conversation(visitor_alice, "I forgot my password")
    await _wait_for(lambda: _bot_messages(visitor_alice, conversation))

    async with services.db.transaction() as session:
        assert await do_mark_abandoned(session) == 0  # still fresh
    async with services.db.transaction() as session:
        assert await do_mark_abandoned(session, now=utcnow() + timedelta(hours=2)) == 1
    async with services.db.session() as session:
        stored = await session.get(Conversation, conversation["id"])
        assert stored is not None
        assert (stored.status.value, stored.bot_outcome) == ("bot", "abandoned")
