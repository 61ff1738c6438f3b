"""Required agents: exact smallest staffing, against a search on the mpmath reference."""

from __future__ import annotations

import math

import mpmath as mp
import numpy as np
import pytest
import wfm_reference as ref
from hypothesis import given, settings
from hypothesis import strategies as st

from hearthline.wfm import erlang as erl
from hearthline.wfm.staffing import (
    Targets,
    occupancy_floor,
    required_agents,
    scheduled_agents,
    staff,
)

mp.mp.dps = 40


def reference_required(a: float, aht: float, t: float, target: float) -> int:
    """Smallest n with the mpmath service level at or above the target, by linear scan."""
    n = math.floor(a) + 1
    while ref.erlang_c_figures(n, a, aht, t)["service_level"] < target:
        n += 1
    return n


GRID = [
    # traffic, aht, answer time, target
    (0.05, 180.0, 20.0, 0.8),
    (0.7, 300.0, 0.0, 0.8),
    (9.6, 180.0, 600.0, 0.5),  # the answer is ceil(traffic)
    (10.0, 180.0, 20.0, 0.8),  # whole-number traffic
    (10.0, 180.0, 20.0, 0.95),
    (37.3, 240.0, 30.0, 0.9),
    (150.0, 120.0, 10.0, 0.8),
    (999.5, 180.0, 20.0, 0.8),
    (1000.0, 180.0, 60.0, 0.99),
    (2500.0, 400.0, 15.0, 0.85),
]


@pytest.mark.parametrize(("a", "aht", "t", "target"), GRID)
def test_required_agents_is_the_smallest_meeting_the_target(
    a: float, aht: float, t: float, target: float
) -> None:
    want = reference_required(a, aht, t, target)
    targets = Targets(service_level=target, answer_time_s=t)
    calls = a * 1800 / aht
    assert int(required_agents(calls=calls, interval_s=1800, aht_s=aht, targets=targets)) == want
    # The vectorised search gives the same answer as the one-interval search.
    many = required_agents(
        calls=np.array([calls, calls]), interval_s=1800, aht_s=aht, targets=targets
    )
    assert many.tolist() == [want, want]


def test_answer_can_be_ceil_of_traffic() -> None:
    targets = Targets(service_level=0.5, answer_time_s=600)
    n = int(required_agents(calls=96, interval_s=1800, aht_s=180, targets=targets))
    assert n == 10  # 9.6 Erlangs


def test_scalar_and_vector_searches_agree_on_a_random_grid() -> None:
    rng = np.random.default_rng(3)
    calls = rng.uniform(0, 20_000, 300)
    aht = rng.uniform(20, 900, 300)
    t = rng.choice([0.0, 10.0, 20.0, 60.0])
    for target in (0.6, 0.8, 0.95):
        targets = Targets(service_level=target, answer_time_s=float(t), asa_s=30.0)
        vec = required_agents(calls=calls, interval_s=1800, aht_s=aht, targets=targets)
        one = [
            int(required_agents(calls=float(c), interval_s=1800, aht_s=float(h), targets=targets))
            for c, h in zip(calls, aht, strict=True)
        ]
        assert vec.tolist() == one
        figs = erl.erlang_c_figures(
            calls=calls,
            interval_s=1800,
            aht_s=aht,
            agents=np.stack([vec - 1, vec]),
            answer_time_s=float(t),
        )
        meets = (figs.service_level >= target) & (figs.asa_s <= 30.0)
        assert meets[1].all()
        assert not meets[0].any()


def test_asa_target_matches_reference() -> None:
    a, aht = 42.0, 200.0
    targets = Targets(asa_s=15.0)
    n = int(required_agents(calls=a * 1800 / aht, interval_s=1800, aht_s=aht, targets=targets))
    assert ref.erlang_c_figures(n, a, aht, 0)["asa_s"] <= 15
    assert ref.erlang_c_figures(n - 1, a, aht, 0)["asa_s"] > 15


