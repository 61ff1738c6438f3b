"""A staffing plan over HTTP from a real month of a bank's calls, and the refusals."""

from __future__ import annotations

from pathlib import Path

import pytest

from hearthline.cli import main
from tests.api.support import Served

BANK = Path(__file__).resolve().parents[2] / "examples" / "data" / "anonymous-bank"
PLAN = "/api/planning/staffing"


@pytest.fixture(scope="module")
def august() -> bytes:
    path = BANK / "august_calls.csv"
    if not path.is_file():
        pytest.fail(f"the Anonymous Bank data is missing: expected it at {path.resolve()}")
    return path.read_bytes()


def _post(client, body: bytes, **params: object):  # type: ignore[no-untyped-def]
    return client.post(
        PLAN,
        params=params,
        content=body,
        headers={"Content-Type": "text/csv"},
    )


def test_a_supervisor_plans_a_day_from_the_banks_august(
    served_sqlite: Served, august: bytes
) -> None:
    sup = served_sqlite.login("sup")
    r = _post(sup, august, format="anonymous-bank", start="2010-08-22", days=1, shrinkage=0.3)
    assert r.status_code == 200, r.text
    plan = r.json()
    assert plan["rows_read"] == 42_078
    assert plan["interval_minutes"] == 30
    assert len(plan["rows"]) == 48  # every half hour of the day
    (choice,) = plan["forecasts"]
    assert choice["history_last_day"] == "2010-08-21"  # nothing from the day planned
    assert choice["method"] == "level-shape"
    assert 0 < choice["wape_day"] < 1
    # The one backtest week with two weeks before it, beside seasonal naive.
    (week,) = choice["weeks"]
    assert (week["first_day"], week["days"]) == ("2010-08-15", 7)
    assert week["wape_interval"] == choice["wape_interval"]
    assert choice["vs_naive_interval"] == pytest.approx(
        week["wape_interval"] / week["naive_wape_interval"]
    )
    by_time = {row["start"][11:16]: row for row in plan["rows"]}
    busy, night = by_time["11:00"], by_time["03:00"]
    assert busy["calls"] > 50 and busy["agents"] > night["agents"]
    # Shrinkage of 30%: the agents to schedule cover the seats with 70% on the phones.
    assert busy["scheduled"] * 0.7 >= busy["agents"] > (busy["scheduled"] - 1) * 0.7
    assert busy["service_level"] >= 0.8


def test_planning_refuses_bad_input_clearly(served_sqlite: Served, august: bytes) -> None:
    app = served_sqlite
    sup = app.login("sup")
    cases = [
        (b"", {"start": "2010-08-22"}, 422, "send the contact history"),
        (b"\xff\xfe\x00bad", {"start": "2010-08-22"}, 422, "not UTF-8"),
        (august, {"start": "2010-08-22"}, 422, "generic"),  # the bank's file as generic
        (august, {"start": "2010-08-01", "format": "anonymous-bank"}, 422, "before"),
        (
            august,
            {"start": "2010-08-22", "interval": 45, "format": "anonymous-bank"},
            422,
            "15, 30 or 60",
        ),
        (august, {"start": "2010-08-22", "target_sl": 1.5}, 422, "target_sl"),
    ]
    for body, params, status, words in cases:
        r = _post(sup, body, **params)
        assert r.status_code == status, (params, r.text)
        assert words in r.text, (params, r.text)
    for who in ("acme-viewer", "a000"):
        client = app.login(who)
        r = _post(client, august, format="anonymous-bank", start="2010-08-22")
        assert r.status_code == 403, who


def test_the_plan_carries_the_agent_hours_the_command_line_prints(
    served_sqlite: Served, august: bytes, capsys: pytest.CaptureFixture[str]
) -> None:
    sup = served_sqlite.login("sup")
    r = _post(sup, august, format="anonymous-bank", start="2010-08-22", days=1, shrinkage=0.3)
    assert r.status_code == 200, r.text
    plan = r.json()
    scheduled = sum(row["scheduled"] for row in plan["rows"])
    assert plan["total_agent_hours"] == pytest.approx(scheduled * 30 / 60)
    assert plan["agent_hours"] == {"all": plan["total_agent_hours"]}

    args = ["plan", "--history", str(BANK / "august_calls.csv"), "--start", "2010-08-22"]
    assert main([*args, "--days", "1", "--shrinkage", "0.3"]) == 0
    printed = capsys.readouterr().out
    assert f"scheduled agent-hours: {plan['total_agent_hours']:.1f}" in printed


def test_a_plan_for_a_campaign_staffs_no_one_while_its_line_is_closed(
    served_sqlite: Served, august: bytes
) -> None:
    admin, sup_globex = served_sqlite.login("admin"), served_sqlite.login("sup-globex")
    hours = {"spans": [{"day": "sun", "opens": "08:00", "closes": "20:00"}]}
    assert admin.put("/api/admin/hours/acme-returns", json=hours).status_code == 200
    params = {"format": "anonymous-bank", "start": "2010-08-22", "days": 1}  # a Sunday
    r = _post(admin, august, campaign="acme-returns", **params)
    assert r.status_code == 200, r.text
    rows = {row["start"][11:16]: row for row in r.json()["rows"]}
    assert (rows["03:00"]["agents"], rows["03:00"]["calls"]) == (0, 0)
    assert (rows["07:30"]["agents"], rows["20:00"]["agents"]) == (0, 0)
    assert rows["11:00"]["agents"] > 0
    assert _post(sup_globex, august, campaign="acme-returns", **params).status_code == 404
