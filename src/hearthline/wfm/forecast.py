"""Forecast offered calls and AHT per interval, choosing the method by backtesting.

Methods for the calls (each sees only days before the ones it forecasts):

* ``seasonal-naive``: the same weekday of the latest week, interval by interval.
* ``weekday-profile``: a weighted mean of the last four same weekdays (weights 8:4:2:1,
  newest first), so level and intraday shape both come from that weekday.
* ``holt-winters``: daily totals by Holt-Winters exponential smoothing (damped additive
  trend, multiplicative weekly season; statsmodels), spread over the day with the weekday's
  weighted intraday profile. Needs two weeks of history.
* ``level-shape``: level, trend, day-of-week factors and a pooled intraday shape, each
  estimated apart (:mod:`hearthline.wfm.level_shape`). Needs two weeks of history.

The backtest has rolling origins: every week of the history (counted in blocks of seven
days from its first day) with at least two weeks before it is forecast from the days
before it by every method. The method with the lowest interval WAPE averaged over those
weeks is used. AHT is the
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
from hearthline.wfm.level_shape import level_shape

FloatMatrix = NDArray[np.float64]

METHODS = ("seasonal-naive", "weekday-profile", "holt-winters", "level-shape")
BASELINE = "seasonal-naive"
_MIN_TRAIN_DAYS = {"seasonal-naive": 7, "weekday-profile": 7, "holt-winters": 14, "level-shape": 14}
# Backtest origins need two weeks before them; a shorter history is tested from one week.
_ORIGIN_DAYS = (14, 7)
_RECENT_WEEKS = 4
_AHT_PRIOR_CALLS = 20.0
_WEEK = 7


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
class WeekError:
    """One method's error on one backtest week: WAPE of daily totals and of intervals."""

    first_day: dt.date
    days: int
    wape_day: float
    wape_interval: float


@dataclass(frozen=True)
class MethodScore:
    """Backtest error of one method: WAPE of daily totals and of interval values, each
    averaged over the backtest weeks, and the weeks themselves."""

    method: str
    wape_day: float
    wape_interval: float
    days_tested: int
    weeks: tuple[WeekError, ...] = ()


def ratio_to_baseline(scores: tuple[MethodScore, ...], method: str) -> tuple[float, float]:
    """(daily, interval) WAPE of ``method`` over seasonal naive's, both averaged over the
    backtest weeks (nan when either is missing)."""
    by = {s.method: s for s in scores}
    if method not in by or BASELINE not in by:
        return (float("nan"), float("nan"))
    own, base = by[method], by[BASELINE]
    with np.errstate(divide="ignore", invalid="ignore"):
        return (
            float(np.divide(own.wape_day, base.wape_day)),
            float(np.divide(own.wape_interval, base.wape_interval)),
        )


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
                    "weeks": [
                        {
                            "first_day": w.first_day.isoformat(),
                            "days": w.days,
                            "wape_day": round(w.wape_day, 4),
                            "wape_interval": round(w.wape_interval, 4),
                        }
                        for w in s.weeks
                    ],
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
    elif method == "level-shape":
        out = level_shape(train, weekdays, targets, last_day)
    else:  # pragma: no cover - METHODS is closed
        raise ValueError(f"unknown method {method!r}")
    return np.maximum(out, 0.0)


def wape(forecast: NDArray[np.float64], actual: NDArray[np.float64]) -> float:
    """Weighted absolute percentage error: sum |F - A| / sum A (nan when nothing happened)."""
    total = float(np.sum(actual))
    if total <= 0:
        return float("nan")
    return float(np.sum(np.abs(forecast - actual)) / total)


def backtest_origins(n_days: int) -> list[int]:
    """Row indices where backtest weeks start: every seventh day from the first with at
    least two weeks before it (one week when the history is shorter than three weeks)."""
    for origin in _ORIGIN_DAYS:
        if n_days > origin:
            return list(range(origin, n_days, _WEEK))
    return []


def backtest(
    calls: FloatMatrix,
    days: pd.DatetimeIndex,
    *,
    methods: tuple[str, ...] = METHODS,
) -> tuple[MethodScore, ...]:
    """WAPE of each method on every backtest week (rolling origins, each week forecast
    from the days before it), and averaged over the weeks.

    Every method scored is scored on the same weeks, so the errors compare like with
    like; a method that cannot forecast from the first origin is left out. The last week
    may be short (the days the history has).
    """
    origins = backtest_origins(calls.shape[0])
    if not origins:
        return ()
    usable = [m for m in methods if _MIN_TRAIN_DAYS[m] <= origins[0]]
    scores = []
    for method in usable:
        weeks = []
        for cut in origins:
            stop = min(cut + _WEEK, calls.shape[0])
            targets = [pd.Timestamp(d).date() for d in days[cut:stop]]
            fc = _run_method(method, calls[:cut], days[:cut], targets)
            act = calls[cut:stop]
            weeks.append(
                WeekError(
                    first_day=targets[0],
                    days=len(targets),
                    wape_day=wape(fc.sum(axis=1), act.sum(axis=1)),
                    wape_interval=wape(fc, act),
                )
            )
        scores.append(
            MethodScore(
                method=method,
                wape_day=_mean([w.wape_day for w in weeks]),
                wape_interval=_mean([w.wape_interval for w in weeks]),
                days_tested=sum(w.days for w in weeks),
                weeks=tuple(weeks),
            )
        )
    return tuple(scores)


def _mean(values: list[float]) -> float:
    """Mean of the weeks that had calls (nan when none had)."""
    finite = [v for v in values if not np.isnan(v)]
    return float(np.mean(finite)) if finite else float("nan")


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
