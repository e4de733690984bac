"""The outbox: mail queued while the SMTP server is down is sent once it is up, across a
restart of the desk, exactly once."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import select

from supportdesk.app import create_app
from supportdesk.channels.email.inbound import InboundMessage
from supportdesk.channels.email.smtp_receiver import start_smtp_receiver
from supportdesk.config import Settings
from supportdesk.tickets.models import OutboxEmail
from supportdesk.tickets.outbox import MAX_BACKOFF_SECONDS, backoff
from tests.conftest import create_agent, login
from tests.tickets.conftest import customer_mail, deliver, eventually


def test_back_off_doubles_from_the_first_delay_up_to_an_hour() -> None:
    assert [backoff(n, 30) for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert backoff(30, 30) == MAX_BACKOFF_SECONDS


async def _outbox(app: Any) -> list[OutboxEmail]:
    async with app.state.services.db.session() as session:
        return list(await session.scalars(select(OutboxEmail).order_by(OutboxEmail.id)))


async def test_mail_queued_while_smtp_is_down_is_delivered_exactly_once_after_a_restart(
    settings: Settings, sink_port: int, receiver_port: int
) -> None:
    from supportdesk.accounts.models import Role

    first = create_app(settings)
    async with first.router.lifespan_context(first):
        await create_agent(first.state.services, "carol@example.com", "Carol", Role.AGENT)
        http, _ = await login(first, "carol@example.com")
        try:
            await deliver(receiver_port, customer_mail())

            async def failed_once() -> bool:
                rows = await _outbox(first)
                return len(rows) == 1 and rows[0].attempts >= 1

            await eventually(failed_once)
            [ticket] = (await http.get("/api/v1/conversations?active=true")).json()
            reply = await http.post(
                f"/api/v1/conversations/{ticket['id']}/messages", json={"body": "On it."}
            )
            assert reply.status_code == 201
            rows = await _outbox(first)
            assert [r.status for r in rows] == ["pending", "pending"]
            assert "Connect" in rows[0].last_error or "refused" in rows[0].last_error.lower()
        finally:
            await http.aclose()

    received: list[InboundMessage] = []

    async def store(message: InboundMessage) -> None:
        received.append(message)

    smtp = await start_smtp_receiver(store, port=sink_port)
    try:
        second = create_app(settings.model_copy(update={"smtp_receiver_port": 0}))
        async with second.router.lifespan_context(second):

            async def all_sent() -> bool:
                return [r.status for r in await _outbox(second)] == ["sent", "sent"]

            await eventually(all_sent, within=20)
            await asyncio.sleep(0.5)  # time for a duplicate to arrive, if one were sent
            rows = await _outbox(second)
    finally:
        await smtp.close()
    assert sorted(b"On it." in m.raw for m in received) == [False, True]
    assert len(received) == 2
    sent_ids = sorted(f"<{r.message_id}>".encode() for r in rows)
    assert (
        sorted(
            next(
                line.split(b": ", 1)[1]
                for line in m.raw.splitlines()
                if line.lower().startswith(b"message-id:")
            )
            for m in received
        )
        == sent_ids
    )
