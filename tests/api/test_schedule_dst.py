"""Shifts generated over HTTP from a staffing plan's wall-clock rows across the night the
clocks go back, in the firm's zone: 50 real half hours that day, 8-hour shifts."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from tests.api.support import Served

PARIS = ZoneInfo("Europe/Paris")


def test_a_plan_across_the_change_to_winter_time_is_laid_on_real_time(
    served_sqlite: Served,
) -> None:
    admin = served_sqlite.login("admin")
    assert (
        admin.put("/api/schedules/settings", json={"time_zone": "Europe/Paris"}).status_code == 200
    )
    for a in ("a000", "a001"):
        body = {"group": "help", "shift_lengths_h": [8], "max_week_h": 40}
        assert admin.put(f"/api/schedules/contracts/{a}", json=body).status_code == 200
    # Sunday 25 October 2026: two agents wanted from 08:00 to 16:00 on the wall clock.
    rows = [2.0 if 16 <= i < 32 else 0.0 for i in range(48)]
    r = admin.post(
        "/api/schedules/generate",
        json={
            "local_start": "2026-10-25T00:00:00",
            "needs": [{"group": "help", "required": rows}],
            "lengths_h": [8],
            "breaks": [],
        },
    )
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["start"] == dt.datetime(2026, 10, 25, tzinfo=PARIS).timestamp()
    (group,) = out["groups"]
    assert len(group["required"]) == 50
    assert group["under_cover"] == 0
    walls = sorted(
        (
            dt.datetime.fromtimestamp(s["start"], tz=PARIS).strftime("%H:%M"),
            (s["end"] - s["start"]) / 3600,
        )
        for s in out["shifts"]
    )
    assert walls == [("08:00", 8.0), ("08:00", 8.0)]
    assert sorted(out["proposal"]) == ["a000", "a001"]
