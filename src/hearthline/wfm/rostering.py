"""Shifts from a staffing plan: a mixed-integer program over candidate shifts, solved by
HiGHS (``highspy``).

For each skill group, the candidates are every start on the plan's grid (where agents
are needed) times every allowed length times a few placements of the breaks. With
``x_s`` the number of shifts of candidate ``s`` and ``u_t`` the agents missing in
interval ``t``:

    minimise   W · Σ_t u_t  +  Σ_s paid_hours(s) · x_s
    subject to Σ_s cover(s, t) · x_s + u_t >= required_t      every interval t
               and for every set L of shift lengths, over the agents allowed any of L:
               Σ_{s of L on day d} x_s <= those agents                    every day d
               Σ_{s of L in week w} x_s <= Σ their most days a week        every week w
               Σ_{s of L in week w} paid_hours(s) · x_s <= Σ their hours   every week w
               x_s integer >= 0, u_t >= 0

``cover(s, t)`` is the share of interval ``t`` the shift works (a 15-minute break takes
half of a 30-minute interval). ``W`` is larger than the paid hours of any shift, so a
shift that removes an interval of under-cover is always worth its cost: under-cover
first, cost second. The LP lower bound on under-cover is the same model, relaxed, with
under-cover alone as the objective; the gap is how far the integer schedule is above it.

The search runs in two phases over a request's groups: under-cover alone (for the groups
whose greedy start is above their bound), whose MIP dual bound is the solver's proven
bound (``mip_bound``: tighter than the LP's where the relaxation is weak), then the
weighted objective with under-cover held where it is.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import highspy
import numpy as np
import scipy.sparse

from hearthline.wfm.contracts import HOUR, Break, BreakRule, Contract, Shift, fits, week_of

UNDER_COVER_WEIGHT = 100.0


@dataclass(frozen=True, slots=True)
class Need:
    """Agents required per interval for one skill group, from ``start`` (UTC seconds)."""

    group: str
    start: float
    interval_s: float
    required: tuple[float, ...]


@dataclass(frozen=True, slots=True)
class ShiftRules:
    lengths_h: tuple[float, ...] = (8.0,)
    breaks: tuple[BreakRule, ...] = ()
    # Starts every this many intervals; placements of the breaks tried per shift.
    start_step: int = 1
    break_placements: int = 3
    # Per group: the solver stops there with the best schedule found (status says so).
    time_limit_s: float = 10.0
    mip_rel_gap: float = 0.01


@dataclass(frozen=True, slots=True)
class Capacity:
    """What a group's agents can work: per kind of contract (the shift lengths it
    allows), the agents, their days and their hours a week at most."""

    kinds: tuple[tuple[frozenset[float], int, int, float], ...]

    @classmethod
    def of(cls, contracts: Sequence[Contract]) -> Capacity:
        kinds: dict[frozenset[float], tuple[int, int, float]] = {}
        for c in contracts:
            n, days, hours = kinds.get(frozenset(c.shift_lengths_h), (0, 0, 0.0))
            kinds[frozenset(c.shift_lengths_h)] = (
                n + 1,
                days + c.max_days_week,
                hours + c.max_week_h,
            )
        return cls(tuple((k, *v) for k, v in sorted(kinds.items(), key=lambda kv: sorted(kv[0]))))

    @classmethod
    def uniform(cls, agents: int, *, week_shifts: int, week_hours: float) -> Capacity:
        """Agents who may work any length."""
        return cls(((frozenset(), agents, week_shifts, week_hours),))

    def for_lengths(self, lengths_h: frozenset[float]) -> tuple[int, int, float]:
        """(agents, shifts a week, hours a week) of those who may work any of
        ``lengths_h``: shifts of those lengths can go to no one else."""
        agents = days = 0
        hours = 0.0
        for allowed, n, d, h in self.kinds:
            if not allowed or any(abs(a - b) < 1e-9 for a in allowed for b in lengths_h):
                agents, days, hours = agents + n, days + d, hours + h
        return agents, days, hours


@dataclass(frozen=True, slots=True)
class GroupRoster:
    group: str
    shifts: tuple[Shift, ...]
    required: tuple[float, ...]
    cover: tuple[float, ...]
    under_cover: float
    lp_under_cover: float
    # The best proven lower bound: HiGHS's dual bound of the under-cover MIP (or the LP
    # bound rounded up to the step under-cover comes in), never below the LP bound.
    mip_bound: float
    paid_hours: float
    status: str
    mip_gap: float
    # Spent on this group: wall time (what the limits count) and CPU time.
    wall_s: float = 0.0
    cpu_s: float = 0.0

    @property
    def required_total(self) -> float:
        return float(sum(self.required))


@dataclass(frozen=True, slots=True)
class Roster:
    groups: tuple[GroupRoster, ...]
    seconds: float

    @property
    def shifts(self) -> tuple[Shift, ...]:
        return tuple(s for g in self.groups for s in g.shifts)

    @property
    def under_cover(self) -> float:
        return sum(g.under_cover for g in self.groups)

    @property
    def lp_under_cover(self) -> float:
        return sum(g.lp_under_cover for g in self.groups)

    @property
    def mip_bound(self) -> float:
        return sum(g.mip_bound for g in self.groups)

    @property
    def required_total(self) -> float:
        return sum(g.required_total for g in self.groups)

    @property
    def gap(self) -> float:
        """Under-cover above the LP bound, as a share of all the agent-intervals required."""
        total = self.required_total
        return (self.under_cover - self.lp_under_cover) / total if total else 0.0


@dataclass(frozen=True, slots=True)
class _Candidate:
    start: int
    length: int
    breaks: tuple[tuple[float, float, BreakRule], ...]  # offsets in seconds from the start
    cover: np.ndarray
    paid_h: float


def _placements(
    rules: Sequence[BreakRule], length_s: float, step_s: float, n: int
) -> list[tuple[tuple[float, float, BreakRule], ...]]:
    """Up to ``n`` placements of the breaks: each break at the same relative point of
    its allowed span, on the interval grid, breaks in order of their rules."""
    if not rules:
        return [()]
    out: list[tuple[tuple[float, float, BreakRule], ...]] = []
    for k in range(n):
        placed: list[tuple[float, float, BreakRule]] = []
        for rule in rules:
            lo, hi = rule.earliest_s, length_s - rule.latest_s - rule.length_s
            if hi < lo:
                return []
            at = lo + (hi - lo) * (k / (n - 1) if n > 1 else 0.5)
            at = min(hi, max(lo, round(at / step_s) * step_s))
            if at < lo:
                at = lo
            placed.append((at, at + rule.length_s, rule))
        spans = sorted((a, b) for a, b, _ in placed)
        if all(spans[i][1] <= spans[i + 1][0] for i in range(len(spans) - 1)):
            out.append(tuple(placed))
    return list(dict.fromkeys(out))


def _candidates(need: Need, rules: ShiftRules) -> list[_Candidate]:
    step = need.interval_s
    n = len(need.required)
    req = np.asarray(need.required, dtype=float)
    out = []
    for length_h in rules.lengths_h:
        length = round(length_h * HOUR / step)
        if length <= 0 or abs(length * step - length_h * HOUR) > 1e-6:
            raise ValueError(f"a {length_h:g} h shift is not a whole number of intervals")
        brules = [b for b in rules.breaks if length_h * HOUR >= b.min_shift_s]
        for placed in _placements(brules, length * step, step, rules.break_placements):
            for start in range(0, n - length + 1, rules.start_step):
                if req[start] <= 0:
                    continue
                cover = np.ones(length)
                for a, b, _ in placed:
                    for t in range(int(a // step), min(length, int(np.ceil(b / step)))):
                        overlap = min(b, (t + 1) * step) - max(a, t * step)
                        cover[t] -= max(overlap, 0.0) / step
                unpaid = sum(b - a for a, b, r in placed if not r.paid)
                out.append(
                    _Candidate(start, length, placed, cover, (length * step - unpaid) / HOUR)
                )
    return out


def _bucket(at: float, tz: ZoneInfo) -> tuple[dt.date, dt.date]:
    day = dt.datetime.fromtimestamp(at, tz=tz).date()
    return day, week_of(day)


def _model(
    need: Need, cands: Sequence[_Candidate], cap: Capacity, tz: ZoneInfo, *, lp_bound: bool
) -> highspy.HighsLp:
    n_t = len(need.required)
    days: dict[dt.date, int] = {}
    weeks: dict[dt.date, int] = {}
    keys = [_bucket(need.start + c.start * need.interval_s, tz) for c in cands]
    for day, week in keys:
        days.setdefault(day, len(days))
        weeks.setdefault(week, len(weeks))
    # For every set of shift lengths, the shifts of those lengths a day and a week, and
    # their hours, within what the agents allowed any of them can work (Hall's condition,
    # in aggregate: shifts only part-timers may work are bounded by the part-timers).
    lengths = sorted({c.length for c in cands})
    subsets = [
        frozenset(x for i, x in enumerate(lengths) if mask >> i & 1)
        for mask in range(1, 2 ** len(lengths))
    ]
    per_row = len(days) + 2 * len(weeks)
    starts, index, value = [0], [], []
    cost = []
    for c, (day, week) in zip(cands, keys, strict=True):
        rows = [c.start + t for t in range(c.length) if c.cover[t] > 0]
        index += rows
        value += [float(c.cover[r - c.start]) for r in rows]
        for k, subset in enumerate(subsets):
            if c.length in subset:
                base = n_t + k * per_row
                index += [base + days[day], base + len(days) + weeks[week]]
                index.append(base + len(days) + len(weeks) + weeks[week])
                value += [1.0, 1.0, c.paid_h]
        starts.append(len(index))
        cost.append(0.0 if lp_bound else c.paid_h)
    for t in range(n_t):  # under-cover of each interval
        index.append(t)
        value.append(1.0)
        starts.append(len(index))
        cost.append(1.0 if lp_bound else UNDER_COVER_WEIGHT)
    inf = highspy.kHighsInf
    n_rows = n_t + len(subsets) * per_row
    lp = highspy.HighsLp()
    lp.num_col_ = len(cands) + n_t
    lp.num_row_ = n_rows
    lp.col_cost_ = np.asarray(cost)
    lp.col_lower_ = np.zeros(lp.num_col_)
    lp.col_upper_ = np.full(lp.num_col_, inf)
    lp.row_lower_ = np.concatenate([np.asarray(need.required, float), np.full(n_rows - n_t, -inf)])
    upper = [np.full(n_t, inf)]
    for subset in subsets:
        agents, week_shifts, week_hours = cap.for_lengths(
            frozenset(n * need.interval_s / HOUR for n in subset)
        )
        upper += [
            np.full(len(days), float(agents)),
            np.full(len(weeks), float(week_shifts)),
            np.full(len(weeks), week_hours),
        ]
    lp.row_upper_ = np.concatenate(upper)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = np.asarray(starts, dtype=np.int32)
    lp.a_matrix_.index_ = np.asarray(index, dtype=np.int32)
    lp.a_matrix_.value_ = np.asarray(value, dtype=float)
    if not lp_bound:
        lp.integrality_ = [highspy.HighsVarType.kInteger] * len(cands) + [
            highspy.HighsVarType.kContinuous
        ] * n_t
    return lp


def _matrix(lp: highspy.HighsLp) -> scipy.sparse.csc_matrix:
    return scipy.sparse.csc_matrix(
        (lp.a_matrix_.value_, lp.a_matrix_.index_, lp.a_matrix_.start_),
        shape=(lp.num_row_, lp.num_col_),
    )


def _greedy(
    lp: highspy.HighsLp,
    counts: np.ndarray,
    cands: Sequence[_Candidate],
    n_t: int,
    *,
    until: float,
) -> np.ndarray:
    """Shifts added one at a time to ``counts`` (which fit every limit), each the one
    that removes the most under-cover (the fewer paid hours on a tie) among those that
    still fit every limit; until none does, or the clock (``time.monotonic``) passes
    ``until``: every step keeps the limits, so it may stop anywhere."""
    n = len(cands)
    a = _matrix(lp)[:, :n]
    # Each shift's cover as its own row of intervals (a matrix of all intervals would not
    # fit in memory for long plans), and its limits as (row, amount); both padded with a
    # slot that never binds.
    first = np.asarray([c.start for c in cands])
    length = np.asarray([c.length for c in cands])
    span = np.arange(int(length.max()))
    slots = np.where(span < length[:, None], first[:, None] + span, n_t)
    cover = np.zeros(slots.shape)
    for j, c in enumerate(cands):
        cover[j, : c.length] = c.cover
    limits = a[n_t:].tocsc()
    slack = np.append(np.asarray(lp.row_upper_)[n_t:] + 1e-9 - limits @ counts, np.inf)
    width = int(np.diff(limits.indptr).max(initial=0))
    rows = np.full((n, width), slack.size - 1)
    amounts = np.zeros((n, width))
    for j in range(n):
        lo, hi = limits.indptr[j], limits.indptr[j + 1]
        rows[j, : hi - lo] = limits.indices[lo:hi]
        amounts[j, : hi - lo] = limits.data[lo:hi]
    counts = counts.copy()
    short = np.append(np.maximum(np.asarray(lp.row_lower_)[:n_t] - a[:n_t] @ counts, 0.0), 0.0)
    last = first + length
    hours = np.asarray([c.paid_h for c in cands])
    gain = np.minimum(cover, short[slots]).sum(axis=1)
    while time.monotonic() < until:
        fit = np.all(amounts <= slack[rows], axis=1) & (gain > 1e-9)
        if not fit.any():
            break
        j = int(np.argmax(np.where(fit, gain - 1e-6 * hours, -np.inf)))
        counts[j] += 1
        slack[rows[j]] -= amounts[j]
        short[slots[j]] = np.maximum(short[slots[j]] - cover[j], 0.0)
        near = (first < last[j]) & (last > first[j])  # only their gains change
        gain[near] = np.minimum(cover[near], short[slots[near]]).sum(axis=1)
    return counts


def _with_under_cover(lp: highspy.HighsLp, counts: np.ndarray, n_t: int) -> np.ndarray:
    cover = _matrix(lp)[:n_t, : counts.size] @ counts
    short = np.maximum(np.asarray(lp.row_lower_)[:n_t] - cover, 0.0)
    return np.concatenate([counts, short])


def _solve(
    lp: highspy.HighsLp,
    *,
    time_limit_s: float,
    gap: float,
    abs_gap: float = 1e-6,
    start: np.ndarray | None = None,
) -> tuple[np.ndarray, str, float, float]:
    """The solution, HiGHS's status, its MIP gap and its dual bound (the objective no
    solution can beat; an LP's own optimum)."""
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("time_limit", max(float(time_limit_s), 0.01))
    h.setOptionValue("mip_rel_gap", float(gap))
    h.setOptionValue("mip_abs_gap", float(abs_gap))
    h.setOptionValue("threads", 1)
    h.passModel(lp)
    if start is not None:
        given = highspy.HighsSolution()
        given.col_value = list(start)
        given.value_valid = True
        h.setSolution(given)
    h.run()
    status = h.modelStatusToString(h.getModelStatus())
    x = np.asarray(h.getSolution().col_value, dtype=float)
    info = h.getInfo()
    if x.size != lp.num_col_ or info.primal_solution_status != 2:  # 2: feasible
        x = np.empty(0)  # none found in the time: the caller keeps what it had
    if len(lp.integrality_):
        return x, status, float(info.mip_gap), float(info.mip_dual_bound)
    return x, status, 0.0, float(info.objective_function_value)


