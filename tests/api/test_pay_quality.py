"""The quality gate of a bonus over real HTTP: an agent's save earns its bonus only in a
period whose evaluations average at least the rule's minimum; otherwise the bonus shows
as a line of 0 saying what was withheld and why."""

from __future__ import annotations

from tests.api.support import Served
from tests.api.test_quality import handle_call

CARD = {
    "sections": [
        {"title": "Opening", "questions": [{"id": "greet", "text": "Greeted", "kind": "yes_no"}]}
    ]
}


def _bonuses(app: Served) -> list[dict[str, object]]:
    r = app.login("a000").get("/api/agent/pay")
    assert r.status_code == 200, r.text
    bonuses: list[dict[str, object]] = r.json()["bonuses"]
    return bonuses


def test_a_bonus_below_the_quality_minimum_is_withheld_with_the_reason(served: Served) -> None:
    admin = served.login("admin")
    for path, body in (
        ("/api/admin/pay/rules/a000/2026-01-01", {"hourly_rate": "10.00"}),
        ("/api/admin/pay/bonus-rules/acme-returns", {"per_save": "2", "min_quality": "80"}),
        ("/api/quality/templates/acme-returns", CARD),
    ):
        r = admin.put(path, json=body)
        assert r.status_code == 200, r.text
    contact = handle_call(served, disposition="prevented-exchange")

    [withheld] = _bonuses(served)
    assert withheld == {
        "kind": "withheld",
        "campaign": "acme-returns",
        "amount": "0.00",
        "contacts": [contact],
        "note": "2.00 withheld: no quality evaluation in the period (at least 80 needed)",
    }

    sup = served.login("sup-acme")
    for greet in (1, 0):
        r = sup.post(
            "/api/quality/evaluations", json={"contact_id": contact, "answers": {"greet": greet}}
        )
        assert r.status_code == 201, r.text
        [line] = _bonuses(served)
        if greet:  # a mean of 100: paid
            assert (line["kind"], line["amount"], line["note"]) == ("save bonus", "2.00", "")
        else:  # a mean of 50: withheld again
            assert (line["kind"], line["amount"]) == ("withheld", "0.00")
            assert line["note"] == "2.00 withheld: mean quality score 50.00 is below 80"
    # A calibration scoring counts in no mean.
    r = sup.post(
        "/api/quality/evaluations",
        json={"contact_id": contact, "answers": {"greet": 1}, "calibration": True},
    )
    assert r.status_code == 201, r.text
    assert _bonuses(served)[0]["kind"] == "withheld"
