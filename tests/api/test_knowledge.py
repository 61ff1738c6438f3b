"""Knowledge over real HTTP on both databases: scope, bulletins, the ready rule, streams."""

from __future__ import annotations

import time
from typing import Any

import httpx

from tests.api.support import Served, receive, wait_for_event

ACME_BODY = "Ask for a **photo** of the damage, then refund the order. [Form](https://example.org)"


def _article(c: httpx.Client, client: str, title: str, body: str, **kw: Any) -> dict[str, Any]:
    r = c.post(
        "/api/knowledge/articles", json={"client_id": client, "title": title, "body": body, **kw}
    )
    assert r.status_code == 201, r.text
    out: dict[str, Any] = r.json()
    return out


def _titles(c: httpx.Client, q: str) -> list[str]:
    r = c.get("/api/knowledge/search", params={"q": q})
    assert r.status_code == 200, r.text
    return [h["article"]["title"] for h in r.json()]


def test_each_role_finds_only_its_clients_articles_and_saves_keep_versions(
    served: Served,
) -> None:
    admin, sup_acme = served.login("admin"), served.login("sup-acme")
    acme = _article(sup_acme, "acme", "Damaged parcel refund", ACME_BODY)
    globex = _article(admin, "globex", "Damaged demo unit refund", "Globex refunds demo units.")
    refused = sup_acme.post(
        "/api/knowledge/articles", json={"client_id": "globex", "title": "x", "body": "y"}
    )
    assert refused.status_code == 404
    assert _titles(served.login("a000"), "damagd refund") == ["Damaged parcel refund"]
    assert _titles(served.login("g000"), "damaged refund") == ["Damaged demo unit refund"]
    assert _titles(served.login("globex-viewer"), "refund") == ["Damaged demo unit refund"]
    assert sorted(_titles(admin, "refund")) == ["Damaged demo unit refund", "Damaged parcel refund"]
    viewer = served.login("globex-viewer")
    assert viewer.get(f"/api/knowledge/articles/{acme['id']}").status_code == 404
    assert viewer.get(f"/api/knowledge/articles/{globex['id']}").status_code == 200
    assert (
        viewer.get("/api/knowledge/search", params={"q": "refund", "client_id": "acme"}).status_code
        == 404
    )
    hit = admin.get("/api/knowledge/search", params={"q": "photo"}).json()[0]
    assert {"text": "photo", "hit": True} in hit["snippet"]
    page = admin.get(f"/api/knowledge/articles/{acme['id']}").json()
    assert "<strong>photo</strong>" in page["html"]
    assert 'rel="noopener noreferrer nofollow"' in page["html"]

    # Versions: each save is one, and a save over a newer one is refused.
    first = _article(admin, "acme", "Exchange", "Offer an exchange.")
    body = {
        "client_id": "acme",
        "title": "Exchange",
        "body": "Offer an exchange first.",
        "version": 1,
        "note": "clearer",
    }
    assert admin.put(f"/api/knowledge/articles/{first['id']}", json=body).json()["version"] == 2
    stale = admin.put(f"/api/knowledge/articles/{first['id']}", json=body)
    assert stale.status_code == 409 and "someone saved it meanwhile" in stale.json()["message"]
    versions = admin.get(f"/api/knowledge/articles/{first['id']}/versions").json()
    assert [(v["version"], v["changed_by"], v["note"]) for v in versions] == [
        (2, "admin", "clearer"),
        (1, "admin", ""),
    ]
    bad = admin.post(
        "/api/knowledge/articles",
        json={"client_id": "acme", "title": "x", "campaigns": ["globex-sales"]},
    )
    assert bad.status_code == 422 and "not a campaign of 'acme'" in bad.json()["message"]


