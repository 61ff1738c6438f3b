"""Customers for the agent desktop: caller-id look-up, history with outcomes and notes."""

from __future__ import annotations

from tests.api.support import Served


def test_an_agent_finds_the_caller_links_the_call_and_sees_past_outcomes(
    served_sqlite: Served,
) -> None:
    app = served_sqlite
    agent = app.login("a000")
    made = agent.post(
        "/api/customers", json={"client_id": "acme", "name": "Ann Smith", "phone": "+44 20 7946"}
    )
    assert made.status_code == 201
    customer = made.json()["id"]
    assert made.json()["phone"] == "+44207946"
    agent.post("/api/agent/sign-in", json={"ready": True})
    call = (
        app.channel()
        .post("/api/channels/contacts", json={"queue": "returns", "caller": "+44 20 7946"})
        .json()["contact_id"]
    )
    found = agent.get("/api/customers", params={"phone": "+44 (20) 7946"}).json()
    assert [c["id"] for c in found] == [customer]
    assert agent.get("/api/customers", params={"q": "smi"}).json()[0]["id"] == customer
    agent.post(f"/api/agent/offers/{call}/accept")
    assert agent.get("/api/customers", params={"contact_id": call}).json() == []
    # Any contact id a channel may give is a valid question (not a 422).
    long_id = "c" * 180
    assert agent.get("/api/customers", params={"contact_id": long_id}).json() == []
    r = agent.post(f"/api/customers/{customer}/contacts", json={"contact_id": call})
    assert r.status_code == 201
    # A reloaded or reopened desktop asks which customer the call is linked to.
    linked = agent.get("/api/customers", params={"contact_id": call}).json()
    assert [c["id"] for c in linked] == [customer]
    agent.post(f"/api/agent/contacts/{call}/hang-up")
    agent.post(
        f"/api/agent/contacts/{call}/finish",
        json={
            "disposition": "prevented-exchange",
            "text": "exchanged for a larger size",
            "fields": {"order_number": "A-17"},
        },
    )
    history = agent.get(f"/api/customers/{customer}/contacts").json()
    assert len(history) == 1
    assert history[0]["disposition"] == "prevented-exchange"
    assert history[0]["note"] == "exchanged for a larger size"
    assert history[0]["fields"] == {"order_number": "A-17"}
    assert (
        agent.post(f"/api/customers/{customer}/contacts", json={"contact_id": call}).status_code
        == 409
    )

    viewer = app.login("acme-viewer")
    assert viewer.get(f"/api/customers/{customer}").status_code == 200
    assert viewer.get("/api/contacts").json()[0]["contact_id"] == call
    for outsider in ("globex-viewer", "g000", "sup-globex"):
        c = app.login(outsider)
        assert c.get(f"/api/customers/{customer}").status_code == 404
        assert c.get(f"/api/customers/{customer}/contacts").status_code == 404
        assert c.get("/api/customers", params={"q": "Ann"}).json() == []
        assert c.get("/api/customers", params={"contact_id": call}).json() == []
        assert c.get(f"/api/contacts/{call}").status_code == 404
    assert (
        app.login("g000")
        .post("/api/customers", json={"client_id": "acme", "name": "x"})
        .status_code
        == 404
    )


def test_a_callback_takes_only_a_customer_and_an_agent_of_its_queues_client(
    served: Served,
) -> None:
    admin, line = served.login("admin"), served.channel()
    ours = admin.post("/api/customers", json={"client_id": "acme", "name": "Ann"}).json()["id"]
    theirs = admin.post("/api/customers", json={"client_id": "globex", "name": "Bo"}).json()["id"]
    due = served.writer.clock.now() + 3600
    base = {"queue": "returns", "due_at": due, "caller": "+1"}
    before = served.writer.last_event_id
    for extra, missing in (
        ({"customer_id": theirs}, "customer"),
        ({"preferred_agent": "g000"}, "agent"),  # globex's agent, on acme's queue
        ({"preferred_agent": "nobody"}, "agent"),
    ):
        r = line.post("/api/channels/callbacks", json=base | extra)
        assert r.status_code == 404, r.text
        assert r.json()["error"] == "not-found" and missing in r.json()["message"]
    assert served.writer.last_event_id == before  # nothing was scheduled
    ok = line.post(
        "/api/channels/callbacks", json=base | {"customer_id": ours, "preferred_agent": "a000"}
    )
    assert ok.status_code == 201, ok.text
