"""How inbound mail is stored: attachments through the upload checks, one contact per
address across chat and mail, unreadable mail kept for admins, and the IMAP mailbox."""

from __future__ import annotations

import io
from email.message import EmailMessage
from typing import Any

import aioimaplib
import httpx
from PIL import Image

from supportdesk.app import create_app
from supportdesk.channels.email.inbound import InboundMessage
from supportdesk.config import Settings
from supportdesk.services import Services
from supportdesk.tickets.desk import EmailDesk
from supportdesk.tickets.email_in import Outcome, ingest_email
from tests.channels.email.conftest import Dovecot
from tests.conftest import StaffPersona, make_client
from tests.tickets.conftest import customer_mail, deliver, eventually


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 20), (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


def _mail_with_files() -> EmailMessage:
    mail = customer_mail("See the screenshot and my notes.", subject="Deposit failed")
    mail.add_alternative('<p>See the screenshot <img src="cid:shot@x"> and my notes.</p>', "html")
    html_part = mail.get_payload()[1]  # type: ignore[index]
    html_part.add_related(_png(), "image", "png", cid="<shot@x>", filename="screen.png")
    mail.add_attachment(b"txid 4a5e1e4b\n", "text", "plain", filename="notes.txt")
    mail.add_attachment(b"<script>alert(1)</script>", "text", "html", filename="page.html")
    return mail


async def _ticket_messages(agent: StaffPersona) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    async def arrived() -> bool:
        rows = (await agent.client.get("/api/v1/conversations?active=true")).json()
        return len(rows) == 1

    await eventually(arrived)
    [ticket] = (await agent.client.get("/api/v1/conversations?active=true")).json()
    page = await agent.client.get(f"/api/v1/conversations/{ticket['id']}/messages")
    return ticket, page.json()["messages"]


async def test_attachments_and_inline_images_pass_the_upload_checks(
    agent_carol: StaffPersona, receiver_port: int
) -> None:
    await deliver(receiver_port, _mail_with_files())
    _, messages = await _ticket_messages(agent_carol)
    mail, note = messages
    files = {a["filename"]: a for a in mail["attachments"]}
    assert set(files) == {"screen.png", "notes.txt"}
    assert (files["screen.png"]["content_type"], files["screen.png"]["width"]) == ("image/png", 40)
    image = await agent_carol.client.get(files["screen.png"]["url"])
    assert image.status_code == 200 and image.content.startswith(b"\x89PNG")
    assert note["internal"] is True and "page.html" in note["body"]


async def test_mail_from_a_known_address_joins_that_contacts_history(
    app: Any, agent_carol: StaffPersona, receiver_port: int
) -> None:
    async with make_client(app) as widget:
        session = await widget.post(
            "/api/v1/widget/session", json={"name": "Li", "email": "LiLei@Example.cn"}
        )
    contact_id = session.json()["contact"]["id"]
    await deliver(receiver_port, customer_mail(sender="Li Lei <lilei@example.cn>"))
    ticket, _ = await _ticket_messages(agent_carol)
    assert ticket["contact_id"] == contact_id


async def test_unparseable_mail_is_kept_raw_and_listed_for_admins_only(
    services: Services,
    settings: Settings,
    admin_dave: StaffPersona,
    agent_carol: StaffPersona,
    fixture_bytes: dict[str, bytes],
) -> None:
    junk = fixture_bytes["garbage_binary.eml"]
    desk = EmailDesk.of(settings)
    result = await ingest_email(services.db, services.storage, desk, InboundMessage(junk))
    assert result.outcome == Outcome.UNPARSEABLE
    listed = await admin_dave.client.get("/api/v1/emails/unparseable")
    [row] = listed.json()
    assert row["kind"] == "unparseable" and row["error"]
    raw = await admin_dave.client.get(row["raw_url"])
    assert raw.content == junk
    refused = await agent_carol.client.get("/api/v1/emails/unparseable")
    assert refused.status_code == 403


async def test_mail_in_an_imap_mailbox_becomes_a_ticket_and_is_marked_read(
    settings: Settings, dovecot: Dovecot
) -> None:
    from supportdesk.accounts.models import Role
    from tests.conftest import create_agent, login

    app = create_app(
        settings.model_copy(
            update={
                "imap_host": dovecot.host,
                "imap_port": dovecot.port,
                "imap_username": dovecot.username,
                "imap_password": dovecot.password,
                "imap_tls": False,
                "smtp_receiver_port": 0,
                "smtp_host": "",
            }
        )
    )
    async with app.router.lifespan_context(app):
        await create_agent(app.state.services, "carol@example.com", "Carol", Role.AGENT)
        http, _ = await login(app, "carol@example.com")
        try:
            await _append(dovecot, customer_mail("Sent through IMAP.").as_bytes())
            await _wait_for_ticket(http)
        finally:
            await http.aclose()
    assert await _unseen(dovecot) == 0


async def _wait_for_ticket(http: httpx.AsyncClient) -> None:
    async def arrived() -> bool:
        rows = (await http.get("/api/v1/conversations?active=true")).json()
        return len(rows) == 1 and rows[0]["last_message"]["body"] == "Sent through IMAP."

    await eventually(arrived, within=20)


async def _append(server: Dovecot, raw: bytes) -> None:
    client = aioimaplib.IMAP4(host=server.host, port=server.port, timeout=10)
    await client.wait_hello_from_server()
    await client.login(server.username, server.password)
    await client.append(raw, mailbox="INBOX")
    await client.logout()
    client.protocol.transport.close()


async def _unseen(server: Dovecot) -> int:
    client = aioimaplib.IMAP4(host=server.host, port=server.port, timeout=10)
    await client.wait_hello_from_server()
    await client.login(server.username, server.password)
    await client.select("INBOX")
    response = await client.search("UNSEEN")
    await client.logout()
    client.protocol.transport.close()
    return len(response.lines[0].split())
