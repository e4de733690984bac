from __future__ import annotations

from urllib.parse import quote

import pytest

from tests.conftest import make_client

from . import files
from .test_upload import upload


async def alice_upload(visitor_alice, alice_conversation, data=None, filename="shot.png") -> dict:
    response = await upload(
        visitor_alice.client, alice_conversation["id"], data or files.png(), filename
    )
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


async def test_staff_can_read_a_visitors_upload(agent_carol, visitor_alice, alice_conversation):
    uploaded = await alice_upload(visitor_alice, alice_conversation)

    response = await agent_carol.client.get(uploaded["url"])

    assert response.status_code == 200
    assert response.headers["content-type"] == "image/png"


async def test_staff_can_read_with_an_api_token(
    app, agent_carol, visitor_alice, alice_conversation
):
    uploaded = await alice_upload(visitor_alice, alice_conversation)
    created = await agent_carol.client.post("/api/v1/auth/tokens", json={"name": "reader"})
    assert created.status_code == 201, created.text

    async with make_client(app) as http:
        http.headers["Authorization"] = f"Bearer {created.json()['token']}"
        response = await http.get(uploaded["url"])

    assert response.status_code == 200


async def test_visitor_cannot_read_another_visitors_attachment(
    visitor_alice, visitor_bob, alice_conversation
):
    uploaded = await alice_upload(visitor_alice, alice_conversation)

    response = await visitor_bob.client.get(uploaded["url"])

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


async def test_anonymous_read_is_401(client, visitor_alice, alice_conversation):
    uploaded = await alice_upload(visitor_alice, alice_conversation)

    response = await client.get(uploaded["url"])

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


async def test_missing_attachment_is_404_like_a_forbidden_one(visitor_alice, agent_carol):
    assert (await visitor_alice.client.get("/api/v1/attachments/424242")).status_code == 404
    assert (await agent_carol.client.get("/api/v1/attachments/424242")).status_code == 404


async def test_visitor_cannot_read_a_file_on_an_internal_note(
    agent_carol, visitor_alice, alice_conversation
):
    cid = alice_conversation["id"]
    uploaded = (await upload(agent_carol.client, cid, files.pdf(), "kyc.pdf", staff=True)).json()
    # Not yet sent: the agent's draft is not the visitor's to see either.
    assert (await visitor_alice.client.get(uploaded["url"])).status_code == 404
    note = await agent_carol.client.post(
        f"/api/v1/conversations/{cid}/messages",
        json={"body": "their ID", "internal": True, "attachment_ids": [uploaded["id"]]},
    )
    assert note.status_code == 201, note.text

    assert (await visitor_alice.client.get(uploaded["url"])).status_code == 404
    assert (await agent_carol.client.get(uploaded["url"])).status_code == 200


async def test_visitor_reads_a_file_an_agent_sent_them(
    agent_carol, visitor_alice, alice_conversation
):
    cid = alice_conversation["id"]
    uploaded = (await upload(agent_carol.client, cid, files.pdf(), "guide.pdf", staff=True)).json()
    reply = await agent_carol.client.post(
        f"/api/v1/conversations/{cid}/messages",
        json={"body": "see the guide", "attachment_ids": [uploaded["id"]]},
    )
    assert reply.status_code == 201, reply.text

    response = await visitor_alice.client.get(uploaded["url"])

    assert response.status_code == 200
    assert response.content == files.pdf()


async def test_stale_staff_cookie_does_not_hide_a_valid_visitor_token(
    visitor_alice, alice_conversation
):
    uploaded = await alice_upload(visitor_alice, alice_conversation)
    visitor_alice.client.cookies.set("sd_session", "expired-or-forged")

    response = await visitor_alice.client.get(uploaded["url"])

    assert response.status_code == 200


@pytest.mark.parametrize(
    ("make", "filename", "disposition"),
    [
        (files.png, "shot.png", "inline"),
        (files.pdf, '发票 "May".pdf', "attachment"),
        (files.text, "tx.txt", "attachment"),
    ],
)
async def test_files_are_served_with_safe_headers(
    visitor_alice, alice_conversation, make, filename, disposition
):
    uploaded = await alice_upload(visitor_alice, alice_conversation, make(), filename)

    response = await visitor_alice.client.get(uploaded["url"])

    headers = response.headers
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["content-security-policy"] == "default-src 'none'; sandbox"
    assert headers["cache-control"] == "private"
    value = headers["content-disposition"]
    assert value.startswith(disposition + '; filename="')
    assert value.endswith("filename*=UTF-8''" + quote(uploaded["filename"], safe=""))
    assert "发票" not in value  # header values stay ASCII


async def test_a_removed_file_answers_404_not_500(services, visitor_alice, alice_conversation):
    uploaded = await alice_upload(visitor_alice, alice_conversation)
    for path in services.settings.uploads_dir.rglob("*"):
        if path.is_file():
            path.unlink()

    response = await visitor_alice.client.get(uploaded["url"])

    assert response.status_code == 404
