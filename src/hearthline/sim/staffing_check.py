"""Staffing by simulation: a plan's agents per interval checked on simulated days, and
corrected interval by interval until the simulation meets the target there.

Erlang C assumes one queue of callers who never give up, each interval in steady state
on its own. A simulated day has callers who give up (they leave the queue, which helps
those behind them, and count against the service level), queues that carry over from
one interval into the next, and the real routing core. :func:`correct_plan` starts from
the plan's agents, runs the day on several seeds, adds an agent to every interval whose
pooled service level is below the target, and repeats; then it takes an agent away
from every interval that stays at or above the target without it. Each step is judged
on the same seeds, so the comparison is between staffings, not between random days.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from hearthline.kernel.ids import AgentId, CampaignId, ClientId, QueueId
from hearthline.routing.config import (
    AgentProfile,
    CampaignConfig,
    QueueConfig,
    RoutingConfig,
    WrapUpPolicy,
)
from hearthline.sim.build import SIM_REASONS, AgentPlan, Behaviour, Built, QueuePlan
from hearthline.sim.distributions import Constant, Exponential, Never, PiecewiseRate
from hearthline.sim.run import simulate

IntArray = NDArray[np.int64]
QUEUE = "planned"


@dataclass(frozen=True)
class PlanDay:
    """One day of a plan: interval starts (seconds of the day), forecast calls and AHT
    per interval, the callers' mean patience (None: they never give up) and the target."""

    starts: tuple[float, ...]
    width_s: float
    calls: tuple[float, ...]
    aht_s: float
    patience_s: float | None
    service_level: float
    answer_time_s: float

    def __post_init__(self) -> None:
        if len(self.starts) != len(self.calls) or not self.starts:
            raise ValueError("a plan day needs one forecast per interval, and an interval")
        if not (self.aht_s > 0 and self.width_s > 0):
            raise ValueError("handle time and interval length must be greater than 0")
        if not 0 < self.service_level < 1:
            raise ValueError(
                f"the service level target must be between 0 and 1, got {self.service_level}"
            )


@dataclass(frozen=True)
class Checked:
    """Agents per interval and the simulated service level there (pooled over seeds)."""

    agents: tuple[int, ...]
    service_level: tuple[float, ...]
    day_service_level: float

    @property
    def agent_hours(self) -> float:
        return float(sum(self.agents))


@dataclass(frozen=True)
class Correction:
    """The plan as Erlang staffed it, checked, and as the simulation corrected it."""

    day: PlanDay
    erlang: Checked
    corrected: Checked
    rounds: int


def check(day: PlanDay, agents: Sequence[int] | IntArray, seeds: Sequence[int]) -> Checked:
    """The simulated service level per interval with ``agents`` on duty, over ``seeds``."""
    within = np.zeros(len(day.starts))
    offered = np.zeros(len(day.starts))
    built = _built(day, np.asarray(agents, dtype=np.int64))
    for seed in seeds:
        for row in simulate(built, seed=seed).intervals:
            i = round((row.start_s - day.starts[0]) / day.width_s)
            if 0 <= i < len(day.starts):
                within[i] += row.service_level * row.offered if row.offered else 0.0
                offered[i] += row.offered
    with np.errstate(invalid="ignore", divide="ignore"):
        levels = np.where(offered > 0, within / offered, 1.0)
    return Checked(
        agents=tuple(int(a) for a in agents),
        service_level=tuple(float(x) for x in levels),
        day_service_level=float(within.sum() / offered.sum()) if offered.sum() else 1.0,
    )


def correct_plan(
    day: PlanDay, agents: Sequence[int], *, seeds: Sequence[int] = (1, 2, 3, 4, 5), rounds: int = 8
) -> Correction:
    """Adds agents where the simulation misses the target and takes them away where it
    meets it without them, interval by interval, for at most ``rounds`` rounds each."""
    start = np.asarray(agents, dtype=np.int64)
    erlang = check(day, start, seeds)
    current, checked = start.copy(), erlang
    added = 0
    while added < rounds and _short(day, checked).any():
        current = current + _short(day, checked)
        checked = check(day, current, seeds)
        added += 1
    for _ in range(rounds):
        trial = current - ((current > 0) & ~_short(day, checked)).astype(np.int64)
        tried = check(day, trial, seeds)
        keep = _short(day, tried) == 0
        fewer = np.where(keep, trial, current)
        if np.array_equal(fewer, current):
            break
        current = fewer
        checked = check(day, current, seeds)
        if _short(day, checked).any():
            # Neighbours interact (a queue carries over): undo this round and stop.
            current = current + _short(day, checked)
            checked = check(day, current, seeds)
            break
    return Correction(day=day, erlang=erlang, corrected=checked, rounds=added)


def _short(day: PlanDay, checked: Checked) -> IntArray:
    """One more agent for every interval with calls below the target."""
    levels = np.asarray(checked.service_level)
    busy = np.asarray(day.calls) > 0
    return (busy & (levels < day.service_level)).astype(np.int64)


