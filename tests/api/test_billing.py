"""Client billing over real HTTP: a call handled through the API is on its client's
statement, priced by the rate card; each client company sees only its own."""

from __future__ import annotations

import csv
import io
import time
from datetime import datetime
from decimal import Decimal
from fractions import Fraction
from zoneinfo import ZoneInfo

from hearthline.kernel.clock import WallClock
from hearthline.wfm.money import to_cents
from tests.api.support import Served, handle_a_call

CENT = Decimal("0.01")
CARD = {
    "per_handled_call": "1.25",
    "per_talk_minute": "0.10",
    "per_sale": "3",
    "per_productive_hour": "0",
    "monthly_minimum": "0",
}


def test_a_handled_call_is_billed_to_its_client_by_the_rate_card(served: Served) -> None:
    admin = served.login("admin")
    r = admin.put(
        "/api/admin/pay/settings",
        json={
            "currency": "EUR",
            "cadence": "monthly",
            "anchor": "2026-01-01",
            "unpaid_reasons": ["lunch"],
        },
    )
    assert r.status_code == 200, r.text
    r = admin.put("/api/schedules/settings", json={"time_zone": "Europe/Paris"})
    assert r.status_code == 200, r.text
    assert admin.put("/api/admin/billing/rate-cards/acme", json=CARD).status_code == 200
    contact = handle_a_call(served)
    month = datetime.fromtimestamp(WallClock().now(), ZoneInfo("Europe/Paris")).strftime("%Y-%m")

    viewer = served.login("acme-viewer")
    r = viewer.get("/api/billing/acme/statement", params={"month": month})
    assert r.status_code == 200, r.text
    bill = r.json()
    [billed] = bill["contacts"]
    assert billed["contact"] == contact and billed["sale"] is True and billed["talk_s"] > 0
    talk = Fraction(round(billed["talk_s"]), 60) * Fraction(Decimal("0.10"))
    lines = {ln["description"]: ln for ln in bill["lines"]}
    assert lines["handled calls"]["amount"] == "1.25"
    assert lines["handled calls"]["contacts"] == [contact]
    assert Decimal(lines["talk minutes"]["amount"]) == to_cents(talk)
    assert lines["sales"]["amount"] == "3.00"
    assert Decimal(bill["total"]) == Decimal("4.25") + to_cents(talk)
    assert (bill["currency"], bill["time_zone"]) == ("EUR", "Europe/Paris")

    r = viewer.get("/api/billing/acme/statement", params={"month": month, "format": "csv"})
    assert r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert rows[-1]["description"] == "total"
    assert Decimal(rows[-1]["amount"]) == Decimal(bill["total"])
    assert {row["description"] for row in rows[:-1]} == set(lines)

    # Each client company sees only its own statement; money is not for supervisors.
    assert (
        served.login("globex-viewer")
        .get("/api/billing/acme/statement", params={"month": month})
        .status_code
        == 404
    )
    for who in ("sup", "sup-acme", "a000"):
        assert (
            served.login(who)
            .get("/api/billing/acme/statement", params={"month": month})
            .status_code
            == 403
        )
    audit = admin.get("/api/admin/audit", params={"action": "rate_card."}).json()
    assert [a["target"] for a in audit] == ["acme"]


def test_bad_pay_and_billing_settings_are_refused_by_name_and_change_nothing(
    served_sqlite: Served,
) -> None:
    admin = served_sqlite.login("admin")
    assert admin.put("/api/admin/billing/rate-cards/acme", json=CARD).status_code == 200
    before = admin.get("/api/admin/billing/rate-cards").json()
    refusals = [
        ("put", "/api/admin/billing/rate-cards/acme", CARD | {"per_sale": "-1"}, 422, "per_sale"),
        (
            "put",
            "/api/admin/billing/rate-cards/acme",
            CARD | {"per_sale": "1.23456"},
            422,
            "per_sale",
        ),
        ("put", "/api/admin/billing/rate-cards/acme", CARD | {"per_sale": "NaN"}, 422, "per_sale"),
        ("put", "/api/admin/billing/rate-cards/nobody", CARD, 404, "nobody"),
        ("put", "/api/admin/pay/settings", {"anchor": "2026-01-31"}, 422, "day 1 to 28"),
        ("put", "/api/admin/pay/rules/nobody/2026-01-01", {"hourly_rate": "10"}, 404, "nobody"),
        (
            "put",
            "/api/admin/pay/rules/a000/2026-02-30",
            {"hourly_rate": "10"},
            422,
            "effective_from",
        ),
        (
            "put",
            "/api/admin/pay/rules/a000/2026-01-01",
            {"hourly_rate": "10", "night_start": "25:00"},
            422,
            "night_start",
        ),
        ("put", "/api/admin/pay/bonus-rules/nothing", {"per_save": "1"}, 404, "nothing"),
        ("get", "/api/billing/acme/statement?month=2026-13", None, 422, "month"),
        ("get", "/api/billing/globex/statement?month=2026-11", None, 404, "rate card"),
    ]
    for method, path, body, status, named in refusals:
        r = admin.request(method, path, json=body)
        assert r.status_code == status, (path, body, r.text)
        assert named in r.text, (path, r.text)
    assert admin.get("/api/admin/billing/rate-cards").json() == before
    for who in ("sup", "acme-viewer", "a000"):
        assert (
            served_sqlite.login(who)
            .put("/api/admin/billing/rate-cards/acme", json=CARD)
            .status_code
            == 403
        )


