async def test_visitor_message_reaches_staff_list(agent_carol, alice_conversation):
    r = await agent_carol.client.get("/api/v1/conversations")
    assert r.status_code == 200
    assert [c["id"] for c in r.json()] == [alice_conversation["id"]]
    assert r.json()[0]["unread"] == 1