@dataclass(slots=True)
class _Group:
    """One group's model between the phases of the search."""

    need: Need
    cands: list[_Candidate]
    lp: highspy.HighsLp  # the MIP: under-cover weighted, then paid hours
    step: float  # under-cover comes in multiples of this (0: no such step)
    lp_bound: float
    bound: float  # the best proven lower bound on under-cover so far
    x: np.ndarray  # the best schedule so far, with its under-cover
    status: str = "Optimal"
    mip_gap: float = 0.0
    wall_s: float = 0.0
    cpu_s: float = 0.0

    @property
    def n_t(self) -> int:
        return len(self.need.required)

    @property
    def under(self) -> float:
        return float(self.x[len(self.cands) :].sum())

    @property
    def excess(self) -> float:
        """What the schedule so far may still be above the best possible."""
        return max(self.under - self.bound, 0.0)


def _step(need: Need, cands: Sequence[_Candidate]) -> float:
    """0.5 when the requirement and every shift's cover are in halves of an interval
    (then so is any schedule's under-cover, and a bound rounds up to the next half)."""
    values = np.concatenate([np.asarray(need.required, float), *(c.cover for c in cands)])
    return 0.5 if np.allclose(values * 2, np.rint(values * 2)) else 0.0


def _round_up(bound: float, step: float) -> float:
    bound = max(bound, 0.0) + 0.0  # under-cover is never negative (and never -0.0)
    return float(np.ceil(bound / step - 1e-6) * step) + 0.0 if step else bound


