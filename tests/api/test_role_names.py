"""Roles are accepted as the documentation writes them, and a wrong one is refused with
the list of roles."""

from __future__ import annotations

import pytest

from tests.api.support import Served


@pytest.mark.parametrize("written", ["client viewer", "client-viewer", "Client Viewer"])
def test_a_client_viewer_is_created_with_the_role_written_as_in_the_docs(
    served_sqlite: Served, written: str
) -> None:
    admin = served_sqlite.login("admin")
    r = admin.post(
        "/api/admin/users",
        json={
            "username": "walker",
            "password": "long enough password",
            "role": written,
            "client_id": "acme",
        },
    )
    assert r.status_code == 201, r.text
    assert r.json()["role"] == "client_viewer"
    viewer = served_sqlite.login("walker", "long enough password")
    assert viewer.get("/api/auth/me").json()["user"]["role"] == "client_viewer"


def test_an_unknown_role_is_refused_naming_the_roles(served: Served) -> None:
    admin = served.login("admin")
    r = admin.post(
        "/api/admin/users",
        json={"username": "walker", "password": "long enough password", "role": "watcher"},
    )
    assert r.status_code == 422
    message = r.json()["message"]
    assert "unknown role 'watcher'" in message
    assert "admin, supervisor, agent, client_viewer" in message
    r = admin.patch("/api/admin/users/1", json={"role": "super visor"})
    assert r.status_code == 422 and "client_viewer" in r.json()["message"]
    assert [u["username"] for u in admin.get("/api/admin/users").json()].count("walker") == 0
