"""From a checked scenario to what the simulation runs: routing configuration, arrival
rates, distributions and the agents' day plans. File reading happens here, once."""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from hearthline.kernel.ids import AgentId, CampaignId, ClientId, QueueId, ReasonId
from hearthline.routing.config import (
    DEFAULT_REASONS,
    AgentProfile,
    CampaignConfig,
    CenterSettings,
    EscalationStep,
    NotReadyReason,
    Overflow,
    QueueConfig,
    RoutingConfig,
    WrapUpMode,
    WrapUpPolicy,
)
from hearthline.routing.errors import ConfigError
from hearthline.routing.skills import compile_requirement
from hearthline.sim.distributions import (
    Constant,
    Distribution,
    Empirical,
    Exponential,
    Lognormal,
    Never,
    PiecewiseRate,
    piecewise,
)
from hearthline.sim.menu_callers import MenuCallers
from hearthline.sim.scenario import (
    AgentGroupSpec,
    ArrivalsSpec,
    BehaviourSpec,
    ConstantSpec,
    EmpiricalSpec,
    ExponentialSpec,
    LognormalSpec,
    MenuSpec,
    NoneSpec,
    QueueSpec,
    Scenario,
    ScenarioError,
    StaffingSpec,
    clock_seconds,
)
from hearthline.voice.menus import Flow, MenuError, check_flow, flow_from_dict

# Agents finishing a contact at the end of their shift go not ready for this, then sign out.
END_OF_SHIFT = ReasonId("end-of-shift")
SIM_REASONS = (*DEFAULT_REASONS, NotReadyReason(END_OF_SHIFT, "End of shift"))


@dataclass(frozen=True, slots=True)
class Behaviour:
    accept: Distribution
    miss_probability: float
    ready_after_miss: Distribution
    drops_per_hour: float
    drop_length: Distribution


@dataclass(frozen=True, slots=True)
class AgentPlan:
    id: str
    # (start, end) of each stretch on duty, in order; end may be inf (to the end of the run).
    shifts: tuple[tuple[float, float], ...]
    # (start, seconds, reason), in order.
    breaks: tuple[tuple[float, float, str], ...]
    behaviour: Behaviour


@dataclass(frozen=True, slots=True)
class QueuePlan:
    id: str
    arrivals: PiecewiseRate
    handle: Distribution
    patience: Distribution
    # For a manual wrap-up: how long agents take before saying they are done.
    wrap_time: Distribution | None
    target_s: float
    priority: int
    # Recorded calls to replay instead of drawn arrivals: (arrival, handle s, patience s).
    trace: tuple[tuple[float, float, float], ...] | None = None
    # The menu callers walk before the queue, and how they walk it.
    menu: tuple[Flow, MenuCallers] | None = None


@dataclass(frozen=True, slots=True)
class Built:
    """Everything a run needs, derived from a scenario."""

    routing: RoutingConfig
    queues: tuple[QueuePlan, ...]
    agents: tuple[AgentPlan, ...]
    # Which agents (by index in ``agents``) may take each queue's contacts.
    queue_agents: dict[str, tuple[int, ...]]
    start: float
    end: float
    interval_s: float
    warmup_end: float
    drain_end: float
    seed: int
    name: str


