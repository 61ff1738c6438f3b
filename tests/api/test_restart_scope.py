"""A restart takes nothing from a client company: its earlier live contacts stay its own,
for its scoped staff, its channel token and its viewers' streams."""

from __future__ import annotations

import httpx
import pytest

from tests.api.support import receive, reopen, serve, wait_for_event


@pytest.mark.parametrize("db", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_a_clients_live_contacts_are_still_its_own_after_a_restart(
    request: pytest.FixtureRequest, db: str
) -> None:
    url = request.getfixturevalue("sqlite_url" if db == "sqlite" else "pg_url")
    first = serve(url)
    try:
        made = first.login("admin").post(
            "/api/admin/tokens",
            json={"username": "acme-viewer", "name": "acme line", "scope": "channel"},
        )
        assert made.status_code == 201, made.text
        token = made.json()["token"]
        acme_line = first.client(headers={"Authorization": f"Bearer {token}"})
        due = first.writer.clock.now() + 3600
        booked = acme_line.post(
            "/api/channels/callbacks", json={"queue": "returns", "due_at": due, "caller": "+1"}
        )
        assert booked.status_code == 201, booked.text
        contact = booked.json()["contact_id"]
    finally:
        first.stop()

    second = reopen(url, first.channel_token)
    try:
        headers = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=second.url, headers=headers, timeout=10) as line:
            assert line.get(f"/api/channels/contacts/{contact}").status_code == 200
        sup = second.login("sup-acme")
        live = sup.get("/api/supervisor/contacts").json()
        assert contact in {c["id"] for c in live}
        other = second.login("sup-globex").get("/api/supervisor/contacts").json()
        assert contact not in {c["id"] for c in other}
        viewer = second.login("acme-viewer")
        with second.stream(viewer) as ws:
            receive(ws)
            with httpx.Client(base_url=second.url, headers=headers, timeout=10) as line:
                assert line.post(f"/api/channels/contacts/{contact}/hang-up").status_code == 200
            assert wait_for_event(ws, "ContactAbandoned", contact=contact)
    finally:
        second.stop()
