"""An open pay period pays an agent still signed in up to now, over real HTTP: not up to
the end of the period, as if the rest of the month were already worked."""

from __future__ import annotations

from decimal import Decimal

from hearthline.kernel.clock import WallClock
from tests.api.support import Served


def test_an_agent_signed_in_now_is_paid_up_to_now_not_to_the_periods_end(
    served: Served,
) -> None:
    admin = served.login("admin")
    r = admin.put("/api/admin/pay/rules/a000/2020-01-01", json={"hourly_rate": "12.00"})
    assert r.status_code == 200, r.text
    agent = served.login("a000")
    signed_in_at = WallClock().now()
    r = agent.post("/api/agent/sign-in", json={"ready": True})
    assert r.status_code == 200, r.text

    r = agent.get("/api/agent/pay")
    assert r.status_code == 200, r.text
    elapsed_h = Decimal(WallClock().now() - signed_in_at + 60) / 3600
    hours = sum(Decimal(line["hours"]) for line in r.json()["time"])
    assert hours <= elapsed_h, r.json()["time"]

    [row] = [p for p in admin.get("/api/admin/payroll").json() if p["agent_id"] == "a000"]
    assert Decimal(row["total"]) <= elapsed_h * 12, row