def build(scenario: Scenario) -> Built:
    """Reads every file the scenario names and derives the run's configuration."""
    sim = scenario.simulation
    start, end = sim.start_s, sim.end_s
    queues = tuple(_queue_plan(scenario, q, start, end) for q in scenario.queues)
    agents: list[AgentPlan] = []
    profiles: list[AgentProfile] = []
    all_campaigns = sorted({q.campaign for q in scenario.queues})
    for n, group in enumerate(scenario.agents, 1):
        behaviour = _behaviour(scenario, group.behaviour or scenario.behaviour)
        planned: list[tuple[tuple[float, float], ...]] | None = None
        if group.staffing is not None:
            planned = _plan_shifts(scenario, group.staffing, start, end, f"agents #{n} staffing")
        ids = group.agent_ids(len(planned) if planned is not None else None)
        for i, ident in enumerate(ids):
            shifts = planned[i] if planned is not None else None
            agents.append(_agent_plan(group, ident, i, len(ids), behaviour, start, end, shifts))
            profiles.append(
                AgentProfile.of(
                    ident, skills=group.skills, campaigns=group.campaigns or all_campaigns
                )
            )
    try:
        routing = RoutingConfig(
            campaigns=tuple(
                CampaignConfig(id=CampaignId(c), client=ClientId(c), name=c) for c in all_campaigns
            ),
            queues=tuple(_queue_config(q) for q in scenario.queues),
            agents=tuple(profiles),
            reasons=SIM_REASONS,
            settings=CenterSettings(connection_grace_s=sim.connection_grace_s),
        )
    except ConfigError as exc:
        raise ScenarioError(f"routing configuration refused: {exc}") from None
    _check_reasons(scenario, routing)
    return Built(
        routing=routing,
        queues=queues,
        agents=tuple(agents),
        queue_agents=_eligibility(routing),
        start=start,
        end=end,
        interval_s=sim.interval_s,
        warmup_end=start + sim.warmup_minutes * 60.0,
        drain_end=end + sim.drain_minutes * 60.0,
        seed=sim.seed,
        name=sim.name,
    )


def _check_reasons(scenario: Scenario, routing: RoutingConfig) -> None:
    known = {r.id for r in routing.reasons}
    for g in scenario.agents:
        for b in g.breaks:
            if b.reason not in known:
                raise ScenarioError(
                    f"break reason {b.reason!r} is not one of: {', '.join(sorted(known))}"
                )


def _eligibility(routing: RoutingConfig) -> dict[str, tuple[int, ...]]:
    out: dict[str, tuple[int, ...]] = {}
    for q in routing.queues:
        admits = compile_requirement(q.requirement)
        out[q.id] = tuple(
            i
            for i, a in enumerate(routing.agents)
            if q.campaign in a.campaigns and admits(a.levels)
        )
    return out


def _queue_config(q: QueueSpec) -> QueueConfig:
    try:
        compile_requirement(q.requirement)
    except ConfigError as exc:
        raise ScenarioError(f"queues {q.id!r}: requirement: {exc}") from None
    mode = WrapUpMode.MANUAL if q.wrap_up.mode == "manual" else WrapUpMode.TIMED
    try:
        steps = tuple(
            EscalationStep(
                after_s=st.after_s,
                requirement=st.requirement,
                priority=st.priority,
                overflow=Overflow.parse(st.overflow) if st.overflow is not None else None,
            )
            for st in q.steps
        )
        return _queue_config_with(q, mode, steps)
    except ConfigError as exc:
        raise ScenarioError(f"queues {q.id!r}: steps: {exc}") from None


def _queue_config_with(
    q: QueueSpec, mode: WrapUpMode, steps: tuple[EscalationStep, ...]
) -> QueueConfig:
    return QueueConfig(
        id=QueueId(q.id),
        campaign=CampaignId(q.campaign),
        name=q.name or q.id,
        requirement=q.requirement,
        steps=steps,
        strategy=q.strategy,
        offer_timeout_s=q.offer_timeout_s,
        wrap_up=WrapUpPolicy(mode=mode, seconds=q.wrap_up.seconds),
        max_length=q.max_length,
        on_full=Overflow.parse(q.on_full),
        max_wait_s=q.max_wait_s,
        on_max_wait=Overflow.parse(q.on_max_wait),
        service_target_s=q.service_target_s,
        expected_handle_s=max(_dist_mean_hint(q), 1.0),
    )


def _dist_mean_hint(q: QueueSpec) -> float:
    h = q.handle_time
    if isinstance(h, ExponentialSpec | LognormalSpec):
        return h.mean_s
    if isinstance(h, ConstantSpec):
        return h.value_s
    return 180.0


