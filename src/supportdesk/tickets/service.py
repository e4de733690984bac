"""Email's part of a server process: the receiver, the IMAP poller and the outbox worker,
each started only when configured, all in the app's event loop (the database engine's)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field

from supportdesk.channels.email.imap_poller import IMAPPoller, IMAPSettings
from supportdesk.channels.email.inbound import InboundMessage
from supportdesk.channels.email.sender import SMTPSecurity, SMTPSettings
from supportdesk.channels.email.smtp_receiver import SMTPReceiver, start_smtp_receiver
from supportdesk.config import Settings
from supportdesk.services import Services
from supportdesk.tickets.desk import EmailDesk, register_desk
from supportdesk.tickets.email_in import ingest_email
from supportdesk.tickets.outbox import OutboxWorker

log = logging.getLogger(__name__)


STOP_SECONDS = 10.0  # how long a shutdown waits for the mail being sent


@dataclass
class EmailService:
    receiver: SMTPReceiver | None = None
    # Stopped, not cancelled: a cancelled task could leave a transaction half done.
    stoppable: list[OutboxWorker | IMAPPoller] = field(default_factory=list)
    tasks: list[asyncio.Task[None]] = field(default_factory=list)

    async def close(self) -> None:
        if self.receiver is not None:
            await self.receiver.close()
        for part in self.stoppable:
            part.stop()
        if self.tasks:
            await asyncio.wait(self.tasks, timeout=STOP_SECONDS)
        for task in self.tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


def smtp_settings(settings: Settings) -> SMTPSettings:
    return SMTPSettings(
        host=settings.smtp_host,
        port=settings.smtp_port,
        security=SMTPSecurity(settings.smtp_security),
        username=settings.smtp_username or None,
        password=settings.smtp_password or None,
    )


def imap_settings(settings: Settings) -> IMAPSettings:
    return IMAPSettings(
        host=settings.imap_host,
        username=settings.imap_username,
        password=settings.imap_password,
        port=settings.imap_port,
        use_tls=settings.imap_tls,
        mailbox=settings.imap_mailbox,
        poll_interval=settings.imap_poll_seconds,
    )


async def start_email(services: Services) -> EmailService:
    settings = services.settings
    desk = EmailDesk.of(settings)
    register_desk(services.db, desk)

    async def store(message: InboundMessage) -> None:
        await ingest_email(services.db, services.storage, desk, message)

    service = EmailService()
    if settings.smtp_host:
        worker = OutboxWorker(
            services.db,
            smtp_settings(settings),
            retry_seconds=settings.smtp_retry_seconds,
            max_attempts=settings.smtp_max_attempts,
        )
        service.stoppable.append(worker)
        service.tasks.append(asyncio.create_task(worker.run_forever(), name="email-outbox"))
    if settings.imap_host:
        poller = IMAPPoller(imap_settings(settings), store)
        service.stoppable.append(poller)
        service.tasks.append(asyncio.create_task(poller.run(), name="email-imap"))
    if settings.smtp_receiver_port:
        service.receiver = await start_smtp_receiver(
            store,
            host=settings.smtp_receiver_host,
            port=settings.smtp_receiver_port,
            data_size_limit=max(25 * 1024 * 1024, settings.max_upload_bytes * 2),
            accept_recipient=desk.accepts,
        )
        log.info("SMTP receiver on %s:%d", service.receiver.host, service.receiver.port)
    return service
