"""Erlang B, C and A against independent mpmath references, and at the edges."""

from __future__ import annotations

import math

import mpmath as mp
import numpy as np
import pytest
import wfm_reference as ref
from hypothesis import given, settings
from hypothesis import strategies as st

from hearthline.wfm import erlang as erl

mp.mp.dps = 40

AGENTS = [1, 2, 7, 30, 200, 1000, 10_000, 100_000]
LOADS = [1e-6, 0.01, 0.5, 0.9, 0.99, 0.999, 1.0, 1.001, 1.1, 2.0, 50.0]


def rel(got: float, want: mp.mpf) -> float:
    if abs(want) < mp.mpf("1e-300"):
        # Below the smallest normal double: the only right answer is (about) zero.
        return abs(got) * 1e290
    return float(abs((mp.mpf(got) - want) / want))


@pytest.mark.parametrize("n", AGENTS)
def test_erlang_b_matches_mpmath_from_light_load_to_overload(n: int) -> None:
    loads = np.array([n * f for f in LOADS])
    got = erl.erlang_b(agents=n, traffic=loads)
    for a, g in zip(loads, got, strict=True):
        assert rel(float(g), ref.erlang_b(n, float(a))) < 1e-10, (n, a)


@pytest.mark.parametrize("n", AGENTS)
def test_erlang_c_figures_match_mpmath(n: int) -> None:
    aht, t = 180.0, 20.0
    stable = [f for f in LOADS if f < 1.0]
    a = np.array([n * f for f in stable] + [n - 0.5, float(max(n - 1, 0.5))])
    a = a[a < n]
    calls = a * 1800 / aht
    f = erl.erlang_c_figures(calls=calls, interval_s=1800, aht_s=aht, agents=n, answer_time_s=t)
    assert not f.unstable.any()
    for i, ai in enumerate(a):
        want = ref.erlang_c_figures(n, float(ai), aht, t)
        assert rel(float(f.p_wait[i]), want["p_wait"]) < 1e-9, (n, ai)
        assert rel(float(f.asa_s[i]), want["asa_s"]) < 1e-9, (n, ai)
        assert abs(float(f.service_level[i]) - float(want["service_level"])) < 1e-12


def test_whole_number_traffic_is_fine() -> None:
    # 10 Erlangs exactly, on 11 to 14 agents: no division by zero anywhere.
    f = erl.erlang_c_figures(
        calls=100, interval_s=1800, aht_s=180, agents=[10, 11, 12, 14], answer_time_s=20
    )
    assert f.traffic_erlangs[0] == 10.0
    assert f.unstable.tolist() == [True, False, False, False]
    want = ref.erlang_c_figures(14, 10.0, 180.0, 20.0)
    assert rel(float(f.service_level[3]), want["service_level"]) < 1e-12


def test_overload_reports_limits_and_unstable() -> None:
    f = erl.erlang_c_figures(
        calls=[100, 100, 1e6], interval_s=1800, aht_s=180, agents=[8, 10, 3], answer_time_s=20
    )
    assert f.unstable.all()
    assert f.p_wait.tolist() == [1.0, 1.0, 1.0]
    assert f.service_level.tolist() == [0.0, 0.0, 0.0]
    assert np.isinf(f.asa_s).all()
    assert f.occupancy.tolist() == [1.0, 1.0, 1.0]
    assert erl.erlang_c(agents=5, traffic=9.0) == 1.0


def test_zero_calls_and_zero_agents() -> None:
    f = erl.erlang_c_figures(calls=0, interval_s=1800, aht_s=180, agents=[0, 5], answer_time_s=20)
    assert f.p_wait.tolist() == [0.0, 0.0]
    assert f.service_level.tolist() == [1.0, 1.0]
    assert f.asa_s.tolist() == [0.0, 0.0]
    assert not f.unstable.any()
    g = erl.erlang_c_figures(calls=5, interval_s=1800, aht_s=180, agents=0, answer_time_s=20)
    assert bool(g.unstable) and float(g.p_wait) == 1.0
    assert erl.erlang_b(agents=0, traffic=3.0) == 1.0
    assert erl.erlang_b(agents=4, traffic=0.0) == 0.0