def test_erlang_a_targets_are_exact() -> None:
    a, aht, patience = 50.0, 180.0, 90.0
    calls = a * 1800 / aht
    t = Targets(max_abandon=0.03, patience_s=patience)
    n = int(required_agents(calls=calls, interval_s=1800, aht_s=aht, targets=t))
    assert ref.erlang_a_chain(n, a, aht, patience)["p_abandon"] <= 0.03
    assert ref.erlang_a_chain(n - 1, a, aht, patience)["p_abandon"] > 0.03
    t2 = Targets(service_level=0.8, answer_time_s=20, patience_s=patience)
    n2 = int(required_agents(calls=calls, interval_s=1800, aht_s=aht, targets=t2))
    f = erl.erlang_a_figures(
        calls=calls,
        interval_s=1800,
        aht_s=aht,
        agents=[n2 - 1, n2],
        answer_time_s=20,
        patience_s=patience,
    )
    assert f.service_level[1] >= 0.8 > f.service_level[0]
    t3 = Targets(asa_s=10.0, patience_s=patience)
    n3 = int(required_agents(calls=calls, interval_s=1800, aht_s=aht, targets=t3))
    assert ref.erlang_a_chain(n3, a, aht, patience)["asa_s"] <= 10
    assert ref.erlang_a_chain(n3 - 1, a, aht, patience)["asa_s"] > 10


def test_occupancy_cap_and_shrinkage_round_exactly() -> None:
    # 8.5 Erlangs at an 85% cap is exactly 10 agents, not 11.
    assert int(occupancy_floor(traffic=8.5, max_occupancy=0.85)) == 10
    # 7 on the phones at 30% shrinkage is exactly 10 to schedule.
    assert scheduled_agents(agents=[0, 1, 7, 14], shrinkage=0.3).tolist() == [0, 2, 10, 20]
    capped = Targets(service_level=0.5, answer_time_s=60, max_occupancy=0.85)
    n = int(required_agents(calls=85, interval_s=1800, aht_s=180, targets=capped))
    assert n == 10
    result = staff(
        calls=[85, 0],
        interval_s=1800,
        aht_s=180,
        targets=Targets(service_level=0.5, answer_time_s=60, max_occupancy=0.85, shrinkage=0.3),
    )
    assert result.agents.tolist() == [10, 0]
    assert result.scheduled.tolist() == [15, 0]


def test_zero_calls_need_no_agents_and_huge_queues_work() -> None:
    t = Targets(service_level=0.8, answer_time_s=20)
    assert int(required_agents(calls=0, interval_s=1800, aht_s=180, targets=t)) == 0
    n = int(required_agents(calls=1_000_000, interval_s=1800, aht_s=180, targets=t))
    f = erl.erlang_c_figures(
        calls=1_000_000, interval_s=1800, aht_s=180, agents=[n - 1, n], answer_time_s=20
    )
    assert 100_000 < n < 100_100
    assert f.service_level[1] >= 0.8 > f.service_level[0]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"service_level": 1.0}, "between 0 and 1"),
        ({"service_level": 0.8, "shrinkage": 1.0}, "shrinkage"),
        ({"max_abandon": 0.05}, "patience"),
        ({}, "at least one target"),
        ({"service_level": 0.8, "max_occupancy": 0.0}, "occupancy"),
    ],
)
def test_bad_targets_are_rejected(kwargs: dict[str, float], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Targets(**kwargs)  # type: ignore[arg-type]


@settings(max_examples=60, deadline=None)
@given(
    calls=st.floats(0, 3000),
    aht=st.floats(5, 900),
    patience=st.floats(1, 3600),
    agents=st.integers(0, 600),
)
def test_erlang_a_figures_are_probabilities(
    calls: float, aht: float, patience: float, agents: int
) -> None:
    f = erl.erlang_a_figures(
        calls=calls,
        interval_s=1800,
        aht_s=aht,
        agents=agents,
        answer_time_s=20,
        patience_s=patience,
    )
    for p in (f.p_wait, f.service_level, f.occupancy, f.p_abandon):
        assert 0.0 <= float(p) <= 1.0
    assert float(f.service_level) <= 1.0 - float(f.p_abandon) + 1e-12
    assert math.isnan(float(f.asa_s)) or float(f.asa_s) >= 0.0
