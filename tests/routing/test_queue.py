"""Who gets a conversation and the queue, over HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import select

from supportdesk.accounts.actions import do_set_presence
from supportdesk.accounts.models import Agent, Presence
from supportdesk.conversations.models import Message, Status
from supportdesk.realtime.models import Event
from supportdesk.routing.models import RoutingExclusion
from tests.routing.world import (
    API,
    ask_for_help,
    conversation_row,
    go_online,
    make_agent,
    make_team,
    new_visitor,
    queue_of,
)


async def test_a_chat_goes_to_the_online_agent_with_the_most_spare_capacity(app, services):
    busy = await make_agent(services, "Busy", max_chats=2)
    free = await make_agent(services, "Free", max_chats=5)
    away = await make_agent(services, "Away", max_chats=50)  # never online
    await make_team(services, "Desk", languages=["en"], members=[busy, free, away])
    await go_online(services, busy)
    first = await ask_for_help(await new_visitor(app, "Ann"))
    # Both are empty: the tie goes to the agent who has waited longest (never assigned:
    # lowest id), then capacity decides: Free has 5 seats, Busy 1 left.
    assert (await conversation_row(services, first)).assignee_id == busy.id
    await go_online(services, free)
    second = await ask_for_help(await new_visitor(app, "Ben"))
    row = await conversation_row(services, second)
    assert (row.status, row.assignee_id) == (Status.OPEN, free.id)


async def test_when_every_agent_is_full_the_visitor_waits_and_sees_the_position(app, services):
    carol = await make_agent(services, "Carol", max_chats=1)
    await make_team(services, "Desk", languages=["en"], members=[carol])
    await go_online(services, carol)
    ann, ben, cid = [await new_visitor(app, n) for n in ("Ann", "Ben", "Cid")]
    first = await ask_for_help(ann)
    second = await ask_for_help(ben)
    third = await ask_for_help(cid)
    assert (await conversation_row(services, first)).assignee_id == carol.id
    ben_http = await new_visitor(app, "x")  # a stranger cannot read Ben's place
    assert (await ben_http.get(f"{API}/widget/conversations/{second}/queue")).status_code == 404
    row = await conversation_row(services, second)
    assert (row.status, row.assignee_id) == (Status.QUEUED, None)
    async with services.db.session() as session:
        events = list(
            await session.scalars(
                select(Event).where(Event.type == "queue.updated").order_by(Event.id)
            )
        )
    latest = {e.payload["conversation_id"]: e.payload["queue_position"] for e in events}
    assert latest == {second: 1, third: 2}


async def test_the_queue_is_served_oldest_first_when_a_seat_frees(app, services, admin_dave):
    carol = await make_agent(services, "Carol", max_chats=1)
    await make_team(services, "Desk", languages=["en"], members=[carol])
    await go_online(services, carol)
    visitors = [await new_visitor(app, n) for n in ("Ann", "Ben", "Cid")]
    ids = [await ask_for_help(v) for v in visitors]
    assert (await queue_of(visitors[2], ids[2]))["queue_position"] == 2
    # Carol resolves Ann's chat: Ben, who waited longest, gets her seat; Cid moves up.
    response = await admin_dave.client.patch(
        f"{API}/conversations/{ids[0]}", json={"status": "resolved"}
    )
    assert response.status_code == 200, response.text
    assert (await conversation_row(services, ids[1])).assignee_id == carol.id
    assert (await queue_of(visitors[2], ids[2]))["queue_position"] == 1
    assert (await queue_of(visitors[1], ids[1]))["queue_position"] is None


async def test_nobody_online_the_chat_waits_until_an_agent_comes_online(app, services):
    carol = await make_agent(services, "Carol")
    await make_team(services, "Desk", languages=["en"], members=[carol])
    ann = await new_visitor(app, "Ann")
    waiting = await ask_for_help(ann)
    state = await queue_of(ann, waiting)
    assert state["queue_position"] == 1
    assert state["next_opening"] is None  # open around the clock, just nobody online
    await go_online(services, carol)
    row = await conversation_row(services, waiting)
    assert (row.status, row.assignee_id) == (Status.OPEN, carol.id)


async def test_a_spanish_visitor_goes_to_the_spanish_team_and_a_topic_to_its_skill(app, services):
    en = await make_agent(services, "English")
    es = await make_agent(services, "Spanish")
    pay = await make_agent(services, "Payments")
    await make_team(services, "EN", languages=["en"], members=[en])
    await make_team(services, "ES", languages=["es"], members=[es])
    await make_team(services, "ES pay", languages=["es-MX"], skills=["payments"], members=[pay])
    for agent in (en, es, pay):
        await go_online(services, agent)
    spanish = await ask_for_help(await new_visitor(app, "Ana", locale="es"), "Hola")
    assert (await conversation_row(services, spanish)).assignee_id == es.id
    async with services.db.transaction() as session:
        from supportdesk.contacts.actions import do_create_contact
        from supportdesk.conversations.actions import do_start_conversation

        contact = await do_create_contact(session)
        contact.locale = "es"
        # A problem type from a form, matched to the team's skill.
        conversation, _ = await do_start_conversation(session, contact, status=Status.BOT)
        conversation.topic = "payments"
        from supportdesk.bot.conversation import do_hand_off

        await do_hand_off(session, conversation, reason="visitor_asked")
    assert (await conversation_row(services, conversation.id)).assignee_id == pay.id


async def test_asking_for_another_agent_excludes_the_agent_and_tells_supervisors(
    app, services, supervisor_sam
):
    carol = await make_agent(services, "Carol")
    erin = await make_agent(services, "Erin", max_chats=1)
    await make_team(services, "Desk", languages=["en"], members=[carol, erin])
    await go_online(services, carol)
    ann = await new_visitor(app, "Ann")
    conversation_id = await ask_for_help(ann)
    assert (await conversation_row(services, conversation_id)).assignee_id == carol.id

    response = await ann.post(f"{API}/widget/conversations/{conversation_id}/another-agent")
    assert response.status_code == 200, response.text
    # Carol has four free seats but is excluded; nobody else is online: Ann waits, first.
    assert response.json()["queue_position"] == 1
    row = await conversation_row(services, conversation_id)
    assert (row.status, row.assignee_id) == (Status.QUEUED, None)
    await go_online(services, erin)
    assert (await conversation_row(services, conversation_id)).assignee_id == erin.id

    # Asked again: Erin is excluded too, and supervisors see both requests.
    again = await ann.post(f"{API}/widget/conversations/{conversation_id}/another-agent")
    assert again.json()["queue_position"] == 1
    notes = await supervisor_sam.client.get(f"{API}/conversations/{conversation_id}/messages")
    kinds = [
        (m["system"] or {}).get("reason")
        for m in notes.json()["messages"]
        if (m.get("system") or {}).get("kind") == "requeued"
    ]
    assert kinds == ["visitor_asked", "visitor_asked"]
    async with services.db.session() as session:
        excluded = set(await session.scalars(select(RoutingExclusion.agent_id)))
        heard = list(
            await session.scalars(
                select(Event.payload).where(Event.type == "routing.another_agent_requested")
            )
        )
    assert excluded == {carol.id, erin.id}
    assert heard[0]["agent_id"] == carol.id


async def test_another_agent_without_an_agent_is_a_conflict(app, services):
    await make_team(services, "Desk", languages=["en"])
    ann = await new_visitor(app, "Ann")
    conversation_id = await ask_for_help(ann)
    response = await ann.post(f"{API}/widget/conversations/{conversation_id}/another-agent")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "no_agent"


async def test_an_agent_who_goes_offline_loses_open_chats_to_a_colleague(app, services):
    carol = await make_agent(services, "Carol")
    erin = await make_agent(services, "Erin")
    await make_team(services, "Desk", languages=["en"], members=[carol, erin])
    await go_online(services, carol)
    conversation_id = await ask_for_help(await new_visitor(app, "Ann"))
    await go_online(services, erin)
    async with services.db.transaction() as session:
        await do_set_presence(session, await session.get(Agent, carol.id), Presence.OFFLINE)
    assert (await conversation_row(services, conversation_id)).assignee_id == erin.id
    async with services.db.session() as session:
        note = await session.scalar(
            select(Message.body).where(
                Message.conversation_id == conversation_id, Message.body.like("Back to%")
            )
        )
    assert note == "Back to the queue from Carol (offline)"


async def test_a_transfer_to_a_team_routes_within_that_team(app, services, admin_dave):
    carol = await make_agent(services, "Carol")
    tina = await make_agent(services, "Tina")
    await make_team(services, "Tier 1", languages=["en"], members=[carol])
    tier2 = await make_team(services, "Tier 2", languages=["en"], members=[tina])
    await go_online(services, carol)
    await go_online(services, tina)
    conversation_id = await ask_for_help(await new_visitor(app, "Ann"))
    assert (await conversation_row(services, conversation_id)).assignee_id == carol.id
    response = await admin_dave.client.patch(
        f"{API}/conversations/{conversation_id}",
        json={"team_id": tier2, "assignee_id": None, "note": "needs tier 2"},
    )
    assert response.status_code == 200, response.text
    row = await conversation_row(services, conversation_id)
    assert (row.team_id, row.assignee_id, row.status) == (tier2, tina.id, Status.OPEN)


async def test_admin_reads_and_changes_the_routing_settings(admin_dave):
    url = f"{API}/routing/settings"
    assert (await admin_dave.client.get(url)).json() == {
        "overflow": "english",
        "no_answer_seconds": 300,
    }
    changed = await admin_dave.client.put(url, json={"overflow": "wait", "no_answer_seconds": 0})
    assert changed.status_code == 200, changed.text
    assert (await admin_dave.client.get(url)).json() == {"overflow": "wait", "no_answer_seconds": 0}
    bad = await admin_dave.client.put(url, json={"overflow": "french", "no_answer_seconds": 0})
    assert bad.status_code == 422
    too_long = await admin_dave.client.put(
        url, json={"overflow": "wait", "no_answer_seconds": 86_401}
    )
    assert too_long.status_code == 422
