"""A schedule run in the simulator before it is published: named agents with their
shifts and breaks taking a forecast day's calls, one queue per skill group, through the
same routing core the server runs. What it gives is the service level per interval the
schedule would reach, beside the forecast it was made for.

Calls arrive as a Poisson process at the forecast's rate in each interval; handle times
are exponential with the forecast's mean, patience exponential (or none); agents follow
their shifts and take their breaks where the shifts place them (a break reason the
routing core does not know is taken as ``break``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from hearthline.kernel.ids import AgentId, CampaignId, ClientId, QueueId
from hearthline.routing.config import (
    AgentProfile,
    CampaignConfig,
    QueueConfig,
    RoutingConfig,
    WrapUpPolicy,
)
from hearthline.sim.build import SIM_REASONS, AgentPlan, Behaviour, Built, QueuePlan
from hearthline.sim.distributions import Constant, Exponential, Never, piecewise
from hearthline.sim.run import simulate
from hearthline.sim.scenario import ScenarioError
from hearthline.wfm.contracts import Shift

_REASONS = {str(r.id) for r in SIM_REASONS}
_STEADY = Behaviour(
    accept=Constant(0.0),
    miss_probability=0.0,
    ready_after_miss=Constant(0.0),
    drops_per_hour=0.0,
    drop_length=Constant(0.0),
)


@dataclass(frozen=True, slots=True)
class Demand:
    """A group's forecast: ``calls`` per interval of ``step_s`` from ``start``."""

    group: str
    start: float
    step_s: float
    calls: tuple[float, ...]
    aht_s: float
    patience_s: float | None = None
    target_s: float = 20.0
    after_call_s: float = 0.0


@dataclass(frozen=True, slots=True)
class GroupLevel:
    group: str
    start: float
    step_s: float
    # Per interval, averaged over the runs (None where no call was answered or offered).
    offered: tuple[float, ...]
    service_level: tuple[float | None, ...]
    agents: tuple[float, ...]
    # The day: answered within the target over all answered and abandoned, every run.
    day_service_level: float | None
    abandon_rate: float | None


def build_schedule_twin(
    demands: Sequence[Demand], rostered: Sequence[tuple[str, Shift]], *, seed: int
) -> Built:
    """The run of ``rostered`` (agent, shift) against ``demands``, times relative to the
    first forecast interval (the core's clock starts there)."""
    if not demands:
        raise ScenarioError("no forecast to run the schedule against")
    origin = min(d.start for d in demands)
    end = max(d.start + len(d.calls) * d.step_s for d in demands)
    campaign = CampaignId("schedule")
    by_group = {d.group: d for d in demands}
    spans: dict[str, list[tuple[float, float]]] = {}
    breaks: dict[str, list[tuple[float, float, str]]] = {}
    skills: dict[str, set[str]] = {}
    for agent, shift in sorted(rostered, key=lambda p: (p[0], p[1].start)):
        if shift.group not in by_group:
            continue
        spans.setdefault(agent, []).append((shift.start - origin, shift.end - origin))
        breaks.setdefault(agent, []).extend(
            (b.start - origin, b.end - b.start, b.reason if b.reason in _REASONS else "break")
            for b in shift.breaks
        )
        skills.setdefault(agent, set()).add(shift.group)
    ids = sorted(spans)
    agents = tuple(
        AgentPlan(
            id=AgentId(a),
            shifts=tuple(_joined(spans[a])),
            breaks=tuple(sorted(breaks[a])),
            behaviour=_STEADY,
        )
        for a in ids
    )
    queues = tuple(
        QueuePlan(
            id=d.group,
            arrivals=piecewise(d.calls, start=d.start - origin, width=d.step_s),
            handle=Exponential(d.aht_s),
            patience=Exponential(d.patience_s) if d.patience_s else Never(),
            wrap_time=None,
            target_s=d.target_s,
            priority=0,
        )
        for d in demands
    )
    routing = RoutingConfig(
        campaigns=(CampaignConfig(id=campaign, client=ClientId("plan"), callback_on_drop=False),),
        queues=tuple(
            QueueConfig(
                id=QueueId(d.group),
                campaign=campaign,
                requirement=d.group,
                wrap_up=WrapUpPolicy(seconds=d.after_call_s),
            )
            for d in demands
        ),
        agents=tuple(
            AgentProfile.of(AgentId(a), skills=dict.fromkeys(skills[a], 1), campaigns=[campaign])
            for a in ids
        ),
        reasons=SIM_REASONS,
    )
    return Built(
        routing=routing,
        queues=queues,
        agents=agents,
        queue_agents={
            d.group: tuple(i for i, a in enumerate(ids) if d.group in skills[a]) for d in demands
        },
        start=0.0,
        end=end - origin,
        interval_s=min(d.step_s for d in demands),
        warmup_end=0.0,
        drain_end=end - origin + 3 * 3600.0,
        seed=seed,
        name="schedule twin",
    )


def _joined(spans: list[tuple[float, float]]) -> list[tuple[float, float]]:
    out: list[tuple[float, float]] = []
    for a, z in sorted(spans):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], z))
        else:
            out.append((a, z))
    return out


def run_schedule(
    demands: Sequence[Demand], rostered: Sequence[tuple[str, Shift]], *, seeds: Sequence[int] = (1,)
) -> list[GroupLevel]:
    """The service level ``rostered`` gives on the forecast, per group and interval."""
    runs = [simulate(build_schedule_twin(demands, rostered, seed=s)) for s in seeds]
    origin = min(d.start for d in demands)
    out = []
    for d in demands:
        n = len(d.calls)
        offered = [0.0] * n
        agents = [0.0] * n
        levels: list[list[float]] = [[] for _ in range(n)]
        day_levels: list[float] = []
        abandon: list[float] = []
        for r in runs:
            for row in r.intervals:
                if row.queue != d.group:
                    continue
                i = int((row.start_s - (d.start - origin)) // d.step_s)
                if not 0 <= i < n:
                    continue
                offered[i] += row.offered / len(runs)
                agents[i] += row.agents / len(runs)
                if not math.isnan(row.service_level):
                    levels[i].append(row.service_level)
            day = r.day(d.group)
            if not math.isnan(day.service_level):
                day_levels.append(day.service_level)
            if not math.isnan(day.abandon_rate):
                abandon.append(day.abandon_rate)
        out.append(
            GroupLevel(
                group=d.group,
                start=d.start,
                step_s=d.step_s,
                offered=tuple(offered),
                service_level=tuple(sum(v) / len(v) if v else None for v in levels),
                agents=tuple(agents),
                day_service_level=sum(day_levels) / len(day_levels) if day_levels else None,
                abandon_rate=sum(abandon) / len(abandon) if abandon else None,
            )
        )
    return out