def _prepare(need: Need, rules: ShiftRules, cap: Capacity, tz: ZoneInfo) -> _Group | None:
    """The model, its LP bound on under-cover, and a schedule to start from: the
    under-cover LP's shifts rounded down (every limit bounds non-negative terms, so that
    always fits) then topped up greedily."""
    cands = _candidates(need, rules)
    if not cands:
        return None
    n_t = len(need.required)
    mip = _model(need, cands, cap, tz, lp_bound=False)
    bound_lp = _model_copy(mip)  # the same rows, relaxed, under-cover alone
    bound_lp.integrality_ = []
    bound_lp.col_cost_ = np.concatenate([np.zeros(len(cands)), np.ones(n_t)])
    bound_x, status, _, lp_bound = _solve(bound_lp, time_limit_s=rules.time_limit_s, gap=0.0)
    if not bound_x.size:
        raise RuntimeError(f"the solver found no bound ({status})")
    until = time.monotonic() + rules.time_limit_s / 2  # for the greedy start
    step = _step(need, cands)
    floor = np.floor(bound_x[: len(cands)] + 1e-9)
    x = _with_under_cover(mip, _greedy(mip, floor, cands, n_t, until=until), n_t)
    bound = _round_up(max(lp_bound, 0.0), step)
    return _Group(need, cands, mip, step, lp_bound, bound, x)


