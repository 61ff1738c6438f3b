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
        ("put", "/api/admin/skills/printers", {"name": "Printers"}),
        (
            "put",
            "/api/admin/queues/help",
            {"campaign_id": "initech-help", "requirement": "printers>=2", "wrap_up_s": 5},
        ),
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
        "skill.put",
        "queue.put",
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


def test_an_agent_who_left_is_retired_and_can_be_brought_back(served_sqlite: Served) -> None:
    app = served_sqlite
    admin = app.login("admin")
    body = {"name": "Rita", "skills": {"returns": 3}, "campaigns": ["acme-returns"]}
    assert admin.put("/api/admin/agents/r001", json=body).status_code == 200
    made = admin.post(
        "/api/admin/users",
        json={"username": "rita", "password": "long password here", "role": "agent"}
        | {"agent_id": "r001"},
    )
    assert made.status_code == 201
    rita = app.login("rita", "long password here")
    assert rita.post("/api/agent/sign-in", json={"ready": True}).status_code == 200

    # Refused, with the reason, while an account signs in as the agent or they are on duty.
    refused = admin.delete("/api/admin/agents/r001")
    assert refused.status_code == 409 and "rita" in refused.json()["message"]
    assert admin.delete(f"/api/admin/users/{made.json()['id']}").status_code == 204
    refused = admin.delete("/api/admin/agents/r001")
    assert refused.status_code == 409 and "retire" in refused.json()["message"]
    admin.post("/api/supervisor/agents/r001/sign-out")
    assert admin.delete("/api/admin/agents/r001").status_code == 204

    assert "r001" not in [a["id"] for a in admin.get("/api/admin/agents").json()]
    assert admin.get("/api/admin/agents/r001").status_code == 404
    assert admin.delete("/api/admin/agents/r001").status_code == 404
    live = {a["id"]: a for a in admin.get("/api/supervisor/agents").json()}
    assert live["r001"]["state"] == "retired"
    last = admin.get("/api/admin/audit", params={"limit": 1}).json()[0]
    assert last["action"] == "agent.retire" and '"Rita"' in last["before"]
    assert last["after"] is None

    # Brought back by configuring them again.
    assert admin.put("/api/admin/agents/r001", json=body).status_code == 200
    assert "r001" in [a["id"] for a in admin.get("/api/admin/agents").json()]
    live = {a["id"]: a for a in admin.get("/api/supervisor/agents").json()}
    assert live["r001"]["state"] == "offline"
