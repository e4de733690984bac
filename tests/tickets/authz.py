"""Requests for the email rows of tests/test_authorization.py: each stores its own mail."""

from __future__ import annotations

from typing import Any

from supportdesk.channels.email.inbound import InboundMessage
from supportdesk.tickets.desk import EmailDesk
from supportdesk.tickets.email_in import ingest_email
from tests.tickets.conftest import customer_mail

Request = tuple[str, dict[str, Any]]


async def _email_id(world: Any, persona: Any) -> int:
    services = world.services
    mail = customer_mail(sender=f"{persona.name}@example.org")
    result = await ingest_email(
        services.db,
        services.storage,
        EmailDesk.of(services.settings),
        InboundMessage(mail.as_bytes()),
    )
    assert result.email_id is not None
    return result.email_id


async def email_original(world: Any, persona: Any) -> Request:
    return f"/emails/{await _email_id(world, persona)}/original", {}


async def email_raw(world: Any, persona: Any) -> Request:
    return f"/emails/{await _email_id(world, persona)}/raw", {}
