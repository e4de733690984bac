"""Console logins, CSRF, API tokens and deactivation."""

from __future__ import annotations

from sqlalchemy import select

from supportdesk.accounts.models import Agent
from tests.conftest import PASSWORD, StaffPersona, login, make_client


async def test_login_sets_an_httponly_session_cookie_and_returns_a_csrf_token(app, agent_carol):
    async with make_client(app) as http:
        r = await http.post(
            "/api/v1/auth/login", json={"email": "CAROL@example.com ", "password": PASSWORD}
        )
    assert r.status_code == 200
    cookie = r.headers["set-cookie"]
    assert "sd_session=" in cookie and "HttpOnly" in cookie and "samesite=lax" in cookie.lower()
    assert r.json()["agent"]["email"] == "carol@example.com"
    assert len(r.json()["csrf_token"]) >= 32


async def test_wrong_password_and_unknown_email_get_the_same_answer(client, agent_carol):
    wrong = await client.post(
        "/api/v1/auth/login", json={"email": "carol@example.com", "password": "nope-nope-nope"}
    )
    unknown = await client.post(
        "/api/v1/auth/login", json={"email": "nobody@example.com", "password": "nope-nope-nope"}
    )
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
    assert wrong.json()["error"]["code"] == "bad_credentials"


async def test_login_is_rate_limited_per_address_and_email(client, agent_carol, services):
    limit = services.settings.login_attempts_per_window
    for _ in range(limit):
        r = await client.post(
            "/api/v1/auth/login", json={"email": "carol@example.com", "password": "wrong-password"}
        )
        assert r.status_code == 401
    r = await client.post(
        "/api/v1/auth/login", json={"email": "carol@example.com", "password": PASSWORD}
    )
    assert r.status_code == 429
    assert r.json()["error"]["code"] == "rate_limited"
    assert int(r.headers["retry-after"]) > 0


async def test_password_is_stored_as_an_argon2_hash(services, agent_carol):
    async with services.db.session() as session:
        stored = await session.scalar(
            select(Agent.password_hash).where(Agent.id == agent_carol.agent.id)
        )
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


async def test_cookie_write_without_csrf_header_is_refused(agent_carol, alice_conversation):
    path = f"/api/v1/conversations/{alice_conversation['id']}/messages"
    r = await agent_carol.client.post(
        path, json={"body": "hello"}, headers={"X-CSRF-Token": "forged"}
    )
    assert r.status_code == 403
    assert r.json()["error"]["code"] == "csrf_failed"
    messages = (await agent_carol.client.get(path)).json()["messages"]
    assert [m["body"] for m in messages] == ["My withdrawal is stuck"]


async def test_logout_ends_the_session(agent_carol):
    assert (await agent_carol.client.post("/api/v1/auth/logout")).status_code == 204
    r = await agent_carol.client.get("/api/v1/auth/me")
    assert r.status_code == 401
    assert r.json()["error"]["code"] in {"session_expired", "not_authenticated"}


async def test_api_token_authenticates_without_csrf_and_stops_when_revoked(app, agent_carol):
    r = await agent_carol.client.post("/api/v1/auth/tokens", json={"name": "crm sync"})
    assert r.status_code == 201
    token = r.json()["token"]
    assert token.startswith("sd_")
    async with make_client(app) as http:
        http.headers["Authorization"] = f"Bearer {token}"
        me = await http.get("/api/v1/auth/me")
        assert me.json()["agent"]["id"] == agent_carol.agent.id and me.json()["auth"] == "token"
        listed = (await agent_carol.client.get("/api/v1/auth/tokens")).json()
        assert [t["name"] for t in listed] == ["crm sync"] and "token" not in listed[0]
        revoke = await agent_carol.client.delete(f"/api/v1/auth/tokens/{r.json()['id']}")
        assert revoke.status_code == 204
        assert (await http.get("/api/v1/auth/me")).status_code == 401


async def test_an_agent_cannot_revoke_another_agents_token(agent_carol, agent_erin):
    created = (await agent_carol.client.post("/api/v1/auth/tokens", json={"name": "x"})).json()
    r = await agent_erin.client.delete(f"/api/v1/auth/tokens/{created['id']}")
    assert r.status_code == 404


