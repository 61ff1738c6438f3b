"""Replications in a pool of processes give the serial run's days, seed for seed."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest

from hearthline.cli import main
from hearthline.sim import build, load_scenario, simulate
from hearthline.sim.replications import FIGURES, replicate, summarize
from hearthline.sim.results import Results
from tests.sim.conftest import EXAMPLES


def _figures(r: Results) -> dict[str, Any]:
    """Everything a day reports but how long the run took on the wall clock."""
    d = r.as_dict()
    d["run"] = {k: v for k, v in d["run"].items() if k not in ("wall_s", "calls_per_s")}
    return d


def test_parallel_replications_equal_the_serial_run_seed_for_seed() -> None:
    built = build(load_scenario(EXAMPLES / "multi-queue-day.toml"))
    seeds = [5, 6, 7]
    pooled = replicate(built, seeds, jobs=2)
    serial = replicate(built, seeds, jobs=1)
    assert [r.seed for r in pooled] == seeds
    assert [_figures(r) for r in pooled] == [_figures(r) for r in serial]
    assert _figures(pooled[1]) == _figures(simulate(built, seed=6))
    # Different seeds make different days: the pool did not run one seed three times.
    assert len({json.dumps(_figures(r)["days"]) for r in pooled}) == 3


def test_summary_is_the_mean_and_standard_error_over_the_days() -> None:
    built = build(load_scenario(EXAMPLES / "multi-queue-day.toml"))
    days = replicate(built, [1, 2, 3], jobs=1)
    spread = {(s.queue, s.figure): s for s in summarize(days)}
    assert {q for q, _ in spread} == {"general", "internet"}
    assert {f for _, f in spread} == set(FIGURES)
    levels = [r.day("general").service_level for r in days]
    s = spread[("general", "service_level")]
    mean = sum(levels) / 3
    sd = math.sqrt(sum((x - mean) ** 2 for x in levels) / 2)
    assert s.mean == pytest.approx(mean)
    assert s.se == pytest.approx(sd / math.sqrt(3))
    assert (s.low, s.high, s.n) == (min(levels), max(levels), 3)


def test_cli_replications_in_two_processes(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["simulate", str(EXAMPLES / "multi-queue-day.toml"), "--seed", "4"]
    assert main([*args, "--replications", "3", "--jobs", "2", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["seeds"] == [4, 5, 6]
    assert [d["seed"] for d in data["replications"]] == [4, 5, 6]
    level = next(
        s for s in data["summary"] if s["queue"] == "general" and s["figure"] == "service_level"
    )
    assert level["n"] == 3
    assert 0.0 < level["mean"] < 1.0
    assert main([*args, "--json"]) == 0
    single = json.loads(capsys.readouterr().out)
    assert single["days"] == data["replications"][0]["days"]


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--replications", "0"], "--replications must be a whole number from 1 to 1000"),
        (["--replications", "x"], "--replications must be a whole number"),
        (["--jobs", "0"], "--jobs must be a whole number from 1 to 64"),
        (["--jobs", "-2"], "--jobs must be a whole number"),
        (["--replications", "2", "--out", "somewhere"], "--out writes one day's report"),
    ],
)
def test_cli_refuses_bad_counts_clearly(
    flags: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["simulate", str(EXAMPLES / "multi-queue-day.toml"), *flags]) == 2
    err = capsys.readouterr().err
    assert err.startswith("hearthline simulate: error: ")
    assert message in err
    assert "Traceback" not in err


def test_replicate_refuses_no_processes() -> None:
    built = build(load_scenario(EXAMPLES / "multi-queue-day.toml"))
    with pytest.raises(ValueError, match="jobs must be at least 1"):
        replicate(built, [1], jobs=0)
