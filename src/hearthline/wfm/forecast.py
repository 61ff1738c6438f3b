"""Forecast offered calls and AHT per interval, choosing the method by backtesting.

Methods for the calls (each sees only days before the ones it forecasts):

* ``seasonal-naive``: the same weekday of the latest week, interval by interval.
* ``weekday-profile``: a weighted mean of the last four same weekdays (weights 8:4:2:1,
  newest first), so level and intraday shape both come from that weekday.
* ``holt-winters``: daily totals by Holt-Winters exponential smoothing (damped additive
  trend, multiplicative weekly season; statsmodels), spread over the day with the weekday's
  weighted intraday profile. Needs two weeks of history.

The method with the lowest interval WAPE over the backtest (the last one or two weeks
before the forecast, each forecast from the days before it) is used. AHT is the
weekday-and-interval mean of the last four same weekdays, shrunk towards the interval's
mean over all days when few calls were handled.
"""

from __future__ import annotations

import datetime as dt
import warnings
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from hearthline.wfm.importers import History
from hearthline.wfm.intervals import as_day_matrix, interval_table, slots_per_day

FloatMatrix = NDArray[np.float64]

METHODS = ("seasonal-naive", "weekday-profile", "holt-winters")
_MIN_TRAIN_DAYS = {"seasonal-naive": 7, "weekday-profile": 7, "holt-winters": 14}
_RECENT_WEEKS = 4
_AHT_PRIOR_CALLS = 20.0
_BACKTEST_DAYS = 7
_MAX_FOLDS = 2


@dataclass(frozen=True)
class ForecastRequest:
    """Forecast ``days`` days from ``start`` in ``interval_minutes`` slots, for one queue
    (or all queues together when ``queue`` is None)."""

    start: dt.date
    days: int
    interval_minutes: int = 30
    queue: str | None = None

    def for_queue(self, queue: str) -> ForecastRequest:
        return replace(self, queue=queue)


@dataclass(frozen=True)
class MethodScore:
    """Backtest error of one method: WAPE of daily totals and of interval values."""

    method: str
    wape_day: float
    wape_interval: float
    days_tested: int


@dataclass(frozen=True)
class Forecast:
    """Calls and AHT per interval for the requested days, with how they were chosen."""

    queue: str | None
    interval_minutes: int
    starts: pd.DatetimeIndex
    calls: FloatMatrix
    aht_s: FloatMatrix
    method: str
    scores: tuple[MethodScore, ...]
    history_first_day: dt.date
    history_last_day: dt.date

    def to_json(self) -> dict[str, Any]:
        """{"intervals": [{"start", "calls", "aht_s"}, ...]} plus the method and errors."""
        return {
            "queue": self.queue,
            "interval_minutes": self.interval_minutes,
            "method": self.method,
            "history": {
                "first_day": self.history_first_day.isoformat(),
                "last_day": self.history_last_day.isoformat(),
            },
            "backtest": [
                {
                    "method": s.method,
                    "wape_day": round(s.wape_day, 4),
                    "wape_interval": round(s.wape_interval, 4),
                    "days_tested": s.days_tested,
                }
                for s in self.scores
            ],
            "intervals": [
                {
                    "start": ts.strftime("%Y-%m-%dT%H:%M:%S"),
                    "calls": round(float(c), 2),
                    "aht_s": round(float(h), 1),
                }
                for ts, c, h in zip(self.starts, self.calls, self.aht_s, strict=True)
            ],
        }

    def to_text(self) -> str:
        """A readable table: one line per interval with calls and AHT, days summed."""
        who = f"queue {self.queue}" if self.queue else "all queues"
        lines = [
            f"Forecast for {who}, {self.interval_minutes}-minute intervals, "
            f"history {self.history_first_day} to {self.history_last_day}",
            f"method: {self.method} (chosen by backtest)",
        ]
        if self.scores:
            lines.append("backtest WAPE   per day   per interval")
            for s in self.scores:
                mark = "*" if s.method == self.method else " "
                day_pct, interval_pct = 100 * s.wape_day, 100 * s.wape_interval
                lines.append(f" {mark} {s.method:15s} {day_pct:6.1f} %  {interval_pct:8.1f} %")
        else:
            lines.append("backtest: not enough history (needs more than a week)")
        per_day = len(self.starts) // max(1, len({ts.date() for ts in self.starts}))
        for first in range(0, len(self.starts), per_day):
            stop = first + per_day
            day = self.starts[first]
            lines.append("")
            lines.append(f"{day:%A %Y-%m-%d}: {float(self.calls[first:stop].sum()):.0f} calls")
            lines.append("  start   calls   AHT s")
            for ts, calls, aht in zip(
                self.starts[first:stop], self.calls[first:stop], self.aht_s[first:stop], strict=True
            ):
                lines.append(f"  {ts:%H:%M} {calls:7.1f} {aht:7.0f}")
        return "\n".join(lines)


