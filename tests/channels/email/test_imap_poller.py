"""The IMAP poller against a real Dovecot: exactly-once hand-over, retry of failures, IDLE."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator

import aioimaplib  # type: ignore[import-untyped]
import pytest

from supportdesk.channels.email import parse_email
from supportdesk.channels.email.imap_poller import IMAPPoller, IMAPSettings
from supportdesk.channels.email.inbound import InboundMessage
from tests.channels.email.conftest import Dovecot

pytestmark = pytest.mark.slow


def _settings(server: Dovecot, **overrides: object) -> IMAPSettings:
    values: dict[str, object] = {
        "host": server.host,
        "port": server.port,
        "username": server.username,
        "password": server.password,
        "use_tls": False,
        "timeout": 10.0,
    }
    values.update(overrides)
    return IMAPSettings(**values)  # type: ignore[arg-type]


@pytest.fixture
async def mailbox(dovecot: Dovecot) -> AsyncIterator[aioimaplib.IMAP4]:
    """A second, independent client: the "MTA" that delivers, and the test's eyes."""
    client = aioimaplib.IMAP4(host=dovecot.host, port=dovecot.port, timeout=10)
    await client.wait_hello_from_server()
    await client.login(dovecot.username, dovecot.password)
    await client.select("INBOX")
    yield client
    await client.logout()
    client.protocol.transport.close()


async def _deliver(client: aioimaplib.IMAP4, raw: bytes, flags: str | None = None) -> None:
    response = await client.append(raw, mailbox="INBOX", flags=flags)
    assert response.result == "OK", response


def _deliver_to_maildir(server: Dovecot, raw: bytes, name: str) -> None:
    """Deliver as an MTA (Postfix's virtual, procmail) does, behind Dovecot's back."""
    assert (server.maildir / "new").is_dir()  # Dovecot made it at the first login
    staged = server.maildir / "tmp" / name
    staged.write_bytes(raw)
    os.chown(staged, server.mail_uid, server.mail_gid)
    staged.rename(server.maildir / "new" / name)


async def _unseen_count(client: aioimaplib.IMAP4) -> int:
    await client.noop()
    response = await client.search("UNSEEN", charset=None)
    return len(response.lines[0].split())


def _ids(received: list[InboundMessage]) -> list[str | None]:
    return [parse_email(message.raw).message_id for message in received]


async def test_poller_hands_each_unseen_message_over_once_and_marks_it_seen(
    dovecot: Dovecot, mailbox: aioimaplib.IMAP4, fixture_bytes: dict[str, bytes]
) -> None:
    await _deliver(mailbox, fixture_bytes["gb2312_withdrawal.eml"])
    await _deliver(mailbox, fixture_bytes["nested_related.eml"])
    await _deliver(mailbox, fixture_bytes["gbk_qp.eml"], flags="(\\Seen)")  # read by a human
    received: list[InboundMessage] = []

    async def store(message: InboundMessage) -> None:
        received.append(message)

    poller = IMAPPoller(_settings(dovecot), store)
    await poller.connect()
    try:
        assert await poller.poll_once() == 2
        assert await poller.poll_once() == 0
    finally:
        await poller.disconnect()

    assert _ids(received) == ["cn-001@mail.example.cn", "nested-001@example.com"]
    assert parse_email(received[0].raw).subject == "提现一直没有到账"
    assert await _unseen_count(mailbox) == 0


async def test_failing_callback_leaves_the_message_unseen_for_the_next_round(
    dovecot: Dovecot, mailbox: aioimaplib.IMAP4, fixture_bytes: dict[str, bytes]
) -> None:
    await _deliver(mailbox, fixture_bytes["gmail_reply_en.eml"])
    attempts: list[str | None] = []
    fail = True

    async def flaky_store(message: InboundMessage) -> None:
        attempts.append(parse_email(message.raw).message_id)
        if fail:
            raise RuntimeError("database is down")

    poller = IMAPPoller(_settings(dovecot), flaky_store)
    await poller.connect()
    try:
        assert await poller.poll_once() == 0
        assert await _unseen_count(mailbox) == 1
        fail = False
        assert await poller.poll_once() == 1
        assert await poller.poll_once() == 0
    finally:
        await poller.disconnect()

    assert attempts == ["CAErin123@mail.gmail.example"] * 2
    assert await _unseen_count(mailbox) == 0


async def test_running_poller_picks_up_new_mail_through_idle_exactly_once(
    dovecot: Dovecot, mailbox: aioimaplib.IMAP4, fixture_bytes: dict[str, bytes]
) -> None:
    received: list[InboundMessage] = []
    arrived = asyncio.Event()

    async def store(message: InboundMessage) -> None:
        received.append(message)
        if len(received) == 2:
            arrived.set()

    # A one-hour poll interval: only IDLE can explain a prompt hand-over.
    poller = IMAPPoller(_settings(dovecot, poll_interval=3600), store)
    task = asyncio.create_task(poller.run())
    try:
        await asyncio.sleep(0.5)  # connected and idling on an empty INBOX
        await _deliver(mailbox, fixture_bytes["reply_es_gmail.eml"])
        await asyncio.sleep(0.3)
        _deliver_to_maildir(dovecot, fixture_bytes["big5_hk.eml"], "1700000000.M1P1.test")
        await asyncio.wait_for(arrived.wait(), timeout=15)
        await asyncio.sleep(0.5)  # room for a wrong second hand-over
    finally:
        poller.stop()
        await asyncio.wait_for(task, timeout=15)

    assert sorted(map(str, _ids(received))) == [
        "CAMaria@mail.gmail.example",
        "hk-001@mail.example.hk",
    ]
    assert poller.connections == 1  # no reconnect-and-poll: IDLE delivered them
    assert await _unseen_count(mailbox) == 0


async def test_poller_keeps_retrying_while_the_server_is_unreachable_and_stops_cleanly(
    dovecot: Dovecot,
) -> None:
    async def store(message: InboundMessage) -> None:
        raise AssertionError("no message can arrive")

    poller = IMAPPoller(_settings(dovecot, password="wrong-password"), store)
    task = asyncio.create_task(poller.run())
    try:
        # Dovecot delays a failed login by a few seconds (auth penalty); then comes a retry.
        for _ in range(200):
            if poller.connections >= 2:
                break
            await asyncio.sleep(0.05)
        assert not task.done()  # a refused login is retried with back-off, not fatal
        assert poller.connections == 2
    finally:
        poller.stop()
        await asyncio.wait_for(task, timeout=15)
