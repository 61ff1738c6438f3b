"""History -> forecast -> plan: the one path behind ``hearthline plan`` and the endpoint."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from hearthline.cli import main
from hearthline.wfm.forecast import ForecastRequest
from hearthline.wfm.importers import History, load_history
from hearthline.wfm.pipeline import plan_from_history
from hearthline.wfm.staffing import Targets

TARGETS = Targets(service_level=0.8, answer_time_s=20, shrinkage=0.3)
REQUEST = ForecastRequest(start=dt.date(2010, 8, 22), days=1)


@pytest.fixture(scope="module")
def august(bank_dir: Path) -> History:
    return load_history(bank_dir / "august_calls.csv", fmt="anonymous-bank")


def test_by_queue_forecasts_every_queue_of_the_history_on_its_own(august: History) -> None:
    planned = plan_from_history(august, REQUEST, TARGETS, by_queue=True)
    assert [f.queue for f in planned.forecasts] == august.queues()
    assert len(planned.plan.rows) == len(august.queues()) * 48


def test_by_queue_with_a_queue_named_forecasts_only_that_queue(august: History) -> None:
    planned = plan_from_history(august, REQUEST.for_queue("PS"), TARGETS, by_queue=True)
    assert [f.queue for f in planned.forecasts] == ["PS"]


def test_without_by_queue_one_forecast_covers_all_queues(august: History) -> None:
    planned = plan_from_history(august, REQUEST, TARGETS)
    assert [f.queue for f in planned.forecasts] == [None]
    assert len(planned.plan.rows) == 48


def test_the_plan_command_prints_the_pipelines_plan(
    august: History, bank_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["plan", "--history", str(bank_dir / "august_calls.csv"), "--format"]
    args += ["anonymous-bank", "--start", "2010-08-22", "--days", "1", "--json"]
    assert main(args) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed == plan_from_history(august, REQUEST, TARGETS).plan.to_json()


def test_no_agent_is_planned_while_the_line_is_closed(
    august: History, bank_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    always = plan_from_history(august, REQUEST, TARGETS).plan
    # Without hours the forecast's small night-time calls are staffed (the reason for hours).
    assert any(r.agents > 0 for r in always.rows if r.start.hour < 7)
    args = ["plan", "--history", str(bank_dir / "august_calls.csv"), "--format"]
    args += ["anonymous-bank", "--start", "2010-08-22", "--days", "1", "--json"]
    assert main([*args, "--open", "08:00-18:00"]) == 0
    rows = json.loads(capsys.readouterr().out)["rows"]
    assert len(rows) == 48
    for row in rows:
        start = dt.datetime.fromisoformat(row["start"])
        if not 8 <= start.hour < 18:
            assert (row["calls"], row["agents"], row["scheduled"]) == (0, 0, 0), row
    assert sum(r["agents"] for r in rows) > 0
    assert main([*args, "--open", "18:00-08:00"]) == 2
    assert "closes before it opens" in capsys.readouterr().err