def test_pay_and_bonus_rules_round_trip(served_sqlite: Served) -> None:
    admin = served_sqlite.login("admin")
    rule = {
        "hourly_rate": "12.50",
        "daily_overtime_after_h": "8",
        "night_premium": "0.25",
        "night_start": "21:30",
        "paid_leave": True,
    }
    r = admin.put("/api/admin/pay/rules/a000/2026-03-01", json=rule)
    assert r.status_code == 200, r.text
    [stored] = admin.get("/api/admin/pay/rules").json()
    assert stored["agent_id"] == "a000" and stored["effective_from"] == "2026-03-01"
    assert (stored["hourly_rate"], stored["night_start"], stored["paid_leave"]) == (
        "12.50",
        "21:30",
        True,
    )
    bonus = {"tiers": [{"after_sales": 20, "per_sale": "5"}], "per_save": "2", "min_quality": 80}
    assert admin.put("/api/admin/pay/bonus-rules/acme-returns", json=bonus).status_code == 200
    [got] = admin.get("/api/admin/pay/bonus-rules").json()
    assert got["tiers"] == [{"after_sales": 20, "per_sale": "5"}] and got["min_quality"] == "80"
    assert admin.delete("/api/admin/pay/rules/a000/2026-03-01").status_code == 204
    assert admin.get("/api/admin/pay/rules").json() == []
    assert admin.delete("/api/admin/pay/rules/a000/2026-03-01").status_code == 404


def test_an_agent_sees_the_pay_the_log_gives_them_and_the_payroll_exports_it(
    served: Served,
) -> None:
    admin = served.login("admin")
    # One currency unit a second makes each line's amount its seconds, to check by hand.
    r = admin.put("/api/admin/pay/rules/a000/2026-01-01", json={"hourly_rate": "3600"})
    assert r.status_code == 200, r.text
    bonus = {"tiers": [{"after_sales": 0, "per_sale": "5"}], "per_save": "2"}
    assert admin.put("/api/admin/pay/bonus-rules/acme-returns", json=bonus).status_code == 200
    contact = handle_a_call(served)  # signs a000 in, a call ending in a sale that is a save
    agent = served.login("a000")
    time.sleep(2)  # pay counts whole seconds: time on the clock worth a line
    assert agent.post("/api/agent/sign-out").status_code == 200

    mine = agent.get("/api/agent/pay")
    assert mine.status_code == 200, mine.text
    pay = mine.json()
    [regular] = pay["time"]
    assert regular["kind"] == "regular" and regular["rate_from"] == "2026-01-01"
    seconds = Decimal(regular["amount"])
    assert seconds >= 1 and Decimal(regular["hours"]) == (seconds / 3600).quantize(CENT)
    assert {(b["kind"], b["amount"], tuple(b["contacts"])) for b in pay["bonuses"]} == {
        ("sale bonus", "5.00", (contact,)),
        ("save bonus", "2.00", (contact,)),
    }
    assert Decimal(pay["total"]) == seconds + 7

    r = admin.get("/api/admin/payroll", params={"format": "csv"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    total = next(row for row in rows if row["agent"] == "a000" and row["line"] == "total")
    assert Decimal(total["amount"]) == Decimal(pay["total"])
    # Without a pay rule there is nothing to show, said plainly; pay is not the viewer's.
    assert served.login("a001").get("/api/agent/pay").status_code == 404
    assert served.login("acme-viewer").get("/api/admin/payroll").status_code == 403