def _cover_first(g: _Group, time_limit_s: float) -> None:
    """Under-cover alone: stops when no schedule can be a step better (proven by HiGHS's
    dual bound) or at the time limit, keeping the schedule so far if it found none better.
    HiGHS is not given that schedule: its own heuristics from the LP alone did better (the
    tech group of the bench: 270 in 6 s CPU without it, still 313 with it)."""
    lp = _model_copy(g.lp)
    lp.col_cost_ = np.concatenate([np.zeros(len(g.cands)), np.ones(g.n_t)])
    x, status, _, dual = _solve(
        lp, time_limit_s=time_limit_s, gap=0.0, abs_gap=max(g.step - 1e-6, 1e-6)
    )
    g.bound = max(g.bound, _round_up(dual, g.step))
    if x.size and float(x[len(g.cands) :].sum()) <= g.under + 1e-9:
        g.x = _with_under_cover(g.lp, np.rint(x[: len(g.cands)]), g.n_t)
    if status != "Optimal":
        g.status = status


def _cost_second(g: _Group, time_limit_s: float, gap: float) -> None:
    """Paid hours, with under-cover held at most where it is."""
    lp = _model_copy(g.lp)
    n = lp.num_col_
    a = _matrix(lp)
    lp.num_row_ += 1
    lp.row_lower_ = np.append(np.asarray(lp.row_lower_), -highspy.kHighsInf)
    lp.row_upper_ = np.append(np.asarray(lp.row_upper_), g.under + 1e-6)
    extra = scipy.sparse.csc_matrix(
        (np.ones(g.n_t), (np.zeros(g.n_t, int), np.arange(n - g.n_t, n))), shape=(1, n)
    )
    a = scipy.sparse.vstack([a, extra]).tocsc()
    lp.a_matrix_.start_ = a.indptr.astype(np.int32)
    lp.a_matrix_.index_ = a.indices.astype(np.int32)
    lp.a_matrix_.value_ = a.data.astype(float)
    x, status, mip_gap, _ = _solve(lp, time_limit_s=time_limit_s, gap=gap, start=g.x)
    if not x.size:
        g.mip_gap = 1.0
        g.status = status if g.status == "Optimal" else g.status
        return
    counts = np.rint(x[: len(g.cands)])
    better = _with_under_cover(g.lp, counts, g.n_t)
    cost = np.asarray(g.lp.col_cost_)
    if float(better[len(g.cands) :].sum()) <= g.under + 1e-9 and cost @ better <= cost @ g.x:
        g.x = better
    # Infinite when the time ran out before the root's bound (JSON has no infinity).
    g.mip_gap = mip_gap if np.isfinite(mip_gap) else 1.0
    if g.status == "Optimal":
        g.status = status


