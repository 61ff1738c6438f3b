"""Agents staffed from a staffing plan: the plan's count on duty in every interval, the
bank's plan tried on the day it expected, and plan files that cannot be used refused."""

from __future__ import annotations

import statistics
from pathlib import Path

import pytest

from hearthline.cli import main
from hearthline.sim import ScenarioError, build, load_scenario, simulate
from hearthline.sim.build import Built
from tests.sim.conftest import BANK, EXAMPLES

PLAN = EXAMPLES / "bank-plan-2010-08-22.csv"


def _scenario(folder: Path, plan_csv: str, staffing: str, *, arrivals: str = "") -> Path:
    (folder / "plan.csv").write_text(plan_csv, encoding="utf-8")
    path = folder / "day.toml"
    path.write_text(
        f"""
[simulation]
seed = 1
start = "08:00"
end = "11:00"
drain_minutes = 0

[[queues]]
id = "q"
arrivals = {arrivals or "{ per_hour = 30 }"}
handle_time = {{ kind = "exponential", mean_s = 60 }}
patience = {{ kind = "none" }}

[[agents]]
prefix = "p"
staffing = {staffing}
""",
        encoding="utf-8",
    )
    return path


def _on_duty(built: Built, at: float) -> int:
    return sum(any(s <= at < e for s, e in a.shifts) for a in built.agents)


COUNTS = [2, 4, 4, 1, 0, 3]
SIMPLE = "start,agents\n" + "".join(
    f"{8 + i // 2:02d}:{30 * (i % 2):02d},{n}\n" for i, n in enumerate(COUNTS)
)


def test_a_plan_puts_its_count_on_duty_in_every_interval(tmp_path: Path) -> None:
    built = build(load_scenario(_scenario(tmp_path, SIMPLE, '{ plan = "plan.csv" }')))
    assert len(built.agents) == max(COUNTS)
    assert [a.id for a in built.agents] == ["p-0001", "p-0002", "p-0003", "p-0004"]
    for i, n in enumerate(COUNTS):
        assert _on_duty(built, 8 * 3600 + 1800 * i + 900) == n
    # Neighbouring intervals join into one stretch; a gap in the plan is a gap on duty.
    assert built.agents[0].shifts == ((8 * 3600.0, 10 * 3600.0), (10.5 * 3600, 11 * 3600.0))

    day = simulate(built)
    assert day.run["refused_commands"] == 0
    staffed = [row.agents for row in day.intervals if row.queue == "q"][: len(COUNTS)]
    # Agents on duty per interval, as the results count them (an agent whose stretch
    # ends during a call finishes it first: a little over the plan, never under).
    for planned, seen in zip(COUNTS, staffed, strict=True):
        assert planned - 0.05 <= seen <= planned + 0.35


def test_a_date_and_a_queue_pick_the_plans_rows_and_fractions_round_up(tmp_path: Path) -> None:
    plan = (
        "queue,start,agents,scheduled\n"
        "a,2026-03-02T08:00:00,1.2,3\n"
        "b,2026-03-02T08:00:00,9,9\n"
        "a,2026-03-02T08:30:00,2,4\n"
        "a,2026-03-03T08:00:00,7,7\n"
    )
    staffing = '{ plan = "plan.csv", date = "2026-03-02", queue = "a" }'
    built = build(load_scenario(_scenario(tmp_path, plan, staffing)))
    assert [_on_duty(built, t) for t in (8 * 3600 + 60, 8.5 * 3600 + 60, 9 * 3600)] == [2, 2, 0]
    scheduled = '{ plan = "plan.csv", date = "2026-03-02", queue = "a", column = "scheduled" }'
    built = build(load_scenario(_scenario(tmp_path, plan, scheduled)))
    assert [_on_duty(built, t) for t in (8 * 3600 + 60, 8.5 * 3600 + 60)] == [3, 4]


@pytest.mark.parametrize(
    ("plan", "staffing", "message"),
    [
        ("start,calls\n08:00,3\n", '{ plan = "plan.csv" }', "needs columns start and agents"),
        ("start,agents\n08:00,0\n", '{ plan = "plan.csv" }', "puts nobody on duty"),
        ("start,agents\n08:00,-2\n", '{ plan = "plan.csv" }', "numbers of at least 0"),
        ("start,agents\n08:00,many\n", '{ plan = "plan.csv" }', "plan.csv"),
        ("start,agents\n08:00,3\n", '{ plan = "missing.csv" }', "cannot read staffing plan"),
        ("start,agents\n08:00,3\n", '{ plan = "plan.csv", queue = "x" }', "no queue column"),
        ("start,agents\n08:00,3\n", '{ plan = "plan.csv", date = "22/08" }', "YYYY-MM-DD"),
        ("start,agents\n08:00,3\n", '{ plan = "plan.csv", column = "calls" }', "column"),
    ],
)
def test_a_plan_that_cannot_be_used_is_refused_with_the_reason(
    tmp_path: Path, plan: str, staffing: str, message: str
) -> None:
    with pytest.raises(ScenarioError, match=message):
        build(load_scenario(_scenario(tmp_path, plan, staffing)))


def test_a_group_staffed_from_a_plan_has_no_count_and_no_shift(tmp_path: Path) -> None:
    path = _scenario(tmp_path, SIMPLE, '{ plan = "plan.csv" }')
    text = path.read_text(encoding="utf-8")
    path.write_text(text + "count = 3\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match="found count, staffing"):
        load_scenario(path)
    path.write_text(text + 'shift = { start = "08:00", end = "10:00" }\n', encoding="utf-8")
    with pytest.raises(ScenarioError, match="hours from the plan"):
        load_scenario(path)


def test_the_example_plan_is_the_one_hearthline_plan_makes(tmp_path: Path) -> None:
    out = tmp_path / "plan.csv"
    args = ["plan", "--history", str(BANK / "august_calls.csv"), "--format", "anonymous-bank"]
    args += ["--start", "2010-08-22", "--days", "1", "--target-sl", "0.8"]
    args += ["--answer-time", "20", "--csv", str(out)]
    assert main(args) == 0
    assert out.read_text(encoding="utf-8") == PLAN.read_text(encoding="utf-8")


def test_the_bank_plan_meets_its_target_on_the_day_it_expected(tmp_path: Path) -> None:
    # The plan's own forecast as the callers, its agents column as the staff: the plan
    # promises 80% within 20 s in every half hour (Erlang C); the simulated day, with the
    # real routing core and transients between intervals, should keep that promise.
    (tmp_path / "plan.csv").write_text(PLAN.read_text(encoding="utf-8"), encoding="utf-8")
    path = tmp_path / "expected.toml"
    path.write_text(
        """
[simulation]
start = "00:00"
end = "24:00"

[[queues]]
id = "bank"
service_target_s = 20
arrivals = { forecast = "plan.csv" }
handle_time = { kind = "exponential", mean_s = 184 }
patience = { kind = "none" }

[[agents]]
staffing = { plan = "plan.csv" }
""",
        encoding="utf-8",
    )
    built = build(load_scenario(path))
    levels = [simulate(built, seed=seed).day("bank").service_level for seed in range(1, 7)]
    assert statistics.fmean(levels) >= 0.8, levels
    assert min(levels) >= 0.7, levels
