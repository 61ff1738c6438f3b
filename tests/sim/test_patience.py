"""Kaplan-Meier patience: censored waits of answered callers, exact ones of those who left."""

from __future__ import annotations

import math
from random import Random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hearthline.sim.patience import KaplanMeier

samples = st.lists(
    st.tuples(st.integers(0, 600).map(float), st.booleans()), min_size=1, max_size=60
)


def _fit(sample: list[tuple[float, bool]]) -> KaplanMeier:
    waits = np.array([w for w, _ in sample])
    gave_up = np.array([g for _, g in sample])
    return KaplanMeier.fit(waits, gave_up)


@settings(max_examples=50, deadline=None)
@given(sample=samples)
def test_the_curve_falls_and_its_quantiles_rise(sample: list[tuple[float, bool]]) -> None:
    km = _fit(sample)
    assert all(0 <= s <= 1 for s in km.survival)
    assert list(km.survival) == sorted(km.survival, reverse=True)
    assert list(km.times) == sorted(set(km.times))
    quantiles = [km.quantile(u) for u in (1.0, 0.75, 0.5, 0.25, 0.01)]
    assert quantiles == sorted(quantiles)
    assert all(q >= 0 for q in quantiles)


@settings(max_examples=50, deadline=None)
@given(waits=st.lists(st.integers(1, 600).map(float), min_size=1, max_size=60))
def test_with_no_one_answered_it_is_the_empirical_law(waits: list[float]) -> None:
    km = _fit([(w, True) for w in waits])
    for t, s in zip(km.times, km.survival, strict=True):
        assert s == pytest.approx(sum(w > t for w in waits) / len(waits), abs=1e-12)
    # Mean of the curve (it reaches zero at the longest wait): the sample's mean.
    assert km.mean == pytest.approx(float(np.mean(waits)))


def test_answered_callers_make_patience_longer_than_the_waits_of_those_who_left() -> None:
    # Four left at 10, 20, 30, 40 s; four were answered after 35 s. Leaving the answered
    # out gives a median of 20 s; with them at risk until 35 s the curve falls more slowly.
    km = _fit([(10, True), (20, True), (30, True), (40, True)] + [(35, False)] * 4)
    assert km.survival == pytest.approx((7 / 8, 6 / 8, 5 / 8, 0.0))  # one at risk at 40 s
    assert km.quantile(0.5) == 40.0
    assert _fit([(10, True), (20, True), (30, True), (40, True)]).quantile(0.5) == 20.0


def test_beyond_the_longest_wait_the_tail_is_exponential_at_the_censored_rate() -> None:
    km = _fit([(60.0, True), (100.0, False), (100.0, False), (100.0, False)])
    assert km.survival == (0.75,)
    assert km.tail_rate == pytest.approx(1 / 360)
    assert km.quantile(0.75 * math.exp(-1)) == pytest.approx(60 + 360)
    assert km.mean == pytest.approx(60 + 0.75 * 360)
    draw = km.sampler(Random(4))
    draws = np.array([draw() for _ in range(40_000)])
    assert np.mean(draws == 60.0) == pytest.approx(0.25, abs=0.01)
    assert draws.mean() == pytest.approx(km.mean, rel=0.02)


def test_with_no_one_leaving_nobody_ever_gives_up() -> None:
    km = _fit([(30.0, False), (50.0, False)])
    assert km.quantile(0.5) == math.inf and km.mean == math.inf


@pytest.mark.parametrize(
    ("waits", "gave_up", "message"),
    [
        ([], [], "a caller"),
        ([1.0, 2.0], [True], "one wait and one outcome"),
        ([-1.0], [True], "not negative"),
        ([math.nan], [True], "finite"),
    ],
)
def test_bad_samples_are_refused(waits: list[float], gave_up: list[bool], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        KaplanMeier.fit(np.array(waits), np.array(gave_up, dtype=bool))
