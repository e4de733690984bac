"""Canned replies: shared by every agent, one text per language, placeholders filled in."""

from __future__ import annotations

from supportdesk.canned.render import choose_variant, fill
from tests.conftest import start_conversation

CANNED = "/api/v1/canned-replies"
GREETING = {
    "shortcut": "hello",
    "title": "Greeting",
    "bodies": {
        "en": "Hi {{contact.first_name}}, I'm {{agent.name}} and I'm on #{{conversation.id}}.",
        "es": "Hola {{ contact.first_name }}, soy {{agent.first_name}}.",
        "zh-Hans": "{{contact.name}}您好，我是{{agent.name}}。",
    },
}


async def _create(staff, body=None) -> dict:
    response = await staff.client.post(CANNED, json=body or GREETING)
    assert response.status_code == 201, response.text
    return response.json()


async def test_an_agent_creates_a_reply_that_every_agent_lists(agent_carol, agent_erin):
    created = await _create(agent_carol)
    listed = (await agent_erin.client.get(CANNED)).json()
    assert [r["shortcut"] for r in listed] == ["hello"]
    assert listed[0]["bodies"] == GREETING["bodies"]
    assert created["created_by_id"] == agent_carol.agent.id


async def test_render_picks_the_conversations_language_and_fills_placeholders(agent_carol, app):
    from tests.conftest import _visitor

    visitor = await _visitor(app, "María José")
    await visitor.client.patch("/api/v1/widget/me", json={"locale": "es-MX"})
    started = await visitor.client.post(
        "/api/v1/widget/conversations", json={"body": "Hola", "locale": "es-MX"}
    )
    reply = await _create(agent_carol)
    rendered = await agent_carol.client.post(
        f"{CANNED}/{reply['id']}/render", json={"conversation_id": started.json()["id"]}
    )
    await visitor.client.aclose()
    assert rendered.json() == {"body": "Hola María, soy Carol.", "locale": "es"}


async def test_render_falls_back_to_english_with_placeholders_filled(agent_carol, visitor_alice):
    conversation = await start_conversation(visitor_alice)
    reply = await _create(agent_carol)
    rendered = await agent_carol.client.post(
        f"{CANNED}/{reply['id']}/render", json={"conversation_id": conversation["id"]}
    )
    body = rendered.json()["body"]
    assert body == f"Hi Alice, I'm Carol and I'm on #{conversation['id']}."


async def test_an_unknown_placeholder_is_refused_by_name(agent_carol):
    body = {**GREETING, "bodies": {"en": "Dear {{contact.nmae}}"}}
    response = await agent_carol.client.post(CANNED, json=body)
    assert response.status_code == 422
    assert "{{contact.nmae}}" in response.json()["error"]["message"]
    assert (await agent_carol.client.get(CANNED)).json() == []


async def test_a_taken_shortcut_is_a_conflict(agent_carol, agent_erin):
    first = await _create(agent_carol)
    again = await agent_erin.client.post(CANNED, json={**GREETING, "title": "Other"})
    assert again.status_code == 409 and again.json()["error"]["code"] == "shortcut_taken"
    other = await _create(agent_erin, {**GREETING, "shortcut": "bye"})
    renamed = await agent_erin.client.patch(f"{CANNED}/{other['id']}", json={"shortcut": "hello"})
    assert renamed.status_code == 409
    unchanged = await agent_erin.client.patch(f"{CANNED}/{first['id']}", json={"shortcut": "hello"})
    assert unchanged.status_code == 200


async def test_bad_input_is_refused_with_its_place(agent_carol):
    cases = [
        ({**GREETING, "shortcut": "Has Space"}, "shortcut"),
        ({**GREETING, "bodies": {}}, "bodies"),
        ({**GREETING, "bodies": {"not a locale!": "x"}}, "bodies"),
        ({**GREETING, "bodies": {"en": "   "}}, "bodies"),
        ({**GREETING, "bodies": {"en": "x" * 5001}}, "bodies"),
    ]
    for body, where in cases:
        response = await agent_carol.client.post(CANNED, json=body)
        assert response.status_code == 422, body
        assert where in str(response.json()["error"]["details"]), response.json()


async def test_edit_and_delete(agent_carol, agent_erin):
    reply = await _create(agent_carol)
    edited = await agent_erin.client.patch(
        f"{CANNED}/{reply['id']}", json={"bodies": {"en": "Hello {{contact.name}}"}}
    )
    assert edited.json()["bodies"] == {"en": "Hello {{contact.name}}"}
    assert edited.json()["updated_at"] > reply["updated_at"]
    deleted = await agent_erin.client.delete(f"{CANNED}/{reply['id']}")
    assert deleted.status_code == 204
    missing = await agent_erin.client.delete(f"{CANNED}/{reply['id']}")
    assert missing.status_code == 404
    assert (await agent_carol.client.get(CANNED)).json() == []


def test_a_missing_value_leaves_no_stray_space_before_punctuation():
    assert fill("Hi {{contact.first_name}}, thanks!", {}) == "Hi, thanks!"
    assert fill("您好 {{contact.name}}，谢谢", {}) == "您好，谢谢"
    assert fill("¡Me alegra haber ayudado, {{contact.first_name}}!", {}) == (
        "¡Me alegra haber ayudado!"
    )


def test_variants_negotiate_like_the_ui():
    bodies = {"en": "hi", "zh-Hans": "你好", "es": "hola"}
    assert choose_variant(bodies, "zh-CN") == ("zh-Hans", "你好")
    assert choose_variant(bodies, "es-419") == ("es", "hola")
    assert choose_variant(bodies, "fr") == ("en", "hi")
    assert choose_variant({"es": "hola"}, "fr") == ("es", "hola")