def test_answer_time_zero_is_one_minus_p_wait() -> None:
    f = erl.erlang_c_figures(calls=500, interval_s=1800, aht_s=240, agents=75, answer_time_s=0)
    assert float(f.service_level) == pytest.approx(1 - float(f.p_wait), abs=1e-15)


def test_tiny_handle_time_and_fractional_erlang() -> None:
    f = erl.erlang_c_figures(calls=10, interval_s=1800, aht_s=1e-6, agents=1, answer_time_s=20)
    assert 0 < float(f.traffic_erlangs) < 1e-8
    assert float(f.service_level) == 1.0
    assert 0 <= float(f.asa_s) < 1e-12
    g = erl.erlang_c_figures(calls=3, interval_s=1800, aht_s=60, agents=1, answer_time_s=10)
    want = ref.erlang_c_figures(1, 0.1, 60.0, 10.0)
    assert rel(float(g.p_wait), want["p_wait"]) < 1e-12  # M/M/1: P(wait) = rho
    assert float(g.p_wait) == pytest.approx(0.1, rel=1e-12)


def test_scalar_form_matches_vector_form() -> None:
    for n in [1, 5, 50, 500, 5000, 50_000]:
        for f in [0.3, 0.9, 0.999]:
            a = n * f
            assert erl.erlang_c1(n, a) == pytest.approx(
                float(erl.erlang_c(agents=n, traffic=a)), rel=1e-13
            )


@settings(max_examples=200, deadline=None)
@given(
    calls=st.floats(0, 5e5),
    aht=st.floats(1e-3, 5e3),
    agents=st.integers(0, 200_000),
    t=st.floats(0, 600),
)
def test_figures_are_always_probabilities_and_non_negative_times(
    calls: float, aht: float, agents: int, t: float
) -> None:
    f = erl.erlang_c_figures(
        calls=calls, interval_s=1800, aht_s=aht, agents=agents, answer_time_s=t
    )
    for p in (f.p_wait, f.service_level, f.occupancy):
        assert 0.0 <= float(p) <= 1.0
    assert float(f.asa_s) >= 0.0
    assert bool(f.unstable) == (float(f.traffic_erlangs) > 0 and float(f.traffic_erlangs) >= agents)


# --- Erlang A ------------------------------------------------------------------------

A_CASES = [
    # agents, traffic, aht, patience
    (1, 0.5, 180.0, 60.0),
    (3, 2.5, 180.0, 60.0),
    (5, 5.0, 100.0, 100.0),  # traffic equal to agents: still stable
    (10, 12.0, 180.0, 120.0),  # overloaded
    (10, 3.0, 180.0, 10.0),
    (12, 0.01, 180.0, 60.0),
    (2, 6.0, 180.0, 60.0),
    (600, 580.0, 180.0, 60.0),  # past 500 agents
    (600, 650.0, 180.0, 60.0),
    (2000, 1950.0, 180.0, 300.0),
    (2000, 1500.0, 180.0, 30.0),  # light load: P(wait) ~ 1e-35
    (1000, 900.0, 100.0, 5.0),
]


@pytest.mark.parametrize(("n", "a", "aht", "patience"), A_CASES)
def test_erlang_a_matches_the_birth_death_chain(
    n: int, a: float, aht: float, patience: float
) -> None:
    want = ref.erlang_a_chain(n, a, aht, patience)
    f = erl.erlang_a_figures(
        calls=a * 1800 / aht,
        interval_s=1800,
        aht_s=aht,
        agents=n,
        answer_time_s=20,
        patience_s=patience,
    )
    assert rel(float(f.p_wait), want["p_wait"]) < 1e-9
    assert rel(float(f.p_abandon), want["p_abandon"]) < 1e-9
    assert rel(float(f.asa_s), want["asa_s"]) < 1e-9
    assert not bool(f.unstable)


