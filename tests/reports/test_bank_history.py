"""Checked against reality: the Anonymous Bank's August brought in as history, and its
daily figures equal those computed straight from the CSV with pandas."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import Engine

from hearthline.demo.sample import seed
from hearthline.kernel.clock import ManualClock
from hearthline.reports.periods import Span, zone
from hearthline.service.history_import import import_bank
from hearthline.service.writer import Writer
from hearthline.store.engine import create_store_engine
from hearthline.store.migrate import upgrade
from hearthline.store.queries.reports import ReportScope, report

BANK = Path(__file__).parents[2] / "examples" / "data" / "anonymous-bank" / "august_calls.csv"
ISRAEL = "Asia/Jerusalem"
TARGET_S = 20.0  # a queue's default service target


def _seconds(clock: pd.Series) -> pd.Series:
    parts = clock.str.split(":", expand=True).astype(int)
    return parts[0] * 3600 + parts[1] * 60 + parts[2]


def expected_days() -> pd.DataFrame:
    """Daily figures from the CSV alone: a call is offered when it queued or went straight
    to an agent, on the day it queued (a clock far before the menu entry: past midnight)."""
    calls = pd.read_csv(BANK, dtype=str)
    queued = calls["q_start"] != "0:00:00"
    calls = calls[queued | (calls["outcome"] == "AGENT")].copy()
    queued = calls["q_start"] != "0:00:00"
    clock = np.where(queued, _seconds(calls["q_start"]), _seconds(calls["vru_exit"]))
    late = clock < _seconds(calls["vru_entry"]) - 12 * 3600
    calls["day"] = (
        pd.to_datetime(calls["date"]) + pd.to_timedelta(late.astype(int), unit="D")
    ).dt.date
    calls["answered"] = calls["outcome"] == "AGENT"
    calls["abandoned"] = calls["outcome"] == "HANG"
    calls["wait"] = np.where(queued, calls["q_time"].astype(int), 0)
    calls["talk"] = calls["ser_time"].astype(int)
    calls["in_target"] = calls["answered"] & (calls["wait"] <= TARGET_S)
    answered = calls[calls["answered"]]
    days = calls.groupby("day").agg(
        offered=("answered", "size"),
        answered=("answered", "sum"),
        abandoned=("abandoned", "sum"),
        in_target=("in_target", "sum"),
    )
    days["asa_s"] = answered.groupby("day")["wait"].mean()
    days["handle_s"] = answered.groupby("day")["talk"].mean()
    days["service_level"] = days["in_target"] / days["offered"]
    return days


@pytest.fixture
def bank(tmp_path: Path) -> Iterator[Engine]:
    engine = create_store_engine(f"sqlite:///{tmp_path / 'bank.sqlite3'}")
    upgrade(engine)
    seed(engine, agents=2)
    writer = Writer(
        engine=engine, clock=ManualClock(1.9e9), rng=random.Random(1), read_model_every_s=0
    )
    writer.start()
    try:
        done = import_bank(writer, BANK, client="bank", campaign="bank", time_zone=ISRAEL)
    finally:
        writer.stop()
    assert done.bad_rows == [] and done.calls + done.menu_only == 42_078
    yield engine
    engine.dispose()


@pytest.mark.slow
def test_the_bank_months_daily_figures_equal_those_from_the_csv(bank: Engine) -> None:
    august = Span.of(dt.date(2010, 8, 1), dt.date(2010, 9, 1), zone(ISRAEL))
    rows = report(
        bank, span=august, by=["day"], scope=ReportScope(clients=frozenset({"bank"}), agents=None)
    )
    got = pd.DataFrame(
        [{"day": dt.date.fromisoformat(r.key["day"]), **r.figures} for r in rows]
    ).set_index("day")
    want = expected_days()
    assert list(got.index) == list(want.index)
    assert len(want) >= 31
    for name in ("offered", "answered", "abandoned"):
        assert got[name].astype(int).tolist() == want[name].astype(int).tolist(), name
    for name in ("asa_s", "handle_s", "service_level"):
        np.testing.assert_allclose(
            got[name].to_numpy(float), want[name].to_numpy(float), rtol=1e-12, err_msg=name
        )
    # The other client company sees none of it.
    acme = report(
        bank, span=august, by=["day"], scope=ReportScope(clients=frozenset({"acme"}), agents=None)
    )
    assert acme == []
