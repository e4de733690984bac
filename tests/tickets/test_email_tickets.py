"""A customer's mail becomes a ticket in the same inbox as chats, and the agent's reply goes
back by mail and threads: everything through the real receiver, the API and an SMTP sink."""

from __future__ import annotations

from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any

from supportdesk.channels.email import extract_reply_token
from tests.conftest import StaffPersona
from tests.tickets.conftest import DESK, Sink, customer_mail, deliver, eventually

QUOTED = (
    "I sent it to my own wallet.\n\n"
    "On Tue, Mar 12, 2024 at 6:00 PM Acme Support <support@desk.example> wrote:\n"
    "> Please tell us the transaction ID.\n"
)


async def _tickets(agent: StaffPersona) -> list[dict[str, Any]]:
    response = await agent.client.get("/api/v1/conversations?active=true")
    assert response.status_code == 200, response.text
    return [c for c in response.json() if c["channel"] == "email"]


async def _messages(agent: StaffPersona, conversation_id: int) -> list[dict[str, Any]]:
    response = await agent.client.get(f"/api/v1/conversations/{conversation_id}/messages")
    assert response.status_code == 200, response.text
    return list(response.json()["messages"])


async def _emails(agent: StaffPersona, conversation_id: int) -> list[dict[str, Any]]:
    response = await agent.client.get(f"/api/v1/conversations/{conversation_id}/emails")
    assert response.status_code == 200, response.text
    return list(response.json())


async def _one_ticket(agent: StaffPersona) -> dict[str, Any]:
    async def arrived() -> bool:
        return len(await _tickets(agent)) == 1

    await eventually(arrived)
    return (await _tickets(agent))[0]


def _sent(sink: Sink, index: int) -> EmailMessage:
    return message_from_bytes(sink.received[index].raw, policy=policy.default)  # type: ignore[return-value]


async def test_customer_mail_becomes_an_email_ticket_with_the_trimmed_text(
    agent_carol: StaffPersona, receiver_port: int, sink: Sink
) -> None:
    await deliver(receiver_port, customer_mail(QUOTED, subject="Withdrawal pending"))
    ticket = await _one_ticket(agent_carol)
    assert ticket["status"] == "queued"
    assert ticket["subject"] == "Withdrawal pending"
    assert ticket["contact_email"] == "lilei@example.cn"
    assert ticket["contact_name"] == "Li Lei"
    [message] = await _messages(agent_carol, ticket["id"])
    assert message["sender"]["type"] == "contact"
    assert message["body"] == "I sent it to my own wallet."
    email, acknowledgement = await _emails(agent_carol, ticket["id"])
    assert (email["direction"], email["kind"]) == ("in", "normal")
    assert (acknowledgement["direction"], acknowledgement["kind_reason"]) == (
        "out",
        "acknowledgement",
    )
    original = (await agent_carol.client.get(email["original_url"])).json()
    assert "> Please tell us the transaction ID." in original["text"]
    raw = await agent_carol.client.get(email["raw_url"])
    assert raw.headers["content-type"] == "message/rfc822"
    assert b"Please tell us the transaction ID" in raw.content


