"""A real day replayed through the routing core, and compared with what really happened.

From an Anonymous Bank call log (read with the planning package's importer; the agents'
names, which the importer does not keep, are read from the same file with pandas):

* arrivals: every call that asked for an agent, at the moment it did (calls that hung up
  in the menu are never offered to agents; PHANTOM calls, whose fate is unknown, are left
  out);
* handle times: the recorded service time of each answered call; a call the bank did not
  answer gets one drawn from that day's answered calls;
* patience: a caller who gave up waited exactly their patience. An answered caller's
  patience is only known to exceed their wait, so it is drawn as that wait plus an
  exponential remainder whose rate is the censored maximum-likelihood estimate from the
  day (calls given up / total seconds waited by everyone); an exponential's lack of
  memory makes "wait + remainder" the right conditional draw;
* staffing: in each interval, as many agents as distinct servers who served a call
  during that interval (an agent who was signed in but answered nothing is not seen in
  the log, so this is a lower bound).

All calls join one queue served first come, first served; the bank's priority customers
and its type-based routing are not reproduced. The comparison is per interval and for the
day: mean wait (answered and abandoned calls), service level (answered within the
target, 20 s by default, over offered) and abandonment rate.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from pathlib import Path
from random import Random
from typing import Any

import numpy as np
import pandas as pd

from hearthline.kernel.ids import AgentId, CampaignId, ClientId, QueueId
from hearthline.routing.config import (
    AgentProfile,
    CampaignConfig,
    QueueConfig,
    RoutingConfig,
    WrapUpPolicy,
)
from hearthline.sim.build import SIM_REASONS, AgentPlan, Behaviour, Built, QueuePlan
from hearthline.sim.distributions import Constant, Empirical, Exponential, Never, PiecewiseRate
from hearthline.sim.results import Results
from hearthline.sim.run import simulate
from hearthline.sim.scenario import ScenarioError

QUEUE = "bank"


@dataclass(frozen=True)
class DayFigures:
    offered: int
    answered: int
    abandoned: int
    mean_wait_s: float
    service_level: float
    abandon_rate: float


@dataclass(frozen=True)
class ReplayRow:
    start_s: float
    agents: int
    real: DayFigures
    simulated: DayFigures


@dataclass(frozen=True)
class Replay:
    """The day's comparison: per interval, for the whole day, and the run itself."""

    date: str
    target_s: float
    patience_rate_per_s: float
    intervals: list[ReplayRow]
    day: ReplayRow
    results: Results

    def differences(self) -> dict[str, float]:
        """Simulated minus real, for the day."""
        r, s = self.day.real, self.day.simulated
        return {
            "mean_wait_s": s.mean_wait_s - r.mean_wait_s,
            "service_level": s.service_level - r.service_level,
            "abandon_rate": s.abandon_rate - r.abandon_rate,
        }


def _calls(path: Path, date: dt.date) -> pd.DataFrame:
    from hearthline.wfm.importers import load_history

    try:
        contacts = load_history(path, fmt="anonymous-bank").contacts
    except (OSError, ValueError) as exc:
        raise ScenarioError(f"cannot read the call log {path}: {exc}") from None
    day = contacts[contacts["arrival"].dt.date == date]
    day = day[day["outcome"].isin(("answered", "abandoned"))].copy()
    if day.empty:
        raise ScenarioError(f"no calls offered to agents on {date} in {path}")
    midnight = pd.Timestamp(date)
    day["t"] = (day["arrival"] - midnight).dt.total_seconds()
    ordered: pd.DataFrame = day.sort_values("t", kind="stable").reset_index(drop=True)
    return ordered


