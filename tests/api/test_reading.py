"""What any signed-in reader may list: client companies and queues, each in its scope;
and the campaign script an administrator writes and an agent reads."""

from __future__ import annotations

import json

from tests.api.support import Served


def test_readers_see_the_names_of_their_own_clients_and_queues_only(
    served_sqlite: Served,
) -> None:
    app = served_sqlite
    everyone = {"acme": "Acme Retail", "globex": "Globex"}
    for user, clients in (
        ("admin", {"acme", "globex"}),
        ("sup", {"acme", "globex"}),
        ("sup-acme", {"acme"}),
        ("globex-viewer", {"globex"}),
        ("a000", {"acme"}),  # an agent: the clients of the campaigns they work on
        ("g000", {"globex"}),
    ):
        reader = app.login(user)
        shown = {c["id"]: c["name"] for c in reader.get("/api/clients").json()}
        assert shown == {c: everyone[c] for c in clients}, user
        queues = reader.get("/api/queues").json()
        assert {q["client_id"] for q in queues} == clients, user
    (returns,) = app.login("acme-viewer").get("/api/queues").json()
    assert returns == {
        "id": "returns",
        "name": "Returns",
        "campaign_id": "acme-returns",
        "client_id": "acme",
        "service_target_s": 20.0,
        "offer_timeout_s": 15.0,
    }


def test_an_administrator_writes_the_script_an_agent_reads_and_the_change_is_audited(
    served_sqlite: Served,
) -> None:
    app = served_sqlite
    admin = app.login("admin")
    text = "Acme returns, my name is … May I have your order number?"
    r = admin.put("/api/admin/campaigns/acme-returns/script", json={"body": text})
    assert r.status_code == 200, r.text
    assert r.json()["script"] == text
    assert app.login("a000").get("/api/campaigns/acme-returns/forms").json()["script"] == text
    entry = admin.get("/api/admin/audit").json()[0]
    assert (entry["action"], entry["target"]) == ("script.put", "acme-returns")
    assert json.loads(entry["after"]) == {"script": text}

    refused = {
        "/api/admin/campaigns/nope/script": ({"body": "x"}, 404),
        "/api/admin/campaigns/acme-returns/script": ({"body": "x" * 70_000}, 422),
    }
    for path, (body, status) in refused.items():
        assert admin.put(path, json=body).status_code == status, path
    assert app.login("a000").get("/api/campaigns/acme-returns/forms").json()["script"] == text
