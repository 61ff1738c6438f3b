"""Every example scenario runs, the center refuses nothing, and the books balance."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hearthline.cli import main
from hearthline.sim import load_scenario, simulate
from tests.sim.conftest import EXAMPLES

SCENARIOS = sorted(EXAMPLES.glob("*.toml"))


def test_the_required_examples_exist() -> None:
    names = {p.name for p in SCENARIOS}
    assert {"mmn-400.toml", "multi-queue-day.toml"} <= names


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_example_runs_and_balances(path: Path) -> None:
    results = simulate(load_scenario(path))
    assert results.run["refused_commands"] == 0, results.run["refusals"]
    assert results.run["unfinished_contacts"] == 0
    for day in results.days:
        ended = day.answered + day.abandoned + day.overflowed + day.dropped
        assert ended == day.offered > 0
        assert 0 <= day.service_level <= 1
        assert 0 < day.occupancy <= 1
    for agent in results.agents:
        assert agent.handled >= 0
        assert min(agent.talk_s, agent.idle_s, agent.break_s, agent.wrap_s) >= 0


def test_multi_queue_day_uses_shifts_breaks_and_behaviour() -> None:
    results = simulate(load_scenario(EXAMPLES / "multi-queue-day.toml"))
    agents = {a.agent: a for a in results.agents}
    early, late = agents["early-0001"], agents["late-0001"]
    # Breaks of 15 + 30 minutes, taken whole.
    assert early.break_s == pytest.approx(45 * 60)
    staffed = early.idle_s + early.ring_s + early.talk_s + early.wrap_s
    # An eight-hour shift less the breaks, give or take the last call.
    assert 8 * 3600 - 45 * 60 - 60 < staffed + early.away_s < 8 * 3600 - 45 * 60 + 1800
    assert early.ring_s > 0  # time to accept is simulated
    assert late.handled > 0
    assert agents["dana"].wrap_s > 0
    internet = results.day("internet")
    assert internet.aht_s > 360  # manual wrap-up adds to the handle time


def test_cli_json_is_the_figures(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["simulate", str(EXAMPLES / "multi-queue-day.toml"), "--json", "--seed", "2"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["seed"] == 2
    assert {d["queue"] for d in data["days"]} == {"general", "internet"}
    assert len(data["intervals"]) == 2 * 24
    assert data["run"]["refused_commands"] == 0
    assert set(data["agents"][0]) >= {"handled", "talk_s", "wrap_s", "idle_s", "break_s"}


def test_cli_report_writes_tables_and_charts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "report"
    assert main(["simulate", str(EXAMPLES / "multi-queue-day.toml"), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "Per interval" in printed
    assert "general" in printed
    for name in ("report.txt", "intervals.csv", "agents.csv", "queue-general.png", "agents.png"):
        assert (out / name).stat().st_size > 0
    assert (out / "queue-general.png").read_bytes()[:4] == b"\x89PNG"


@pytest.mark.parametrize("where", ["repository root", "another directory"])
def test_history_example_runs_from_any_directory_on_the_projects_own_data(
    where: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = EXAMPLES.parents[1]
    monkeypatch.chdir(repo if where == "repository root" else tmp_path)
    scenario = EXAMPLES / "bank-day-from-history.toml"
    name = scenario.relative_to(repo) if where == "repository root" else scenario
    assert main(["simulate", str(name), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["days"][0]["offered"] > 1000  # the bank's 22 August, from the log


def test_examples_name_only_files_inside_the_project() -> None:
    repo = EXAMPLES.parents[1].resolve()
    for path in SCENARIOS:
        scenario = load_scenario(path)
        for queue in scenario.queues:
            for source in (queue.arrivals, queue.handle_time, queue.patience):
                history = getattr(source, "history", None) or getattr(source, "forecast", None)
                if history:
                    target = (path.parent / history).resolve()
                    assert target.is_file(), f"{path.name}: {history} is missing"
                    assert target.is_relative_to(repo), f"{path.name}: {history} is outside"