async def test_deactivation_ends_sessions_and_tokens_and_blocks_login(
    app, admin_dave: StaffPersona, agent_carol: StaffPersona
):
    token = (await agent_carol.client.post("/api/v1/auth/tokens", json={"name": "t"})).json()
    r = await admin_dave.client.post(f"/api/v1/agents/{agent_carol.agent.id}/deactivate")
    assert r.status_code == 200 and r.json()["is_active"] is False
    assert (await agent_carol.client.get("/api/v1/auth/me")).status_code == 401
    async with make_client(app) as http:
        http.headers["Authorization"] = f"Bearer {token['token']}"
        assert (await http.get("/api/v1/conversations")).status_code == 401
        relogin = await http.post(
            "/api/v1/auth/login", json={"email": "carol@example.com", "password": PASSWORD}
        )
    assert relogin.status_code == 403
    assert relogin.json()["error"]["code"] == "account_deactivated"
    r = await admin_dave.client.post(f"/api/v1/agents/{agent_carol.agent.id}/reactivate")
    assert r.json()["is_active"] is True
    http, _ = await login(app, "carol@example.com")
    await http.aclose()


async def test_an_admin_cannot_deactivate_themselves(admin_dave):
    r = await admin_dave.client.post(f"/api/v1/agents/{admin_dave.agent.id}/deactivate")
    assert r.status_code == 422
    assert r.json()["error"]["code"] == "cannot_deactivate_self"


async def test_admin_creates_agents_and_a_duplicate_email_is_a_conflict(admin_dave):
    body = {
        "email": "new@example.com",
        "name": "New",
        "role": "agent",
        "password": "long enough pw",
    }
    first = await admin_dave.client.post("/api/v1/agents", json=body)
    assert first.status_code == 201 and first.json()["role"] == "agent"
    second = await admin_dave.client.post(
        "/api/v1/agents", json={**body, "email": "NEW@example.com"}
    )
    assert second.status_code == 409 and second.json()["error"]["code"] == "email_taken"
    agents = (await admin_dave.client.get("/api/v1/agents")).json()
    assert [a["email"] for a in agents].count("new@example.com") == 1


async def test_an_agent_may_rename_themselves_but_not_change_their_role(agent_carol):
    path = f"/api/v1/agents/{agent_carol.agent.id}"
    assert (await agent_carol.client.patch(path, json={"name": "Carol B."})).json()[
        "name"
    ] == "Carol B."
    r = await agent_carol.client.patch(path, json={"role": "admin"})
    assert r.status_code == 403
    assert (await agent_carol.client.get(path)).json()["role"] == "agent"


async def test_presence_set_by_rest_is_listed(agent_carol, agent_erin):
    r = await agent_carol.client.put("/api/v1/presence", json={"status": "away"})
    assert r.status_code == 200 and r.json()["presence"] == "away"
    agents = {a["id"]: a for a in (await agent_erin.client.get("/api/v1/agents")).json()}
    # No console socket is open, so nobody counts as present whatever they chose.
    assert agents[agent_carol.agent.id]["presence"] == "offline"


async def test_teams_are_created_by_admins_and_staffed_by_supervisors(
    admin_dave, supervisor_sam, agent_carol
):
    team = await admin_dave.client.post(
        "/api/v1/teams",
        json={
            "name": "Asia Pacific",
            "region": "APAC",
            "timezone": "Asia/Shanghai",
            "languages": ["zh", "en"],
        },
    )
    assert team.status_code == 201
    team_id = team.json()["id"]
    r = await supervisor_sam.client.put(
        f"/api/v1/teams/{team_id}/members", json={"agent_ids": [agent_carol.agent.id]}
    )
    assert r.status_code == 200 and r.json()["member_ids"] == [agent_carol.agent.id]
    bad = await supervisor_sam.client.put(
        f"/api/v1/teams/{team_id}/members", json={"agent_ids": [agent_carol.agent.id, 99999]}
    )
    assert bad.status_code == 422 and "99999" in bad.json()["error"]["message"]
    teams = (await agent_carol.client.get("/api/v1/teams")).json()
    assert teams[0]["member_ids"] == [agent_carol.agent.id]
    bad_zone = await admin_dave.client.post(
        "/api/v1/teams", json={"name": "Mars", "timezone": "Mars/Olympus"}
    )
    assert bad_zone.status_code == 422 and "Mars/Olympus" in bad_zone.json()["error"]["message"]