def _model_copy(lp: highspy.HighsLp) -> highspy.HighsLp:
    out = highspy.HighsLp()
    out.num_col_, out.num_row_ = lp.num_col_, lp.num_row_
    out.col_cost_ = np.asarray(lp.col_cost_).copy()
    out.col_lower_ = np.asarray(lp.col_lower_).copy()
    out.col_upper_ = np.asarray(lp.col_upper_).copy()
    out.row_lower_ = np.asarray(lp.row_lower_).copy()
    out.row_upper_ = np.asarray(lp.row_upper_).copy()
    out.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    out.a_matrix_.start_ = np.asarray(lp.a_matrix_.start_).copy()
    out.a_matrix_.index_ = np.asarray(lp.a_matrix_.index_).copy()
    out.a_matrix_.value_ = np.asarray(lp.a_matrix_.value_).copy()
    out.integrality_ = list(lp.integrality_)
    return out


def _result(g: _Group) -> GroupRoster:
    need = g.need
    counts = np.rint(g.x[: len(g.cands)]).astype(int)
    cover = np.zeros(g.n_t)
    shifts: list[Shift] = []
    paid = 0.0
    for c, k in zip(g.cands, counts, strict=True):
        if k <= 0:
            continue
        cover[c.start : c.start + c.length] += k * c.cover
        paid += k * c.paid_h
        t0 = need.start + c.start * need.interval_s
        breaks = tuple(Break(t0 + a, t0 + b, r.paid, r.reason) for a, b, r in c.breaks)
        for i in range(k):
            ident = f"{need.group}-{int(t0)}-{c.length}-{len(shifts)}-{i}"
            shifts.append(Shift(ident, need.group, t0, t0 + c.length * need.interval_s, breaks))
    required = tuple(float(r) for r in need.required)
    under = float(np.maximum(np.asarray(required) - cover, 0.0).sum())
    return GroupRoster(
        group=need.group,
        shifts=tuple(shifts),
        required=required,
        cover=tuple(float(v) for v in cover),
        under_cover=under,
        lp_under_cover=min(g.lp_bound, under),
        mip_bound=min(g.bound, under),
        paid_hours=paid,
        status=g.status,
        mip_gap=g.mip_gap,
        wall_s=g.wall_s,
        cpu_s=g.cpu_s,
    )


