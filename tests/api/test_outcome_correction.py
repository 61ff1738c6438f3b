"""A finished contact's outcome corrected over real HTTP: a sale paid in a closed period
and reversed afterwards (the customer returned the product) is clawed back in the next
period, traceable to the contact; reversed within its own period it is simply no sale.
Only a supervisor of the contact's client, or an administrator, may correct it.

The server runs on a clock started on 10 September 2026 that the test moves on to October,
so that September can end and be closed with the sale in it."""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from hearthline.kernel.clock import ScaledClock
from tests.api.support import Served, handle_a_call, serve

ZONE = ZoneInfo("Europe/Paris")
SEPTEMBER = "2026-09-01 to 2026-09-30"


def at(month: int, day: int, hour: int) -> float:
    return datetime(2026, month, day, hour, tzinfo=ZONE).timestamp()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def september(request: pytest.FixtureRequest) -> Iterator[tuple[Served, ScaledClock]]:
    """The app on each database, its clock running from 10 September 2026, 10:00 Paris."""
    url = request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "pg_url")
    clock = ScaledClock(start=at(9, 10, 10), rate=1.0)
    app = serve(url, clock=clock)
    yield app, clock
    app.stop()


def _setup(app: Served) -> httpx.Client:
    admin = app.login("admin")
    for path, body in (
        ("/api/schedules/settings", {"time_zone": "Europe/Paris"}),
        (
            "/api/admin/pay/settings",
            {"currency": "EUR", "cadence": "monthly", "anchor": "2026-01-01"},
        ),
        ("/api/admin/pay/rules/a000/2026-01-01", {"hourly_rate": "10.00"}),
        (
            "/api/admin/pay/bonus-rules/acme-returns",
            {"tiers": [{"after_sales": 0, "per_sale": "5"}]},
        ),
    ):
        r = admin.put(path, json=body)
        assert r.status_code == 200, r.text
    return admin


def _sale(app: Served) -> str:
    """a000 takes a call and records a sale (``prevented-resale`` counts as one)."""
    return handle_a_call(app, then="/api/agent/sign-out")


def _pay(admin: httpx.Client, day: str) -> dict[str, Any]:
    r = admin.get("/api/admin/payroll", params={"day": day})
    assert r.status_code == 200, r.text
    [row] = [row for row in r.json() if row["agent_id"] == "a000"]
    return dict(row)


def _bonuses(row: dict[str, Any]) -> list[tuple[str, str, list[str]]]:
    return [(b["kind"], b["amount"], b["contacts"]) for b in row["bonuses"]]


def _correct(c: httpx.Client, contact: str, disposition: str) -> httpx.Response:
    return c.post(
        f"/api/supervisor/contacts/{contact}/outcome",
        json={"disposition": disposition, "reason": "the customer returned the product"},
    )


def _sales_on(admin: httpx.Client, day: str, want: int) -> dict[str, Any]:
    """The acme figures of ``day`` once the read models show ``want`` sales."""
    deadline = time.monotonic() + 15
    figures: dict[str, Any] = {}
    while time.monotonic() < deadline:
        r = admin.get(
            "/api/reports/figures", params={"period": "day", "date": day, "group": "client"}
        )
        assert r.status_code == 200, r.text
        rows = {row["key"]["client"]: row["figures"] for row in r.json()["rows"]}
        figures = rows.get("acme", {})
        if figures.get("sales") == want:
            return figures
        time.sleep(0.1)
    raise AssertionError(f"the figures of {day} never showed {want} sale(s): {figures}")