def _queue_plan(scenario: Scenario, q: QueueSpec, start: float, end: float) -> QueuePlan:
    where = f"queues {q.id!r}"
    return QueuePlan(
        id=q.id,
        arrivals=_arrivals(scenario, q.arrivals, start, end, where),
        handle=distribution(scenario, q.handle_time, what="handle", where=f"{where} handle_time"),
        patience=distribution(scenario, q.patience, what="patience", where=f"{where} patience"),
        wrap_time=(
            distribution(scenario, q.wrap_up.time, what="handle", where=f"{where} wrap_up.time")
            if q.wrap_up.time is not None and q.wrap_up.mode == "manual"
            else None
        ),
        target_s=q.service_target_s,
        priority=q.priority,
        menu=_menu(scenario, q.menu, where) if q.menu is not None else None,
    )


def _menu(scenario: Scenario, spec: MenuSpec, where: str) -> tuple[Flow, MenuCallers]:
    path = scenario.path(spec.flow)
    try:
        flow = flow_from_dict(json.loads(path.read_text(encoding="utf-8")))
        check_flow(flow, queues={q.id for q in scenario.queues}, skill=compile_requirement)
    except (OSError, ValueError, MenuError) as exc:
        raise ScenarioError(f"{where} menu: {path}: {exc}") from None
    for total in (sum(c.values()) for c in spec.choices.values()):
        if total > 1.0 + 1e-9:
            raise ScenarioError(f"{where} menu: a node's choices add up to {total:g}, over 1")
    callers = MenuCallers(spec.choices, spec.patience_s, spec.prompt_s, spec.think_s)
    return flow, callers


def distribution(
    scenario: Scenario,
    spec: ExponentialSpec | LognormalSpec | ConstantSpec | EmpiricalSpec | NoneSpec,
    *,
    what: str,
    where: str,
) -> Distribution:
    """The distribution a spec describes; ``what`` says which history column an empirical
    one reads: 'handle' (handle times of answered calls) or 'patience' (waits of callers
    who gave up)."""
    if isinstance(spec, ExponentialSpec):
        return Exponential(spec.mean_s)
    if isinstance(spec, LognormalSpec):
        return Lognormal(spec.mean_s, spec.sd_s)
    if isinstance(spec, ConstantSpec):
        return Constant(spec.value_s)
    if isinstance(spec, NoneSpec):
        return Never()
    if spec.values is not None:
        return Empirical(tuple(spec.values))
    assert spec.history is not None
    frame = _history(scenario, spec.history, spec.format, spec.date, spec.types, where)
    if what == "handle":
        col = frame[(frame["outcome"] == "answered") & frame["handle_s"].notna()]["handle_s"]
    else:
        col = frame[frame["outcome"] == "abandoned"]["wait_s"]
    values = tuple(float(v) for v in col)
    if not values:
        raise ScenarioError(f"{where}: the history has no {what} times for that selection")
    return Empirical(values)


def _history(
    scenario: Scenario,
    name: str,
    fmt: str,
    date: str | None,
    types: list[str] | None,
    where: str,
) -> pd.DataFrame:
    from hearthline.wfm.importers import load_history

    path = scenario.path(name)
    try:
        frame = load_history(path, fmt=fmt).contacts
    except (OSError, ValueError) as exc:
        raise ScenarioError(f"{where}: cannot read history {path}: {exc}") from None
    if date is not None:  # checked when the scenario was read
        frame = frame[frame["arrival"].dt.date == dt.date.fromisoformat(date)]
    if types is not None:
        frame = frame[frame["queue"].isin(types)]
    if frame.empty:
        raise ScenarioError(f"{where}: no calls in {path} for date={date} types={types}")
    return frame


