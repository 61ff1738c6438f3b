"""Staffing plan: forecast per interval per queue -> agents required and to schedule.

The plan is plain data (:class:`StaffingPlan`, rows of :class:`PlanRow`) so the command
line, a CSV file, a PNG chart and later the web pages all render the same thing.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from hearthline.wfm.forecast import Forecast
from hearthline.wfm.staffing import Targets, staff

PLAN_COLUMNS = (
    "queue",
    "start",
    "calls",
    "aht_s",
    "traffic_erlangs",
    "agents",
    "scheduled",
    "service_level",
    "asa_s",
    "occupancy",
    "p_abandon",
)


@dataclass(frozen=True)
class PlanRow:
    """One queue in one interval: the forecast, the staffing and its expected figures."""

    queue: str
    start: dt.datetime
    calls: float
    aht_s: float
    traffic_erlangs: float
    agents: int
    scheduled: int
    service_level: float
    asa_s: float | None
    occupancy: float
    p_abandon: float


@dataclass(frozen=True)
class StaffingPlan:
    """Rows ordered by queue then interval start, with the targets they were staffed to."""

    rows: tuple[PlanRow, ...]
    targets: Targets
    interval_minutes: int
    methods: dict[str, str]

    def queues(self) -> list[str]:
        return list(dict.fromkeys(r.queue for r in self.rows))

    def agent_hours(self) -> dict[str, float]:
        """Agent-hours to schedule per queue: the agents to schedule in each interval times
        its length, summed (what a roster has to cover)."""
        hours = dict.fromkeys(self.queues(), 0.0)
        for r in self.rows:
            hours[r.queue] += r.scheduled * self.interval_minutes / 60
        return hours

    def to_json(self) -> dict[str, Any]:
        """The plan as JSON-ready data (datetimes as ISO text, unbounded waits as null)."""
        return {
            "interval_minutes": self.interval_minutes,
            "targets": asdict(self.targets),
            "methods": self.methods,
            "agent_hours": self.agent_hours(),
            "total_agent_hours": sum(self.agent_hours().values()),
            "rows": [
                {**asdict(r), "start": r.start.strftime("%Y-%m-%dT%H:%M:%S")} for r in self.rows
            ],
        }

    def to_text(self) -> str:
        """A table a manager reads: intervals with calls, agents needed and to schedule."""
        t = self.targets
        goals = []
        if t.service_level is not None:
            goals.append(f"{100 * t.service_level:g}% answered in {t.answer_time_s:g} s")
        if t.asa_s is not None:
            goals.append(f"ASA at most {t.asa_s:g} s")
        if t.max_abandon is not None:
            goals.append(f"at most {100 * t.max_abandon:g}% abandoned")
        if t.max_occupancy is not None:
            goals.append(f"occupancy at most {100 * t.max_occupancy:g}%")
        model = f"Erlang A, mean patience {t.patience_s:g} s" if t.patience_s else "Erlang C"
        lines = [
            f"Staffing plan ({model}); targets: {', '.join(goals)}; "
            f"shrinkage {100 * t.shrinkage:g}%",
        ]
        hours = self.agent_hours()
        for queue in self.queues():
            rows = [r for r in self.rows if r.queue == queue]
            lines.append("")
            lines.append(f"Queue {queue} (forecast: {self.methods.get(queue, '?')})")
            lines.append(
                "  day        start   calls  AHT s  Erlangs  on phones  to schedule  "
                "service level  ASA s"
            )
            for r in rows:
                if r.calls < 0.05 and r.agents == 0:
                    continue
                asa = "  -  " if r.asa_s is None else f"{r.asa_s:5.1f}"
                lines.append(
                    f"  {r.start:%a %m-%d}  {r.start:%H:%M}  {r.calls:6.1f}  {r.aht_s:5.0f}"
                    f"  {r.traffic_erlangs:7.2f}  {r.agents:9d}  {r.scheduled:11d}"
                    f"  {100 * r.service_level:12.1f}%  {asa}"
                )
            lines.append(f"  scheduled agent-hours: {hours[queue]:.1f}")
        if len(hours) > 1:
            lines.append("")
            lines.append(f"All queues: scheduled agent-hours: {sum(hours.values()):.1f}")
        return "\n".join(lines)


def build_plan(
    forecasts: Sequence[Forecast],
    targets: Targets,
    *,
    open_at: Callable[[dt.datetime], bool] | None = None,
) -> StaffingPlan:
    """Staff every interval of every forecast to the targets (vectorised per queue).

    ``open_at`` (an interval's local start -> whether the line is open): a closed line's
    intervals get no calls and no agents, however many calls the forecast spreads there."""
    if not forecasts:
        raise ValueError("nothing to plan: no forecasts")
    interval = forecasts[0].interval_minutes
    rows: list[PlanRow] = []
    methods: dict[str, str] = {}
    for fc in forecasts:
        if fc.interval_minutes != interval:
            raise ValueError("all forecasts in a plan must use the same interval")
        name = fc.queue or "all"
        methods[name] = fc.method
        calls = np.asarray(fc.calls, dtype=float)
        if open_at is not None:
            shut = np.array([not open_at(s.to_pydatetime()) for s in fc.starts], dtype=bool)
            calls = np.where(shut, 0.0, calls)
        result = staff(
            calls=calls,
            interval_s=interval * 60.0,
            aht_s=np.maximum(fc.aht_s, 1.0),
            targets=targets,
        )
        f = result.figures
        for i, start in enumerate(fc.starts):
            asa = float(f.asa_s[i])
            rows.append(
                PlanRow(
                    queue=name,
                    start=start.to_pydatetime(),
                    calls=float(calls[i]),
                    aht_s=float(fc.aht_s[i]),
                    traffic_erlangs=float(f.traffic_erlangs[i]),
                    agents=int(result.agents[i]),
                    scheduled=int(result.scheduled[i]),
                    service_level=float(f.service_level[i]),
                    asa_s=asa if math.isfinite(asa) else None,
                    occupancy=float(f.occupancy[i]),
                    p_abandon=float(f.p_abandon[i]),
                )
            )
    return StaffingPlan(
        rows=tuple(rows), targets=targets, interval_minutes=interval, methods=methods
    )


def write_plan_csv(plan: StaffingPlan, path: Path) -> None:
    """The plan as CSV, one row per queue and interval (columns :data:`PLAN_COLUMNS`)."""
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(PLAN_COLUMNS)
        for r in plan.rows:
            w.writerow(
                [
                    r.queue,
                    r.start.strftime("%Y-%m-%dT%H:%M:%S"),
                    f"{r.calls:.2f}",
                    f"{r.aht_s:.1f}",
                    f"{r.traffic_erlangs:.3f}",
                    r.agents,
                    r.scheduled,
                    f"{r.service_level:.4f}",
                    "" if r.asa_s is None else f"{r.asa_s:.1f}",
                    f"{r.occupancy:.4f}",
                    f"{r.p_abandon:.4f}",
                ]
            )


def write_plan_png(plan: StaffingPlan, path: Path) -> None:
    """Chart the plan: forecast calls per interval above, agents to schedule below."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    queues = plan.queues()
    fig, (ax_calls, ax_agents) = plt.subplots(
        2, 1, figsize=(14, 8), sharex=True, gridspec_kw={"height_ratios": [1, 1.3]}
    )
    width = dt.timedelta(minutes=plan.interval_minutes)
    for queue in queues:
        rows = [r for r in plan.rows if r.queue == queue]
        # Step plots drawn "post" so each value covers its whole interval.
        starts = [r.start for r in rows] + [rows[-1].start + width]
        calls = [r.calls for r in rows] + [rows[-1].calls]
        sched = [r.scheduled for r in rows] + [rows[-1].scheduled]
        phones = [r.agents for r in rows] + [rows[-1].agents]
        label = f"queue {queue}" if len(queues) > 1 else "forecast"
        ax_calls.step(starts, calls, where="post", label=label)
        line = ax_agents.step(starts, sched, where="post", label=f"{label}: to schedule")
        ax_agents.step(
            starts,
            phones,
            where="post",
            linestyle=":",
            color=line[0].get_color(),
            label=f"{label}: on the phones",
        )
    t = plan.targets
    goal = (
        f"{100 * t.service_level:g}% of calls answered within {t.answer_time_s:g} s"
        if t.service_level is not None
        else "targets"
    )
    first = plan.rows[0].start
    last = plan.rows[-1].start
    fig.suptitle(
        f"Staffing plan {first:%a %d %b %Y} to {last:%a %d %b %Y}: {goal}, "
        f"shrinkage {100 * t.shrinkage:g}%",
        fontsize=13,
    )
    ax_calls.set_ylabel(f"calls offered per {plan.interval_minutes} min")
    ax_calls.set_title("Forecast volume", fontsize=11, loc="left")
    ax_agents.set_ylabel("agents")
    ax_agents.set_title(
        "Agents needed (dotted: on the phones; solid: to schedule after shrinkage)",
        fontsize=11,
        loc="left",
    )
    ax_agents.set_xlabel("date and time of day")
    # Agents come whole: no 2.5-agent gridlines.
    ax_agents.yaxis.set_major_locator(MaxNLocator(integer=True))
    for ax in (ax_calls, ax_agents):
        ax.grid(True, alpha=0.3)
        ax.set_ylim(bottom=0)
        ax.legend(loc="upper right", fontsize=8)
    days = (last - first).days + 1
    if days <= 2:
        ax_agents.xaxis.set_major_locator(mdates.HourLocator(interval=2))  # type: ignore[no-untyped-call]
        ax_agents.xaxis.set_major_formatter(mdates.DateFormatter("%a %H:%M"))  # type: ignore[no-untyped-call]
    else:
        ax_agents.xaxis.set_major_locator(mdates.DayLocator())  # type: ignore[no-untyped-call]
        ax_agents.xaxis.set_major_formatter(mdates.DateFormatter("%a %d %b"))  # type: ignore[no-untyped-call]
        ax_agents.xaxis.set_minor_locator(mdates.HourLocator(byhour=[6, 12, 18]))  # type: ignore[no-untyped-call]
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