def _empty(need: Need) -> GroupRoster:
    required = tuple(float(r) for r in need.required)
    total = sum(required)
    return GroupRoster(
        need.group,
        (),
        required,
        (0.0,) * len(required),
        total,
        total,
        total,
        0.0,
        "no candidates",
        0.0,
    )


# Of a request's time, the share the under-cover phase may take (the groups that need it,
# the ones furthest from their bound the longest); the rest, and whatever it leaves, goes
# to the cost.
COVER_SHARE = 0.9


def roster_group(need: Need, rules: ShiftRules, cap: Capacity, *, tz: ZoneInfo) -> GroupRoster:
    """The shifts of one skill group that cover ``need`` best, then cheapest."""
    return _roster([need], rules, [cap], tz=tz)[0]


def _roster(
    needs: Sequence[Need], rules: ShiftRules, caps: Sequence[Capacity], *, tz: ZoneInfo
) -> list[GroupRoster]:
    deadline = time.monotonic() + rules.time_limit_s * len(needs)
    prepared = []
    for need, cap in zip(needs, caps, strict=True):
        wall, cpu = time.monotonic(), time.process_time()
        g = _prepare(need, rules, cap, tz)
        if g is not None:
            g.wall_s, g.cpu_s = time.monotonic() - wall, time.process_time() - cpu
        prepared.append(g)
    groups = [g for g in prepared if g is not None]
    # Under-cover first, for the groups above their bound.
    hard = sorted((g for g in groups if g.excess > 1e-9), key=lambda g: g.excess)
    cover_until = time.monotonic() + COVER_SHARE * max(deadline - time.monotonic(), 0.0)
    for i, g in enumerate(hard):
        # An even share of what is left: a group done early (proven optimal) leaves its
        # time to the next, and the furthest from its bound comes last.
        left = max(cover_until - time.monotonic(), 0.0)
        wall, cpu = time.monotonic(), time.process_time()
        _cover_first(g, left / (len(hard) - i))
        g.wall_s += time.monotonic() - wall
        g.cpu_s += time.process_time() - cpu
    # Then paid hours, the time left shared evenly.
    for i, g in enumerate(groups):
        left = max(deadline - time.monotonic(), 0.0)
        wall, cpu = time.monotonic(), time.process_time()
        _cost_second(g, left / (len(groups) - i), rules.mip_rel_gap)
        g.wall_s += time.monotonic() - wall
        g.cpu_s += time.process_time() - cpu
    out, found = [], iter(groups)
    for need, g in zip(needs, prepared, strict=True):
        out.append(_empty(need) if g is None else _result(next(found)))
    return out