def _arrivals(
    scenario: Scenario, spec: ArrivalsSpec, start: float, end: float, where: str
) -> PiecewiseRate:
    where = f"{where} arrivals"
    width = (spec.interval_minutes or scenario.simulation.interval_minutes) * 60.0
    if spec.per_hour is not None:
        rate = PiecewiseRate(starts=(start,), rates=(spec.per_hour / 3600.0,), end=end)
    elif spec.per_interval is not None:
        first = clock_seconds(spec.start) if spec.start is not None else start
        rate = piecewise(spec.per_interval, start=first, width=width)
    elif spec.forecast is not None:
        rate = _forecast(scenario, spec, where)
    else:
        assert spec.history is not None
        frame = _history(scenario, spec.history, spec.format, spec.date, spec.types, where)
        offered = frame[frame["outcome"].isin(("answered", "abandoned", "unknown"))]
        secs = _seconds_of_day(offered["arrival"])
        counts = np.bincount((secs // width).astype(np.int64), minlength=int(86400 // width))
        rate = piecewise([float(c) for c in counts], start=0.0, width=width)
    scaled = _scaled_window(rate, spec.scale, start, end, where)
    if spec.open is None:
        return scaled
    opens, closes = (clock_seconds(t) for t in spec.open.split("-"))
    return _open_only(scaled, opens, closes)


def _open_only(rate: PiecewiseRate, opens: float, closes: float) -> PiecewiseRate:
    """No arrivals outside [opens, closes) of each day: pieces are cut at those times."""
    cuts = {*rate.starts, rate.end}
    day = 0.0
    while day < rate.end:
        cuts |= {t for t in (day + opens, day + closes) if rate.starts[0] < t < rate.end}
        day += 86_400.0
    bounds = sorted(cuts)
    starts, rates = [], []
    for a in bounds[:-1]:
        piece = max(i for i, s in enumerate(rate.starts) if s <= a)
        inside = opens <= a % 86_400.0 < closes
        starts.append(a)
        rates.append(rate.rates[piece] if inside else 0.0)
    return PiecewiseRate(starts=tuple(starts), rates=tuple(rates), end=rate.end)


def _seconds_of_day(stamps: pd.Series) -> np.ndarray:
    day = stamps.dt.normalize()
    return np.asarray((stamps - day).dt.total_seconds(), dtype=np.float64)


def _forecast(scenario: Scenario, spec: ArrivalsSpec, where: str) -> PiecewiseRate:
    assert spec.forecast is not None
    table = _interval_table(
        scenario,
        spec.forecast,
        "calls",
        date=spec.date,
        queue=spec.queue,
        where=where,
        what="forecast",
    )
    try:
        return PiecewiseRate(
            starts=tuple(float(s) for s in table.starts),
            rates=tuple(float(c) / table.width for c in table.values),
            end=float(table.starts[-1]) + table.width,
        )
    except ValueError as exc:
        raise ScenarioError(f"{where}: forecast {table.path}: {exc}") from None


@dataclass(frozen=True, slots=True)
class _IntervalTable:
    path: Path
    starts: np.ndarray  # seconds of the day, ascending
    values: np.ndarray
    width: float


def _interval_table(
    scenario: Scenario,
    name: str,
    column: str,
    *,
    date: str | None,
    queue: str | None,
    where: str,
    what: str,
) -> _IntervalTable:
    """One column of a per-interval CSV (a forecast, a staffing plan) by interval start.

    ``start`` is HH:MM or a date and time (``date`` then picks the day); a ``queue``
    column, where there is one, can pick the queue."""
    path = scenario.path(name)
    try:
        frame = pd.read_csv(path)
    except (OSError, ValueError) as exc:
        raise ScenarioError(f"{where}: cannot read {what} {path}: {exc}") from None
    missing = {"start", column} - set(frame.columns)
    if missing:
        raise ScenarioError(
            f"{where}: {what} {path} needs columns start and {column} "
            f"(missing {', '.join(sorted(missing))})"
        )
    if queue is not None:
        if "queue" not in frame.columns:
            raise ScenarioError(f"{where}: {what} {path} has no queue column to select {queue!r}")
        frame = frame[frame["queue"].astype(str) == queue]
    try:
        if frame["start"].astype(str).str.match(r"^\d{1,2}:\d\d").all():
            starts = np.array([clock_seconds(str(s)) for s in frame["start"]])
        else:
            stamps = pd.to_datetime(frame["start"])
            if date is not None:
                keep = stamps.dt.date == dt.date.fromisoformat(date)
                frame, stamps = frame[keep], stamps[keep]
            starts = _seconds_of_day(stamps)
        values = frame[column].astype(float).to_numpy()
    except ValueError as exc:
        raise ScenarioError(f"{where}: {what} {path}: {exc}") from None
    if len(starts) == 0:
        raise ScenarioError(f"{where}: {what} {path} has no rows for that selection")
    if not np.all(np.isfinite(values)) or np.any(values < 0):
        raise ScenarioError(f"{where}: {what} {path}: {column} must be numbers of at least 0")
    order = np.argsort(starts, kind="stable")
    starts, values = starts[order], values[order]
    width = float(np.min(np.diff(starts))) if len(starts) > 1 else 1800.0
    if width <= 0:
        raise ScenarioError(f"{where}: {what} {path} repeats an interval start")
    return _IntervalTable(path=path, starts=starts, values=values, width=width)


def _plan_shifts(
    scenario: Scenario, spec: StaffingSpec, start: float, end: float, where: str
) -> list[tuple[tuple[float, float], ...]]:
    """The stretches on duty of each agent a staffing plan asks for, within the day.

    Agent k works every interval whose count exceeds k (a fractional count rounds up),
    so the number on duty in each interval is the plan's; neighbouring intervals join
    into one stretch. Agents the plan never needs inside the day are left out."""
    table = _interval_table(
        scenario,
        spec.plan,
        spec.column,
        date=spec.date,
        queue=spec.queue,
        where=where,
        what="staffing plan",
    )
    needed = np.ceil(table.values - 1e-9).astype(np.int64)
    out: list[tuple[tuple[float, float], ...]] = []
    for k in range(int(needed.max(initial=0))):
        stretches: list[tuple[float, float]] = []
        for a, n in zip(table.starts, needed, strict=True):
            lo, hi = max(float(a), start), min(float(a) + table.width, end)
            if n <= k or hi <= lo:
                continue
            if stretches and stretches[-1][1] == lo:
                stretches[-1] = (stretches[-1][0], hi)
            else:
                stretches.append((lo, hi))
        if stretches:
            out.append(tuple(stretches))
    if not out:
        raise ScenarioError(f"{where}: staffing plan {table.path} puts nobody on duty that day")
    return out


def _scaled_window(
    rate: PiecewiseRate, scale: float, start: float, end: float, where: str
) -> PiecewiseRate:
    """The profile times ``scale``, cut to the simulated day; gaps carry no arrivals."""
    starts: list[float] = []
    rates: list[float] = []
    cursor = start
    bounds = (*rate.starts[1:], rate.end)
    for a, b, r in zip(rate.starts, bounds, rate.rates, strict=True):
        lo, hi = max(a, start), min(b, end)
        if hi <= lo:
            continue
        if lo > cursor:
            starts.append(cursor)
            rates.append(0.0)
        starts.append(lo)
        rates.append(r * scale)
        cursor = hi
    if not starts:
        raise ScenarioError(f"{where}: the arrival profile does not overlap the simulated day")
    return PiecewiseRate(starts=tuple(starts), rates=tuple(rates), end=cursor)


def _behaviour(scenario: Scenario, b: BehaviourSpec) -> Behaviour:
    return Behaviour(
        accept=distribution(scenario, b.accept, what="handle", where="behaviour accept"),
        miss_probability=b.miss_probability,
        ready_after_miss=distribution(
            scenario, b.ready_after_miss, what="handle", where="behaviour ready_after_miss"
        ),
        drops_per_hour=b.drops_per_hour,
        drop_length=distribution(
            scenario, b.drop_length, what="handle", where="behaviour drop_length"
        ),
    )


def _agent_plan(
    group: AgentGroupSpec,
    ident: str,
    index: int,
    size: int,
    behaviour: Behaviour,
    start: float,
    end: float,
    shifts: tuple[tuple[float, float], ...] | None = None,
) -> AgentPlan:
    if shifts is None:
        if group.shift is not None:
            shifts = ((clock_seconds(group.shift.start), clock_seconds(group.shift.end)),)
        else:
            shifts = ((start, math.inf),)
    breaks = []
    for b in group.breaks:
        offset = b.spread_minutes * 60.0 * index / size
        breaks.append((clock_seconds(b.at) + offset, b.minutes * 60.0, b.reason))
    return AgentPlan(
        id=AgentId(ident),
        shifts=shifts,
        breaks=tuple(sorted(breaks)),
        behaviour=behaviour,
    )