# --- methods on day x slot matrices -------------------------------------------------------


def _recent_same_weekday(weekdays: NDArray[np.int64], target: int) -> NDArray[np.intp]:
    """Row indices of the latest days with the target weekday, newest first."""
    rows = np.flatnonzero(weekdays == target)[::-1]
    return rows[:_RECENT_WEEKS]


def _weighted_rows(matrix: FloatMatrix, rows: NDArray[np.intp]) -> FloatMatrix:
    weights = 0.5 ** np.arange(rows.size, dtype=np.float64)
    return np.asarray(weights @ matrix[rows] / weights.sum(), dtype=np.float64)


def _seasonal_naive(
    train: FloatMatrix, weekdays: NDArray[np.int64], targets: list[dt.date]
) -> FloatMatrix:
    out = np.empty((len(targets), train.shape[1]))
    for i, day in enumerate(targets):
        rows = _recent_same_weekday(weekdays, day.weekday())
        out[i] = train[rows[0]] if rows.size else train[-1]
    return out


def _weekday_profile(
    train: FloatMatrix, weekdays: NDArray[np.int64], targets: list[dt.date]
) -> FloatMatrix:
    out = np.empty((len(targets), train.shape[1]))
    for i, day in enumerate(targets):
        rows = _recent_same_weekday(weekdays, day.weekday())
        if rows.size == 0:
            rows = np.arange(train.shape[0])[::-1][:7]
        out[i] = _weighted_rows(train, rows)
    return out


def _holt_winters(
    train: FloatMatrix,
    weekdays: NDArray[np.int64],
    targets: list[dt.date],
    last_day: dt.date,
) -> FloatMatrix:
    from statsmodels.tools.sm_exceptions import ConvergenceWarning
    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    totals = train.sum(axis=1)
    # A multiplicative season keeps a quiet day a fixed share of a busy one (an additive
    # season on a falling level sends the nearly closed Saturday below zero); it needs
    # positive totals, so a day with no calls at all switches it to additive.
    seasonal = "mul" if np.all(totals > 0) else "add"
    horizon = max((t - last_day).days for t in targets)
    with warnings.catch_warnings():
        # Short, spiky daily series (a nearly closed Saturday) often stop the optimiser
        # early; the backtest judges the result either way.
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        model = ExponentialSmoothing(
            totals,
            trend="add",
            damped_trend=True,
            seasonal=seasonal,
            seasonal_periods=7,
            initialization_method="estimated",
        ).fit()
        ahead = np.asarray(model.forecast(horizon), dtype=np.float64)
    shapes = _weekday_profile(train, weekdays, targets)
    out = np.empty_like(shapes)
    for i, day in enumerate(targets):
        total = max(float(ahead[(day - last_day).days - 1]), 0.0)
        shape_total = shapes[i].sum()
        out[i] = shapes[i] * (total / shape_total) if shape_total > 0 else 0.0
    return out


def _run_method(
    method: str,
    train: FloatMatrix,
    days: pd.DatetimeIndex,
    targets: list[dt.date],
) -> FloatMatrix:
    weekdays = np.asarray(days.day_of_week, dtype=np.int64)
    last_day = pd.Timestamp(days[-1]).date()
    if method == "seasonal-naive":
        out = _seasonal_naive(train, weekdays, targets)
    elif method == "weekday-profile":
        out = _weekday_profile(train, weekdays, targets)
    elif method == "holt-winters":
        out = _holt_winters(train, weekdays, targets, last_day)
    else:  # pragma: no cover - METHODS is closed
        raise ValueError(f"unknown method {method!r}")
    return np.maximum(out, 0.0)


def wape(forecast: NDArray[np.float64], actual: NDArray[np.float64]) -> float:
    """Weighted absolute percentage error: sum |F - A| / sum A (nan when nothing happened)."""
    total = float(np.sum(actual))
    if total <= 0:
        return float("nan")
    return float(np.sum(np.abs(forecast - actual)) / total)