async def test_agent_reply_is_mailed_and_the_customers_answer_threads_into_the_ticket(
    agent_carol: StaffPersona, receiver_port: int, sink: Sink
) -> None:
    first_id = make_msgid(domain="example.cn")[1:-1]
    await deliver(receiver_port, customer_mail(message_id=f"<{first_id}>"))
    ticket = await _one_ticket(agent_carol)
    await eventually(_count(sink, 1))  # the acknowledgement
    reply = await agent_carol.client.post(
        f"/api/v1/conversations/{ticket['id']}/messages",
        json={"body": "Hello Li Lei,\n\nPlease send us the transaction ID.", "client_id": "r1"},
    )
    assert reply.status_code == 201, reply.text
    await eventually(_count(sink, 2))
    sent = _sent(sink, 1)
    assert sent["From"].addresses[0].addr_spec == DESK
    assert str(sent["To"]) == "Li Lei <lilei@example.cn>"
    assert sent["In-Reply-To"] == f"<{first_id}>"
    assert f"<{first_id}>" in sent["References"]
    assert sent["Subject"] == f"Re: Withdrawal pending [#{ticket['id']}]"
    assert sent["Auto-Submitted"] is None
    token = extract_reply_token([sent["Reply-To"].addresses[0].addr_spec])
    assert token and sent["Reply-To"].addresses[0].domain == "desk.example"
    assert sent.get_body(("plain",)).get_content().count("Please send us the transaction ID.") == 1  # type: ignore[union-attr]
    assert "Please send us the transaction ID." in sent.get_body(("html",)).get_content()  # type: ignore[union-attr]

    answer = customer_mail(
        "The ID is 4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b",
        subject=f"Re: Withdrawal pending [#{ticket['id']}]",
        to=str(sent["Reply-To"]),
        in_reply_to=sent["Message-ID"][1:-1],
    )
    await deliver(receiver_port, answer)

    async def threaded() -> bool:
        return len(await _messages(agent_carol, ticket["id"])) == 3

    await eventually(threaded)
    assert len(await _tickets(agent_carol)) == 1
    last = (await _messages(agent_carol, ticket["id"]))[-1]
    assert last["sender"]["type"] == "contact" and last["body"].startswith("The ID is 4a5e")


async def test_a_reply_without_threading_headers_finds_its_ticket_by_the_reply_address(
    agent_carol: StaffPersona, receiver_port: int, sink: Sink
) -> None:
    await deliver(receiver_port, customer_mail())
    ticket = await _one_ticket(agent_carol)
    await eventually(_count(sink, 1))
    reply_to = _sent(sink, 0)["Reply-To"].addresses[0].addr_spec
    # Another sender, no In-Reply-To, a new subject: only the token says where it belongs.
    other = customer_mail(
        "Adding my colleague.", subject="Hi", sender="wang@example.cn", to=reply_to
    )
    await deliver(receiver_port, other)

    async def threaded() -> bool:
        return len(await _messages(agent_carol, ticket["id"])) == 2

    await eventually(threaded)
    assert len(await _tickets(agent_carol)) == 1


async def test_a_reply_by_subject_alone_joins_the_same_customers_recent_ticket(
    agent_carol: StaffPersona, receiver_port: int, sink: Sink
) -> None:
    await deliver(receiver_port, customer_mail(subject="提现一直没有到账"))
    ticket = await _one_ticket(agent_carol)
    await deliver(receiver_port, customer_mail("还是没有到账", subject="回复：提现一直没有到账"))
    # A new mail from someone else with the same subject is a ticket of its own.
    await deliver(
        receiver_port, customer_mail(subject="回复：提现一直没有到账", sender="x@example.org")
    )

    async def both() -> bool:
        return len(await _tickets(agent_carol)) == 2

    await eventually(both)
    bodies = [m["body"] for m in await _messages(agent_carol, ticket["id"])]
    assert bodies[-1] == "还是没有到账"


async def test_internal_notes_are_never_mailed(
    agent_carol: StaffPersona, receiver_port: int, sink: Sink
) -> None:
    await deliver(receiver_port, customer_mail())
    ticket = await _one_ticket(agent_carol)
    await eventually(_count(sink, 1))
    note = await agent_carol.client.post(
        f"/api/v1/conversations/{ticket['id']}/messages",
        json={"body": "Customer looks legit", "internal": True},
    )
    assert note.status_code == 201
    reply = await agent_carol.client.post(
        f"/api/v1/conversations/{ticket['id']}/messages", json={"body": "Checking now."}
    )
    assert reply.status_code == 201
    await eventually(_count(sink, 2))
    assert all(b"legit" not in m.raw for m in sink.received)
    outbound = [e for e in await _emails(agent_carol, ticket["id"]) if e["direction"] == "out"]
    assert [e["kind_reason"] for e in outbound] == ["acknowledgement", "reply"]
    assert {e["delivery"] for e in outbound} == {"sent"}


