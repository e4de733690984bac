"""Polling an existing IMAP mailbox: unseen messages go, as raw bytes, to an async callback.

Delivery contract: a message is flagged ``\\Seen`` only after the callback returned, so a
crash or a failed callback leaves it unseen and it is handed over again on the next round
(at least once; storage drops duplicates by Message-ID). Fetching uses ``BODY.PEEK[]``,
which returns the same bytes as ``RFC822`` without setting ``\\Seen`` (RFC 3501 section
6.4.5). Between rounds the poller waits in IDLE (RFC 2177) when the server offers it, else
sleeps ``poll_interval``; a lost connection is re-opened with exponential back-off.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
from dataclasses import dataclass
from typing import Any

import aioimaplib  # type: ignore[import-untyped]

from supportdesk.channels.email.inbound import InboundMessage, MessageCallback

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class IMAPSettings:
    host: str
    username: str
    password: str
    port: int = 993
    use_tls: bool = True  # implicit TLS (IMAPS); False only for a trusted local server
    mailbox: str = "INBOX"
    poll_interval: float = 60.0  # seconds between rounds when the server has no IDLE
    idle_timeout: float = 300.0  # re-issue IDLE at least this often (RFC 2177: < 29 min)
    timeout: float = 30.0
    max_backoff: float = 300.0


class IMAPError(Exception):
    """The server refused a command (login, select, fetch...)."""


def _check(response: Any, what: str) -> list[Any]:
    if response.result != "OK":
        raise IMAPError(f"{what} failed: {response.result} {response.lines[-1:]!r}")
    return list(response.lines)


class IMAPPoller:
    """Run with ``await poller.run()`` (until ``stop()``), or call ``poll_once`` yourself."""

    def __init__(self, settings: IMAPSettings, callback: MessageCallback) -> None:
        self.settings = settings
        self._callback = callback
        self._stopping = asyncio.Event()
        self._client: Any = None
        self.connections = 0  # connection attempts so far, for monitoring

    async def connect(self) -> None:
        s = self.settings
        self.connections += 1
        if s.use_tls:
            client = aioimaplib.IMAP4_SSL(
                host=s.host,
                port=s.port,
                timeout=s.timeout,
                ssl_context=ssl.create_default_context(),
            )
        else:
            client = aioimaplib.IMAP4(host=s.host, port=s.port, timeout=s.timeout)
        self._client = client
        await client.wait_hello_from_server()
        _check(await client.login(s.username, s.password), "LOGIN")
        _check(await client.select(s.mailbox), "SELECT")

    async def disconnect(self) -> None:
        client, self._client = self._client, None
        if client is None:
            return
        try:
            await asyncio.wait_for(client.logout(), self.settings.timeout)
        except Exception:  # the connection may be gone already; nothing to save
            log.debug("IMAP logout failed", exc_info=True)
        transport = getattr(client.protocol, "transport", None)
        if transport is not None:
            transport.close()

    async def poll_once(self) -> int:
        """Hand every unseen message to the callback; returns how many were accepted."""
        client = self._client
        lines = _check(await client.uid_search("UNSEEN", charset=None), "UID SEARCH")
        uids = [uid for line in lines[:-1] for uid in bytes(line).split() if uid.isdigit()]
        accepted = 0
        for uid in uids:
            raw = await self._fetch(uid.decode())
            if raw is None:
                continue  # expunged meanwhile
            try:
                await self._callback(InboundMessage(raw=raw))
            except Exception:
                log.exception("IMAP message uid %s not stored; it stays unseen", uid)
                continue
            _check(await client.uid("store", uid.decode(), "+FLAGS", "(\\Seen)"), "UID STORE")
            accepted += 1
        return accepted

    async def _fetch(self, uid: str) -> bytes | None:
        lines = _check(await self._client.uid("fetch", uid, "(BODY.PEEK[])"), "UID FETCH")
        # aioimaplib gives the literal (the message) as a bytearray after its FETCH line.
        for line in lines:
            if isinstance(line, bytearray):
                return bytes(line)
        return None

    async def wait_for_news(self) -> None:
        """Return when the mailbox may have changed: IDLE push, timeout, or poll interval."""
        client = self._client
        if not client.has_capability("IDLE"):
            await self._sleep(self.settings.poll_interval)
            return
        idle = await client.idle_start(timeout=self.settings.idle_timeout)
        waiter = asyncio.ensure_future(client.wait_server_push())
        stopper = asyncio.ensure_future(self._stopping.wait())
        try:
            await asyncio.wait({waiter, stopper}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            waiter.cancel()
            stopper.cancel()
            client.idle_done()
            await asyncio.wait_for(idle, self.settings.timeout)

    async def _sleep(self, seconds: float) -> None:
        try:
            await asyncio.wait_for(self._stopping.wait(), seconds)
        except TimeoutError:
            return

    async def run(self) -> None:
        """Poll until :meth:`stop`; connection and server errors trigger a reconnect."""
        backoff = 1.0
        while not self._stopping.is_set():
            try:
                await self.connect()
                backoff = 1.0
                while not self._stopping.is_set():
                    await self.poll_once()
                    if not self._stopping.is_set():
                        await self.wait_for_news()
            except Exception as exc:  # any failure: drop the connection, back off, retry
                log.warning("IMAP %s: %s; reconnecting in %.0fs", self.settings.host, exc, backoff)
                await self.disconnect()
                await self._sleep(backoff)
                backoff = min(backoff * 2, self.settings.max_backoff)
        await self.disconnect()

    def stop(self) -> None:
        self._stopping.set()
