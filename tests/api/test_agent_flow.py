"""An agent's whole call over real HTTP and WebSocket, on SQLite and PostgreSQL."""

from __future__ import annotations

import time

from sqlalchemy import select

from hearthline.store import tables as s
from tests.api.support import Served, receive, wait_for_event


def _stored_ids(app: Served) -> set[int]:
    with app.writer.engine.connect() as conn:
        return set(conn.execute(select(s.events.c.id)).scalars())


def test_a_call_from_arrival_to_outcome_reaches_the_agent_stream_in_order(served: Served) -> None:
    agent = served.login("a000")
    channel = served.channel()
    assert agent.post("/api/agent/sign-in", json={"ready": True}).status_code == 200
    with served.stream(agent) as ws:
        snap = receive(ws)
        assert snap["type"] == "snapshot"
        assert snap["data"]["me"]["state"] == "available"
        arrived = channel.post(
            "/api/channels/contacts",
            json={"queue": "returns", "caller": "+33 612 34", "menu": {"lang": "fr"}},
        )
        assert arrived.status_code == 201, arrived.text
        contact = arrived.json()["contact_id"]
        offered = wait_for_event(ws, "ContactOffered", contact=contact, agent="a000")
        # Published only after commit: the event is in the log when it reaches us.
        assert offered["id"] in _stored_ids(served)
        assert offered["id"] > snap["last_event_id"]
        steps = [
            ("post", f"/api/agent/offers/{contact}/accept", None, "OfferAccepted"),
            ("post", f"/api/agent/contacts/{contact}/hold", None, "ContactHeld"),
            ("post", f"/api/agent/contacts/{contact}/resume", None, "ContactResumed"),
            (
                "post",
                f"/api/agent/contacts/{contact}/notes",
                {"revision": 1, "text": "wants a refund", "fields": {"order_number": "o1"}},
                "NoteDrafted",
            ),
            ("post", f"/api/agent/contacts/{contact}/hang-up", None, "ContactEnded"),
            (
                "post",
                f"/api/agent/contacts/{contact}/finish",
                {
                    "disposition": "prevented-resale",
                    "text": "sold a replacement instead",
                    "fields": {"order_number": "o1", "reason": "wrong-size"},
                },
                "DispositionRecorded",
            ),
            ("post", "/api/agent/ready", None, "ContactCompleted"),
        ]
        last = offered["id"]
        for method, path, body, expected in steps:
            r = agent.request(method, path, json=body)
            assert r.status_code == 200, (path, r.text)
            assert expected in [e["type"] for e in r.json()["events"]]
            seen = wait_for_event(ws, expected)
            assert seen["id"] > last
            last = seen["id"]
    desk = agent.get("/api/agent/desk").json()
    assert desk["agent"]["state"] == "available"
    assert desk["contact"] is None
    # The desk says which log position it reflects: at least every event the stream sent.
    assert desk["as_of"] >= last
    history = agent.get(f"/api/contacts/{contact}").json()
    assert history["disposition"] == "prevented-resale"
    assert history["note"] == "sold a replacement instead"
    assert history["agents"] == ["a000"]
    assert history["ended_as"] == "completed"
    deadline = time.monotonic() + 10
    while True:  # the statistics read model is written every few tenths of a second here
        day = agent.get("/api/agent/my-day").json()
        if day["handled"] == 1 or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert day["handled"] == 1
    assert day["answered"] == 1
    assert day["outcomes"] == {"prevented-resale": 1}
    assert day["sales"] == 1 and day["saves"] == 1 and day["sale_rate"] == 1.0
    assert day["average_handle_s"] is not None and day["average_handle_s"] > 0


def test_an_agent_cannot_touch_another_agents_contact(served_sqlite: Served) -> None:
    app = served_sqlite
    a0, a1 = app.login("a000"), app.login("a001")
    a0.post("/api/agent/sign-in", json={"ready": True})
    contact = app.channel().post("/api/channels/contacts", json={"queue": "returns"}).json()
    ident = contact["contact_id"]
    for path in (
        f"/api/agent/offers/{ident}/accept",
        f"/api/agent/contacts/{ident}/hold",
        f"/api/agent/contacts/{ident}/hang-up",
    ):
        r = a1.post(path)
        assert r.status_code == 404, (path, r.text)
        assert "a000" not in r.text
    r = a1.post(f"/api/agent/contacts/{ident}/notes", json={"revision": 1, "text": "x"})
    assert r.status_code in (404, 409)
    assert a1.get(f"/api/contacts/{ident}").status_code == 404
    assert a0.post(f"/api/agent/offers/{ident}/accept").status_code == 200


def test_refusals_are_json_with_a_message_and_nothing_changes(served_sqlite: Served) -> None:
    app = served_sqlite
    agent = app.login("a000")
    r = agent.post("/api/agent/ready")
    assert r.status_code == 409
    assert r.json()["error"] == "illegal-transition"
    assert "offline" in r.json()["message"]
    r = agent.post("/api/agent/not-ready", json={"reason": "nap"})
    assert r.status_code == 409
    r = agent.post(
        "/api/agent/sign-in", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert r.status_code == 422 and r.json()["error"] == "invalid"
    r = agent.post("/api/agent/help", json={"text": "a\x00b"})
    assert r.status_code == 422 and "NUL" in r.json()["message"]
    r = agent.get("/api/nowhere")
    assert r.status_code == 404 and r.json()["error"] == "not-found"
    r = agent.delete("/api/agent/desk")
    assert r.status_code == 405 and "message" in r.json()
    assert agent.get("/api/agent/desk").json()["agent"]["state"] == "offline"


def test_nobody_sets_a_reason_the_center_sets_itself_over_http(served: Served) -> None:
    """The center's own reasons (a restart, a lost connection, a missed offer, signing in)
    say what happened; chosen by hand they would hide a break and never count against the
    agent. Refused to the agent and to supervisors alike, naming the reason, and nothing
    reaches the log."""
    agent, sup, acme_sup = served.login("a000"), served.login("sup"), served.login("sup-acme")
    assert agent.post("/api/agent/sign-in", json={"ready": True}).status_code == 200
    before = _stored_ids(served)
    for reason in ("system-restart", "connection-lost", "missed-offer", "signed-in"):
        tries = [
            agent.post("/api/agent/not-ready", json={"reason": reason}),
            agent.post("/api/agent/not-ready", json={"reason": reason, "after_contact": True}),
        ]
        for staff in (sup, acme_sup):
            body = {"state": "not-ready", "reason": reason}
            tries.append(staff.post("/api/supervisor/agents/a000/state", json=body))
        for r in tries:
            assert 400 <= r.status_code < 500, (r.request.url.path, r.status_code, r.text)
            assert reason in r.json()["message"] and "center" in r.json()["message"], r.text
    assert _stored_ids(served) == before
    desk = agent.get("/api/agent/desk").json()["agent"]
    assert (desk["state"], desk["reason"]) == ("available", None)
    # A reason of the catalogue is taken: the refusals were about the reason alone.
    assert agent.post("/api/agent/not-ready", json={"reason": "break"}).status_code == 200
    assert agent.get("/api/agent/desk").json()["agent"]["reason"] == "break"
