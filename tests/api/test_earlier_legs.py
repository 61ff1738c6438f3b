"""The notes of a call's earlier legs, for the agent who takes it over after the first
agent's leg dropped: read only, to an agent who has the new contact, and only along the
control plane's own requeue (never a link a channel put in a contact's data)."""

from __future__ import annotations

import httpx

from hearthline.kernel.ids import ContactId, QueueId
from hearthline.routing import commands as cmd
from hearthline.voice.commands import AnswerCall, BridgeCall, RequeueCall
from tests.api.support import Served

NOTE = "Jacket torn at the seam; wants a refund."


def _take(agent: httpx.Client, contact: str, *, ready: str = "/api/agent/sign-in") -> None:
    r = agent.post(ready, json={"ready": True})
    assert r.status_code == 200, r.text
    r = agent.post(f"/api/agent/offers/{contact}/accept")
    assert r.status_code == 200, r.text


def test_the_next_agent_reads_the_notes_of_the_leg_that_dropped_and_no_one_else_does(
    served: Served,
) -> None:
    app, w = served, served.writer
    w.execute(AnswerCall("call-1", contact="d-1", client="acme", number="+15550100"))
    w.execute(cmd.ArriveContact(ContactId("d-1"), caller="+441632960001", queue=QueueId("returns")))
    first, second, globex = app.login("a000"), app.login("a001"), app.login("g000")
    _take(first, "d-1")
    w.execute(BridgeCall("call-1", agent="a000"))
    r = first.post("/api/agent/contacts/d-1/notes", json={"revision": 1, "text": NOTE})
    assert r.status_code == 200, r.text

    # The leg drops past the grace period; the caller waits again first in line.
    w.execute(cmd.DropContact(ContactId("d-1"), side="agent"))
    w.execute(RequeueCall("call-1", contact="d-2", previous="d-1"))
    w.execute(
        cmd.ArriveContact(
            ContactId("d-2"), caller="+441632960001", queue=QueueId("returns"), priority=1000,
            data=(("previous_contact", "d-1"),),
        )
    )  # fmt: skip
    _take(second, "d-2")
    w.execute(cmd.CallerHangUp(ContactId("d-1~cb")))  # the callback owed, as voice cancels it

    r = second.get("/api/agent/contacts/d-2/earlier")
    assert r.status_code == 200, r.text
    [leg] = r.json()
    assert (leg["contact_id"], leg["note"], leg["agents"]) == ("d-1", NOTE, ["a000"])
    assert leg["agent_names"] == ["Agent 0"] and leg["ended_as"] == "dropped"
    # Who never had the new contact gets 404 (also the first agent: the caller is the
    # next agent's now), and the dropped leg has no earlier leg of its own.
    assert globex.get("/api/agent/contacts/d-2/earlier").status_code == 404
    assert first.get("/api/agent/contacts/d-2/earlier").status_code == 404
    assert second.get("/api/agent/contacts/d-1/earlier").status_code == 404
    assert first.get("/api/agent/contacts/d-1/earlier").json() == []
    assert second.get("/api/agent/contacts/bad id!/earlier").status_code == 422

    # A contact whose data names another (a channel may send any data) has no earlier leg.
    w.execute(
        cmd.ArriveContact(
            ContactId("f-1"), caller="+441632960002", queue=QueueId("returns"),
            data=(("previous_contact", "d-1"),),
        )
    )  # fmt: skip
    _take(first, "f-1", ready="/api/agent/ready")
    r = first.get("/api/agent/contacts/f-1/earlier")
    assert r.status_code == 200 and r.json() == []
