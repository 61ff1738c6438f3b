"""Pay rules per contract kind over real HTTP, on SQLite and PostgreSQL: a rule for
full-time or part-time contracts pays every agent under such a contract, an agent's own
rule overrides it, and an agent with neither is not in the payroll."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from tests.api.support import Served

ZONE = ZoneInfo("Europe/Paris")


def at(day: int, hour: int) -> float:
    return datetime(2026, 9, day, hour, tzinfo=ZONE).timestamp()


def _put(c: httpx.Client, path: str, body: dict[str, Any]) -> httpx.Response:
    r = c.put(path, json=body)
    assert r.status_code == 200, r.text
    return r


def _work(admin: httpx.Client, agent: str, start: int, end: int) -> None:
    """``agent`` worked on 10 September 2026 from ``start`` to ``end`` o'clock."""
    body = {
        "day": "2026-09-10",
        "start": at(10, start),
        "end": at(10, end),
        "state": "working",
        "reason": "worked from the office",
    }
    r = admin.post(f"/api/schedules/timesheets/{agent}/corrections", json=body)
    assert r.status_code == 200, r.text


def test_a_contract_kinds_rule_pays_its_agents_and_an_agents_own_rule_overrides_it(
    served: Served,
) -> None:
    admin = served.login("admin")
    _put(admin, "/api/schedules/settings", {"time_zone": "Europe/Paris"})
    _put(admin, "/api/admin/pay/settings", {"cadence": "monthly", "anchor": "2026-01-01"})
    for agent, kind in (("a000", "full-time"), ("a001", "part-time"), ("a002", "full-time")):
        _put(admin, f"/api/schedules/contracts/{agent}", {"group": "help", "kind": kind})
        _work(admin, agent, 9, 13)  # 4 h each
    _put(admin, "/api/admin/pay/contract-rules/full-time/2026-01-01", {"hourly_rate": "11.00"})
    r = _put(
        admin,
        "/api/admin/pay/contract-rules/part-time/2026-09-01",
        {"hourly_rate": "9.50", "paid_leave": False},
    )
    assert r.json()["contract_kind"] == "part-time" and r.json()["hourly_rate"] == "9.50"
    # a000 has a rule of their own: it overrides the full-time contracts' rule.
    _put(admin, "/api/admin/pay/rules/a000/2026-06-01", {"hourly_rate": "15.00"})

    r = admin.get("/api/admin/payroll", params={"day": "2026-09-10"})
    assert r.status_code == 200, r.text
    pay = {row["agent_id"]: row for row in r.json()}
    assert {a: (p["time"][0]["rate_from"], p["total"]) for a, p in pay.items()} == {
        "a000": ("2026-06-01", "60.00"),  # 4 h x 15.00, their own
        "a001": ("2026-09-01", "38.00"),  # 4 h x 9.50, part-time
        "a002": ("2026-01-01", "44.00"),  # 4 h x 11.00, full-time
    }
    listed = admin.get("/api/admin/pay/contract-rules").json()
    assert [(r["contract_kind"], r["effective_from"]) for r in listed] == [
        ("full-time", "2026-01-01"),
        ("part-time", "2026-09-01"),
    ]

    # Without the part-time rule a001 has no pay rule in force: not in the payroll.
    r = admin.delete("/api/admin/pay/contract-rules/part-time/2026-09-01")
    assert r.status_code == 204, r.text
    r = admin.get("/api/admin/payroll", params={"day": "2026-09-10"})
    assert sorted(row["agent_id"] for row in r.json()) == ["a000", "a002"]
    audit = admin.get("/api/admin/audit", params={"action": "contract_pay_rule."}).json()
    assert sorted((a["action"], a["target"]) for a in audit) == [
        ("contract_pay_rule.delete", "part-time@2026-09-01"),
        ("contract_pay_rule.put", "full-time@2026-01-01"),
        ("contract_pay_rule.put", "part-time@2026-09-01"),
    ]


def test_bad_contract_rules_are_refused_by_name(served_sqlite: Served) -> None:
    admin = served_sqlite.login("admin")
    rules = "/api/admin/pay/contract-rules"
    for path, body, says in (
        (f"{rules}/casual/2026-01-01", {"hourly_rate": "9"}, "contract_kind"),
        (f"{rules}/part-time/2026-13-01", {"hourly_rate": "9"}, "effective_from"),
        (f"{rules}/part-time/2026-01-01", {"hourly_rate": "-1"}, "hourly_rate"),
    ):
        r = admin.put(path, json=body)
        assert r.status_code == 422, r.text
        assert says in r.json()["message"]
    r = admin.delete("/api/admin/pay/contract-rules/part-time/2026-01-01")
    assert r.status_code == 404 and "part-time" in r.json()["message"]
    assert admin.get("/api/admin/pay/contract-rules").json() == []
    for who in ("sup", "a000", "acme-viewer"):
        r = served_sqlite.login(who).put(
            "/api/admin/pay/contract-rules/part-time/2026-01-01", json={"hourly_rate": "9"}
        )
        assert r.status_code == 403