def backtest(
    calls: FloatMatrix,
    days: pd.DatetimeIndex,
    *,
    methods: tuple[str, ...] = METHODS,
    fold_days: int = _BACKTEST_DAYS,
    folds: int = _MAX_FOLDS,
) -> tuple[MethodScore, ...]:
    """WAPE of each method over the last ``folds`` blocks of ``fold_days`` days, each
    forecast from the days before it.

    Every method scored is scored on the same blocks, so the errors compare like with
    like: the blocks are as many as the most demanding method allows, and a method that
    cannot forecast even the last block is left out.
    """
    n = calls.shape[0]

    def blocks_for(method: str) -> int:
        fit = 0
        while fit < folds and n - (fit + 1) * fold_days >= _MIN_TRAIN_DAYS[method]:
            fit += 1
        return fit

    usable = [m for m in methods if blocks_for(m) > 0]
    if not usable:
        return ()
    blocks = min(blocks_for(m) for m in usable)
    scores = []
    for method in usable:
        fc_parts, act_parts = [], []
        for f in range(1, blocks + 1):
            cut = n - f * fold_days
            targets = [pd.Timestamp(d).date() for d in days[cut : cut + fold_days]]
            fc_parts.append(_run_method(method, calls[:cut], days[:cut], targets))
            act_parts.append(calls[cut : cut + fold_days])
        fc = np.concatenate(fc_parts)
        act = np.concatenate(act_parts)
        scores.append(
            MethodScore(
                method=method,
                wape_day=wape(fc.sum(axis=1), act.sum(axis=1)),
                wape_interval=wape(fc, act),
                days_tested=int(act.shape[0]),
            )
        )
    return tuple(scores)


def _aht_forecast(
    handled: FloatMatrix,
    handle_s: FloatMatrix,
    days: pd.DatetimeIndex,
    targets: list[dt.date],
) -> FloatMatrix:
    total_handled = handled.sum()
    if total_handled <= 0:
        raise ValueError("no answered calls with a handle time in the history")
    overall = handle_s.sum() / total_handled
    slot_n = handled.sum(axis=0)
    slot_prior = (handle_s.sum(axis=0) + _AHT_PRIOR_CALLS * overall) / (slot_n + _AHT_PRIOR_CALLS)
    weekdays = np.asarray(days.day_of_week, dtype=np.int64)
    out = np.empty((len(targets), handled.shape[1]))
    for i, day in enumerate(targets):
        rows = _recent_same_weekday(weekdays, day.weekday())
        n = handled[rows].sum(axis=0)
        s = handle_s[rows].sum(axis=0)
        # Few handled calls in a slot: lean on the slot's all-days mean instead.
        out[i] = (s + _AHT_PRIOR_CALLS * slot_prior) / (n + _AHT_PRIOR_CALLS)
    return out


# The whole days pandas can count time in (nanoseconds since 1970 in 64 bits).
_FIRST_DAY = pd.Timestamp.min.ceil("D").to_pydatetime()
_LAST_DAY = pd.Timestamp.max.floor("D").to_pydatetime()


def _check_in_calendar(start: dt.datetime, days: int) -> None:
    """The days to plan must fall where pandas can count time (1677 to 2262)."""
    first, last = _FIRST_DAY, _LAST_DAY
    try:
        beyond = start + dt.timedelta(days=days) > last
    except OverflowError:  # past the year 9999: beyond it too
        beyond = True
    if start < first or beyond:
        raise ValueError(
            f"the days to plan must fall between {first.date()} and {last.date()}, "
            f"not {start.date()} and {days} days on"
        )


def forecast_history(history: History, request: ForecastRequest) -> Forecast:
    """Forecast calls and AHT per interval for the requested days from history before
    ``request.start`` only."""
    if request.days < 1:
        raise ValueError(f"days must be at least 1, got {request.days}")
    slots_per_day(request.interval_minutes)
    start = dt.datetime.combine(request.start, dt.time())
    _check_in_calendar(start, request.days)
    past = history.before(start)
    if past.offered().empty:
        raise ValueError(f"no history before {request.start.isoformat()}")
    table = interval_table(past, interval_minutes=request.interval_minutes, queue=request.queue)
    days, calls = as_day_matrix(table["calls"], interval_minutes=request.interval_minutes)
    _, handled = as_day_matrix(table["handled"], interval_minutes=request.interval_minutes)
    _, handle_s = as_day_matrix(table["handle_s"], interval_minutes=request.interval_minutes)
    targets = [request.start + dt.timedelta(days=i) for i in range(request.days)]

    scores = backtest(calls, days)
    if scores:
        best = min(
            scores,
            key=lambda s: (np.nan_to_num(s.wape_interval, nan=np.inf), METHODS.index(s.method)),
        )
        method = best.method
    else:
        method = "weekday-profile"
    if calls.shape[0] < _MIN_TRAIN_DAYS[method]:
        method = "weekday-profile"
    fc_calls = _run_method(method, calls, days, targets)
    fc_aht = _aht_forecast(handled, handle_s, days, targets)
    starts = pd.date_range(
        start, periods=request.days * calls.shape[1], freq=f"{request.interval_minutes}min"
    )
    return Forecast(
        queue=request.queue,
        interval_minutes=request.interval_minutes,
        starts=starts,
        calls=fc_calls.ravel(),
        aht_s=fc_aht.ravel(),
        method=method,
        scores=scores,
        history_first_day=pd.Timestamp(days[0]).date(),
        history_last_day=pd.Timestamp(days[-1]).date(),
    )
