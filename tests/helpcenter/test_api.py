"""The help-center API: staff edit and publish, managers organise and delete, anyone reads.

Runs on SQLite and PostgreSQL. The search index is stubbed (see test_import.py).
"""

from __future__ import annotations

import pytest

import supportdesk.helpcenter.actions as actions

HELP = "/api/v1/help"
PENDING_EN = {
    "title": "Why is my withdrawal pending?",
    "body": "Most withdrawals leave within **30 minutes**.",
    "questions": ["my withdrawal is stuck"],
    "tags": ["withdrawal"],
    "category": "deposits-withdrawals",
}
PENDING_ES = {
    "title": "¿Por qué mi retiro está pendiente?",
    "body": "La mayoría sale en 30 minutos.",
}
PENDING_ZH = {"title": "为什么提币还在处理中？", "body": "大部分提币 30 分钟内到账。"}


@pytest.fixture(autouse=True)
def indexed(monkeypatch) -> list[list[int]]:
    calls: list[list[int]] = []

    async def record(session, ids):
        calls.append(list(ids))

    monkeypatch.setattr(actions, "index_articles", record)
    return calls


async def put(staff, key, locale, body, expected=(200, 201)):
    response = await staff.client.put(f"{HELP}/articles/{key}/translations/{locale}", json=body)
    assert response.status_code in expected, response.text
    return response


async def test_an_agent_writes_an_article_in_two_languages(agent_carol, indexed):
    created = await put(agent_carol, "withdrawal-pending", "en", PENDING_EN, expected=(201,))
    article = created.json()
    assert (article["key"], article["category"], article["tags"]) == (
        "withdrawal-pending",
        "deposits-withdrawals",
        ["withdrawal"],
    )
    [en] = article["translations"]
    assert (en["locale"], en["status"], en["state"]) == ("en", "published", "published")
    assert en["published_at"] is not None

    second = await put(agent_carol, "withdrawal-pending", "ES", PENDING_ES, expected=(201,))
    assert [t["locale"] for t in second.json()["translations"]] == ["en", "es"]
    # Left out, the article's tags and category stay as they were.
    assert second.json()["tags"] == ["withdrawal"]
    assert second.json()["category"] == "deposits-withdrawals"
    assert len(indexed) == 2 and indexed[0] == indexed[1]

    same = await put(agent_carol, "withdrawal-pending", "es", PENDING_ES, expected=(200,))
    assert same.json() == second.json()
    assert len(indexed) == 2  # nothing changed: nothing to index


async def test_the_listing_shows_each_locales_state(agent_carol):
    await put(agent_carol, "withdrawal-pending", "en", PENDING_EN)
    await put(agent_carol, "withdrawal-pending", "es", PENDING_ES)
    await put(agent_carol, "withdrawal-pending", "zh", {**PENDING_ZH, "status": "draft"})
    await put(agent_carol, "kyc", "en", {"title": "Verify", "body": "Upload your ID."})
    await put(agent_carol, "withdrawal-pending", "en", {**PENDING_EN, "body": "Changed."})

    listing = (await agent_carol.client.get(f"{HELP}/articles")).json()
    assert listing["total"] == 2
    assert listing["locales"] == ["en", "es", "zh"]
    states = {a["key"]: a["states"] for a in listing["articles"]}
    assert states == {
        "kyc": {"en": "published", "es": "missing", "zh": "missing"},
        "withdrawal-pending": {"en": "published", "es": "outdated", "zh": "outdated"},
    }
    only = await agent_carol.client.get(f"{HELP}/articles", params={"category": "nothing-here"})
    assert only.json()["articles"] == []


async def test_publish_and_unpublish_change_what_the_public_sees(agent_carol, client):
    await put(agent_carol, "withdrawal-pending", "en", {**PENDING_EN, "status": "draft"})
    assert (await client.get(f"{HELP}/articles/withdrawal-pending")).status_code == 404

    path = f"{HELP}/articles/withdrawal-pending/translations/en"
    published = await agent_carol.client.post(f"{path}/publish")
    assert published.status_code == 200
    assert published.json()["translations"][0]["status"] == "published"
    assert (await client.get(f"{HELP}/articles/withdrawal-pending")).status_code == 200

    await agent_carol.client.post(f"{path}/unpublish")
    assert (await client.get(f"{HELP}/articles/withdrawal-pending")).status_code == 404
    missing = await agent_carol.client.post(
        f"{HELP}/articles/withdrawal-pending/translations/fr/publish"
    )
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "translation_not_found"