def _built(day: PlanDay, agents: IntArray) -> Built:
    width = day.width_s
    first, end = day.starts[0], day.starts[-1] + width
    campaign = CampaignId("plan")
    shifts: list[tuple[tuple[float, float], ...]] = []
    for k in range(int(agents.max(initial=0))):
        spans: list[tuple[float, float]] = []
        for a, n in zip(day.starts, agents, strict=True):
            if n <= k:
                continue
            if spans and spans[-1][1] == a:
                spans[-1] = (spans[-1][0], a + width)
            else:
                spans.append((a, a + width))
        shifts.append(tuple(spans))
    behaviour = Behaviour(
        accept=Constant(0.0),
        miss_probability=0.0,
        ready_after_miss=Constant(0.0),
        drops_per_hour=0.0,
        drop_length=Constant(0.0),
    )
    ids = [f"agent-{k + 1:04d}" for k in range(len(shifts))]
    queue = QueuePlan(
        id=QUEUE,
        arrivals=PiecewiseRate(
            starts=day.starts, rates=tuple(c / width for c in day.calls), end=end
        ),
        handle=Exponential(day.aht_s),
        patience=Exponential(day.patience_s) if day.patience_s else Never(),
        wrap_time=None,
        target_s=day.answer_time_s,
        priority=0,
    )
    routing = RoutingConfig(
        campaigns=(CampaignConfig(id=campaign, client=ClientId("plan"), callback_on_drop=False),),
        queues=(
            QueueConfig(
                id=QueueId(QUEUE),
                campaign=campaign,
                wrap_up=WrapUpPolicy(seconds=0.0),
                service_target_s=day.answer_time_s,
            ),
        ),
        agents=tuple(AgentProfile.of(AgentId(a), campaigns=[campaign]) for a in ids),
        reasons=SIM_REASONS,
    )
    return Built(
        routing=routing,
        queues=(queue,),
        agents=tuple(
            AgentPlan(id=a, shifts=s, breaks=(), behaviour=behaviour)
            for a, s in zip(ids, shifts, strict=True)
        ),
        queue_agents={QUEUE: tuple(range(len(ids)))},
        start=first,
        end=end,
        interval_s=width,
        warmup_end=first,
        drain_end=end + 3600.0,
        seed=1,
        name="plan check",
    )


def mean_aht(calls: Sequence[float], aht_s: Sequence[float]) -> float:
    """The calls-weighted mean handle time of a plan's intervals."""
    total = sum(calls)
    if total <= 0:
        raise ValueError("the plan forecasts no calls")
    return math.fsum(c * h for c, h in zip(calls, aht_s, strict=True) if c > 0) / total


def read_plan_day(
    path: str,
    *,
    patience_s: float | None,
    service_level: float,
    answer_time_s: float,
    date: str | None = None,
    queue: str | None = None,
) -> tuple[PlanDay, list[int], list[str]]:
    """One day and queue of a plan CSV (``hearthline plan --csv``): the day, the plan's
    agents per interval, and the intervals' start stamps."""
    import pandas as pd

    try:
        frame = pd.read_csv(path)
    except (OSError, ValueError) as exc:
        raise ValueError(f"cannot read the plan {path}: {exc}") from None
    missing = {"queue", "start", "calls", "aht_s", "agents"} - set(frame.columns)
    if missing:
        raise ValueError(f"{path} is not a staffing plan: no column {', '.join(sorted(missing))}")
    queues = sorted(str(q) for q in frame["queue"].unique())
    if queue is None and len(queues) > 1:
        raise ValueError(f"{path} plans several queues ({', '.join(queues)}): name one")
    frame = frame[frame["queue"].astype(str) == (queue or queues[0])]
    stamps = pd.to_datetime(frame["start"], errors="coerce")
    if frame.empty or stamps.isna().any():
        raise ValueError(f"{path}: no intervals for queue {queue!r}, or a start that is not a time")
    day = stamps.dt.date.min() if date is None else pd.Timestamp(date).date()
    rows = frame[stamps.dt.date == day]
    if rows.empty:
        raise ValueError(f"{path} plans nothing on {day}")
    at = pd.to_datetime(rows["start"])
    seconds = (at - pd.Timestamp(day)).dt.total_seconds().to_numpy()
    width = float(np.min(np.diff(seconds))) if len(seconds) > 1 else 1800.0
    calls = [float(c) for c in rows["calls"]]
    plan_day = PlanDay(
        starts=tuple(float(s) for s in seconds),
        width_s=width,
        calls=tuple(calls),
        aht_s=mean_aht(calls, [float(h) for h in rows["aht_s"]]),
        patience_s=patience_s,
        service_level=service_level,
        answer_time_s=answer_time_s,
    )
    return plan_day, [int(a) for a in rows["agents"]], [str(s) for s in rows["start"]]
