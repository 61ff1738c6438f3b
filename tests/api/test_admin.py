"""Administration over HTTP: configuration changes reach routing at once, and are audited."""

from __future__ import annotations

from tests.api.support import Served


def test_a_new_line_configured_over_http_routes_calls_and_every_change_is_audited(
    served_sqlite: Served,
) -> None:
    app = served_sqlite
    admin = app.login("admin")
    steps = [
        ("put", "/api/admin/clients/initech", {"name": "Initech"}),
        ("put", "/api/admin/campaigns/initech-help", {"client_id": "initech", "name": "Help"}),
        (
            "put",
            "/api/admin/queues/help",
            {"campaign_id": "initech-help", "requirement": "printers>=2", "wrap_up_s": 5},
        ),
        ("put", "/api/admin/skills/printers", {"name": "Printers"}),
        (
            "put",
            "/api/admin/agents/i000",
            {"name": "Ines", "skills": {"printers": 3}, "campaigns": ["initech-help"]},
        ),
        (
            "put",
            "/api/admin/campaigns/initech-help/forms",
            {"dispositions": [{"id": "fixed", "label": "Fixed"}], "fields": []},
        ),
    ]
    for method, path, body in steps:
        r = admin.request(method, path, json=body)
        assert r.status_code == 200, (path, r.text)
    r = admin.post(
        "/api/admin/users",
        json={
            "username": "ines",
            "password": "long password here",
            "role": "agent",
            "agent_id": "i000",
        },
    )
    assert r.status_code == 201
    ines = app.login("ines", "long password here")
    assert ines.post("/api/agent/sign-in", json={"ready": True}).status_code == 200
    made = app.channel().post("/api/channels/contacts", json={"queue": "help", "caller": "+44"})
    assert made.status_code == 201
    assert "ContactOffered" in [e["type"] for e in made.json()["events"]]
    desk = ines.get("/api/agent/desk").json()
    assert desk["contact"]["id"] == made.json()["contact_id"]
    assert [d["id"] for d in desk["forms"]["dispositions"]] == ["fixed"]

    audit = admin.get("/api/admin/audit").json()
    actions = [a["action"] for a in reversed(audit)]
    assert actions == [
        "client.put",
        "campaign.put",
        "queue.put",
        "skill.put",
        "agent.put",
        "forms.put",
        "user.create",
    ]
    assert all(a["username"] == "admin" for a in audit)
    # A change records both sides.
    admin.put("/api/admin/campaigns/initech-help", json={"client_id": "initech", "name": "Desk"})
    last = admin.get("/api/admin/audit", params={"limit": 1}).json()[0]
    assert '"Help"' in last["before"] and '"Desk"' in last["after"]
    assert "password" not in str(audit).replace("password_changed", "")

    # Reasons, scripts and settings: each change records what it found and what it left.
    for path, body in [
        ("/api/admin/reasons", {"reasons": [{"id": "school-run", "label": "School run"}]}),
        ("/api/admin/campaigns/initech-help/script", {"body": "Greet, then ask for the model."}),
        ("/api/admin/settings", {"connection_grace_s": 45, "direct_transfer_wait_s": 20}),
    ]:
        assert admin.put(path, json=body).status_code == 200, path
    reasons, script, settings = reversed(admin.get("/api/admin/audit", params={"limit": 3}).json())
    assert (reasons["action"], script["action"], settings["action"]) == (
        "reasons.put",
        "script.put",
        "settings.put",
    )
    assert '"school-run"' in reasons["after"] and "school-run" not in reasons["before"]
    assert "ask for the model" in script["after"] and "ask for the model" not in script["before"]
    assert '"connection_grace_s": 45' in settings["after"]


def test_configuration_that_does_not_fit_is_refused_with_the_reason(served_sqlite: Served) -> None:
    app = served_sqlite
    admin = app.login("admin")
    r = admin.put("/api/admin/queues/q2", json={"campaign_id": "nope"})
    assert r.status_code == 404 and "nope" in r.json()["message"]
    r = admin.put(
        "/api/admin/queues/q2",
        json={"campaign_id": "acme-returns", "requirement": "returns>>3"},
    )
    assert r.status_code in (409, 422)
    r = admin.put(
        "/api/admin/queues/q2",
        json={"campaign_id": "acme-returns", "on_full": {"kind": "queue"}},
    )
    assert r.status_code == 422 and "overflow" in r.json()["message"]
    r = admin.put("/api/admin/campaigns/acme-returns", json={"client_id": "globex"})
    assert r.status_code == 409
    r = admin.put("/api/admin/reasons", json={"reasons": [{"id": "missed-offer", "label": "x"}]})
    assert r.status_code == 422
    r = admin.patch("/api/admin/users/1", json={"role": "agent"})
    assert r.status_code == 409
    assert admin.get("/api/admin/queues/q2").status_code == 404
    assert admin.get("/api/admin/audit").json() == []
