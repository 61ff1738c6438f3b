"""Call guides and the offline procedures over real HTTP, on both databases."""

from __future__ import annotations

from typing import Any

import httpx

from tests.api.support import Served

GUIDE: dict[str, Any] = {
    "steps": [
        {
            "id": "greet",
            "text": "Thank the caller. Is the parcel **damaged**?",
            "answers": [
                {"label": "Damaged", "next": "photo"},
                {"label": "Not damaged", "next": "exchange"},
            ],
        },
        {
            "id": "photo",
            "text": "Ask for a photo <script>alert(1)</script>",
            "answers": [{"label": "Sent", "next": "refund"}, {"label": "Back", "next": "greet"}],
        },
        {"id": "exchange", "text": "Offer an exchange.", "answers": []},
        {"id": "refund", "text": "Refund the order.", "answers": []},
    ]
}


def _call(served: Served, agent: httpx.Client, contact: str, queue: str = "returns") -> None:
    made = served.channel().post(
        "/api/channels/contacts", json={"queue": queue, "contact_id": contact, "caller": "+1555"}
    )
    assert made.status_code == 201, made.text
    agent.post("/api/agent/sign-in", json={"ready": True})
    accepted = agent.post(f"/api/agent/offers/{contact}/accept")
    assert accepted.status_code == 200, accepted.text


def test_bad_guides_are_refused_naming_the_step_and_nothing_is_stored(served: Served) -> None:
    admin = served.login("admin")
    # No guide yet: the campaign's plain script, as one step that is its own end.
    first = admin.get("/api/admin/campaigns/acme-returns/guide")
    assert first.status_code == 200, first.text
    assert first.json()["version"] == 0
    assert first.json()["steps"][0]["end"] is True
    assert "Acme returns" in first.json()["steps"][0]["text"]

    nowhere = {"id": "refund", "text": "x", "answers": [{"label": "go", "next": "nowhere"}]}
    missing = {"steps": [*GUIDE["steps"][:3], nowhere]}
    unreachable = {"steps": [*GUIDE["steps"], {"id": "orphan", "text": "Lost", "answers": []}]}
    endless = {"steps": [{"id": "a", "text": "A", "answers": [{"label": "again", "next": "a"}]}]}
    for body, words in (
        (missing, ("'refund'", "'nowhere'", "does not exist")),
        (unreachable, ("'orphan'", "cannot be reached")),
        (endless, ("no end",)),
    ):
        r = admin.put("/api/admin/campaigns/acme-returns/guide", json=body)
        assert r.status_code == 422, r.text
        assert all(w in r.json()["message"] for w in words), r.json()
    assert admin.get("/api/admin/campaigns/acme-returns/guide").json()["version"] == 0
    assert admin.put("/api/admin/campaigns/nope/guide", json=GUIDE).status_code == 404

    saved = admin.put("/api/admin/campaigns/acme-returns/guide", json=GUIDE)
    assert saved.status_code == 200, saved.text
    out = saved.json()
    assert out["version"] == 1 and out["start"] == "greet" and out["client_id"] == "acme"
    photo = next(s for s in out["steps"] if s["id"] == "photo")
    assert "<script" not in photo["html"] and "alert(1)" in photo["html"]  # shown as text
    assert "<strong>damaged</strong>" in out["steps"][0]["html"]
    audit = admin.get("/api/admin/audit", params={"action": "guide."}).json()
    assert any(e["target"] == "acme-returns@1" for e in audit)


