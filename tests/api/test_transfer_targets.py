"""The transfer directory: the agents and queues of the contact's own client company."""

from __future__ import annotations

from tests.api.support import Served


def test_the_directory_lists_the_contacts_client_agents_and_queues_and_who_is_free(
    served: Served,
) -> None:
    app = served
    channel = app.channel()
    a0, a1 = app.login("a000"), app.login("a001")
    a0.post("/api/agent/sign-in", json={"ready": True})
    channel.post("/api/channels/contacts", json={"queue": "returns", "contact_id": "t-1"})
    assert a0.post("/api/agent/offers/t-1/accept").status_code == 200
    a1.post("/api/agent/sign-in", json={"ready": True})

    r = a0.get("/api/agent/transfer-targets")
    assert r.status_code == 200, r.text
    targets = r.json()
    assert (targets["contact"], targets["client_id"]) == ("t-1", "acme")
    by_id = {a["id"]: a for a in targets["agents"]}
    # Never the agent themself, never another client's agent (g000 works for globex).
    assert set(by_id) == {"a001", "a002"}
    assert by_id["a001"]["free"] is True and by_id["a001"]["state"] == "available"
    assert by_id["a001"]["skills"] and by_id["a001"]["campaigns"] == ["acme-returns"]
    assert by_id["a002"]["free"] is False and by_id["a002"]["state"] == "offline"
    assert [q["id"] for q in targets["queues"]] == ["returns"]
    assert targets["queues"][0]["waiting"] == 0

    # a001 takes a break and a caller waits: the directory says so.
    assert a1.post("/api/agent/not-ready", json={"reason": "break"}).status_code == 200
    channel.post("/api/channels/contacts", json={"queue": "returns", "contact_id": "t-2"})
    again = a0.get("/api/agent/transfer-targets", params={"contact": "t-1"}).json()
    a001 = next(a for a in again["agents"] if a["id"] == "a001")
    assert (a001["state"], a001["free"]) == ("not-ready", False)
    assert again["queues"][0]["waiting"] == 1

    # Only the contact in hand, and only for an agent who has one.
    assert a0.get("/api/agent/transfer-targets", params={"contact": "t-2"}).status_code == 404
    none = app.login("g000").get("/api/agent/transfer-targets")
    assert none.status_code == 409
    assert "no contact" in none.json()["message"]
    bad = a0.get("/api/agent/transfer-targets", params={"contact": "bad id!"})
    assert bad.status_code == 422
    # A transfer stays within the contact's client company.
    to_sales = a0.post("/api/agent/contacts/t-1/transfer", json={"queue": "sales"})
    assert to_sales.status_code == 409
    assert "another client" in to_sales.json()["message"]
    to_g000 = a0.post("/api/agent/contacts/t-1/transfer", json={"agent": "g000"})
    assert to_g000.status_code == 409
    assert a0.get("/api/agent/desk").json()["contact"]["id"] == "t-1"
    for staff in ("sup-acme", "acme-viewer", "admin"):
        assert app.login(staff).get("/api/agent/transfer-targets").status_code == 403
