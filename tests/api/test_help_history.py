"""Help requests stay once answered: per agent for supervisors, per contact in its story
and in the customer's history."""

from __future__ import annotations

from tests.api.support import Served


def test_answered_help_stays_in_the_agents_history_and_the_contacts_story(
    served: Served,
) -> None:
    app = served
    agent = app.login("a000")
    agent.post("/api/agent/sign-in", json={"ready": True})
    call = (
        app.channel()
        .post("/api/channels/contacts", json={"queue": "returns", "contact_id": "help-1"})
        .json()["contact_id"]
    )
    assert agent.post(f"/api/agent/offers/{call}/accept").status_code == 200
    # Asked before the agent found who called: the link gives the request its customer.
    asked = agent.post("/api/agent/help", json={"text": "refund over the limit?"})
    assert asked.status_code == 201
    request = asked.json()
    assert request["contact_id"] == call
    assert request["customer_id"] is None
    customer = agent.post("/api/customers", json={"client_id": "acme", "name": "Ann"}).json()["id"]
    assert (
        agent.post(f"/api/customers/{customer}/contacts", json={"contact_id": call}).status_code
        == 201
    )
    # Asked once linked: the customer is recorded at once.
    second = agent.post("/api/agent/help", json={"text": "and the postage?"}).json()
    assert second["customer_id"] == customer

    sup = app.login("sup-acme")
    answered = sup.post(f"/api/supervisor/help/{request['id']}/answer", json={"text": "yes"})
    assert answered.status_code == 200
    open_ids = [h["id"] for h in sup.get("/api/supervisor/help").json()]
    assert request["id"] not in open_ids and second["id"] in open_ids

    past = sup.get("/api/supervisor/agents/a000/help")
    assert past.status_code == 200
    assert [h["id"] for h in past.json()] == [second["id"], request["id"]]
    first = past.json()[1]
    assert (first["answer"], first["answered_by"], first["open"]) == ("yes", "sup-acme", False)
    assert first["customer_id"] == customer
    paged = sup.get("/api/supervisor/agents/a000/help", params={"before_id": second["id"]})
    assert [h["id"] for h in paged.json()] == [request["id"]]

    for who in ("a000", "sup-acme", "admin"):
        story = app.login(who).get(f"/api/contacts/{call}")
        assert story.status_code == 200, who
        helped = story.json()["help"]
        assert [h["text"] for h in helped] == ["refund over the limit?", "and the postage?"]
        assert helped[0]["answer"] == "yes"
    history = agent.get(f"/api/customers/{customer}/contacts").json()
    assert [h["answer"] for h in history[0]["help"]] == ["yes", None]

    # Another client's staff see none of it.
    other = app.login("sup-globex")
    assert other.get("/api/supervisor/agents/a000/help").status_code == 404
    assert other.get(f"/api/contacts/{call}").status_code == 404
    assert all(h["agent_id"] != "a000" for h in other.get("/api/supervisor/help").json())
    viewer = app.login("globex-viewer")
    assert viewer.get("/api/supervisor/agents/a000/help").status_code == 403
    assert viewer.get(f"/api/contacts/{call}").status_code == 404
    assert app.login("g000").get(f"/api/contacts/{call}").status_code == 404
    assert sup.get("/api/supervisor/agents/nobody/help").status_code == 404