def test_the_path_is_saved_on_the_contact_and_restored_and_scoped(served: Served) -> None:
    admin = served.login("admin")
    assert admin.put("/api/admin/campaigns/acme-returns/guide", json=GUIDE).status_code == 200
    a0 = served.login("a000")
    _call(served, a0, "guide-1")
    walk = a0.get("/api/agent/contacts/guide-1/guide")
    assert walk.status_code == 200, walk.text
    assert walk.json()["step"] == "greet" and walk.json()["path"] == []
    version = walk.json()["guide"]["version"]

    path = [{"step": "greet", "answer": "Damaged"}]
    r = a0.put("/api/agent/contacts/guide-1/guide", json={"version": version, "path": path})
    assert r.status_code == 200, r.text
    assert r.json()["step"] == "photo"
    path.append({"step": "photo", "answer": "Sent"})
    assert (
        a0.put("/api/agent/contacts/guide-1/guide", json={"version": version, "path": path}).json()[
            "step"
        ]
        == "refund"
    )

    # A new version meanwhile does not move the call off the version it follows.
    changed = {"steps": [{"id": "only", "text": "New script", "answers": []}]}
    assert admin.put("/api/admin/campaigns/acme-returns/guide", json=changed).status_code == 200

    # A fresh session (a crashed tab) finds the same step and path.
    again = served.login("a000").get("/api/agent/contacts/guide-1/guide").json()
    assert again["step"] == "refund" and again["path"] == path
    assert again["guide"]["version"] == version and again["saved_at"] is not None

    # A path this guide cannot have taken: 422 naming the step and answer; nothing saved.
    bad = a0.put(
        "/api/agent/contacts/guide-1/guide",
        json={"version": version, "path": [{"step": "greet", "answer": "Maybe"}]},
    )
    assert bad.status_code == 422 and "'greet'" in bad.json()["message"], bad.text
    assert "'Maybe'" in bad.json()["message"]
    assert a0.get("/api/agent/contacts/guide-1/guide").json()["step"] == "refund"

    # The contact's history carries the path, for its client's supervisors only.
    history = served.login("sup-acme").get("/api/contacts/guide-1").json()
    saved = [e for e in history["events"] if e["type"] == "GuidePathSaved"]
    assert saved and saved[-1]["step"] == "refund"
    assert history["guide"] == ["Damaged", "Sent"]
    assert served.login("sup-globex").get("/api/contacts/guide-1").status_code == 404
    for other in ("a001", "g000"):
        c = served.login(other)
        assert c.get("/api/agent/contacts/guide-1/guide").status_code == 404
        put = c.put("/api/agent/contacts/guide-1/guide", json={"version": version, "path": []})
        assert put.status_code == 404


def _procedures(c: httpx.Client, etag: str | None = None) -> httpx.Response:
    headers = {"If-None-Match": etag} if etag else {}
    return c.get("/api/agent/procedures", headers=headers)


def test_procedures_for_offline_reading_are_the_agents_own_and_cheap_when_unchanged(
    served: Served,
) -> None:
    admin = served.login("admin")
    acme = admin.post(
        "/api/knowledge/articles",
        json={"client_id": "acme", "title": "Acme refunds", "body": "Refund **now**."},
    ).json()
    admin.post(
        "/api/knowledge/articles",
        json={"client_id": "globex", "title": "Globex secret pricing", "body": "secret"},
    )
    admin.post(
        "/api/knowledge/articles",
        json={
            "client_id": "acme",
            "title": "Acme archived",
            "body": "old",
        },
    )
    # a001 works for both client companies; a000 for acme alone.
    shared = {"name": "Sam", "skills": {"returns": 3, "sales": 2}}
    shared["campaigns"] = ["acme-returns", "globex-sales"]
    assert admin.put("/api/admin/agents/a001", json=shared).status_code == 200

    a0 = served.login("a000")
    first = _procedures(a0)
    assert first.status_code == 200, first.text
    body = first.json()
    titles = {i["title"] for i in body["items"]}
    assert "Acme refunds" in titles and "Call guide: Returns" in titles
    assert not any("Globex" in t for t in titles)
    assert {i["client_id"] for i in body["items"]} == {"acme"}
    item = next(i for i in body["items"] if i["title"] == "Acme refunds")
    assert item["html"] == "<p>Refund <strong>now</strong>.</p>\n"
    assert item["plain"] == "Refund now."
    assert first.headers["ETag"] == body["etag"]

    unchanged = _procedures(a0, body["etag"])
    assert unchanged.status_code == 304 and unchanged.content == b""
    archived = admin.post(f"/api/knowledge/articles/{acme['id']}/archive", json={"archived": True})
    assert archived.status_code == 200
    changed = _procedures(a0, body["etag"])
    assert changed.status_code == 200
    assert "Acme refunds" not in {i["title"] for i in changed.json()["items"]}

    both = _procedures(served.login("a001")).json()
    assert {i["client_id"] for i in both["items"]} == {"acme", "globex"}
    assert "Globex secret pricing" in {i["title"] for i in both["items"]}
    g0 = _procedures(served.login("g000")).json()
    assert {i["client_id"] for i in g0["items"]} == {"globex"}
    assert served.login("sup-acme").get("/api/agent/procedures").status_code == 403