async def test_the_public_article_falls_back_to_the_best_available_language(agent_carol, client):
    await put(agent_carol, "withdrawal-pending", "en", PENDING_EN)
    await put(agent_carol, "withdrawal-pending", "es", PENDING_ES)
    await put(agent_carol, "withdrawal-pending", "zh-Hans", PENDING_ZH)
    url = f"{HELP}/articles/withdrawal-pending"

    async def get(**params):
        response = await client.get(url, **params)
        assert response.status_code == 200, response.text
        body = response.json()
        return body["locale"], body["fallback"]

    assert await get(params={"locale": "es"}) == ("es", False)
    assert await get(params={"locale": "es-MX"}) == ("es", False)
    assert await get(params={"locale": "zh-CN"}) == ("zh-Hans", False)
    assert await get(params={"locale": "zh"}) == ("zh-Hans", False)
    assert await get(params={"locale": "fr"}) == ("en", True)
    assert await get(headers={"Accept-Language": "de, es;q=0.8"}) == ("es", False)
    assert await get() == ("en", False)

    body = (await client.get(url, params={"locale": "es"})).json()
    assert body["title"] == PENDING_ES["title"]
    assert body["available_locales"] == ["en", "es", "zh-Hans"]
    assert (body["category"], body["tags"]) == ("deposits-withdrawals", ["withdrawal"])
    assert set(body) == {
        "key", "locale", "title", "body", "category", "section", "tags", "updated_at",
        "available_locales", "fallback",
    }  # fmt: skip


async def test_without_english_the_public_article_falls_back_to_the_first(agent_carol, client):
    await put(agent_carol, "p2p", "zh", PENDING_ZH)
    await put(agent_carol, "p2p", "es", PENDING_ES)
    body = (await client.get(f"{HELP}/articles/p2p", params={"locale": "fr"})).json()
    assert (body["locale"], body["fallback"]) == ("es", True)


async def test_unknown_articles_and_bad_keys_are_clear_errors(agent_carol, client):
    unknown = await client.get(f"{HELP}/articles/nothing")
    assert unknown.status_code == 404
    assert unknown.json()["error"] == {
        "code": "article_not_found",
        "message": "no published article with key 'nothing'",
    }
    bad = await client.get(f"{HELP}/articles/Not_A_Key")
    assert bad.status_code == 422
    staff = await agent_carol.client.get(f"{HELP}/articles/nothing/translations")
    assert staff.status_code == 404


@pytest.mark.parametrize(
    ("locale", "body", "where"),
    [
        ("en", {**PENDING_EN, "title": "  "}, "title"),
        ("en", {**PENDING_EN, "body": ""}, "body"),
        ("en", {**PENDING_EN, "questions": ["q"] * 51}, "questions"),
        ("en", {**PENDING_EN, "category": "Not a slug"}, "category"),
        ("en", {**PENDING_EN, "status": "archived"}, "status"),
        ("en", {**PENDING_EN, "colour": "red"}, "colour"),
        ("en", {**PENDING_EN, "body": "nul \x00 byte"}, "NUL"),
        ("e_n", PENDING_EN, "locale"),
    ],
)
async def test_bad_translations_are_refused_with_their_place(agent_carol, locale, body, where):
    response = await put(agent_carol, "withdrawal-pending", locale, body, expected=(422,))
    error = response.json()["error"]
    # The message drops "body" from a field's place (it is the request body's name too),
    # so the body field is found in the details.
    places = [".".join(d["loc"]) for d in error.get("details", [])]
    assert where in error["message"] or f"body.{where}" in places, error
    listing = await agent_carol.client.get(f"{HELP}/articles")
    assert listing.json()["total"] == 0


