"""Channel tokens of one client and of the firm: what they may create, route and attach,
and that a chosen contact id tells nothing of other clients' contacts."""

from __future__ import annotations

from typing import Any

import httpx

from tests.api.support import Served


def _client_line(app: Served, username: str) -> httpx.Client:
    made = app.login("admin").post(
        "/api/admin/tokens",
        json={"username": username, "name": f"{username} line", "scope": "channel"},
    )
    assert made.status_code == 201, made.text
    return app.client(headers={"Authorization": f"Bearer {made.json()['token']}"})


def _shape(answer: httpx.Response) -> tuple[int, Any]:
    """An answer without what differs between any two contacts (their ids, event ids)."""
    body = answer.json()
    return answer.status_code, {
        "keys": sorted(body),
        "events": [e["type"] for e in body.get("events", [])],
        "contact_id": body.get("contact_id", "").rsplit(":", 1)[0],
    }


def test_a_chosen_contact_id_of_another_client_answers_as_a_free_one(served: Served) -> None:
    taken = served.channel().post(
        "/api/channels/contacts", json={"queue": "sales", "contact_id": "globex-call"}
    )
    assert taken.status_code == 201, taken.text
    acme = _client_line(served, "acme-viewer")
    theirs = acme.post(
        "/api/channels/contacts", json={"queue": "returns", "contact_id": "globex-call"}
    )
    free = acme.post(
        "/api/channels/contacts", json={"queue": "returns", "contact_id": "never-used"}
    )
    assert _shape(theirs) == _shape(free)
    assert theirs.status_code == 201, theirs.text
    # The new contact is acme's own, under its own id; globex's is untouched.
    own = theirs.json()["contact_id"]
    assert own != "globex-call"
    assert acme.get(f"/api/channels/contacts/{own}").json()["queue"] == "returns"
    assert served.channel().get("/api/channels/contacts/globex-call").json()["queue"] == "sales"
    # Its own ids stay its own: the same id twice is refused, as any duplicate is.
    again = acme.post(
        "/api/channels/contacts", json={"queue": "returns", "contact_id": "never-used"}
    )
    assert again.status_code == 409, again.text


def test_a_firm_wide_id_cannot_take_a_clients_name_space(served_sqlite: Served) -> None:
    line = served_sqlite.channel()
    r = line.post("/api/channels/contacts", json={"queue": "sales", "contact_id": "acme:x"})
    assert r.status_code == 422, r.text
    assert "acme" in r.json()["message"]
    assert line.post("/api/channels/contacts", json={"contact_id": "acme:y"}).status_code == 422
    ok = line.post("/api/channels/contacts", json={"queue": "returns", "contact_id": "acme:z"})
    assert ok.status_code == 201, ok.text


def test_a_client_line_routes_and_hangs_up_what_came_in_on_its_menu_number(
    served_sqlite: Served,
) -> None:
    served = served_sqlite
    admin = served.login("admin")
    assert admin.put("/api/admin/numbers/+15550100", json={"label": "menu"}).is_success
    acme, globex = _client_line(served, "acme-viewer"), _client_line(served, "globex-viewer")
    first = acme.post("/api/channels/contacts", json={"number": "+15550100", "caller": "+1"})
    assert first.status_code == 201, first.text
    call = first.json()["contact_id"]
    assert acme.get(f"/api/channels/contacts/{call}").status_code == 200
    # Another client's line cannot see, route or end it.
    assert globex.get(f"/api/channels/contacts/{call}").status_code == 404
    assert (
        globex.post(f"/api/channels/contacts/{call}/route", json={"queue": "sales"}).status_code
        == 404
    )
    assert globex.post(f"/api/channels/contacts/{call}/hang-up").status_code == 404
    # Its own line routes it, to its own queues only.
    assert (
        acme.post(f"/api/channels/contacts/{call}/route", json={"queue": "sales"}).status_code
        == 404
    )
    routed = acme.post(f"/api/channels/contacts/{call}/route", json={"queue": "returns"})
    assert routed.status_code == 200, routed.text
    assert acme.get(f"/api/channels/contacts/{call}").json()["queue"] == "returns"
    ended = acme.post(f"/api/channels/contacts/{call}/hang-up")
    assert ended.status_code == 200, ended.text
    assert "ContactAbandoned" in [e["type"] for e in ended.json()["events"]]
    second = acme.post("/api/channels/contacts", json={"number": "+15550100"}).json()["contact_id"]
    assert acme.post(f"/api/channels/contacts/{second}/hang-up").status_code == 200
    # A number mapped to one of its queues: queued at once, and its own to end.
    assert admin.put("/api/admin/numbers/+15550102", json={"queue_id": "returns"}).is_success
    third = acme.post("/api/channels/contacts", json={"number": "+15550102"}).json()["contact_id"]
    assert globex.post(f"/api/channels/contacts/{third}/hang-up").status_code == 404
    assert acme.post(f"/api/channels/contacts/{third}/hang-up").status_code == 200


def test_a_firm_wide_line_attaches_any_clients_customer(served_sqlite: Served) -> None:
    served = served_sqlite
    admin, line = served.login("admin"), served.channel()
    ann = admin.post("/api/customers", json={"client_id": "acme", "name": "Ann"}).json()["id"]
    bo = admin.post("/api/customers", json={"client_id": "globex", "name": "Bo"}).json()["id"]
    assert admin.put("/api/admin/numbers/+15550101", json={"label": "menu"}).is_success
    for body in (
        {"queue": "returns", "customer_id": ann},
        {"queue": "sales", "customer_id": bo},
        {"customer_id": ann},
        {"number": "+15550101", "customer_id": bo},
    ):
        r = line.post("/api/channels/contacts", json=body)
        assert r.status_code == 201, (body, r.text)
        contact = r.json()["contact_id"]
        owner = ann if body["customer_id"] == ann else bo
        linked = admin.get("/api/customers", params={"contact_id": contact}).json()
        assert [c["id"] for c in linked] == [owner], body
    # A customer is still only for its own client's queues.
    wrong = line.post("/api/channels/contacts", json={"queue": "sales", "customer_id": ann})
    assert wrong.status_code == 404, wrong.text
