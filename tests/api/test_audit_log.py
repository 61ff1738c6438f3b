"""The audit log read: filtered by action, target and who, newest first, paged."""

from __future__ import annotations

import json

from tests.api.support import Served


def test_the_audit_log_filters_by_action_target_and_who_and_pages_back(served: Served) -> None:
    app = served
    admin = app.login("admin")
    for n in range(3):
        assert admin.put(f"/api/admin/numbers/+1555000{n}", json={"label": f"line {n}"}).is_success
    assert admin.put("/api/admin/numbers/+15550001", json={"queue_id": "returns"}).is_success
    assert admin.delete("/api/admin/numbers/+15550002").status_code == 204
    assert admin.put("/api/admin/skills/claims", json={"name": "Claims"}).is_success

    def audit(**params: object) -> list[dict[str, object]]:
        r = admin.get("/api/admin/audit", params=params)
        assert r.status_code == 200, r.text
        entries: list[dict[str, object]] = r.json()
        return entries

    numbers = audit(action="number.")
    assert [e["target"] for e in numbers] == [
        "+15550002",
        "+15550001",
        "+15550002",
        "+15550001",
        "+15550000",
    ]
    assert all(str(e["action"]).startswith("number.") for e in numbers)
    one = audit(target="+15550001")
    assert len(one) == 2
    newest = one[0]
    assert json.loads(str(newest["before"]))["label"] == "line 1"
    assert json.loads(str(newest["after"]))["queue_id"] == "returns"
    assert [e["target"] for e in audit(action="skill.put")] == ["claims"]
    assert len(audit(username="admin")) == 6
    assert audit(username="sup") == []
    page = audit(action="number.", limit=2)
    older = audit(action="number.", limit=2, before_id=page[-1]["id"])
    assert [e["id"] for e in page + older] == [e["id"] for e in numbers[:4]]
    assert admin.get("/api/admin/audit", params={"target": "a\x00b"}).status_code == 422
    for who in ("sup", "sup-acme", "acme-viewer", "a000"):
        assert app.login(who).get("/api/admin/audit").status_code == 403
