"""The simulator against queueing theory: M/M/n against Erlang C, M/M/n+M against Erlang A.

Ten replications of a modest model with the first hour cut as warm-up; each figure's
mean over the replications must lie within three standard errors of the formula.
"""

from __future__ import annotations

import math
import statistics

import pytest

from hearthline.sim import Results, parse_scenario, simulate
from hearthline.wfm.erlang import erlang_a_figures, erlang_c_figures

AGENTS = 50
AHT = 180.0
CALLS_PER_HOUR = 900.0  # 45 Erlangs on 50 agents: 90% load
TARGET = 20.0
SEEDS = range(1, 11)


def _scenario(patience: str) -> str:
    return f"""
[simulation]
start = "00:00"
hours = 5
warmup_minutes = 60
interval_minutes = 60

[[queues]]
id = "q"
service_target_s = {TARGET}
arrivals = {{ per_hour = {CALLS_PER_HOUR} }}
handle_time = {{ kind = "exponential", mean_s = {AHT} }}
patience = {patience}

[[agents]]
count = {AGENTS}
"""


def _runs(patience: str) -> list[Results]:
    scenario = parse_scenario(_scenario(patience))
    return [simulate(scenario, seed=s) for s in SEEDS]


def _within(values: list[float], expected: float) -> None:
    mean = statistics.fmean(values)
    se = statistics.stdev(values) / math.sqrt(len(values))
    assert abs(mean - expected) <= 3 * se + 1e-9, f"{mean:.4f} vs {expected:.4f} (se {se:.4f})"


def test_mmn_matches_erlang_c() -> None:
    runs = _runs('{ kind = "none" }')
    f = erlang_c_figures(
        calls=CALLS_PER_HOUR, interval_s=3600, aht_s=AHT, agents=AGENTS, answer_time_s=TARGET
    )
    days = [r.day("q") for r in runs]
    assert all(d.abandoned == 0 for d in days)
    _within([d.service_level for d in days], float(f.service_level))
    _within([d.asa_s for d in days], float(f.asa_s))
    _within([d.occupancy for d in days], float(f.occupancy))
    _within([d.aht_s for d in days], AHT)


def test_mmn_plus_m_matches_erlang_a() -> None:
    patience = 120.0
    runs = _runs(f'{{ kind = "exponential", mean_s = {patience} }}')
    f = erlang_a_figures(
        calls=CALLS_PER_HOUR,
        interval_s=3600,
        aht_s=AHT,
        agents=AGENTS,
        answer_time_s=TARGET,
        patience_s=patience,
    )
    days = [r.day("q") for r in runs]
    _within([d.abandon_rate for d in days], float(f.p_abandon))
    _within([d.service_level for d in days], float(f.service_level))
    _within([d.asa_s for d in days], float(f.asa_s))
    assert float(f.p_abandon) > 0.01  # the model really abandons: the test has teeth


def test_the_validation_model_is_in_the_regime_it_claims() -> None:
    f = erlang_c_figures(
        calls=CALLS_PER_HOUR, interval_s=3600, aht_s=AHT, agents=AGENTS, answer_time_s=TARGET
    )
    assert float(f.occupancy) == pytest.approx(0.9)
    assert 0.2 < float(f.p_wait) < 0.8