def test_mandatory_bulletin_blocks_ready_until_acknowledged_and_the_supervisor_sees_it(
    served: Served,
) -> None:
    admin, sup = served.login("admin"), served.login("sup-acme")
    a0, g0 = served.login("a000"), served.login("g000")
    assert a0.post("/api/agent/sign-in", json={"ready": False}).status_code == 200
    assert admin.put("/api/knowledge/settings", json={"ack_before_ready": True}).status_code == 200
    with served.stream(a0) as ws, served.stream(g0) as other:
        receive(ws)  # the snapshot
        receive(other)
        published = sup.post(
            "/api/knowledge/bulletins",
            json={
                "client_id": "acme",
                "title": "New refund limit",
                "body": "Refunds over 200 need a supervisor.",
                "due_at": time.time() + 3600,  # noqa: TID251 -- the server's wall clock
                "mandatory": True,
                "question": "From what amount do you ask a supervisor?",
            },
        )
        assert published.status_code == 201, published.text
        ident, sent_to = published.json()["id"], published.json()["agents"]
        assert sent_to == 3  # a000, a001, a002: acme's agents, not globex's g000
        notice = receive(ws)
        while notice.get("type") != "bulletin":
            notice = receive(ws)
        assert notice["bulletin"]["title"] == "New refund limit"
        # globex's agent: its own sign-in reaches its stream, and nothing of acme's before it.
        assert g0.post("/api/agent/sign-in", json={"ready": False}).status_code == 200
        before: list[dict[str, Any]] = []
        message = receive(other)
        while message.get("event", {}).get("type") != "AgentSignedIn":
            before.append(message)
            message = receive(other)
        assert message["event"]["agent"] == "g000"
        assert not [m for m in before if m["type"].startswith("bulletin")], before
    assert g0.get("/api/agent/bulletins").json() == []
    assert (
        g0.post(f"/api/agent/bulletins/{ident}/acknowledge", json={"answer": "x"}).status_code
        == 404
    )
    refused = a0.post("/api/agent/ready")
    assert refused.status_code == 409
    assert "'New refund limit'" in refused.json()["message"]
    assert a0.post(f"/api/agent/bulletins/{ident}/read").json()["read_at"] is not None
    no_answer = a0.post(f"/api/agent/bulletins/{ident}/acknowledge", json={"answer": " "})
    assert no_answer.status_code == 422 and "check question" in no_answer.json()["message"]
    acked = a0.post(f"/api/agent/bulletins/{ident}/acknowledge", json={"answer": "200"})
    assert acked.status_code == 200 and acked.json()["answer"] == "200"
    assert (
        a0.post(f"/api/agent/bulletins/{ident}/acknowledge", json={"answer": "2"}).status_code
        == 409
    )
    assert a0.post("/api/agent/ready").status_code == 200
    asked = served.login("a001").post(
        f"/api/agent/bulletins/{ident}/questions", json={"text": "Gift cards too?"}
    )
    answered = sup.post(
        f"/api/knowledge/questions/{asked.json()['id']}/answer", json={"text": "Yes."}
    )
    assert answered.status_code == 200
    seen = a0.get(f"/api/agent/bulletins/{ident}/questions").json()
    assert [(q["text"], q["answer"]) for q in seen] == [("Gift cards too?", "Yes.")]
    state = sup.get(f"/api/knowledge/bulletins/{ident}/receipts").json()
    assert state["counts"] == {
        "unread": 2,
        "read": 0,
        "acknowledged": 0,
        "answered": 1,
        "overdue": 0,
        "total": 3,
    }
    assert (
        served.login("sup-globex").get(f"/api/knowledge/bulletins/{ident}/receipts").status_code
        == 404
    )
    page = sup.get(f"/api/knowledge/bulletins/{ident}/receipts", params={"limit": 2, "offset": 1})
    assert page.status_code == 200
    assert [r["agent_id"] for r in page.json()["receipts"]] == [
        r["agent_id"] for r in state["receipts"][1:3]
    ]
    assert page.json()["counts"] == state["counts"]  # totals over everyone, not the page
    assert {r["progress"] for r in state["receipts"]} == {"unread", "answered"}
    for bad in ({"limit": 0}, {"limit": 5001}, {"offset": -1}, {"limit": "x"}):
        refused = sup.get(f"/api/knowledge/bulletins/{ident}/receipts", params=bad)
        assert refused.status_code == 422, bad
    article = sup.post(f"/api/knowledge/bulletins/{ident}/article", json={"client_id": "acme"})
    assert article.status_code == 201 and article.json()["bulletin_id"] == ident
    firm_wide = sup.post(
        "/api/knowledge/bulletins",
        json={"title": "All", "due_at": time.time() + 60},  # noqa: TID251
    )
    assert firm_wide.status_code == 403


