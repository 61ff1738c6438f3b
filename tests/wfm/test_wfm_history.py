"""Importers on the real Anonymous Bank files and on bad input; intervals; forecasts."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from hearthline.wfm.forecast import ForecastRequest, backtest, forecast_history, wape
from hearthline.wfm.importers import History, load_history, read_anonymous_bank, read_generic
from hearthline.wfm.intervals import daily_totals, interval_table, weekly_pattern
from hearthline.wfm.plan import PLAN_COLUMNS, build_plan, write_plan_csv, write_plan_png
from hearthline.wfm.staffing import Targets


@pytest.fixture(scope="module")
def august(bank_dir: Path) -> History:
    return load_history(bank_dir / "august_calls.csv", fmt="anonymous-bank")


def test_bank_month_row_counts_and_outcomes(august: History) -> None:
    assert august.rows_read == 42_078
    assert august.bad_rows == ()
    counts = august.contacts["outcome"].value_counts().to_dict()
    # AGENT 31,402; HANG 10,366 = 7,309 in the queue + 3,057 in the menu; PHANTOM 310
    # (counted with awk over the file).
    assert counts == {"answered": 31_402, "abandoned": 7_309, "menu": 3_057, "unknown": 310}
    assert len(august.offered()) == 42_078 - 3_057
    assert august.queues() == ["IN", "NE", "NW", "PE", "PS", "TT"]
    assert any("without service times" in n for n in august.notes)
    assert any("over 7200 s" in n for n in august.notes)


def test_bank_known_rows(august: History) -> None:
    c = august.contacts
    # Line 2: HANG in the menu, never queued: kept as menu at its menu exit.
    first = c[c["arrival"] == pd.Timestamp("2010-08-01 00:10:27")]
    assert first["outcome"].tolist() == ["menu"]
    # Line 482: menu exit reads before entry (vru_time -87); queued at 12:03:15 for 101 s,
    # served 61 s.
    row = c[c["arrival"] == pd.Timestamp("2010-08-01 12:03:15")].iloc[0]
    assert (row["wait_s"], row["handle_s"], row["outcome"]) == (101.0, 61.0, "answered")
    # Line 4368: service from 23:58:54 to 0:04:25 the next day is 331 s, not negative.
    late = c[c["arrival"] == pd.Timestamp("2010-08-02 23:54:44")].iloc[0]
    assert (late["wait_s"], late["handle_s"]) == (250.0, 331.0)


def test_bank_one_day_file(bank_dir: Path) -> None:
    h = load_history(bank_dir / "one_day_calls.csv", fmt="anonymous-bank")
    assert h.rows_read == 2_375 and h.bad_rows == ()
    raw = h.contacts["outcome"].value_counts()
    assert raw["answered"] == 1_511
    assert raw["abandoned"] + raw["menu"] == 846
    assert raw["unknown"] == 18
    assert h.contacts["arrival"].dt.date.unique().tolist() == [dt.date(2010, 8, 1)]


def test_bad_rows_are_reported_with_line_numbers_and_do_not_stop_the_import() -> None:
    text = "\n".join(
        [
            "arrival,queue,wait_s,handle_s,outcome",
            "2010-08-22T08:03:12,PS,14,187,answered",
            "2010-08-22T08:04:00,PS,abc,187,answered",
            "not a date,PS,1,2,answered",
            "2010-08-22T08:05:00,,1,2,answered",
            "2010-08-22T08:06:00,PS,1,2,transferred",
            "2010-08-22T08:07:00,PS,1",
            "2010-08-22T08:08:00,PS,-3,2,answered",
            "2010-08-22T08:09:00,NW,30,,abandoned",
        ]
    )
    h = read_generic(io.StringIO(text))
    assert len(h.contacts) == 2
    assert [b.line for b in h.bad_rows] == [3, 4, 5, 6, 7, 8]
    reasons = " | ".join(b.reason for b in h.bad_rows)
    for word in (
        "wait_s is not a number",
        "ISO",
        "queue is empty",
        "outcome",
        "fields",
        "0 or more",
    ):
        assert word in reasons
    assert np.isnan(h.contacts["handle_s"].iloc[1])


def test_bank_bad_rows(bank_dir: Path) -> None:
    lines = (bank_dir / "one_day_calls.csv").read_text().splitlines()[:4]
    lines.append(lines[1].replace("2010-08-01", "2010-13-01"))
    lines.append(lines[1].replace("0:10:10", "25:10:10"))
    lines.append(lines[1].replace("HANG", "LOST"))
    lines.append("AA0204,1,2")
    h = read_anonymous_bank(io.StringIO("\n".join(lines)))
    assert len(h.contacts) == 3
    assert [b.line for b in h.bad_rows] == [5, 6, 7, 8]


def test_missing_file_unknown_format_and_wrong_header(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="not found"):
        load_history(tmp_path / "nope.csv")
    with pytest.raises(ValueError, match="unknown history format"):
        load_history(tmp_path / "nope.csv", fmt="excel")
    f = tmp_path / "x.csv"
    f.write_text("a,b,c\n1,2,3\n")
    with pytest.raises(ValueError, match="missing column"):
        load_history(f)


def test_interval_table_counts_every_offered_call(august: History) -> None:
    table = interval_table(august, interval_minutes=30)
    assert len(table) == 31 * 48
    assert int(table["calls"].sum()) == len(august.offered())
    day = daily_totals(table).loc[pd.Timestamp("2010-08-21")]
    assert int(day["calls"]) == 132  # checked with awk: 2010-08-21, not a menu hang-up
    ps = interval_table(august, interval_minutes=60, queue="PS")
    assert int(ps["calls"].sum()) == int((august.offered()["queue"] == "PS").sum())
    pattern = weekly_pattern(table)
    busiest = pattern["calls"].idxmax()
    assert busiest[0] in {"Sunday", "Monday", "Tuesday"} and "09:00" <= busiest[1] <= "12:00"
    sat = pattern.loc["Saturday", "calls"].sum()
    sun = pattern.loc["Sunday", "calls"].sum()
    assert sat < 0.15 * sun  # nearly closed Saturdays


def test_wape() -> None:
    assert wape(np.array([1.0, 3.0]), np.array([2.0, 2.0])) == 0.5
    assert np.isnan(wape(np.zeros(2), np.zeros(2)))


def _weekly_history(weeks: int, noise: float = 0.0) -> History:
    rng = np.random.default_rng(0)
    rows = []
    start = pd.Timestamp("2024-01-07").to_pydatetime()
    for d in range(weeks * 7):
        day = start + dt.timedelta(days=d)
        per_hour = [0] * 8 + [5 + day.weekday()] * 10 + [2] * 6
        for hour, n in enumerate(per_hour):
            n = max(0, n + (int(rng.integers(-1, 2)) if noise else 0))
            for i in range(n):
                rows.append(
                    (day + dt.timedelta(hours=hour, minutes=i), "Q", 5.0, 100.0 + hour, "answered")
                )
    frame = pd.DataFrame(rows, columns=["arrival", "queue", "wait_s", "handle_s", "outcome"])
    return History(contacts=frame)


def test_backtest_and_forecast_on_a_perfectly_weekly_history() -> None:
    h = _weekly_history(4)
    fc = forecast_history(
        h, ForecastRequest(start=dt.date(2024, 2, 4), days=7, interval_minutes=60)
    )
    assert {s.method for s in fc.scores} == {
        "seasonal-naive",
        "weekday-profile",
        "holt-winters",
        "level-shape",
    }
    by = {s.method: s for s in fc.scores}
    assert by["seasonal-naive"].wape_interval == 0.0
    assert len(fc.starts) == 7 * 24
    # Monday 10:00 has 5 + 0 calls an hour in every week; AHT is 110 s at 10:00.
    monday_10 = fc.starts.get_loc(pd.Timestamp("2024-02-05 10:00"))
    assert fc.calls[monday_10] == pytest.approx(5.0, abs=0.2)
    assert fc.aht_s[monday_10] == pytest.approx(110.0, abs=1.0)
    days = pd.date_range("2024-01-07", periods=28, freq="D")
    # Weeks from 21 and 28 January: the two with two weeks before them.
    (naive, *_) = backtest(np.ones((28, 24)), days)
    assert [(w.first_day, w.days) for w in naive.weeks] == [
        (dt.date(2024, 1, 21), 7),
        (dt.date(2024, 1, 28), 7),
    ]


def test_forecast_uses_only_history_before_start(august: History) -> None:
    req = ForecastRequest(start=dt.date(2010, 8, 22), days=3)
    full = forecast_history(august, req)
    cut = History(contacts=august.contacts[august.contacts["arrival"] < pd.Timestamp("2010-08-22")])
    assert full.to_json() == forecast_history(cut, req).to_json()
    assert full.history_last_day == dt.date(2010, 8, 21)
    assert full.to_json()["intervals"][0]["start"] == "2010-08-22T00:00:00"
    with pytest.raises(ValueError, match="no history before"):
        forecast_history(august, ForecastRequest(start=dt.date(2010, 8, 1), days=1))


def test_plan_table_csv_and_png(august: History, tmp_path: Path) -> None:
    req = ForecastRequest(start=dt.date(2010, 8, 22), days=2)
    forecasts = [forecast_history(august, req.for_queue(q)) for q in ("PS", "NW")]
    targets = Targets(service_level=0.8, answer_time_s=20, shrinkage=0.3)
    plan = build_plan(forecasts, targets)
    assert len(plan.rows) == 2 * 2 * 48
    for r in plan.rows:
        if r.calls == 0:
            assert r.agents == 0
        else:
            assert r.service_level >= 0.8 and r.scheduled >= r.agents
    csv_path = tmp_path / "plan.csv"
    write_plan_csv(plan, csv_path)
    back = pd.read_csv(csv_path)
    assert tuple(back.columns) == PLAN_COLUMNS and len(back) == len(plan.rows)
    png = tmp_path / "plan.png"
    write_plan_png(plan, png)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 20_000
    data = plan.to_json()
    assert data["rows"][0]["start"] == "2010-08-22T00:00:00"
    assert "Queue PS" in plan.to_text()


@pytest.mark.parametrize("start", [dt.date(9999, 12, 30), dt.date(1600, 1, 1), dt.date(2262, 4, 5)])
def test_forecast_refuses_days_outside_the_calendar_it_can_count(
    bank_dir: Path, start: dt.date
) -> None:
    history = load_history(bank_dir / "one_day_calls.csv", fmt="anonymous-bank")
    with pytest.raises(ValueError, match="the days to plan must fall between 1677-09-22"):
        forecast_history(history, ForecastRequest(start=start, days=28))