def roster(
    needs: Sequence[Need], rules: ShiftRules, contracts: Sequence[Contract], *, tz: ZoneInfo
) -> Roster:
    """The shifts for every group's need; each group's capacity is its agents' contracts.
    ``rules.time_limit_s`` is a group's time on average: the request's budget is shared
    by difficulty (see ``_roster``)."""
    began = time.perf_counter()
    caps = [Capacity.of([c for c in contracts if c.group == n.group]) for n in needs]
    return Roster(tuple(_roster(needs, rules, caps, tz=tz)), time.perf_counter() - began)


@dataclass(frozen=True, slots=True)
class Assignment:
    held: dict[str, tuple[Shift, ...]]
    open: tuple[Shift, ...]


def assign(shifts: Sequence[Shift], contracts: Sequence[Contract], *, tz: ZoneInfo) -> Assignment:
    """A proposal: each shift to the agent of its group furthest below their hours who can
    take it within their contract (the same check as a pick); shifts no one can take stay
    open."""
    held: dict[str, list[Shift]] = {c.agent: [] for c in contracts}
    by_group: dict[str, list[Contract]] = {}
    for c in contracts:
        by_group.setdefault(c.group, []).append(c)
    paid = dict.fromkeys(held, 0.0)  # each agent's paid seconds so far, kept as they grow
    left = []
    for shift in sorted(shifts, key=lambda s: (s.start, s.id)):
        ranked = sorted(
            by_group.get(shift.group, ()),
            key=lambda c: (paid[c.agent] / max(c.max_week_h, 1e-9), c.agent),
        )
        for c in ranked:
            if not fits(c, held[c.agent], shift, tz=tz):
                held[c.agent].append(shift)
                paid[c.agent] += shift.paid_s
                break
        else:
            left.append(shift)
    return Assignment({a: tuple(s) for a, s in held.items()}, tuple(left))