def test_suggestions_follow_the_contact_in_hand_and_its_client_only(served: Served) -> None:
    admin, a0 = served.login("admin"), served.login("a000")
    _article(
        admin,
        "acme",
        "Size exchange",
        "Jackets that are too small: offer a size exchange.",
        campaigns=["acme-returns"],
    )
    _article(admin, "globex", "Jacket upsell", "Jackets too small: sell the premium jacket.")
    assert a0.get("/api/agent/suggestions", params={"text": "jacket too small"}).json() == []
    a0.post("/api/agent/sign-in", json={"ready": True})
    made = served.channel().post(
        "/api/channels/contacts", json={"queue": "returns", "contact_id": "k-1", "caller": "+1"}
    )
    assert made.status_code == 201
    assert a0.post("/api/agent/offers/k-1/accept").status_code == 200
    found = a0.get("/api/agent/suggestions", params={"text": "the jackt is too small"}).json()
    assert [h["article"]["title"] for h in found] == ["Size exchange"]
    # Nothing typed yet: the campaign's own articles.
    idle = a0.get("/api/agent/suggestions").json()
    assert [h["article"]["title"] for h in idle] == ["Size exchange"]


def test_a_timed_wrap_up_ends_not_ready_while_mandatory_bulletins_wait(served: Served) -> None:
    """The core ends a timed wrap-up in ready with no request to refuse: the server holds
    the agent back for the center's own reason, and their Ready after acknowledging lifts it."""
    admin, sup, a0 = served.login("admin"), served.login("sup-acme"), served.login("a000")
    queue = admin.get("/api/admin/queues/returns").json()
    timed = {k: v for k, v in queue.items() if k not in ("id", "warnings")}
    timed |= {"wrap_up_mode": "timed", "wrap_up_s": 1.0}
    assert admin.put("/api/admin/queues/returns", json=timed).status_code == 200
    assert admin.put("/api/knowledge/settings", json={"ack_before_ready": True}).status_code == 200
    assert a0.post("/api/agent/sign-in", json={"ready": True}).status_code == 200
    published = sup.post(
        "/api/knowledge/bulletins",
        json={
            "client_id": "acme",
            "title": "Recall of model X",
            "body": "Offer an exchange.",
            "due_at": time.time() + 3600,  # noqa: TID251 -- the server's wall clock
            "mandatory": True,
        },
    )
    assert published.status_code == 201, published.text
    with served.stream(a0) as ws:
        receive(ws)
        contact = served.channel().post("/api/channels/contacts", json={"queue": "returns"})
        ident = contact.json()["contact_id"]
        wait_for_event(ws, "ContactOffered", contact=ident)
        for path in (f"/api/agent/offers/{ident}/accept", f"/api/agent/contacts/{ident}/hang-up"):
            assert a0.post(path).status_code == 200, path
        ended = wait_for_event(ws, "WrapUpEnded", contact=ident)
        assert ended["event"]["timed_out"] is True
        held = wait_for_event(ws, "AgentWentNotReady", agent="a000")
        assert held["event"]["reason"] == "unread-bulletins"
    refused = a0.post("/api/agent/ready")
    assert refused.status_code == 409 and "'Recall of model X'" in refused.json()["message"]
    bulletin = published.json()["id"]
    assert a0.post(f"/api/agent/bulletins/{bulletin}/acknowledge", json={}).status_code == 200
    assert a0.post("/api/agent/ready").status_code == 200
    desk = a0.get("/api/agent/desk").json()
    assert desk["agent"]["state"] == "available", desk