def _staffing(path: Path, date: dt.date, width: float) -> np.ndarray:
    """Distinct servers serving in each interval of the day."""
    raw = pd.read_csv(path, usecols=["date", "ser_start", "ser_time", "server", "outcome"])
    raw = raw[(raw["date"] == date.isoformat()) & (raw["outcome"] == "AGENT")]
    raw = raw[raw["server"] != "NO_SERVER"]
    start = pd.to_timedelta(raw["ser_start"]).dt.total_seconds().to_numpy()
    end = start + raw["ser_time"].to_numpy(dtype=np.float64)
    slots = round(86400 / width)
    seen: list[set[str]] = [set() for _ in range(slots)]
    for s, e, who in zip(start, end, raw["server"], strict=True):
        first, last = int(s // width), int(min(e, 86400 - 1) // width)
        for i in range(max(first, 0), min(last, slots - 1) + 1):
            seen[i].add(str(who))
    return np.array([len(x) for x in seen], dtype=np.int64)


def _figures(waits: np.ndarray, answered: np.ndarray, target: float) -> DayFigures:
    n = len(waits)
    n_ans = int(answered.sum())
    return DayFigures(
        offered=n,
        answered=n_ans,
        abandoned=n - n_ans,
        mean_wait_s=float(waits.mean()) if n else math.nan,
        service_level=float((answered & (waits <= target)).sum() / n) if n else math.nan,
        abandon_rate=float((n - n_ans) / n) if n else math.nan,
    )


def replay_day(
    path: str | Path,
    *,
    date: str,
    seed: int = 1,
    interval_minutes: int = 30,
    target_s: float = 20.0,
) -> Replay:
    """Replays ``date`` of the bank log at ``path`` and compares it with reality."""
    p = Path(path)
    try:
        day_date = dt.date.fromisoformat(date)
    except ValueError:
        raise ScenarioError(f"date must be YYYY-MM-DD, got {date!r}") from None
    width = interval_minutes * 60.0
    calls = _calls(p, day_date)
    staffing = _staffing(p, day_date, width)
    rng = Random(seed)
    waits = calls["wait_s"].to_numpy(dtype=np.float64)
    abandoned = (calls["outcome"] == "abandoned").to_numpy()
    # Censored exponential fit: each abandonment is an event, every second waited exposure.
    rate = abandoned.sum() / max(waits.sum(), 1.0)
    known = calls["handle_s"].dropna().to_numpy(dtype=np.float64)
    known = known[known > 0]
    pick = Empirical(tuple(float(x) for x in known)).sampler(rng)
    remainder = Exponential(1.0 / rate).sampler(rng) if rate > 0 else Never().sampler(rng)
    trace = []
    for t, wait, gave_up, handle in zip(
        calls["t"], waits, abandoned, calls["handle_s"], strict=True
    ):
        h = float(handle) if not math.isnan(handle) and handle > 0 else pick()
        patience = float(wait) if gave_up else float(wait) + remainder()
        trace.append((float(t), h, patience))
    start = math.floor(calls["t"].iloc[0] / width) * width
    end = (math.floor(calls["t"].iloc[-1] / width) + 1) * width
    built = _built(trace, staffing, start=start, end=end, width=width, target=target_s, seed=seed)
    results = simulate(built, seed=seed)
    return _compare(date, calls, staffing, results, built, target_s, float(rate))


def _built(
    trace: list[tuple[float, float, float]],
    staffing: np.ndarray,
    *,
    start: float,
    end: float,
    width: float,
    target: float,
    seed: int,
) -> Built:
    campaign = CampaignId("bank")
    queue = QueueConfig(
        id=QueueId(QUEUE),
        campaign=campaign,
        wrap_up=WrapUpPolicy(seconds=0.0),
        service_target_s=target,
    )
    most = int(staffing.max()) if staffing.size else 0
    if most == 0:
        raise ScenarioError("the log shows no agent serving that day")
    ids = [AgentId(f"server-{k + 1:02d}") for k in range(most)]
    behaviour = Behaviour(
        accept=Constant(0.0),
        miss_probability=0.0,
        ready_after_miss=Constant(0.0),
        drops_per_hour=0.0,
        drop_length=Constant(0.0),
    )
    plans = [
        AgentPlan(id=ident, shifts=_stretches(staffing > k, width), breaks=(), behaviour=behaviour)
        for k, ident in enumerate(ids)
    ]
    routing = RoutingConfig(
        campaigns=(CampaignConfig(id=campaign, client=ClientId("bank"), callback_on_drop=False),),
        queues=(queue,),
        agents=tuple(AgentProfile.of(a, campaigns=[campaign]) for a in ids),
        reasons=SIM_REASONS,
    )
    plan = QueuePlan(
        id=QUEUE,
        arrivals=PiecewiseRate(starts=(start,), rates=(0.0,), end=end),
        handle=Constant(0.0),
        patience=Never(),
        wrap_time=None,
        target_s=target,
        priority=0,
        trace=tuple(trace),
    )
    return Built(
        routing=routing,
        queues=(plan,),
        agents=tuple(plans),
        queue_agents={QUEUE: tuple(range(most))},
        start=start,
        end=end,
        interval_s=width,
        warmup_end=start,
        drain_end=end + 3 * 3600.0,
        seed=seed,
        name="replay",
    )


def _stretches(on: np.ndarray, width: float) -> tuple[tuple[float, float], ...]:
    out: list[tuple[float, float]] = []
    i = 0
    while i < len(on):
        if on[i]:
            j = i
            while j + 1 < len(on) and on[j + 1]:
                j += 1
            out.append((i * width, (j + 1) * width))
            i = j + 1
        else:
            i += 1
    return tuple(out)


def _compare(
    date: str,
    calls: pd.DataFrame,
    staffing: np.ndarray,
    results: Results,
    built: Built,
    target: float,
    rate: float,
) -> Replay:
    width = built.interval_s
    waits = calls["wait_s"].to_numpy(dtype=np.float64)
    answered = (calls["outcome"] == "answered").to_numpy()
    slot = (calls["t"].to_numpy() // width).astype(np.int64)
    rows = []
    for sim_row in results.intervals:
        i = int(sim_row.start_s // width)
        mask = slot == i
        if not mask.any():
            continue
        rows.append(
            ReplayRow(
                start_s=sim_row.start_s,
                agents=int(staffing[i]),
                real=_figures(waits[mask], answered[mask], target),
                simulated=DayFigures(
                    offered=sim_row.offered,
                    answered=sim_row.answered,
                    abandoned=sim_row.abandoned,
                    mean_wait_s=sim_row.mean_wait_s,
                    service_level=sim_row.service_level,
                    abandon_rate=sim_row.abandon_rate,
                ),
            )
        )
    d = results.day(QUEUE)
    day = ReplayRow(
        start_s=built.start,
        agents=int(staffing.max()),
        real=_figures(waits, answered, target),
        simulated=DayFigures(
            offered=d.offered,
            answered=d.answered,
            abandoned=d.abandoned,
            mean_wait_s=d.mean_wait_s,
            service_level=d.service_level,
            abandon_rate=d.abandon_rate,
        ),
    )
    return Replay(
        date=date,
        target_s=target,
        patience_rate_per_s=rate,
        intervals=rows,
        day=day,
        results=results,
    )


def replay_table(replay: Replay) -> str:
    """Real against simulated, per interval and for the day."""
    from hearthline.sim.report import clock

    head = (
        f"{'start':>5} {'agents':>6} {'calls':>5} | {'wait s real':>11} {'sim':>7} | "
        f"{'SL real':>7} {'sim':>6} | {'aband real':>10} {'sim':>6}"
    )
    lines = [
        f"Replay of {replay.date}: service level = answered within {replay.target_s:g} s "
        f"over offered; patience rate {replay.patience_rate_per_s * 3600:.1f}/h "
        f"(mean {1 / replay.patience_rate_per_s:.0f} s)",
        head,
        "-" * len(head),
    ]
    for r in [*replay.intervals, replay.day]:
        label = "day" if r is replay.day else clock(r.start_s)
        lines.append(
            f"{label:>5} {r.agents:>6} {r.real.offered:>5} | {r.real.mean_wait_s:>11.1f} "
            f"{r.simulated.mean_wait_s:>7.1f} | {_p(r.real.service_level):>7} "
            f"{_p(r.simulated.service_level):>6} | {_p(r.real.abandon_rate):>10} "
            f"{_p(r.simulated.abandon_rate):>6}"
        )
    diff = replay.differences()
    lines.append(
        f"Day, simulated minus real: mean wait {diff['mean_wait_s']:+.1f} s, service level "
        f"{100 * diff['service_level']:+.1f} points, abandonment "
        f"{100 * diff['abandon_rate']:+.1f} points"
    )
    return "\n".join(lines)


def _p(x: float) -> str:
    return "-" if math.isnan(x) else f"{100 * x:.1f}%"


def replay_dict(replay: Replay) -> dict[str, Any]:
    from dataclasses import asdict

    from hearthline.sim.results import json_safe

    out: dict[str, Any] = json_safe(
        {
            "date": replay.date,
            "target_s": replay.target_s,
            "patience_rate_per_s": replay.patience_rate_per_s,
            "intervals": [asdict(r) for r in replay.intervals],
            "day": asdict(replay.day),
            "difference": replay.differences(),
            "refused_commands": replay.results.run["refused_commands"],
        }
    )
    return out
