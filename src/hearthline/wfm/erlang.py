"""Erlang B, C and A: exact queue figures for one interval, vectorised over many.

Everything is in seconds. For an interval of ``interval_s`` seconds with ``calls`` offered
calls of mean handle time ``aht_s``, the offered traffic is ``a = calls * aht_s /
interval_s`` Erlangs. Each function takes NumPy-broadcastable arguments, so a week of
half-hour intervals for many queues is one call.

Erlang B and C come from the Poisson distribution: ``B(n, a) = pmf(n; a) / cdf(n; a)``
with the cumulative form written as the regularised upper incomplete gamma function
``Q(n + 1, a)``, both in log space so nothing overflows up to hundreds of thousands of
agents; ``C = B / (1 - rho (1 - B))``. Erlang A (M/M/n+M) uses the closed forms of
Garnett, Mandelbaum & Reiman (2002) with the regularised incomplete gamma function, and
exact series where that function underflows. docs/planning.md derives every formula.

Overload (``a >= n`` without abandonment) is reported as the limits the queue tends to:
everyone waits, nobody is answered within any finite target, the mean wait grows
without bound (``inf``), agents are always busy, and ``unstable`` is set.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]

_LOG_2PI = math.log(2.0 * math.pi)
# Below this a regularised gamma value has lost its relative precision (or underflowed);
# the exact series take over there.
# Offered load (in units of patience) below which the vanishing-traffic limit is exact
# to double precision.
_VANISHING_TRAFFIC = 1e-200
_TINY = 1e-280
_SERIES_EPS = 1e-18
_MAX_SERIES_TERMS = 2_000_000


# --- input checking -----------------------------------------------------------------


def as_float_array(name: str, value: ArrayLike, *, minimum: float = 0.0) -> FloatArray:
    """``value`` as a float array, every element finite and at least ``minimum``."""
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number, got {value!r}") from None
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite, got {value!r}")
    if np.any(arr < minimum):
        raise ValueError(f"{name} must be at least {minimum:g}, got {value!r}")
    return arr


def is_number(value: object) -> bool:
    """A plain Python or NumPy scalar number (not a bool, not an array)."""
    return isinstance(value, int | float | np.integer | np.floating) and not isinstance(
        value, bool | np.bool_
    )


def as_float(name: str, value: float, *, positive: bool = False) -> float:
    """One number, checked the way :func:`as_float_array` checks arrays."""
    v = float(value)
    if not math.isfinite(v):
        raise ValueError(f"{name} must be finite, got {value!r}")
    if v < 0.0 or (positive and v == 0.0):
        bound = "greater than 0" if positive else "at least 0"
        raise ValueError(f"{name} must be {bound}, got {value!r}")
    return v


def as_positive_array(name: str, value: ArrayLike) -> FloatArray:
    """``value`` as a float array, every element finite and strictly positive."""
    arr = as_float_array(name, value)
    if np.any(arr <= 0.0):
        raise ValueError(f"{name} must be greater than 0, got {value!r}")
    return arr


def as_agents_array(value: ArrayLike) -> IntArray:
    """Agent counts as an int64 array: whole numbers, zero or more."""
    arr = as_float_array("agents", value)
    if np.any(arr != np.floor(arr)):
        raise ValueError(f"agents must be whole numbers, got {value!r}")
    if np.any(arr > 1e9):
        raise ValueError(f"agents must be at most 1e9, got {value!r}")
    return arr.astype(np.int64)


def traffic_erlangs(*, calls: ArrayLike, interval_s: ArrayLike, aht_s: ArrayLike) -> FloatArray:
    """Offered traffic in Erlangs: calls per second times the mean handle time."""
    c = as_float_array("calls", calls)
    iv = as_positive_array("interval_s", interval_s)
    h = as_positive_array("aht_s", aht_s)
    return np.asarray(c * (h / iv), dtype=np.float64)


# --- Poisson building blocks in log space -------------------------------------------


def _stirlerr(k: FloatArray) -> FloatArray:
    """log(k!) - log(sqrt(2 pi k) (k/e)^k), accurate for real k >= 15 (Loader 2000)."""
    k2 = k * k
    return np.asarray(
        (1 / 12 - (1 / 360 - (1 / 1260 - (1 / 1680 - 1 / (1188 * k2)) / k2) / k2) / k2) / k,
        dtype=np.float64,
    )


def _bd0(k: FloatArray, mu: FloatArray) -> FloatArray:
    """k log(k/mu) + mu - k without the cancellation when k is close to mu (Loader 2000)."""
    d = k - mu
    v = d / (k + mu)
    v2 = v * v
    near = np.abs(d) < 0.1 * (k + mu)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        # Traffic below the smallest normal double overflows k / mu: the pmf is then 0.
        direct = k * np.log(k / mu) + mu - k
    if not np.any(near):
        return np.asarray(direct, dtype=np.float64)
    # Near k = mu: d v + 2 k v sum_{j>=1} v^(2j) / (2j + 1), with |v| < 0.1; take just
    # enough terms (Horner) for double precision at the largest |v| present.
    worst = float(np.max(v2, where=near, initial=0.0))
    terms = 1 if worst == 0.0 else min(20, max(1, math.ceil(-39.2 / math.log(worst))))
    poly = np.zeros_like(v2)
    for j in range(terms, 0, -1):
        poly = poly * v2 + 1.0 / (2 * j + 1)
    series = d * v + 2.0 * k * v * v2 * poly
    return np.asarray(np.where(near, series, direct), dtype=np.float64)


def log_poisson_pmf(k: FloatArray, mu: FloatArray) -> FloatArray:
    """log(mu^k e^-mu / Gamma(k + 1)) for real k >= 0 and mu > 0, stable for large k."""
    k = np.asarray(k, dtype=np.float64)
    mu = np.asarray(mu, dtype=np.float64)
    k, mu = np.broadcast_arrays(k, mu)
    if k.size and float(k.min()) >= 15.0:
        # Loader's saddle-point form keeps full relative precision where the naive
        # k log(mu) - mu - lgamma(k + 1) would cancel millions against millions.
        return np.asarray(
            -0.5 * (_LOG_2PI + np.log(k)) - _stirlerr(k) - _bd0(k, mu), dtype=np.float64
        )
    out = np.asarray(special.xlogy(k, mu) - mu - special.gammaln(k + 1.0), dtype=np.float64)
    big = k >= 15.0
    if np.any(big):
        kb, mb = k[big], mu[big]
        out[big] = -0.5 * (_LOG_2PI + np.log(kb)) - _stirlerr(kb) - _bd0(kb, mb)
    return out


def _inverse_b_series(n: FloatArray, a: FloatArray) -> FloatArray:
    """1/B(n, a) = sum_{m=0..n} n!/((n-m)! a^m), for a well above n (geometric decay)."""
    term = np.ones_like(a)
    total = np.ones_like(a)
    for m in range(1, _MAX_SERIES_TERMS):
        term = term * np.maximum(n - (m - 1), 0.0) / a
        total = total + term
        if np.all(term <= _SERIES_EPS * total):
            return total
    raise ArithmeticError("Erlang B series did not converge")  # pragma: no cover


def log_erlang_b(n: ArrayLike, a: ArrayLike) -> FloatArray:
    """log B(n, a) for n >= 0 servers and traffic a > 0 Erlangs."""
    nf = np.asarray(n, dtype=np.float64)
    af = np.asarray(a, dtype=np.float64)
    nf, af = np.broadcast_arrays(nf, af)
    q = special.gammaincc(nf + 1.0, af)
    with np.errstate(divide="ignore"):
        out = np.asarray(log_poisson_pmf(nf, af) - np.log(q), dtype=np.float64)
    tiny = q < _TINY
    if np.any(tiny):
        # Q(n + 1, a) only underflows when a is far above n, where the series is short.
        out[tiny] = -np.log(_inverse_b_series(nf[tiny], af[tiny]))
    return out


# --- Erlang B and C ------------------------------------------------------------------


def erlang_b(*, agents: ArrayLike, traffic: ArrayLike) -> FloatArray:
    """Erlang B: the share of calls blocked when ``agents`` servers face ``traffic`` Erlangs
    and there is no queue (M/M/n/n)."""
    n = as_agents_array(agents)
    a = as_float_array("traffic", traffic)
    n, a = np.broadcast_arrays(n, a)
    out = np.where(n == 0, 1.0, 0.0)
    busy = a > 0
    if np.any(busy):
        out[busy] = np.exp(log_erlang_b(n[busy], a[busy]))
    return out


def erlang_c(*, agents: ArrayLike, traffic: ArrayLike) -> FloatArray:
    """Erlang C: the probability that a call waits (M/M/n). 1 when ``traffic >= agents``."""
    n = as_agents_array(agents)
    a = as_float_array("traffic", traffic)
    n, a = np.broadcast_arrays(n, a)
    return _erlang_c(n, a)


def _erlang_c(n: IntArray, a: FloatArray) -> FloatArray:
    out = np.where(a > 0, 1.0, 0.0)
    stable = (a > 0) & (a < n)
    if np.any(stable):
        ns = n[stable].astype(np.float64)
        as_ = a[stable]
        b = np.exp(log_erlang_b(ns, as_))
        rho = as_ / ns
        # 1 - rho(1 - B) written as (1 - rho) + rho B: both parts are non-negative.
        out[stable] = b / ((ns - as_) / ns + rho * b)
    return np.minimum(out, 1.0)


@dataclass(frozen=True)
class QueueFigures:
    """The figures a planner reads for one or many intervals (arrays of one shape).

    ``p_wait``: probability a call waits at all. ``service_level``: share of offered calls
    answered within the answer time. ``asa_s``: mean wait of answered calls in seconds
    (``inf`` when the queue is unstable, ``nan`` when no call is answered). ``occupancy``:
    share of agent time spent on calls. ``p_abandon``: share of callers who give up
    (Erlang A; zero for Erlang C, whose callers never give up). ``unstable``: traffic at or
    above the agents with no abandonment, so the queue grows without bound.
    """

    model: str
    traffic_erlangs: FloatArray
    agents: IntArray
    p_wait: FloatArray
    service_level: FloatArray
    asa_s: FloatArray
    occupancy: FloatArray
    p_abandon: FloatArray
    unstable: BoolArray


def erlang_c_figures(
    *,
    calls: ArrayLike,
    interval_s: ArrayLike,
    aht_s: ArrayLike,
    agents: ArrayLike,
    answer_time_s: ArrayLike,
) -> QueueFigures:
    """Erlang C (M/M/n, callers wait as long as it takes) figures for each interval."""
    if all(is_number(v) for v in (calls, interval_s, aht_s, agents, answer_time_s)):
        return _c_figures1(
            calls=as_float("calls", calls),  # type: ignore[arg-type]
            interval_s=as_float("interval_s", interval_s, positive=True),  # type: ignore[arg-type]
            aht_s=as_float("aht_s", aht_s, positive=True),  # type: ignore[arg-type]
            agents=int(as_agents_array(agents)),
            answer_time_s=as_float("answer_time_s", answer_time_s),  # type: ignore[arg-type]
        )
    a = traffic_erlangs(calls=calls, interval_s=interval_s, aht_s=aht_s)
    h = as_positive_array("aht_s", aht_s)
    n = as_agents_array(agents)
    t = as_float_array("answer_time_s", answer_time_s)
    a, h, n, t = np.broadcast_arrays(a, h, n, t)
    return _c_figures(a, h, n, t)


def _c_figures1(
    *, calls: float, interval_s: float, aht_s: float, agents: int, answer_time_s: float
) -> QueueFigures:
    """:func:`erlang_c_figures` for one interval on Python floats (same formulas)."""
    a = calls * (aht_s / interval_s)
    n = agents
    unstable = a > 0 and a >= n
    if a <= 0:
        p_wait, sl, asa = 0.0, 1.0, 0.0
    elif unstable:
        p_wait, sl, asa = 1.0, 0.0, math.inf
    else:
        p_wait = erlang_c1(n, a)
        sl = min(1.0, max(0.0, 1.0 - p_wait * math.exp(-(n - a) * (answer_time_s / aht_s))))
        asa = p_wait * aht_s / (n - a)
    occ = min(a / n, 1.0) if n > 0 else 0.0

    def arr(v: float) -> FloatArray:
        return np.asarray(v, dtype=np.float64)

    return QueueFigures(
        model="erlang-c",
        traffic_erlangs=arr(a),
        agents=np.asarray(n, dtype=np.int64),
        p_wait=arr(p_wait),
        service_level=arr(sl),
        asa_s=arr(asa),
        occupancy=arr(occ),
        p_abandon=arr(0.0),
        unstable=np.asarray(unstable, dtype=np.bool_),
    )


def _c_figures(a: FloatArray, h: FloatArray, n: IntArray, t: FloatArray) -> QueueFigures:
    nf = n.astype(np.float64)
    c = _erlang_c(n, a)
    unstable = (a > 0) & (a >= nf)
    idle = a == 0
    gap = np.where(unstable, 1.0, nf - a)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        decay = np.exp(-gap * (t / h))
        sl = np.where(unstable, 0.0, 1.0 - c * decay)
        asa = np.where(unstable, np.inf, c * h / gap)
        occ = np.where(nf > 0, np.minimum(a / np.where(nf > 0, nf, 1.0), 1.0), 0.0)
    sl = np.where(idle, 1.0, np.clip(sl, 0.0, 1.0))
    asa = np.where(idle, 0.0, asa)
    return QueueFigures(
        model="erlang-c",
        traffic_erlangs=a,
        agents=n,
        p_wait=c,
        service_level=sl,
        asa_s=asa,
        occupancy=occ,
        p_abandon=np.zeros_like(a),
        unstable=unstable,
    )


# --- Erlang A (M/M/n+M) --------------------------------------------------------------
#
# With service rate mu = 1/aht and abandonment rate theta = 1/patience, the queue part of
# the birth-death chain depends on x = n mu / theta and y = lambda / theta. Its weights are
# t_k = prod_{i=1..k} y / (x + i) and their sum is J(x, y) = sum_k t_k
# = Gamma(x + 1) e^y y^-x P(x, y) with P the regularised lower incomplete gamma function.


def _j_series(x: FloatArray, y: FloatArray) -> tuple[FloatArray, FloatArray]:
    """sum_{k>=1} t_k and sum_{k>=1} k t_k by direct summation, for y well below x + 1."""
    t = np.ones_like(x)
    jm1 = np.zeros_like(x)
    kk = np.zeros_like(x)
    for k in range(1, _MAX_SERIES_TERMS):
        t = t * (y / (x + k))
        jm1 = jm1 + t
        kk = kk + k * t
        if np.all(t <= _SERIES_EPS * (1.0 + jm1)) and np.all(k * t <= _SERIES_EPS * kk + 1e-300):
            return jm1, kk
    raise ArithmeticError("Erlang A series did not converge")  # pragma: no cover


@dataclass(frozen=True)
class _ACore:
    x: FloatArray
    y: FloatArray
    series: BoolArray  # which elements use the direct series rather than P(x, y)
    log_j: FloatArray
    jm1: FloatArray  # J - 1 where series, else unused
    p_wait: FloatArray
    p_ab_given_wait: FloatArray


def _a_core(n: FloatArray, a: FloatArray, x: FloatArray, y: FloatArray) -> _ACore:
    """Erlang A for n >= 1 and a > 0: P(wait) and P(abandon | wait)."""
    p = special.gammainc(x, y)
    series = (y <= 0.5 * x) | (p < _TINY)
    log_j = np.empty_like(x)
    jm1 = np.zeros_like(x)
    kk = np.zeros_like(x)
    if np.any(series):
        jm1_s, kk_s = _j_series(x[series], y[series])
        jm1[series] = jm1_s
        kk[series] = kk_s
        log_j[series] = np.log1p(jm1_s)
    g = ~series
    if np.any(g):
        log_j[g] = np.log(p[g]) - log_poisson_pmf(x[g], y[g])
    # P(wait) = B J / (1 + B (J - 1)) = 1 / (1 + n / (a B(n - 1, a) J)), all in logs.
    log_ratio = np.log(n) - np.log(a) - log_erlang_b(n - 1.0, a) - log_j
    p_wait = np.asarray(special.expit(-log_ratio), dtype=np.float64)
    with np.errstate(over="ignore"):
        inv_j = np.exp(-log_j)
    # P(abandon | wait) = (y - x + x / J) / y; the series form sum k t_k / (y J) is free of
    # the cancellation between y - x and x / J when the queue is short.
    pab = np.where(series, kk * inv_j / y, ((y - x) + x * inv_j) / y)
    return _ACore(
        x=x,
        y=y,
        series=series,
        log_j=log_j,
        jm1=jm1,
        p_wait=p_wait,
        p_ab_given_wait=np.clip(pab, 0.0, 1.0),
    )


def _a_answered_within(core: _ACore, theta_t: FloatArray) -> FloatArray:
    """P(answered within t | wait): callers who wait, are answered and waited at most t."""
    x, y = core.x, core.y
    out = np.zeros_like(x)
    z0 = np.exp(-theta_t)
    u = y * z0
    g = (~core.series) & (theta_t > 0)
    if np.any(g):
        xg, yg, ug = x[g], y[g], u[g]
        # Offered wait V: given V > 0, y e^{-theta V} is Gamma(x) truncated to [0, y], so
        # P(answered, V <= t | V > 0) = (x / y) [P(x+1, y) - P(x+1, y e^{-theta t})] / P(x, y).
        upper = ug > xg + 1.0
        diff = np.where(
            upper,
            special.gammaincc(xg + 1.0, ug) - special.gammaincc(xg + 1.0, yg),
            special.gammainc(xg + 1.0, yg) - special.gammainc(xg + 1.0, ug),
        )
        out[g] = (xg / yg) * diff / special.gammainc(xg, yg)
    s = core.series & (theta_t > 0)
    if np.any(s):
        xs, ys, us, ts = x[s], y[s], u[s], theta_t[s]
        jm1_u, _ = _j_series(xs + 1.0, us)
        # Same quantity divided through by y^x e^-y / Gamma(x + 1), which is what
        # underflows when the regularised form is unusable.
        scale = np.exp(ys - us - xs * ts)
        tail = (us / (xs + 1.0)) * scale * (1.0 + jm1_u)
        jm1 = core.jm1[s]
        # As traffic vanishes, x / y overflows while the product stays finite. In that
        # limit a waiting caller is alone in the queue: answered when the first of n busy
        # agents frees (rate n mu) before giving up (rate theta), i.e.
        # x / (x + 1) * (1 - e^{-(x + 1) theta t}).
        alone = ys < _VANISHING_TRAFFIC
        res = np.empty_like(xs)
        res[alone] = xs[alone] / (xs[alone] + 1.0) * -np.expm1(-(xs[alone] + 1.0) * ts[alone])
        k = ~alone
        res[k] = (xs[k] / ys[k]) * (jm1[k] - tail[k]) / (1.0 + jm1[k])
        out[s] = res
    return np.clip(out, 0.0, 1.0)


def _a_answered_wait_ratio(x: float, y: float) -> float:
    """sum_{k>=1} t_k H_k / sum_{k>=0} t_k, with H_k = sum_{i=1..k} 1/(x + i).

    Summed over the window of k that carries the weight (the weights are a Poisson-like
    bump around k = y - x, or a geometric tail from k = 0), so every term is positive and
    nothing cancels.
    """
    if y <= 0.0:
        return 0.0
    mode = max(0.0, math.floor(y - x))
    half = math.ceil(10.0 * math.sqrt(y) + 10.0)
    lo = int(max(0.0, mode - half))
    hi = int(mode + half)
    while True:
        k = np.arange(lo, hi + 1, dtype=np.float64)
        steps = np.log(y / (x + k[1:]))
        log_t = np.concatenate(([0.0], np.cumsum(steps)))
        top = float(log_t.max())
        if log_t[-1] > top - 46.0:
            hi = hi + (hi - lo) + 16
            continue
        if lo > 0 and log_t[0] > top - 46.0:
            lo = max(0, lo - (hi - lo))
            continue
        break
    w = np.exp(log_t - top)
    h_lo = 0.0 if lo == 0 else float(special.digamma(x + lo + 1.0) - special.digamma(x + 1.0))
    h = h_lo + np.concatenate(([0.0], np.cumsum(1.0 / (x + k[1:]))))
    return float(np.dot(w, h) / w.sum())


def erlang_a_figures(
    *,
    calls: ArrayLike,
    interval_s: ArrayLike,
    aht_s: ArrayLike,
    agents: ArrayLike,
    answer_time_s: ArrayLike,
    patience_s: ArrayLike,
    with_asa: bool = True,
) -> QueueFigures:
    """Erlang A (M/M/n+M: callers give up after an exponential patience of mean
    ``patience_s``) figures for each interval.

    ``service_level`` counts calls answered within the answer time over all offered calls;
    ``asa_s`` is the mean wait of answered calls. The queue is stable for any staffing
    because callers leave. ``with_asa=False`` skips the mean wait (the one figure that
    needs a sum over queue lengths) and reports ``nan`` for it.
    """
    a = traffic_erlangs(calls=calls, interval_s=interval_s, aht_s=aht_s)
    h = as_positive_array("aht_s", aht_s)
    n = as_agents_array(agents)
    t = as_float_array("answer_time_s", answer_time_s)
    pat = as_positive_array("patience_s", patience_s)
    a, h, n, t, pat = np.broadcast_arrays(a, h, n, t, pat)
    return _a_figures(a, h, n, t, pat, with_asa=with_asa)


def _a_figures(
    a: FloatArray,
    h: FloatArray,
    n: IntArray,
    t: FloatArray,
    pat: FloatArray,
    *,
    with_asa: bool,
) -> QueueFigures:
    shape = a.shape
    a, h, t, pat = np.ravel(a), np.ravel(h), np.ravel(t), np.ravel(pat)
    n = np.ravel(n)
    nf = n.astype(np.float64)
    p_wait = np.where(a > 0, 1.0, 0.0)
    p_ab = np.where(a > 0, 1.0, 0.0)
    sl = np.where(a > 0, 0.0, 1.0)
    asa = np.where(a > 0, np.nan, 0.0)
    live = (a > 0) & (n > 0)
    if np.any(live):
        al, hl, nl, tl, pl = a[live], h[live], nf[live], t[live], pat[live]
        x = nl * (pl / hl)
        y = al * (pl / hl)
        core = _a_core(nl, al, x, y)
        pw = core.p_wait
        within = _a_answered_within(core, tl / pl)
        p_wait[live] = pw
        p_ab[live] = pw * core.p_ab_given_wait
        sl[live] = np.clip((1.0 - pw) + pw * within, 0.0, 1.0)
        if with_asa:
            ratio = np.array(
                [_a_answered_wait_ratio(float(xi), float(yi)) for xi, yi in zip(x, y, strict=True)]
            )
            served = 1.0 - p_ab[live]
            # ratio ~ y / (x + 1)^2 as traffic vanishes; take the limit rather than
            # dividing two numbers that underflow together.
            alone = y < _VANISHING_TRAFFIC
            per_y = np.where(alone, 1.0 / (x + 1.0) ** 2, ratio / np.where(alone, 1.0, y))
            waited_answered = pw * x * pl * per_y
            asa[live] = np.where(
                served > 0, waited_answered / np.where(served > 0, served, 1.0), np.nan
            )
        else:
            asa[live] = np.nan
    carried = a * (1.0 - p_ab)
    occ = np.where(nf > 0, np.minimum(carried / np.where(nf > 0, nf, 1.0), 1.0), 0.0)
    return QueueFigures(
        model="erlang-a",
        traffic_erlangs=a.reshape(shape),
        agents=n.reshape(shape),
        p_wait=p_wait.reshape(shape),
        service_level=sl.reshape(shape),
        asa_s=asa.reshape(shape),
        occupancy=occ.reshape(shape),
        p_abandon=p_ab.reshape(shape),
        unstable=np.zeros(shape, dtype=np.bool_),
    )


# --- scalar forms --------------------------------------------------------------------
#
# One interval at a time (a calculator, a search for one queue) pays NumPy's per-call
# overhead dozens of times over; these are the same formulas on Python floats.


def _log_poisson_pmf1(k: float, mu: float) -> float:
    if k < 15.0:
        return (k * math.log(mu) if k > 0 else 0.0) - mu - math.lgamma(k + 1.0)
    k2 = k * k
    stirlerr = (1 / 12 - (1 / 360 - (1 / 1260 - (1 / 1680 - 1 / (1188 * k2)) / k2) / k2) / k2) / k
    d = k - mu
    if abs(d) < 0.1 * (k + mu):
        v = d / (k + mu)
        s = d * v
        ej = 2.0 * k * v
        v2 = v * v
        j = 1
        while True:
            ej *= v2
            s1 = s + ej / (2 * j + 1)
            if s1 == s:
                break
            s = s1
            j += 1
        bd0 = s
    else:
        bd0 = k * math.log(k / mu) + mu - k
    return -0.5 * (_LOG_2PI + math.log(k)) - stirlerr - bd0


def log_erlang_b1(n: int, a: float) -> float:
    """log B(n, a) for one whole n >= 0 and a > 0 (scalar form of :func:`log_erlang_b`)."""
    q = float(special.gammaincc(n + 1.0, a))
    if q >= _TINY:
        return _log_poisson_pmf1(float(n), a) - math.log(q)
    term = total = 1.0
    m = 1
    while m <= n:
        term *= (n - m + 1) / a
        total += term
        if term <= _SERIES_EPS * total:
            break
        m += 1
    return -math.log(total)


def erlang_c1(n: int, a: float) -> float:
    """Erlang C for one interval: probability of waiting, 1 when ``a >= n``."""
    if a <= 0.0:
        return 0.0
    if a >= n:
        return 1.0
    b = math.exp(log_erlang_b1(n, a))
    return min(1.0, b / ((n - a) / n + (a / n) * b))
