"""Input meant to break the server gets a clear refusal on both databases, never a 500,
and changes nothing stored."""

from __future__ import annotations

import pytest

from tests.api.support import Served


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/admin/users/2147483648"),
        ("PATCH", "/api/admin/users/2147483648"),
        ("DELETE", "/api/admin/users/99999999999999999999"),
        ("POST", "/api/supervisor/help/2147483648/answer"),
    ],
)
def test_a_row_id_beyond_the_databases_integers_is_refused_as_malformed(
    served: Served, method: str, path: str
) -> None:
    admin = served.login("admin")
    body = {"text": "on my way"} if path.endswith("answer") else {}
    r = admin.request(method, path, json=body)
    assert r.status_code == 422, r.text
    assert r.json()["error"] == "invalid"
    assert admin.get("/api/admin/users").status_code == 200


def test_a_nul_in_a_username_is_refused_at_sign_in_and_nothing_changes(served: Served) -> None:
    client = served.client()
    r = client.post("/api/auth/login", json={"username": "ad\x00min", "password": "whatever1"})
    assert r.status_code == 422, r.text
    assert "NUL" in r.json()["message"]
    assert served.login("admin").get("/api/auth/me").status_code == 200