@pytest.mark.parametrize(
    ("n", "a", "aht", "patience", "t"),
    [
        (1, 0.5, 180.0, 60.0, 20.0),
        (3, 2.5, 180.0, 60.0, 20.0),
        (5, 5.0, 100.0, 100.0, 10.0),
        (10, 12.0, 180.0, 120.0, 20.0),
        (10, 3.0, 180.0, 10.0, 30.0),
        (20, 15.0, 300.0, 30.0, 15.0),
        (15, 10.0, 180.0, 2000.0, 40.0),
        (8, 7.9, 60.0, 600.0, 0.0),
    ],
)
def test_erlang_a_service_level_matches_hypoexponential_reference(
    n: int, a: float, aht: float, patience: float, t: float
) -> None:
    want = ref.erlang_a_service_level(n, a, aht, patience, t)
    f = erl.erlang_a_figures(
        calls=a * 1800 / aht,
        interval_s=1800,
        aht_s=aht,
        agents=n,
        answer_time_s=t,
        patience_s=patience,
    )
    assert abs(float(f.service_level) - float(want)) < 1e-10


def test_erlang_a_tends_to_erlang_c_with_endless_patience() -> None:
    c = erl.erlang_c_figures(calls=100, interval_s=1800, aht_s=180, agents=12, answer_time_s=20)
    a = erl.erlang_a_figures(
        calls=100, interval_s=1800, aht_s=180, agents=12, answer_time_s=20, patience_s=1e7
    )
    assert float(a.p_wait) == pytest.approx(float(c.p_wait), rel=1e-4)
    assert float(a.service_level) == pytest.approx(float(c.service_level), rel=1e-4)
    assert float(a.asa_s) == pytest.approx(float(c.asa_s), rel=1e-3)


def test_erlang_a_without_agents_and_without_calls() -> None:
    f = erl.erlang_a_figures(
        calls=[50, 0], interval_s=1800, aht_s=180, agents=[0, 0], answer_time_s=20, patience_s=60
    )
    assert f.p_abandon.tolist() == [1.0, 0.0]
    assert f.service_level.tolist() == [0.0, 1.0]
    assert math.isnan(float(f.asa_s[0])) and float(f.asa_s[1]) == 0.0


def test_erlang_a_is_stable_at_100000_agents() -> None:
    f = erl.erlang_a_figures(
        calls=[99_000 * 10, 100_000 * 10, 101_000 * 10],
        interval_s=1800,
        aht_s=180,
        agents=100_000,
        answer_time_s=20,
        patience_s=120,
    )
    assert np.all((f.p_wait >= 0) & (f.p_wait <= 1))
    assert np.all(np.diff(f.p_abandon) > 0)
    assert np.all(np.isfinite(f.asa_s))
    # Overloaded by 1,000 Erlangs, the agents are all busy and the excess gives up:
    # answered = n, so P(abandon) -> 1 - n / a.
    assert float(f.p_abandon[2]) == pytest.approx(1 - 100_000 / 101_000, rel=2e-2)


def test_vectorised_equals_one_by_one() -> None:
    rng = np.random.default_rng(7)
    calls = rng.uniform(0, 2000, 40)
    agents = rng.integers(0, 400, 40)
    many = erl.erlang_a_figures(
        calls=calls, interval_s=1800, aht_s=200, agents=agents, answer_time_s=20, patience_s=90
    )
    for i in range(40):
        one = erl.erlang_a_figures(
            calls=calls[i],
            interval_s=1800,
            aht_s=200,
            agents=agents[i],
            answer_time_s=20,
            patience_s=90,
        )
        assert float(one.service_level) == pytest.approx(float(many.service_level[i]), abs=1e-14)
        assert float(one.p_abandon) == pytest.approx(
            float(many.p_abandon[i]), rel=1e-12, abs=1e-300
        )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"calls": -1}, "calls must be at least 0"),
        ({"interval_s": 0}, "interval_s must be greater than 0"),
        ({"aht_s": float("nan")}, "aht_s must be finite"),
        ({"agents": 2.5}, "agents must be whole numbers"),
        ({"calls": "many"}, "calls must be a number"),
    ],
)
def test_bad_input_is_a_clear_error(kwargs: dict[str, object], message: str) -> None:
    args: dict[str, object] = {
        "calls": 100,
        "interval_s": 1800,
        "aht_s": 180,
        "agents": 12,
        "answer_time_s": 20,
    }
    args.update(kwargs)
    with pytest.raises(ValueError, match=message):
        erl.erlang_c_figures(**args)  # type: ignore[arg-type]
