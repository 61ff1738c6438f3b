"""Approved time off paid as leave over real HTTP, on SQLite and PostgreSQL: the shifts
it takes off are leave in the payroll, at the plain rate where the agent's pay rule (their
own, or their contract kind's) gives paid leave, and not at all where it does not.

The server's clock starts on 10 September 2026, so the shifts and the time off lie in a
known pay period (September) that is open."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from hearthline.kernel.clock import ScaledClock
from tests.api.support import Served, serve

ZONE = ZoneInfo("Europe/Paris")


def at(day: int, hour: int) -> float:
    return datetime(2026, 9, day, hour, tzinfo=ZONE).timestamp()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def served_in_september(request: pytest.FixtureRequest) -> Iterator[Served]:
    url = request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "pg_url")
    app = serve(url, clock=ScaledClock(start=at(10, 10), rate=1.0))
    yield app
    app.stop()


def _put(c: httpx.Client, path: str, body: dict[str, Any]) -> None:
    r = c.put(path, json=body)
    assert r.status_code == 200, r.text


def _row(admin: httpx.Client, agent: str) -> dict[str, Any]:
    r = admin.get("/api/admin/payroll", params={"day": "2026-09-14"})
    assert r.status_code == 200, r.text
    [row] = [row for row in r.json() if row["agent_id"] == agent]
    return dict(row)


def test_approved_time_off_is_paid_leave_where_the_pay_rule_gives_it(
    served_in_september: Served,
) -> None:
    app = served_in_september
    admin = app.login("admin")
    _put(admin, "/api/schedules/settings", {"time_zone": "Europe/Paris"})
    _put(admin, "/api/admin/pay/settings", {"cadence": "monthly", "anchor": "2026-01-01"})
    _put(
        admin, "/api/admin/pay/rules/a000/2026-01-01", {"hourly_rate": "12.50", "paid_leave": True}
    )
    # a001 has no rule of their own: the part-time contracts' rule, without paid leave.
    _put(admin, "/api/admin/pay/contract-rules/part-time/2026-01-01", {"hourly_rate": "12.50"})
    shifts = []
    for agent, kind in (("a000", "full-time"), ("a001", "part-time")):
        _put(admin, f"/api/schedules/contracts/{agent}", {"group": "help", "kind": kind})
        for day in (14, 15):
            shifts.append(
                {"id": f"{agent}-{day}", "group": "help", "start": at(day, 9), "end": at(day, 17)}
            )
    r = admin.post(
        "/api/schedules/windows",
        json={"window": "w38", "closes_at": at(10, 18), "shifts": shifts},
    )
    assert r.status_code == 200, r.text
    sup = app.login("sup")
    for agent in ("a000", "a001"):
        me = app.login(agent)
        for day in (14, 15):
            r = me.post("/api/schedules/mine/picks", json={"shift": f"{agent}-{day}"})
            assert r.status_code == 200, r.text
        # Monday 00:00 to Tuesday noon: Monday's shift and Tuesday's morning.
        r = me.post(
            "/api/schedules/mine/time-off",
            json={"start": at(14, 0), "end": at(15, 12), "reason": "moving house"},
        )
        assert r.status_code == 200, r.text
        change = r.json()["change"]
        assert _row(admin, agent)["time"] == [], "not leave until it is approved"
        r = sup.post(f"/api/schedules/changes/{change}/decision", json={"approve": True})
        assert r.status_code == 200, r.text

    # a000: 8 h on Monday and 3 h on Tuesday at 12.50 = 137.50, on those two days.
    paid = _row(admin, "a000")
    assert [(t["kind"], t["hours"], t["amount"], t["workdays"]) for t in paid["time"]] == [
        ("paid leave", "11.00", "137.50", ["2026-09-14", "2026-09-15"])
    ]
    assert paid["total"] == "137.50"
    mine = app.login("a000").get("/api/agent/pay", params={"day": "2026-09-14"}).json()
    assert mine["time"] == paid["time"]
    # a001's contract gives no paid leave: the same time off is unpaid.
    unpaid = _row(admin, "a001")
    assert (unpaid["time"], unpaid["total"]) == ([], "0.00")
