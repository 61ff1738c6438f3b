"""Required agents: the smallest staffing that meets the targets, then shrinkage.

Every figure the targets constrain is monotone in the number of agents (service level
and answered-within share rise, mean wait and abandonment fall, occupancy falls), so
"the smallest n meeting every target" is the largest of the per-target minima, and each
minimum is found exactly by evaluating the exact formulas of :mod:`erlang`, never an
approximation:

* Erlang C: the answer is above the traffic (below it the queue is unstable), and for
  practical targets within a few square roots of it (square-root staffing). All
  candidates in that window are evaluated in one vectorised call; the window doubles in
  the rare case it holds no feasible staffing.
* Erlang A: bisection between proven bounds (the carried load can never exceed the
  agents), vectorised over intervals.

Seats on the phone become agents to schedule by dividing by ``1 - shrinkage`` (breaks,
training, absence) and rounding up.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from hearthline.wfm.erlang import (
    BoolArray,
    FloatArray,
    IntArray,
    QueueFigures,
    _a_figures,
    _erlang_c,
    as_float,
    as_float_array,
    as_positive_array,
    erlang_a_figures,
    erlang_c1,
    erlang_c_figures,
    is_number,
    traffic_erlangs,
)

# Relative slack when turning a float target into a whole number, so 7 seats at 30%
# shrinkage is 10 agents (7 / 0.7 is 10.000000000000002 in binary floating point).
_ROUNDING_SLACK = 1e-12


@dataclass(frozen=True)
class Targets:
    """What a queue must achieve in each interval.

    ``service_level`` with ``answer_time_s``: at least that share of offered calls answered
    within that many seconds (e.g. 0.8 and 20 for "80% in 20 s"). ``asa_s``: mean wait of
    answered calls at most this. ``max_abandon``: at most this share of callers give up
    (needs ``patience_s``). ``max_occupancy``: agents busy at most this share of their time.
    ``patience_s``: mean caller patience; given, the queue is Erlang A (callers give up),
    otherwise Erlang C. ``shrinkage``: share of paid time not on the phones.
    """

    service_level: float | None = None
    answer_time_s: float = 20.0
    asa_s: float | None = None
    max_abandon: float | None = None
    max_occupancy: float | None = None
    patience_s: float | None = None
    shrinkage: float = 0.0

    def __post_init__(self) -> None:
        if self.service_level is not None and not 0.0 < self.service_level < 1.0:
            raise ValueError(
                f"target service level must be between 0 and 1 (exclusive), "
                f"got {self.service_level}"
            )
        if not (math.isfinite(self.answer_time_s) and self.answer_time_s >= 0):
            raise ValueError(f"answer time must be 0 or more seconds, got {self.answer_time_s}")
        if self.asa_s is not None and not (math.isfinite(self.asa_s) and self.asa_s > 0):
            raise ValueError(f"target ASA must be more than 0 seconds, got {self.asa_s}")
        if self.max_abandon is not None:
            if not 0.0 < self.max_abandon < 1.0:
                raise ValueError(
                    f"maximum abandonment must be between 0 and 1 (exclusive), "
                    f"got {self.max_abandon}"
                )
            if self.patience_s is None:
                raise ValueError(
                    "a maximum abandonment rate needs the callers' mean patience (Erlang A)"
                )
        if self.max_occupancy is not None and not 0.0 < self.max_occupancy <= 1.0:
            raise ValueError(
                f"maximum occupancy must be above 0 and at most 1, got {self.max_occupancy}"
            )
        if self.patience_s is not None and not (
            math.isfinite(self.patience_s) and self.patience_s > 0
        ):
            raise ValueError(f"patience must be more than 0 seconds, got {self.patience_s}")
        if not 0.0 <= self.shrinkage < 1.0:
            raise ValueError(f"shrinkage must be at least 0 and below 1, got {self.shrinkage}")
        if self.service_level is None and self.asa_s is None and self.max_abandon is None:
            raise ValueError("give at least one target: service level, ASA or abandonment")


@dataclass(frozen=True)
class Staffing:
    """Agents needed per interval: on the phones (``agents``), to schedule after
    shrinkage (``scheduled``), and the queue figures at ``agents``."""

    agents: IntArray
    scheduled: IntArray
    figures: QueueFigures


def scheduled_agents(*, agents: ArrayLike, shrinkage: float) -> IntArray:
    """Agents to schedule so that ``agents`` are on the phones after ``shrinkage``."""
    if not 0.0 <= shrinkage < 1.0:
        raise ValueError(f"shrinkage must be at least 0 and below 1, got {shrinkage}")
    n = as_float_array("agents", agents)
    keep = 1.0 - shrinkage
    m = np.ceil(n / keep)
    # Step back where one fewer already covers the seats (binary rounding of the share).
    fewer = (m - 1.0) * keep >= n * (1.0 - _ROUNDING_SLACK)
    m = np.where((m > 0) & fewer, m - 1.0, m)
    return m.astype(np.int64)


def occupancy_floor(*, traffic: ArrayLike, max_occupancy: float) -> IntArray:
    """Fewest agents keeping occupancy ``traffic / agents`` at or below ``max_occupancy``."""
    a = as_float_array("traffic", traffic)
    n = np.ceil(a / max_occupancy)
    with np.errstate(divide="ignore", invalid="ignore"):
        fewer = (n > 1) & (a / np.maximum(n - 1.0, 1.0) <= max_occupancy)
    n = np.where(fewer, n - 1.0, n)
    return n.astype(np.int64)


def _window_search(
    lo: IntArray,
    width: IntArray,
    feasible: Callable[[IntArray, IntArray], BoolArray],
) -> IntArray:
    """Smallest feasible n >= lo per row, for monotone feasibility, by evaluating windows
    [lo, lo + width) of candidates in one call and doubling the width where none is."""
    lo = lo.copy()
    width = np.maximum(width, 1).astype(np.int64)
    result = np.full(lo.shape, -1, dtype=np.int64)
    active = np.arange(lo.size)
    while active.size:
        w = width[active]
        starts = np.concatenate(([0], np.cumsum(w)[:-1]))
        rows = np.repeat(active, w)
        offsets = np.arange(int(w.sum())) - np.repeat(starts, w)
        n = lo[rows] + offsets
        ok = feasible(n, rows)
        hit = np.flatnonzero(ok)
        found_rows, first = np.unique(rows[hit], return_index=True)
        result[found_rows] = n[hit[first]]
        lo[active] += w
        width[active] *= 2
        active = active[result[active] < 0]
        if active.size and np.any(lo[active] > 10**9):
            raise ArithmeticError("no staffing below a billion agents meets the target")
    return result


def _bisect(
    lo: IntArray,
    feasible: Callable[[IntArray, IntArray], BoolArray],
) -> IntArray:
    """Smallest feasible n > lo per row (``lo`` infeasible or -1), for monotone
    feasibility: grow an upper bracket by doubling, then bisect, all rows at once."""
    lo = lo.copy()
    rows = np.arange(lo.size)
    step = np.ones_like(lo)
    hi = lo + step
    pending = rows
    while pending.size:
        ok = feasible(hi[pending], pending)
        miss = pending[~ok]
        lo[miss] = hi[miss]
        step[miss] *= 2
        hi[miss] = lo[miss] + step[miss]
        pending = miss
        if pending.size and np.any(hi[pending] > 10**9):
            raise ArithmeticError("no staffing below a billion agents meets the target")
    gap = hi - lo > 1
    while np.any(gap):
        idx = np.flatnonzero(gap)
        mid = (lo[idx] + hi[idx]) // 2
        ok = feasible(mid, idx)
        hi[idx[ok]] = mid[ok]
        lo[idx[~ok]] = mid[~ok]
        gap = hi - lo > 1
    return hi


def required_agents(
    *,
    calls: ArrayLike,
    interval_s: ArrayLike,
    aht_s: ArrayLike,
    targets: Targets,
) -> IntArray:
    """Smallest number of agents on the phones meeting every target, per interval.

    Intervals with no calls need no agents. Shrinkage is not applied here (see
    :func:`scheduled_agents` and :func:`staff`).
    """
    if targets.patience_s is None and all(is_number(v) for v in (calls, interval_s, aht_s)):
        c1 = as_float("calls", calls)  # type: ignore[arg-type]
        iv1 = as_float("interval_s", interval_s, positive=True)  # type: ignore[arg-type]
        h1 = as_float("aht_s", aht_s, positive=True)  # type: ignore[arg-type]
        return np.asarray(_required_c1(c1 * (h1 / iv1), h1, targets), dtype=np.int64)
    a = traffic_erlangs(calls=calls, interval_s=interval_s, aht_s=aht_s)
    h = as_positive_array("aht_s", aht_s)
    a, h = np.broadcast_arrays(a, h)
    shape = a.shape
    a = np.ravel(a).copy()
    h = np.ravel(h).copy()
    need = np.zeros(a.shape, dtype=np.int64)
    busy = np.flatnonzero(a > 0)
    if busy.size == 0:
        return need.reshape(shape)
    ab, hb = a[busy], h[busy]
    if targets.patience_s is None:
        got = _required_c(ab, hb, targets)
    else:
        got = _required_a(ab, hb, targets, targets.patience_s)
    need[busy] = got
    return need.reshape(shape)


def _required_c(a: FloatArray, h: FloatArray, targets: Targets) -> IntArray:
    # Below or at the traffic the queue never settles, so the search starts just above it.
    lo = np.floor(a).astype(np.int64) + 1
    width = np.ceil(2.5 * np.sqrt(a)).astype(np.int64) + 8
    t = targets.answer_time_s
    need = lo.copy()
    if targets.service_level is not None:
        s = targets.service_level

        def sl_ok(n: IntArray, rows: IntArray) -> BoolArray:
            ar, hr = a[rows], h[rows]
            c = _erlang_c(n, ar)
            return np.asarray(1.0 - c * np.exp(-(n - ar) * (t / hr)) >= s, dtype=np.bool_)

        need = np.maximum(need, _window_search(lo, width, sl_ok))
    if targets.asa_s is not None:
        w_max = targets.asa_s

        def asa_ok(n: IntArray, rows: IntArray) -> BoolArray:
            ar, hr = a[rows], h[rows]
            c = _erlang_c(n, ar)
            return np.asarray(c * hr / (n - ar) <= w_max, dtype=np.bool_)

        need = np.maximum(need, _window_search(lo, width, asa_ok))
    if targets.max_occupancy is not None:
        need = np.maximum(need, occupancy_floor(traffic=a, max_occupancy=targets.max_occupancy))
    return need


def _halfin_whitt_beta(objective: Callable[[float], tuple[float, float]]) -> float:
    """Root of a decreasing objective in the square-root staffing parameter beta
    (n = a + beta sqrt(a)), by safeguarded Newton steps; only a starting guess."""
    beta = 0.5
    for _ in range(12):
        f, df = objective(beta)
        if df >= 0.0 or not math.isfinite(f):
            break
        nxt = min(30.0, max(1e-4, beta - f / df))
        if abs(nxt - beta) < 1e-3:
            return nxt
        beta = nxt
    return beta


def _log_alpha(beta: float) -> tuple[float, float]:
    """log of the Halfin-Whitt delay probability 1 / (1 + beta Phi/phi) and its slope."""
    ratio = 0.5 * math.erfc(-beta / math.sqrt(2.0)) * math.sqrt(2.0 * math.pi)
    ratio *= math.exp(0.5 * beta * beta)
    g = beta * ratio
    dg = ratio + beta * (1.0 + beta * ratio)
    return -math.log1p(g), -dg / (1.0 + g)


def _smallest_from(ok: Callable[[int], bool], start: int, floor_n: int) -> int:
    """Smallest n >= floor_n with ok(n), for monotone ok, galloping from a guess."""
    start = max(start, floor_n)
    if ok(start):
        hi, step = start, 1
        while True:
            cand = hi - step
            if cand < floor_n:
                lo = floor_n - 1
                break
            if not ok(cand):
                lo = cand
                break
            hi, step = cand, step * 2
    else:
        lo, step = start, 1
        while True:
            cand = lo + step
            if ok(cand):
                hi = cand
                break
            lo, step = cand, step * 2
            if lo > 10**9:
                raise ArithmeticError("no staffing below a billion agents meets the target")
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if ok(mid):
            hi = mid
        else:
            lo = mid
    return hi


def _required_c1(a: float, h: float, targets: Targets) -> int:
    """Erlang C required agents for one interval: a square-root-staffing guess, then
    exact evaluations around it."""
    if a <= 0.0:
        return 0
    floor_n = math.floor(a) + 1
    root = math.sqrt(a)
    t = targets.answer_time_s
    need = floor_n
    if targets.service_level is not None:
        s = targets.service_level
        log_miss = math.log1p(-s)

        def sl_gap(beta: float) -> tuple[float, float]:
            la, dla = _log_alpha(beta)
            return la - beta * root * (t / h) - log_miss, dla - root * (t / h)

        def sl_ok(n: int) -> bool:
            return 1.0 - erlang_c1(n, a) * math.exp(-(n - a) * (t / h)) >= s

        guess = math.ceil(a + _halfin_whitt_beta(sl_gap) * root)
        need = max(need, _smallest_from(sl_ok, guess, floor_n))
    if targets.asa_s is not None:
        w = targets.asa_s

        def asa_gap(beta: float) -> tuple[float, float]:
            la, dla = _log_alpha(beta)
            return la - math.log(beta * root) + math.log(h / w), dla - 1.0 / beta

        def asa_ok(n: int) -> bool:
            return erlang_c1(n, a) * h / (n - a) <= w

        guess = math.ceil(a + _halfin_whitt_beta(asa_gap) * root)
        need = max(need, _smallest_from(asa_ok, guess, floor_n))
    if targets.max_occupancy is not None:
        cap = targets.max_occupancy
        occ_n = math.ceil(a / cap)
        if occ_n > 1 and a / (occ_n - 1) <= cap:
            occ_n -= 1
        need = max(need, occ_n)
    return need


def _required_a(a: FloatArray, h: FloatArray, targets: Targets, patience_s: float) -> IntArray:
    t = np.full_like(a, targets.answer_time_s)
    pat = np.full_like(a, patience_s)
    need = np.zeros(a.shape, dtype=np.int64)

    def figures(n: IntArray, rows: IntArray, *, with_asa: bool) -> QueueFigures:
        return _a_figures(a[rows], h[rows], n, t[rows], pat[rows], with_asa=with_asa)

    if targets.service_level is not None:
        s = targets.service_level

        def sl_ok(n: IntArray, rows: IntArray) -> BoolArray:
            return figures(n, rows, with_asa=False).service_level >= s

        # Answered calls cannot outnumber what the agents carry: SL <= n / a.
        lo = np.maximum(np.floor(a * s).astype(np.int64) - 1, 0)
        need = np.maximum(need, _bisect(lo, sl_ok))
    if targets.max_abandon is not None:
        m = targets.max_abandon

        def ab_ok(n: IntArray, rows: IntArray) -> BoolArray:
            return figures(n, rows, with_asa=False).p_abandon <= m

        lo = np.maximum(np.floor(a * (1.0 - m)).astype(np.int64) - 1, 0)
        need = np.maximum(need, _bisect(lo, ab_ok))
    if targets.asa_s is not None:
        w_max = targets.asa_s

        def asa_ok(n: IntArray, rows: IntArray) -> BoolArray:
            asa = figures(n, rows, with_asa=True).asa_s
            return np.asarray(np.nan_to_num(asa, nan=np.inf) <= w_max, dtype=np.bool_)

        need = np.maximum(need, _bisect(np.zeros_like(need), asa_ok))
    if targets.max_occupancy is not None:
        cap = targets.max_occupancy

        def occ_ok(n: IntArray, rows: IntArray) -> BoolArray:
            # Zero agents carry nothing, which is not a staffing that meets a cap.
            return (n > 0) & (figures(n, rows, with_asa=False).occupancy <= cap)

        need = np.maximum(need, _bisect(np.zeros_like(need), occ_ok))
    return need


def figures_at(
    *,
    calls: ArrayLike,
    interval_s: ArrayLike,
    aht_s: ArrayLike,
    agents: ArrayLike,
    answer_time_s: float,
    patience_s: float | None,
) -> QueueFigures:
    """Queue figures at the given staffing: Erlang A with a patience, else Erlang C."""
    if patience_s is None:
        return erlang_c_figures(
            calls=calls,
            interval_s=interval_s,
            aht_s=aht_s,
            agents=agents,
            answer_time_s=answer_time_s,
        )
    return erlang_a_figures(
        calls=calls,
        interval_s=interval_s,
        aht_s=aht_s,
        agents=agents,
        answer_time_s=answer_time_s,
        patience_s=patience_s,
    )


def staff(
    *,
    calls: ArrayLike,
    interval_s: ArrayLike,
    aht_s: ArrayLike,
    targets: Targets,
) -> Staffing:
    """Required agents per interval, agents to schedule, and the figures at that staffing."""
    agents = required_agents(calls=calls, interval_s=interval_s, aht_s=aht_s, targets=targets)
    figs = figures_at(
        calls=calls,
        interval_s=interval_s,
        aht_s=aht_s,
        agents=agents,
        answer_time_s=targets.answer_time_s,
        patience_s=targets.patience_s,
    )
    return Staffing(
        agents=agents,
        scheduled=scheduled_agents(agents=agents, shrinkage=targets.shrinkage),
        figures=figs,
    )