async def test_only_managers_delete_and_organise(agent_carol, supervisor_sam, admin_dave):
    await put(agent_carol, "withdrawal-pending", "en", PENDING_EN)
    await put(agent_carol, "withdrawal-pending", "es", PENDING_ES)
    article = f"{HELP}/articles/withdrawal-pending"
    for request in (
        agent_carol.client.delete(f"{article}/translations/es"),
        agent_carol.client.delete(article),
        agent_carol.client.post(f"{HELP}/categories", json={"slug": "fees"}),
        agent_carol.client.patch(f"{HELP}/categories/deposits-withdrawals", json={"names": {}}),
        agent_carol.client.put(f"{HELP}/categories/order", json={"slugs": ["fees"]}),
        agent_carol.client.delete(f"{HELP}/categories/deposits-withdrawals"),
    ):
        response = await request
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "role_required"

    assert (await supervisor_sam.client.delete(f"{article}/translations/es")).status_code == 204
    detail = (await agent_carol.client.get(f"{article}/translations")).json()
    assert [t["locale"] for t in detail["translations"]] == ["en"]
    again = await supervisor_sam.client.delete(f"{article}/translations/es")
    assert again.status_code == 404
    assert (await admin_dave.client.delete(article)).status_code == 204
    assert (await agent_carol.client.get(f"{article}/translations")).status_code == 404


async def test_anonymous_callers_cannot_edit_or_list(client):
    assert (await client.get(f"{HELP}/articles")).status_code == 401
    assert (await client.get(f"{HELP}/categories")).status_code == 401
    response = await client.put(f"{HELP}/articles/a/translations/en", json=PENDING_EN)
    assert response.status_code == 401


async def test_managers_create_rename_and_reorder_categories(supervisor_sam, agent_carol):
    client = supervisor_sam.client
    created = await client.post(
        f"{HELP}/categories", json={"slug": "fees", "names": {"en": "Fees", "ZH-hans": "费用"}}
    )
    assert created.status_code == 201, created.text
    assert created.json() == {
        "slug": "fees",
        "position": 0,
        "names": {"en": "Fees", "zh-Hans": "费用"},
        "articles": 0,
        "sections": [],
    }
    taken = await client.post(f"{HELP}/categories", json={"slug": "fees"})
    assert taken.status_code == 409 and taken.json()["error"]["code"] == "slug_taken"

    await put(agent_carol, "withdrawal-pending", "en", PENDING_EN)  # creates its category
    await client.post(f"{HELP}/categories", json={"slug": "security"})
    renamed = await client.patch(
        f"{HELP}/categories/deposits-withdrawals",
        json={"slug": "money-in-out", "names": {"en": "Money in and out"}},
    )
    assert renamed.status_code == 200, renamed.text
    assert renamed.json()["articles"] == 1
    clash = await client.patch(f"{HELP}/categories/money-in-out", json={"slug": "fees"})
    assert clash.status_code == 409

    order = await client.put(f"{HELP}/categories/order", json={"slugs": ["security", "fees"]})
    assert order.status_code == 204
    listed = (await agent_carol.client.get(f"{HELP}/categories")).json()
    assert [(c["slug"], c["position"], c["articles"]) for c in listed] == [
        ("security", 0, 0),
        ("fees", 1, 0),
        ("money-in-out", 2, 1),
    ]
    unknown = await client.put(f"{HELP}/categories/order", json={"slugs": ["nope"]})
    assert unknown.status_code == 422
    twice = await client.put(f"{HELP}/categories/order", json={"slugs": ["fees", "fees"]})
    assert twice.status_code == 422

    assert (await client.delete(f"{HELP}/categories/money-in-out")).status_code == 204
    detail = (
        await agent_carol.client.get(f"{HELP}/articles/withdrawal-pending/translations")
    ).json()
    assert detail["category"] is None
    assert (await client.patch(f"{HELP}/categories/money-in-out", json={})).status_code == 404


async def test_category_null_takes_the_article_out_of_its_category(agent_carol):
    await put(agent_carol, "withdrawal-pending", "en", PENDING_EN)
    response = await put(agent_carol, "withdrawal-pending", "en", {**PENDING_EN, "category": None})
    assert response.json()["category"] is None
    assert response.status_code == 200