def test_a_sale_reversed_after_its_period_closed_is_clawed_back_in_the_next(
    september: tuple[Served, ScaledClock],
) -> None:
    app, clock = september
    _setup(app)
    contact = _sale(app)
    admin = app.login("admin")
    assert _bonuses(_pay(admin, "2026-09-10")) == [("sale bonus", "5.00", [contact])]
    assert _sales_on(admin, "2026-09-10", 1)["outcomes"] == 1

    clock.skip_to(at(10, 2, 9))
    admin = app.login("admin")  # the September session has expired
    r = admin.post("/api/admin/payroll/close", json={"day": "2026-09-10"})
    assert r.status_code == 201, r.text

    # Refused: an agent (not their call to make), a supervisor of another client (it is
    # not theirs to see), an outcome the campaign does not have (named); nothing stored.
    assert _correct(app.login("a000"), contact, "return-processed").status_code == 403
    r = _correct(app.login("sup-globex"), contact, "return-processed")
    assert r.status_code == 404, r.text
    sup = app.login("sup-acme")
    r = _correct(sup, contact, "refunded-twice")
    assert r.status_code == 422, r.text
    assert "'refunded-twice'" in r.json()["message"] and "return-processed" in r.json()["message"]
    r = sup.post(
        f"/api/supervisor/contacts/{contact}/outcome",
        json={"disposition": "return-processed", "reason": "   "},
    )
    assert r.status_code == 422, r.text
    history = sup.get(f"/api/contacts/{contact}").json()
    assert history["disposition"] == "prevented-resale"
    assert "OutcomeCorrected" not in [e["type"] for e in history["events"]]

    # The supervisor of acme reverses the sale.
    r = _correct(sup, contact, "return-processed")
    assert r.status_code == 200, r.text
    history = sup.get(f"/api/contacts/{contact}").json()
    assert history["disposition"] == "return-processed"
    recorded = [e for e in history["events"] if e["type"] == "DispositionRecorded"]
    [corrected] = [e for e in history["events"] if e["type"] == "OutcomeCorrected"]
    assert [e["disposition"] for e in recorded] == ["prevented-resale"]
    assert corrected["was"] == "prevented-resale" and corrected["agent"] == "a000"
    assert corrected["by"] == "sup-acme"
    assert corrected["reason"] == "the customer returned the product"
    assert corrected["recorded_at"] == recorded[0]["at"]

    # September was paid and stays so; October takes the 5.00 back, naming the contact.
    assert _bonuses(_pay(admin, "2026-09-10")) == [("sale bonus", "5.00", [contact])]
    october = _pay(admin, "2026-10-02")
    assert _bonuses(october) == [("claw-back", "-5.00", [contact])]
    assert october["total"] == "-5.00"
    mine = app.login("a000").get("/api/agent/pay", params={"day": "2026-10-02"}).json()
    assert _bonuses(mine) == _bonuses(october)
    r = admin.get("/api/admin/payroll", params={"day": "2026-10-02", "format": "csv"})
    rows = [row for row in csv.DictReader(io.StringIO(r.text)) if row["agent"] == "a000"]
    assert [(row["line"], row["amount"], row["detail"]) for row in rows] == [
        ("claw-back (acme-returns)", "-5.00", contact),
        ("total", "-5.00", ""),
    ]

    # The reports count the contact once, on the day it was handled, as no sale now.
    figures = _sales_on(admin, "2026-09-10", 0)
    assert figures["outcomes"] == 1
    clock.skip_to(at(11, 2, 9))
    admin = app.login("admin")
    assert admin.post("/api/admin/payroll/close", json={"day": "2026-10-02"}).status_code == 201
    assert _bonuses(_pay(admin, "2026-11-02")) == [], "clawed back once only"


def test_a_sale_reversed_within_its_open_period_is_just_no_sale(
    september: tuple[Served, ScaledClock],
) -> None:
    app, _ = september
    _setup(app)
    kept, returned = _sale(app), _sale(app)
    admin = app.login("admin")
    assert _bonuses(_pay(admin, "2026-09-10")) == [("sale bonus", "10.00", [kept, returned])]
    r = _correct(admin, returned, "return-processed")  # an administrator may too
    assert r.status_code == 200, r.text
    assert _bonuses(_pay(admin, "2026-09-10")) == [("sale bonus", "5.00", [kept])]
    assert _sales_on(admin, "2026-09-10", 1)["outcomes"] == 2
