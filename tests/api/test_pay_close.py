"""Closing a pay period over real HTTP: what it paid is kept as paid, a later correction
of one of its days is paid as an adjustment in the next period, closing happens once and
in order, and of two closings racing one wins."""

from __future__ import annotations

import csv
import io
import threading
from datetime import datetime
from zoneinfo import ZoneInfo

import httpx

from tests.api.support import Served

ZONE = ZoneInfo("Europe/Paris")
SEPTEMBER = "2026-09-01 to 2026-09-30"


def at(day: int, hour: int, month: int = 9) -> float:
    return datetime(2026, month, day, hour, tzinfo=ZONE).timestamp()


def _setup(app: Served) -> httpx.Client:
    admin = app.login("admin")
    r = admin.put("/api/schedules/settings", json={"time_zone": "Europe/Paris"})
    assert r.status_code == 200, r.text
    r = admin.put(
        "/api/admin/pay/settings",
        json={"currency": "EUR", "cadence": "monthly", "anchor": "2026-01-01"},
    )
    assert r.status_code == 200, r.text
    r = admin.put("/api/admin/pay/rules/a000/2026-01-01", json={"hourly_rate": "10.00"})
    assert r.status_code == 200, r.text
    return admin


def _work(admin: httpx.Client, day: int, start: int, end: int, month: int = 9) -> None:
    r = admin.post(
        "/api/schedules/timesheets/a000/corrections",
        json={
            "day": f"2026-{month:02d}-{day:02d}",
            "start": at(day, start, month),
            "end": at(day, end, month),
            "state": "working",
            "reason": "worked from the office",
        },
    )
    assert r.status_code == 200, r.text


def _mine(rows: list[dict[str, object]]) -> dict[str, object]:
    [row] = [r for r in rows if r["agent_id"] == "a000"]
    return row


def test_a_closed_period_keeps_what_it_paid_and_a_late_correction_is_adjusted_next(
    served: Served,
) -> None:
    admin = _setup(served)
    _work(admin, 10, 9, 13)  # 4 h at 10.00
    before = _mine(admin.get("/api/admin/payroll", params={"day": "2026-09-10"}).json())
    assert (before["total"], before["closed"]) == ("40.00", False)

    r = admin.post("/api/admin/payroll/close", json={"day": "2026-09-10"})
    assert r.status_code == 201, r.text
    closed = r.json()
    assert (closed["first_day"], closed["last_day"], closed["closed_by"]) == (
        "2026-09-01",
        "2026-09-30",
        "admin",
    )
    assert (closed["agents"], closed["total"]) == (1, "40.00")

    # Once only, and in order.
    for day, words in (
        ("2026-09-30", "closed already"),
        ("2026-08-15", "before the last closed"),
        ("2026-11-02", "close that one first"),
    ):
        r = admin.post("/api/admin/payroll/close", json={"day": day})
        assert r.status_code == 409, r.text
        assert words in r.json()["message"]

    # A supervisor finds the agent stayed until 14:00 that day, after the closing.
    _work(admin, 10, 13, 14)
    after = _mine(admin.get("/api/admin/payroll", params={"day": "2026-09-10"}).json())
    assert after == before | {"closed": True}, "a closed period is read as it was paid"

    october = _mine(admin.get("/api/admin/payroll", params={"day": "2026-10-05"}).json())
    assert october["adjustments"] == [
        {"of_period": SEPTEMBER, "kind": "regular", "amount": "10.00"}
    ]
    assert october["total"] == "10.00"
    mine = served.login("a000").get("/api/agent/pay", params={"day": "2026-10-05"}).json()
    assert mine["adjustments"] == october["adjustments"]

    r = admin.get("/api/admin/payroll", params={"day": "2026-10-05", "format": "csv"})
    rows = [row for row in csv.DictReader(io.StringIO(r.text)) if row["agent"] == "a000"]
    assert [(row["line"], row["amount"], row["detail"]) for row in rows] == [
        ("adjustment: regular", "10.00", SEPTEMBER),
        ("total", "10.00", ""),
    ]

    # October closed with the adjustment: it is paid once, not again in November.
    assert admin.post("/api/admin/payroll/close", json={"day": "2026-10-05"}).status_code == 201
    november = _mine(admin.get("/api/admin/payroll", params={"day": "2026-11-05"}).json())
    assert november["adjustments"] == []
    # A second correction of the same September day is adjusted on its own.
    _work(admin, 10, 15, 16)
    november = _mine(admin.get("/api/admin/payroll", params={"day": "2026-11-05"}).json())
    assert november["adjustments"] == [
        {"of_period": SEPTEMBER, "kind": "regular", "amount": "10.00"}
    ]

    periods = admin.get("/api/admin/payroll/periods").json()
    assert [(p["first_day"], p["agents"], p["total"]) for p in periods] == [
        ("2026-10-01", 1, "10.00"),
        ("2026-09-01", 1, "40.00"),
    ]
    audit = admin.get("/api/admin/audit", params={"action": "pay_period."}).json()
    assert sorted(a["target"] for a in audit) == [
        "2026-09-01 to 2026-09-30",
        "2026-10-01 to 2026-10-31",
    ]
    # Closing is the administrator's alone.
    for who in ("sup", "a000", "acme-viewer"):
        r = served.login(who).post("/api/admin/payroll/close", json={"day": "2026-11-05"})
        assert r.status_code == 403


def _race(clients: list[httpx.Client], day: str) -> list[int]:
    results: list[int] = []
    gate = threading.Barrier(len(clients))

    def close(c: httpx.Client) -> None:
        gate.wait()
        results.append(c.post("/api/admin/payroll/close", json={"day": day}).status_code)

    threads = [threading.Thread(target=close, args=(c,)) for c in clients]
    for th in threads:
        th.start()
    for th in threads:
        th.join(120)
    return results


def test_of_closings_racing_one_wins(served: Served) -> None:
    """Three administrators close the same period at once, three months running: each
    time one closing is stored and the others get a 409, never a 5xx."""
    admin = _setup(served)
    _work(admin, 10, 9, 13)
    clients = [served.login("admin") for _ in range(3)]
    for month in ("2026-07-10", "2026-08-10", "2026-09-10"):
        assert sorted(_race(clients, month)) == [201, 409, 409], month
    periods = admin.get("/api/admin/payroll/periods").json()
    assert [p["first_day"] for p in periods] == ["2026-09-01", "2026-08-01", "2026-07-01"]
    assert periods[0]["total"] == "40.00"
    audit = admin.get("/api/admin/audit", params={"action": "pay_period."}).json()
    assert len(audit) == 3


def test_bad_closings_are_refused_by_name_and_close_nothing(served_sqlite: Served) -> None:
    admin = _setup(served_sqlite)
    for body in ({}, {"day": "yesterday"}, {"day": "2026-09-10", "extra": 1}, {"day": 5}):
        r = admin.post("/api/admin/payroll/close", json=body)
        assert r.status_code == 422, r.text
        assert r.json()["message"]
    r = admin.post("/api/admin/payroll/close", json={"day": "2099-01-01"})
    assert r.status_code == 409 and "has not ended yet" in r.json()["message"]
    assert admin.get("/api/admin/payroll/periods").json() == []
