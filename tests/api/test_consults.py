"""Consult transfers over HTTP: asked, accepted, handed over or returned, each desk saying
who is in which consult; bad requests refused naming the problem."""

from __future__ import annotations

import httpx

from tests.api.support import Served


def _on_call(app: Served, contact: str) -> tuple[httpx.Client, httpx.Client]:
    """a000 has ``contact``; a001 is ready and free."""
    channel = app.channel()
    a0, a1 = app.login("a000"), app.login("a001")
    a0.post("/api/agent/sign-in", json={"ready": True})
    channel.post("/api/channels/contacts", json={"queue": "returns", "contact_id": contact})
    assert a0.post(f"/api/agent/offers/{contact}/accept").status_code == 200
    a1.post("/api/agent/sign-in", json={"ready": True})
    return a0, a1


def test_a_consult_is_asked_accepted_and_handed_over_each_desk_saying_so(
    served: Served,
) -> None:
    a0, a1 = _on_call(served, "k-1")
    r = a0.post("/api/agent/contacts/k-1/consult", json={"agent": "a001"})
    assert r.status_code == 200, r.text

    asker = a0.get("/api/agent/desk").json()
    assert asker["contact"]["state"] == "on-hold"
    assert asker["consult"]["role"] == "asked" and asker["consult"]["other"] == "a001"
    assert asker["consult"]["accepted"] is False and asker["consult"]["other_name"]
    asked = a1.get("/api/agent/desk").json()
    assert asked["agent"]["state"] == "consulting"
    # The caller's record rings with it: the contact, its caller and campaign.
    assert asked["contact"]["id"] == "k-1" and asked["campaign_id"] == "acme-returns"
    assert asked["consult"] == {
        "contact": "k-1",
        "role": "consulted",
        "other": "a000",
        "other_name": asker["agent"]["name"] or asked["consult"]["other_name"],
        "accepted": False,
    }

    # Handing over before the colleague accepts is refused, saying why.
    early = a0.post("/api/agent/contacts/k-1/consult/hand-over")
    assert early.status_code == 409 and "still ringing" in early.json()["message"]
    assert a1.post("/api/agent/contacts/k-1/consult/accept").status_code == 200
    assert a0.get("/api/agent/desk").json()["consult"]["accepted"] is True

    r = a0.post("/api/agent/contacts/k-1/consult/hand-over")
    assert r.status_code == 200, r.text
    asker = a0.get("/api/agent/desk").json()
    assert asker["agent"]["state"] == "wrap-up" and asker["consult"] is None
    took = a1.get("/api/agent/desk").json()
    assert took["agent"]["state"] == "on-contact" and took["contact"]["agent"] == "a001"
    assert took["consult"] is None
    # The contact is a001's now: notes on it are theirs to write.
    note = a1.post(
        "/api/agent/contacts/k-1/notes", json={"revision": 1, "text": "handed to me", "fields": {}}
    )
    assert note.status_code == 200, note.text


def test_a_return_and_the_refusals_of_bad_consults(served: Served) -> None:
    a0, a1 = _on_call(served, "k-2")
    post = a0.post
    cases = [
        ({"agent": "a000"}, 409, "cannot consult yourself"),
        ({"agent": "a002"}, 409, "they are offline"),  # signed out
        ({"agent": "nobody"}, 404, "nobody"),
        ({"agent": "g000"}, 409, "does not work for the contact's client company"),
        ({"agent": "bad id!"}, 422, "agent"),
        ({}, 422, "agent"),
    ]
    for body, status, says in cases:
        r = post("/api/agent/contacts/k-2/consult", json=body)
        assert r.status_code == status, (body, r.text)
        assert says in r.json()["message"], (body, r.text)
    gone = post("/api/agent/contacts/k-2/consult/hand-over")
    assert gone.status_code == 409 and "no consult is in progress" in gone.json()["message"]
    # An agent in no consult on the contact (not asked, not asking) is told nothing of it,
    # as for any contact not theirs; so is another client's agent.
    none = a1.post("/api/agent/contacts/k-2/consult/end")
    assert none.status_code == 404 and "contact of yours" in none.json()["message"]
    unknown = a1.post("/api/agent/contacts/never/consult/accept")
    assert unknown.status_code == 404

    assert post("/api/agent/contacts/k-2/consult", json={"agent": "a001"}).status_code == 200
    again = post("/api/agent/contacts/k-2/consult", json={"agent": "a001"})
    assert again.status_code == 409 and "already" in again.json()["message"]
    assert a1.post("/api/agent/contacts/k-2/consult/accept").status_code == 200
    # The colleague hangs up the consult: a return, the caller back with a000.
    assert a1.post("/api/agent/contacts/k-2/consult/end").status_code == 200
    asker = a0.get("/api/agent/desk").json()
    assert asker["contact"]["state"] == "connected" and asker["consult"] is None
    free = a1.get("/api/agent/desk").json()
    assert free["agent"]["state"] == "available" and free["contact"] is None
    for staff in ("sup-acme", "admin"):
        r = served.login(staff).post("/api/agent/contacts/k-2/consult", json={"agent": "a001"})
        assert r.status_code == 403
