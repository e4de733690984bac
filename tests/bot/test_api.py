"""``POST /api/v1/bot/answer``, ``GET /api/v1/help/search`` and the rules, over HTTP."""

from __future__ import annotations

import httpx
import pytest

from supportdesk.bot import api as bot_api
from supportdesk.services import Services
from tests.conftest import StaffPersona
from tests.search.articles import HelpCenter


async def test_bot_answer_has_the_documented_shape(
    client: httpx.AsyncClient, help_center: HelpCenter
) -> None:
    response = await client.post(
        "/api/v1/bot/answer", json={"text": "olvidé mi contraseña", "locale": "es"}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"answer", "suggestions", "handoff", "reason"}
    assert set(body["answer"]) == {"key", "locale", "title", "url", "score"}
    assert body["answer"] == {
        **body["answer"],
        "key": "reset-password",
        "locale": "es",
        "url": "/help/es/articles/reset-password",
    }
    assert 1 <= len(body["suggestions"]) <= 3
    assert body["handoff"] is False and body["reason"] == "confident"


async def test_bot_answer_detects_the_language_when_no_locale_is_given(
    client: httpx.AsyncClient, help_center: HelpCenter
) -> None:
    response = await client.post("/api/v1/bot/answer", json={"text": "忘记密码了怎么办"})
    assert response.json()["answer"]["locale"] == "zh"


@pytest.mark.parametrize(
    "payload",
    [
        {"text": ""},
        {"text": "   "},
        {"text": "x" * 2001},
        {"text": "hello", "locale": "not a locale!"},
        {"text": 5},
        {"locale": "en"},
        {"text": "hello", "extra": 1},
    ],
)
async def test_bot_answer_refuses_bad_input_with_a_json_error(
    client: httpx.AsyncClient, payload: dict
) -> None:
    response = await client.post("/api/v1/bot/answer", json=payload)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid"


async def test_bot_answer_is_rate_limited_per_client(
    client: httpx.AsyncClient, help_center: HelpCenter, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bot_api, "QUESTIONS_PER_MINUTE", 2)
    codes = [
        (await client.post("/api/v1/bot/answer", json={"text": "password"})).status_code
        for _ in range(3)
    ]
    assert codes == [200, 200, 429]


async def test_help_search_has_the_documented_shape(
    client: httpx.AsyncClient, help_center: HelpCenter
) -> None:
    response = await client.get(
        "/api/v1/help/search", params={"q": "reset password", "locale": "zh", "limit": 2}
    )
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert 1 <= len(results) <= 2
    assert set(results[0]) == {"key", "locale", "title", "url", "snippet", "score"}
    assert (results[0]["key"], results[0]["locale"]) == ("reset-password", "zh")
    assert results[0]["snippet"]


@pytest.mark.parametrize(
    "params",
    [{"q": ""}, {"q": "  "}, {}, {"q": "x", "locale": "??"}, {"q": "x", "limit": 0},
     {"q": "x", "limit": 51}, {"q": "x" * 501}],
)  # fmt: skip
async def test_help_search_refuses_bad_input(client: httpx.AsyncClient, params: dict) -> None:
    response = await client.get("/api/v1/help/search", params=params)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid"


async def test_an_admin_reads_and_changes_the_rules(
    admin_dave: StaffPersona, client: httpx.AsyncClient, services: Services
) -> None:
    defaults = (await admin_dave.client.get("/api/v1/bot/rules")).json()
    assert defaults["human_request"]["enabled"] is True
    changed = {**defaults, "min_confidence": 0.8, "urgent": {"keywords": ["chargeback"]}}
    response = await admin_dave.client.put("/api/v1/bot/rules", json=changed)
    assert response.status_code == 200, response.text
    stored = (await admin_dave.client.get("/api/v1/bot/rules")).json()
    assert stored["min_confidence"] == 0.8
    assert stored["urgent"]["keywords"] == ["chargeback"]
    reply = await client.post("/api/v1/bot/answer", json={"text": "I'll do a chargeback"})
    assert reply.json()["reason"] == "urgent"


async def test_rules_refuse_bad_values(admin_dave: StaffPersona) -> None:
    response = await admin_dave.client.put("/api/v1/bot/rules", json={"min_confidence": 2})
    assert response.status_code == 422


async def test_only_admins_see_the_rules(
    agent_carol: StaffPersona, client: httpx.AsyncClient
) -> None:
    assert (await agent_carol.client.get("/api/v1/bot/rules")).status_code == 403
    assert (await client.get("/api/v1/bot/rules")).status_code == 401
    assert (await agent_carol.client.put("/api/v1/bot/rules", json={})).status_code == 403
