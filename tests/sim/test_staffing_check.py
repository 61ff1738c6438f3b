"""Staffing by simulation: a plan checked on simulated days and corrected per interval."""

from __future__ import annotations

from pathlib import Path

import pytest

from hearthline.cli import main
from hearthline.sim.staffing_check import PlanDay, check, correct_plan, read_plan_day
from hearthline.wfm.staffing import Targets, required_agents

CALLS = (0.0, 40.0, 120.0, 160.0, 120.0, 40.0)
SEEDS = (1, 2, 3)


def _day(patience_s: float | None) -> PlanDay:
    return PlanDay(
        starts=tuple(8 * 3600.0 + 1800.0 * i for i in range(len(CALLS))),
        width_s=1800.0,
        calls=CALLS,
        aht_s=180.0,
        patience_s=patience_s,
        service_level=0.8,
        answer_time_s=20.0,
    )


def _erlang() -> list[int]:
    need = required_agents(
        calls=list(CALLS), interval_s=1800.0, aht_s=180.0, targets=Targets(service_level=0.8)
    )
    return [int(n) for n in need]


def test_a_check_runs_the_plans_agents_and_reads_the_level_per_interval() -> None:
    agents = _erlang()
    checked = check(_day(None), agents, SEEDS)
    assert checked.agents == tuple(agents)
    assert checked.service_level[0] == 1.0  # no calls: nothing to miss
    assert all(0 <= sl <= 1 for sl in checked.service_level)
    fewer = check(_day(None), [max(0, a - 2) for a in agents], SEEDS)
    # The same seeds with fewer agents: never better, in any interval with calls.
    for a, b in zip(checked.service_level[1:], fewer.service_level[1:], strict=True):
        assert b <= a + 1e-9


@pytest.mark.parametrize("patience", [None, 120.0])
def test_the_corrected_plan_meets_the_target_in_every_interval_on_its_seeds(
    patience: float | None,
) -> None:
    short = [max(0, a - 2) for a in _erlang()]  # too few everywhere to start with
    result = correct_plan(_day(patience), short, seeds=SEEDS)
    for calls, sl in zip(CALLS, result.corrected.service_level, strict=True):
        assert calls == 0 or sl >= 0.8
    assert result.corrected.agent_hours > result.erlang.agent_hours
    assert result.rounds >= 1


def test_a_plan_file_that_cannot_be_checked_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("start,agents\n08:00,3\n", encoding="utf-8")
    with pytest.raises(ValueError, match="not a staffing plan: no column aht_s, calls, queue"):
        read_plan_day(str(bad), patience_s=None, service_level=0.8, answer_time_s=20)
    two = tmp_path / "two.csv"
    two.write_text(
        "queue,start,calls,aht_s,agents\nPS,2010-08-22T08:00:00,10,180,2\n"
        "NW,2010-08-22T08:00:00,10,180,2\n",
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match=r"several queues \(NW, PS\): name one"):
        read_plan_day(str(two), patience_s=None, service_level=0.8, answer_time_s=20)


def test_plan_check_command_prints_both_plans(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plan = tmp_path / "plan.csv"
    rows = "".join(
        f"all,2026-03-02T{8 + i // 2:02d}:{30 * (i % 2):02d}:00,{c},180,{a}\n"
        for i, (c, a) in enumerate(zip(CALLS, _erlang(), strict=True))
    )
    plan.write_text("queue,start,calls,aht_s,agents\n" + rows, encoding="utf-8")
    assert main(["plan-check", str(plan), "--patience", "120", "--seeds", "2"]) == 0
    out = capsys.readouterr().out
    assert "Erlang plan:" in out and "corrected:" in out and "0 intervals below target" in out
    assert main(["plan-check", str(plan), "--target-sl", "1.5"]) == 2
    assert "--target-sl must be a share below 1" in capsys.readouterr().err
