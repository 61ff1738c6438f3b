"""A schedule run in the simulator before it is published: the agents it names work
their shifts and breaks, the forecast's calls arrive, and more agents give a better
service level."""

from __future__ import annotations

import pytest

from hearthline.sim.scenario import ScenarioError
from hearthline.sim.schedule_twin import Demand, run_schedule
from hearthline.wfm.contracts import Break, Shift

DAY = 1_796_083_200.0  # Tuesday 1 December 2026, 00:00 UTC
OPENS = DAY + 6 * 3600
DEMAND = Demand("help", OPENS, 1800.0, (40.0,) * 32, aht_s=240.0, patience_s=120.0)


def roster(n: int) -> list[tuple[str, Shift]]:
    """``n`` agents, half on the early shift and half on the late one, lunch mid-shift."""
    out = []
    for i in range(n):
        start = OPENS + (i % 2) * 8 * 3600
        lunch = Break(start + 4 * 3600, start + 4.5 * 3600, paid=False, reason="lunch")
        out.append((f"ag{i}", Shift(f"s{i}", "help", start, start + 8 * 3600, (lunch,))))
    return out


def test_the_named_agents_work_their_shifts_and_take_their_breaks() -> None:
    (level,) = run_schedule([DEMAND], roster(14), seeds=(1,))
    # Seven on each shift...
    assert level.agents[0] == pytest.approx(7.0)
    # ...all at lunch in the ninth half hour (4 h in), each once the call in hand ends.
    assert level.agents[8] < 1.5
    assert level.agents[20] == pytest.approx(7.0)
    total = sum(level.offered)
    # Poisson arrivals around the forecast's 1,280 calls (four standard deviations).
    assert abs(total - 1280) < 4 * 1280**0.5


def test_more_agents_on_the_same_forecast_give_a_better_service_level() -> None:
    thin, full = (run_schedule([DEMAND], roster(n), seeds=(1, 2))[0] for n in (8, 16))
    assert thin.day_service_level is not None and full.day_service_level is not None
    assert full.day_service_level > thin.day_service_level + 0.2
    assert full.abandon_rate is not None and thin.abandon_rate is not None
    assert full.abandon_rate < thin.abandon_rate


def test_a_shift_of_a_group_without_forecast_takes_no_calls_and_no_forecast_is_refused() -> None:
    other = Shift("x", "sales", OPENS, OPENS + 8 * 3600)
    (level,) = run_schedule([DEMAND], [("ag0", other)], seeds=(1,))
    assert level.day_service_level == 0.0 or level.day_service_level is None
    assert max(level.agents) == 0.0
    with pytest.raises(ScenarioError, match="no forecast"):
        run_schedule([], roster(2))
