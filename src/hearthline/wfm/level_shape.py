"""The level-shape forecast: a day's total and its spread over the day, estimated apart.

A raw same-weekday history mixes three things that move at different speeds: the level
(how busy the center is this month), the weekly pattern (short Fridays, nearly closed
Saturdays) and the intraday shape (the morning peak). Each is estimated from what carries
most information about it:

* **day-of-week factors**: each weekday's total over its week's mean, averaged over the
  full weeks of history (a week holds every weekday once, so its mean has no weekly
  pattern in it);
* **level**: the mean daily total of the latest week;
* **trend**: the median over the seven weekdays of the week-on-week change (log ratio of a
  day to the same weekday a week before), so one odd day cannot set it; half of it is
  carried forward (a damped trend: the bank's fall through August slowed and levelled
  off), and never more than two weeks past the latest week's middle;
* **intraday shape**: the share of the day's calls in each interval, pooled over the
  latest fourteen days of weekdays whose factor is within a factor 1.5 of the target's
  (the bank's Sunday to Thursday pool together, Friday and Saturday stay apart); pooling
  averages out the Poisson noise that makes one raw day a poor shape.

The forecast is ``level x trend x factor`` for the day, times the shape. It needs two
weeks of history (one week-on-week change).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
from numpy.typing import NDArray

FloatMatrix = NDArray[np.float64]

MIN_DAYS = 14
TREND_CARRIED = 0.5
TREND_MAX_DAYS = 14.0
SIMILAR_FACTOR = 1.5
SHAPE_DAYS = 14
_WEEK = 7


def weekday_factors(totals: NDArray[np.float64], weekdays: NDArray[np.int64]) -> FloatMatrix:
    """Each weekday's share of an average day, from the full weeks counted back from the
    latest day (ones when no week had any calls)."""
    sums = np.zeros(_WEEK)
    weeks = 0
    n = totals.size
    for k in range(n // _WEEK):
        block = slice(n - _WEEK * (k + 1), n - _WEEK * k)
        mean = totals[block].mean()
        if mean > 0:
            sums[weekdays[block]] += totals[block] / mean
            weeks += 1
    return sums / weeks if weeks else np.ones(_WEEK)


def daily_growth(totals: NDArray[np.float64]) -> float:
    """Median week-on-week log change per day over the latest week (0 when no weekday had
    calls in both weeks)."""
    now, before = totals[-_WEEK:], totals[-2 * _WEEK : -_WEEK]
    both = (now > 0) & (before > 0)
    if not both.any():
        return 0.0
    return float(np.median(np.log(now[both] / before[both]))) / _WEEK


def _alike(a: float, b: float) -> bool:
    return a > 0 and b > 0 and max(a, b) / min(a, b) <= SIMILAR_FACTOR


def _shape(
    train: FloatMatrix, weekdays: NDArray[np.int64], factors: FloatMatrix, target: int
) -> FloatMatrix:
    own = factors[target]
    similar = [w for w in range(_WEEK) if w == target or _alike(own, float(factors[w]))]
    rows = np.flatnonzero(np.isin(weekdays, similar))[::-1][:SHAPE_DAYS]
    pooled = train[rows].sum(axis=0)
    total = pooled.sum()
    return pooled / total if total > 0 else np.zeros(train.shape[1])


def level_shape(
    train: FloatMatrix,
    weekdays: NDArray[np.int64],
    targets: list[dt.date],
    last_day: dt.date,
) -> FloatMatrix:
    """Calls per interval (days x slots) for ``targets`` from ``train``, the day x slot
    matrix of the days up to ``last_day`` (``weekdays`` of its rows, Monday 0)."""
    n = train.shape[0]
    if n < MIN_DAYS:
        raise ValueError(f"the level-shape forecast needs {MIN_DAYS} days of history, got {n}")
    totals = train.sum(axis=1)
    factors = weekday_factors(totals, weekdays)
    level = float(totals[-_WEEK:].mean())
    growth = daily_growth(totals)
    # Days from the middle of the latest week (3 days before its last day) to the target.
    middle = last_day - dt.timedelta(days=3)
    out = np.empty((len(targets), train.shape[1]))
    for i, day in enumerate(targets):
        ahead = min(float((day - middle).days), TREND_MAX_DAYS)
        total = level * np.exp(TREND_CARRIED * growth * ahead) * factors[day.weekday()]
        out[i] = total * _shape(train, weekdays, factors, day.weekday())
    return out
