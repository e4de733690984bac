"""Sending the outbox: every queued mail is tried until the SMTP server accepts it.

A worker per server process (:class:`OutboxWorker`) is woken when a transaction that
queued mail commits, and polls every :data:`POLL_SECONDS` for mail queued by other nodes
and for retries that came due. A failed attempt is retried after ``retry_seconds``, then
twice that, and so on up to an hour, until ``max_attempts``; the row is in the database,
so a restart or a down SMTP server loses nothing.

Claiming: a worker moves a row's ``next_attempt_at`` past the send's timeout in a compare-
and-set ``UPDATE``; only one worker wins it, and a worker that dies mid-send leaves a row
that comes due again. Delivery is therefore at least once: a crash after the SMTP server
accepted a message but before the row is marked sent sends it again (with the same
Message-ID, which receiving clients use to drop the copy).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import weakref
from datetime import datetime, timedelta
from email import message_from_bytes, policy

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from supportdesk.channels.email.sender import SMTPSettings, send_message
from supportdesk.db.base import utcnow
from supportdesk.db.engine import Database
from supportdesk.tickets.models import OutboxEmail

log = logging.getLogger(__name__)

POLL_SECONDS = 10.0
BATCH = 20
MAX_BACKOFF_SECONDS = 3600.0

_workers: weakref.WeakSet[OutboxWorker] = weakref.WeakSet()


def wake_outbox_workers() -> None:
    for worker in list(_workers):
        worker.wake()


def backoff(attempts: int, first: float) -> float:
    """Seconds before attempt ``attempts + 1``: ``first``, doubled per failure, capped."""
    return float(min(first * 2 ** max(attempts - 1, 0), MAX_BACKOFF_SECONDS))


class OutboxWorker:
    def __init__(
        self,
        db: Database,
        smtp: SMTPSettings,
        *,
        retry_seconds: float = 30.0,
        max_attempts: int = 12,
        poll_seconds: float = POLL_SECONDS,
    ) -> None:
        self.db = db
        self.smtp = smtp
        self.retry_seconds = retry_seconds
        self.max_attempts = max_attempts
        self.poll_seconds = poll_seconds
        self._wake = asyncio.Event()
        self._stopping = False
        _workers.add(self)

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        """Finish the mail being sent, then return from :meth:`run_forever`. Cancelling
        instead could interrupt a transaction; a stop leaves every row consistent."""
        self._stopping = True
        self._wake.set()

    async def run_forever(self) -> None:
        while not self._stopping:
            self._wake.clear()
            try:
                while await self.deliver_due() == BATCH and not self._stopping:
                    pass
            except Exception:  # a database hiccup must not stop the worker
                log.exception("sending the email outbox failed; retrying")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._sleep_seconds())

    def _sleep_seconds(self) -> float:
        return min(self.poll_seconds, max(self.retry_seconds, 0.05))

    async def deliver_due(self) -> int:
        """Try every mail that is due now; returns how many were tried."""
        claimed = await self._claim()
        for done, (row_id, content, mail_from, recipients, attempts) in enumerate(claimed):
            if self._stopping:
                # Shutting down: hand the unsent rows back now rather than after the lease.
                await self._release([row[0] for row in claimed[done:]])
                break
            error = await self._send(content, mail_from, recipients)
            await self._settle(row_id, attempts, error)
        return len(claimed)

    async def _release(self, row_ids: list[int]) -> None:
        async with self.db.transaction() as session:
            await session.execute(
                update(OutboxEmail)
                .where(OutboxEmail.id.in_(row_ids), OutboxEmail.status == "pending")
                .values(next_attempt_at=utcnow())
            )

    async def _claim(self) -> list[tuple[int, bytes, str, str, int]]:
        now = utcnow()
        lease = now + timedelta(seconds=self.smtp.timeout + 30)
        async with self.db.transaction() as session:
            rows = (
                await session.execute(
                    select(
                        OutboxEmail.id,
                        OutboxEmail.next_attempt_at,
                        OutboxEmail.content,
                        OutboxEmail.mail_from,
                        OutboxEmail.recipients,
                        OutboxEmail.attempts,
                    )
                    .where(OutboxEmail.status == "pending", OutboxEmail.next_attempt_at <= now)
                    .order_by(OutboxEmail.next_attempt_at, OutboxEmail.id)
                    .limit(BATCH)
                )
            ).all()
            claimed = []
            for row_id, due, content, mail_from, recipients, attempts in rows:
                if await self._take(session, row_id, due, lease):
                    claimed.append((row_id, content, mail_from, recipients, attempts))
        return claimed

    @staticmethod
    async def _take(session: AsyncSession, row_id: int, due: datetime, lease: datetime) -> bool:
        result = await session.execute(
            update(OutboxEmail)
            .where(OutboxEmail.id == row_id, OutboxEmail.next_attempt_at == due)
            .values(next_attempt_at=lease)
        )
        return bool(getattr(result, "rowcount", 0) == 1)

    async def _send(self, content: bytes, mail_from: str, recipients: str) -> str | None:
        message = message_from_bytes(content, policy=policy.SMTP)
        try:
            await send_message(message, self.smtp)
        except Exception as exc:  # any failure (refused, timeout, TLS) is retried later
            log.warning("sending mail to %s failed: %s", recipients, exc)
            return f"{type(exc).__name__}: {exc}"[:2000] or type(exc).__name__
        return None

    async def _settle(self, row_id: int, attempts: int, error: str | None) -> None:
        now = utcnow()
        values: dict[str, object]
        if error is None:
            values = {"status": "sent", "sent_at": now, "attempts": attempts + 1, "last_error": ""}
        else:
            tried = attempts + 1
            values = {
                "attempts": tried,
                "last_error": error,
                "status": "failed" if tried >= self.max_attempts else "pending",
                "next_attempt_at": now + timedelta(seconds=backoff(tried, self.retry_seconds)),
            }
        async with self.db.transaction() as session:
            await session.execute(
                update(OutboxEmail).where(OutboxEmail.id == row_id).values(**values)
            )
