"""The same seed gives the same day, event for event; another seed another day."""

from __future__ import annotations

from hearthline.routing.events import Event
from hearthline.sim import load_scenario, simulate
from tests.sim.conftest import EXAMPLES


def _trace(seed: int) -> list[Event]:
    trace: list[Event] = []
    simulate(load_scenario(EXAMPLES / "multi-queue-day.toml"), seed=seed, trace=trace)
    return trace


def test_same_seed_gives_identical_event_streams() -> None:
    first, second = _trace(3), _trace(3)
    assert len(first) > 10_000
    assert first == second


def test_different_seed_gives_a_different_day() -> None:
    first, other = _trace(3), _trace(4)
    assert first != other
    arrivals = [e.at for e in first if type(e).__name__ == "ContactArrived"]
    others = [e.at for e in other if type(e).__name__ == "ContactArrived"]
    assert arrivals[:10] != others[:10]


def test_seed_override_changes_only_the_seed() -> None:
    scenario = load_scenario(EXAMPLES / "multi-queue-day.toml")
    a = simulate(scenario.with_seed(11))
    b = simulate(scenario, seed=11)
    # As plain data: NaN (nothing to average) compares equal there, as None.
    assert a.as_dict()["intervals"] == b.as_dict()["intervals"]
    assert a.seed == b.seed == 11