async def test_the_same_mail_delivered_twice_is_stored_once(
    agent_carol: StaffPersona, receiver_port: int, sink: Sink
) -> None:
    mail = customer_mail(message_id="<same-123@example.cn>")
    await deliver(receiver_port, mail)
    await deliver(receiver_port, mail)
    ticket = await _one_ticket(agent_carol)
    assert len(await _messages(agent_carol, ticket["id"])) == 1
    assert len(await _emails(agent_carol, ticket["id"])) == 2  # the mail, the acknowledgement


async def test_auto_replies_are_stored_but_never_answered(
    agent_carol: StaffPersona, receiver_port: int, sink: Sink
) -> None:
    ooo = customer_mail(
        "I am out of the office until Monday.",
        subject="Automatic reply: Your request",
        headers={"Auto-Submitted": "auto-replied"},
    )
    await deliver(receiver_port, ooo)
    ticket = await _one_ticket(agent_carol)
    [email] = await _emails(agent_carol, ticket["id"])
    assert email["kind"] == "auto_reply"
    # A normal mail from someone else is acknowledged: the desk does answer, just not robots.
    await deliver(receiver_port, customer_mail(sender="ana@example.es"))
    await eventually(_count(sink, 1))
    assert [m.rcpt_tos for m in sink.received] == [("ana@example.es",)]
    assert _sent(sink, 0)["Auto-Submitted"] == "auto-generated"


async def test_a_bounce_is_recorded_against_the_contact_and_shown_in_the_ticket(
    agent_carol: StaffPersona, receiver_port: int, sink: Sink, fixture_bytes: dict[str, bytes]
) -> None:
    await deliver(receiver_port, customer_mail(sender="gone@example.cn"))
    ticket = await _one_ticket(agent_carol)
    await eventually(_count(sink, 1))
    ack_id = _sent(sink, 0)["Message-ID"][1:-1]
    dsn = _dsn(ack_id, "gone@example.cn")
    await deliver(receiver_port, message_from_bytes(dsn, policy=policy.default))  # type: ignore[arg-type]

    async def noted() -> bool:
        return any(m["internal"] for m in await _messages(agent_carol, ticket["id"]))

    await eventually(noted)
    contact = (await agent_carol.client.get(f"/api/v1/contacts/{ticket['contact_id']}")).json()
    assert contact["email_bounced_at"] is not None
    assert "5.1.1" in contact["email_bounce_reason"]
    kinds = [e["kind"] for e in await _emails(agent_carol, ticket["id"])]
    assert kinds == ["normal", "normal", "bounce"]
    assert len(sink.received) == 1  # nobody answered the bounce


def _dsn(original_id: str, recipient: str) -> bytes:
    return (
        "From: Mail Delivery System <MAILER-DAEMON@mx.desk.example>\r\n"
        f"To: {DESK}\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        f"Message-ID: <{make_msgid(domain='mx.desk.example')[1:-1]}>\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n\r\n'
        "--B\r\nContent-Type: text/plain\r\n\r\nThe mail could not be delivered.\r\n"
        "--B\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.desk.example\r\n\r\n"
        f"Final-Recipient: rfc822; {recipient}\r\nAction: failed\r\nStatus: 5.1.1\r\n"
        "Diagnostic-Code: smtp; 550 5.1.1 User unknown\r\n"
        "--B\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        f"Message-ID: <{original_id}>\r\nSubject: hello\r\n"
        "--B--\r\n"
    ).encode()


def _count(sink: Sink, n: int) -> Any:
    async def check() -> bool:
        return len(sink.received) >= n

    return check
