"""A digital twin of the Anonymous Bank's call center, rebuilt day by day from its log.

What the log knows is taken from it:

* **callers**: every call that asked for an agent, at the moment it did, in one of two
  queues as the bank served them, priority customers (the log's priority 2) ahead of the
  rest; PHANTOM calls and calls that hung up in the menu are left out;
* **handle times**: each answered call's recorded service time; a call the bank did not
  answer gets one drawn from that day's answered calls of its service type;
* **patience**: drawn for every caller from the Kaplan-Meier estimate of the day's
  callers of the same service type (:func:`patience_curves`,
  :mod:`hearthline.sim.patience`), answered callers counted as censored;
* **who was working when**: each agent's calls of the day, joined into stretches on
  duty; a gap between two calls longer than ``break_gap_s`` is a break (off duty);
* **who was not ready**: an agent on duty with no call while a caller of a type they
  serve was waiting was not available to take it (:func:`not_ready_spans`), the
  unlogged pauses the bank's log shows only through its queue.

What the log does not say is calibrated (:func:`calibrate`) on some days and checked on
others: the time agents spend off the phone after each call (``after_call_s``: notes,
other work, the pauses no caller was waiting through), simulated as a timed wrap-up.
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from random import Random

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
from hearthline.sim.distributions import Constant, Empirical, Never, PiecewiseRate, Sampler
from hearthline.sim.patience import KaplanMeier
from hearthline.sim.run import simulate
from hearthline.sim.scenario import ScenarioError

SKILL_SHARE = 0.05
_MAX_HANDLE_S = 7200.0
_COLUMNS = (
    "type",
    "priority",
    "date",
    "vru_exit",
    "q_start",
    "q_time",
    "outcome",
    "ser_start",
    "ser_time",
    "server",
)


@dataclass(frozen=True)
class BankDay:
    """One day of the log: ``calls`` (``t`` seconds after midnight, ``type``,
    ``priority`` True for priority customers, ``wait_s``, ``handle_s`` NaN when unknown,
    ``answered``) and ``services`` (``server``, ``start_s``, ``end_s``)."""

    date: dt.date
    calls: pd.DataFrame
    services: pd.DataFrame


@dataclass(frozen=True)
class TwinSettings:
    """What the log does not say: seconds off the phone after each call, and the longest
    gap between an agent's calls that still counts as on duty."""

    after_call_s: float
    break_gap_s: float = 1800.0


@dataclass(frozen=True)
class Figures:
    offered: int
    mean_wait_s: float
    abandon_rate: float


@dataclass(frozen=True)
class TwinDay:
    """A day's real figures and the twin's, averaged over its seeds."""

    date: dt.date
    agents: int
    real: Figures
    simulated: Figures

    def errors(self) -> tuple[float, float]:
        """Relative error of the mean wait and of the abandonment rate."""
        return (
            _relative(self.simulated.mean_wait_s, self.real.mean_wait_s),
            _relative(self.simulated.abandon_rate, self.real.abandon_rate),
        )


def _relative(sim: float, real: float) -> float:
    return (sim - real) / real if real > 0 else (0.0 if sim == 0 else math.inf)


def read_bank_log(path: str | Path) -> dict[dt.date, BankDay]:
    """Every day of an Anonymous Bank call log, as the twin needs it."""
    try:
        raw = pd.read_csv(path, usecols=list(_COLUMNS), dtype={"server": str, "type": str})
    except (OSError, ValueError) as exc:
        raise ScenarioError(f"cannot read the call log {path}: {exc}") from None
    queued = raw["q_start"] != "0:00:00"
    offered = (raw["outcome"] == "AGENT") | ((raw["outcome"] == "HANG") & queued)
    raw = raw[offered]
    queued = queued[offered]
    clock = raw["q_start"].where(queued, raw["vru_exit"])
    t = pd.to_timedelta(clock).dt.total_seconds()
    handle = raw["ser_time"].astype(np.float64)
    calls = pd.DataFrame(
        {
            "date": raw["date"],
            "t": t,
            "type": raw["type"],
            "priority": raw["priority"] == 2,
            "wait_s": raw["q_time"].astype(np.float64),
            "handle_s": handle.where((handle > 0) & (handle <= _MAX_HANDLE_S)),
            "answered": raw["outcome"] == "AGENT",
        }
    )
    # A served call whose service was not recorded (start 0:00:00, no seconds) says who
    # answered but not when: it is no evidence of the agent at work, least of all at
    # midnight (read as such, it kept that agent on duty from the day's first call).
    recorded = (raw["ser_start"] != "0:00:00") & (raw["ser_time"] > 0)
    served = raw[(raw["outcome"] == "AGENT") & (raw["server"] != "NO_SERVER") & recorded]
    start = pd.to_timedelta(served["ser_start"]).dt.total_seconds()
    services = pd.DataFrame(
        {
            "date": served["date"],
            "server": served["server"],
            "start_s": start,
            "end_s": start + served["ser_time"].clip(upper=_MAX_HANDLE_S),
            "type": served["type"],
        }
    )
    days = {}
    by_day = dict(tuple(services.groupby("date")))
    for date, frame in calls.groupby("date"):
        day = dt.date.fromisoformat(str(date))
        ordered = frame.drop(columns="date").sort_values("t", kind="stable")
        serving = by_day.get(date, services.iloc[:0]).drop(columns="date")
        days[day] = BankDay(
            date=day,
            calls=ordered.reset_index(drop=True),
            services=serving.sort_values(["server", "start_s"]).reset_index(drop=True),
        )
    return days


def stretches(services: pd.DataFrame, gap_s: float) -> dict[str, tuple[tuple[float, float], ...]]:
    """Each server's stretches on duty: from a call's start to the end of the last call
    before a gap longer than ``gap_s``."""
    out: dict[str, tuple[tuple[float, float], ...]] = {}
    for server, frame in services.groupby("server", sort=True):
        starts = frame["start_s"].astype(float).tolist()
        ends = frame["end_s"].astype(float).tolist()
        out[str(server)] = tuple(_union(list(zip(starts, ends, strict=True)), gap_s))
    return out


def build_twin(day: BankDay, settings: TwinSettings, *, seed: int, width: float = 1800.0) -> Built:
    """The day's twin: its callers, handle times, patience and agents."""
    calls = day.calls
    if calls.empty:
        raise ScenarioError(f"no calls offered to agents on {day.date}")
    on_duty = stretches(day.services, settings.break_gap_s)
    if not on_duty:
        raise ScenarioError(f"the log shows no agent serving on {day.date}")
    rng = Random(seed)
    patience = patience_curves(calls)
    draw_patience = {kind: curve.sampler(rng) for kind, curve in patience.items()}
    handles = _handle_samplers(calls, rng)
    traces: dict[tuple[str, bool], list[tuple[float, float, float]]] = {}
    for t, kind, first, handle in zip(
        calls["t"], calls["type"], calls["priority"], calls["handle_s"], strict=True
    ):
        h = float(handle) if not math.isnan(handle) else handles[str(kind)]()
        traces.setdefault((str(kind), bool(first)), []).append(
            (float(t), h, draw_patience[str(kind)]())
        )
    start = math.floor(float(calls["t"].iloc[0]) / width) * width
    end = (math.floor(float(calls["t"].iloc[-1]) / width) + 1) * width
    skills = served_types(day.services)
    paused = not_ready_spans(day, skills, settings.break_gap_s)
    return _built(
        traces, on_duty, paused, skills, settings, start=start, end=end, width=width, seed=seed
    )


# A pause shorter than this is the switch's own delay in handing a caller over, not the
# agent's: left out (it also keeps the day from thousands of one-instant breaks).
_SHORTEST_PAUSE_S = 1.0
NOT_READY = "break"


def not_ready_spans(
    day: BankDay, skills: dict[str, frozenset[str]], break_gap_s: float
) -> dict[str, tuple[tuple[float, float, str], ...]]:
    """Each agent's stretches of not ready, as (start, seconds, reason): the parts of a gap
    between two of their calls (within a stretch on duty) in which a caller of a type they
    serve was waiting. Had they been ready, the bank's switch would have handed that
    caller to them; the log records no not-ready state, but its queue shows this one."""
    waiting: dict[str, list[tuple[float, float]]] = {}
    calls = day.calls
    for t, kind, wait in zip(calls["t"], calls["type"], calls["wait_s"], strict=True):
        if wait > 0:
            waiting.setdefault(str(kind), []).append((float(t), float(t) + float(wait)))
    out: dict[str, tuple[tuple[float, float, str], ...]] = {}
    for server, frame in day.services.groupby("server", sort=True):
        busy_queue = _union(
            [span for kind in skills.get(str(server), ()) for span in waiting.get(kind, ())]
        )
        spans: list[tuple[float, float, str]] = []
        free_from = -math.inf
        for s, e in zip(frame["start_s"], frame["end_s"], strict=True):
            if 0 < s - free_from <= break_gap_s:
                spans += _within(busy_queue, free_from, float(s))
            free_from = max(free_from, float(e))
        out[str(server)] = tuple(spans)
    return out


def _union(spans: list[tuple[float, float]], gap_s: float = 0.0) -> list[tuple[float, float]]:
    """``spans`` joined where they overlap, touch or are at most ``gap_s`` apart; in order."""
    out: list[tuple[float, float]] = []
    for a, b in sorted(spans):
        if out and a - out[-1][1] <= gap_s:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def _within(
    spans: list[tuple[float, float]], start: float, end: float
) -> list[tuple[float, float, str]]:
    """The parts of ``spans`` (sorted, disjoint) inside [start, end], as breaks."""
    out = []
    # The first span that may reach past ``start``: the one before the first to begin after.
    for a, b in spans[max(0, bisect.bisect_right(spans, (start, math.inf)) - 1) :]:
        if a >= end:
            break
        lo, hi = max(a, start), min(b, end)
        if hi - lo >= _SHORTEST_PAUSE_S:
            out.append((lo, hi - lo, NOT_READY))
    return out


def served_types(services: pd.DataFrame) -> dict[str, frozenset[str]]:
    """The service types each server takes: those that made at least ``SKILL_SHARE`` of
    their calls that day (a type taken now and then is help in a rush, not their work)."""
    out: dict[str, frozenset[str]] = {}
    for server, frame in services.groupby("server", sort=True):
        shares = frame["type"].value_counts(normalize=True)
        out[str(server)] = frozenset(str(t) for t, share in shares.items() if share >= SKILL_SHARE)
    return out


def _queue_id(kind: str, first: bool) -> str:
    return f"{kind}-priority" if first else kind


def _skill(kind: str) -> str:
    return f"type_{kind.lower()}"


def _levels(kinds: frozenset[str]) -> dict[str, int]:
    return {_skill(k): 1 for k in kinds}


# A service type needs this many callers who gave up that day for a patience curve of
# its own; with fewer, its callers draw from the whole day's curve.
PATIENCE_MIN_ABANDONS = 20


def patience_curves(calls: pd.DataFrame) -> dict[str, KaplanMeier]:
    """Each service type's patience: the Kaplan-Meier curve of its own callers where at
    least ``PATIENCE_MIN_ABANDONS`` of them gave up, else the whole day's. The types differ
    widely (over August the median patience of potential customers, NW, was 160 s, of
    account holders, PS, 678 s, of all callers 364 s): one curve for all made the
    impatient types as patient as the rest, and the twin's callers gave up too seldom."""
    gave_up = ~calls["answered"].to_numpy()
    waits = calls["wait_s"].to_numpy(dtype=np.float64)
    kinds = calls["type"].astype(str).to_numpy()
    day = KaplanMeier.fit(waits, gave_up)
    out = {}
    for kind in sorted(set(kinds)):
        own = kinds == kind
        enough = gave_up[own].sum() >= PATIENCE_MIN_ABANDONS
        out[kind] = KaplanMeier.fit(waits[own], gave_up[own]) if enough else day
    return out


def _handle_samplers(calls: pd.DataFrame, rng: Random) -> dict[str, Sampler]:
    known = calls.dropna(subset=["handle_s"])
    everyone = tuple(float(x) for x in known["handle_s"]) or (180.0,)
    out = {}
    for kind in calls["type"].unique():
        own = tuple(float(x) for x in known.loc[known["type"] == kind, "handle_s"])
        out[str(kind)] = Empirical(own or everyone).sampler(rng)
    return out


def _built(
    traces: dict[tuple[str, bool], list[tuple[float, float, float]]],
    on_duty: dict[str, tuple[tuple[float, float], ...]],
    paused: dict[str, tuple[tuple[float, float, str], ...]],
    skills: dict[str, frozenset[str]],
    settings: TwinSettings,
    *,
    start: float,
    end: float,
    width: float,
    seed: int,
) -> Built:
    campaign = CampaignId("bank")
    wrap = WrapUpPolicy(seconds=settings.after_call_s)
    ids = [AgentId(name) for name in on_duty]
    behaviour = Behaviour(
        accept=Constant(0.0),
        miss_probability=0.0,
        ready_after_miss=Constant(0.0),
        drops_per_hour=0.0,
        drop_length=Constant(0.0),
    )
    agents = tuple(
        AgentPlan(id=name, shifts=spans, breaks=paused.get(name, ()), behaviour=behaviour)
        for name, spans in on_duty.items()
    )
    keys = sorted(traces)
    queues = tuple(
        QueuePlan(
            id=_queue_id(kind, first),
            arrivals=PiecewiseRate(starts=(start,), rates=(0.0,), end=end),
            handle=Constant(0.0),
            patience=Never(),
            wrap_time=None,
            target_s=20.0,
            priority=int(first),
            trace=tuple(traces[kind, first]),
        )
        for kind, first in keys
    )
    configs = tuple(
        QueueConfig(
            id=QueueId(_queue_id(kind, first)),
            campaign=campaign,
            requirement=_skill(kind),
            wrap_up=wrap,
        )
        for kind, first in keys
    )
    routing = RoutingConfig(
        campaigns=(CampaignConfig(id=campaign, client=ClientId("bank"), callback_on_drop=False),),
        queues=configs,
        agents=tuple(
            AgentProfile.of(
                a, skills={_skill(k): 1 for k in skills.get(a, ())}, campaigns=[campaign]
            )
            for a in ids
        ),
        reasons=SIM_REASONS,
    )
    takes = {
        _queue_id(kind, first): tuple(
            i for i, a in enumerate(ids) if kind in skills.get(a, frozenset())
        )
        for kind, first in keys
    }
    return Built(
        routing=routing,
        queues=queues,
        agents=agents,
        queue_agents=takes,
        start=start,
        end=end,
        interval_s=width,
        warmup_end=start,
        drain_end=end + 3 * 3600.0,
        seed=seed,
        name=f"twin {start}",
    )


def real_figures(day: BankDay) -> Figures:
    """What the bank's day was: offered calls, mean wait (answered and abandoned) and the
    share of callers who gave up."""
    calls = day.calls
    n = len(calls)
    return Figures(
        offered=n,
        mean_wait_s=float(calls["wait_s"].mean()),
        abandon_rate=float((~calls["answered"]).sum() / n),
    )


def run_twin(day: BankDay, settings: TwinSettings, *, seeds: Sequence[int] = (1, 2, 3)) -> TwinDay:
    """The twin of ``day`` run once per seed, against the real day."""
    waits, abandons = [], []
    for seed in seeds:
        results = simulate(build_twin(day, settings, seed=seed), seed=seed)
        rows = results.days
        ended = sum(r.answered + r.abandoned for r in rows)
        waited = sum(
            r.mean_wait_s * (r.answered + r.abandoned) for r in rows if r.answered + r.abandoned
        )
        waits.append(waited / ended if ended else math.nan)
        abandons.append(sum(r.abandoned for r in rows) / max(1, sum(r.offered for r in rows)))
    return TwinDay(
        date=day.date,
        agents=day.services["server"].nunique(),
        real=real_figures(day),
        simulated=Figures(
            offered=len(day.calls),
            mean_wait_s=float(np.mean(waits)),
            abandon_rate=float(np.mean(abandons)),
        ),
    )


def calibration_loss(results: Iterable[TwinDay]) -> float:
    """Mean squared log ratio, simulated over real, of mean wait and abandonment."""
    terms = []
    for r in results:
        for sim, real in (
            (r.simulated.mean_wait_s, r.real.mean_wait_s),
            (r.simulated.abandon_rate, r.real.abandon_rate),
        ):
            terms.append(math.log(max(sim, 1e-9) / max(real, 1e-9)) ** 2)
    return float(np.mean(terms))


@dataclass(frozen=True)
class Calibration:
    """The settings chosen on the calibration days, the loss of every setting tried, and
    the twin's figures on every day at the chosen settings."""

    settings: TwinSettings
    losses: dict[TwinSettings, float]
    calibration: tuple[TwinDay, ...]
    validation: tuple[TwinDay, ...]

    def to_text(self) -> str:
        s = self.settings
        lines = [
            f"calibrated: {s.after_call_s:g} s off the phone after each call, a gap over "
            f"{s.break_gap_s / 60:g} min between calls is a break",
            "day         role         calls  agents   wait real    twin   err  "
            "abandoned real   twin   err",
        ]
        rows = [(d, "calibration") for d in self.calibration]
        rows += [(d, "validation") for d in self.validation]
        for d, role in sorted(rows, key=lambda x: x[0].date):
            ew, ea = d.errors()
            lines.append(
                f"{d.date}  {role:11s} {d.real.offered:6d} {d.agents:7d} "
                f"{d.real.mean_wait_s:8.1f} s {d.simulated.mean_wait_s:6.1f} s {ew:+5.0%}  "
                f"{d.real.abandon_rate:12.1%} {d.simulated.abandon_rate:6.1%} {ea:+5.0%}"
            )
        ok = sum(max(abs(e) for e in d.errors()) <= 0.1 for d in self.validation)
        lines.append(f"validation days with both errors within 10%: {ok} of {len(self.validation)}")
        if self.validation:
            wait = float(np.median([abs(d.errors()[0]) for d in self.validation]))
            gave_up = float(np.median([abs(d.errors()[1]) for d in self.validation]))
            lines.append(
                f"median absolute error on validation days: mean wait {wait:.0%}, "
                f"abandonment {gave_up:.0%}; loss {calibration_loss(self.validation):.3f} "
                f"(calibration days {self.losses[self.settings]:.3f})"
            )
        return "\n".join(lines)


def _run(job: tuple[BankDay, TwinSettings, tuple[int, ...]]) -> TwinDay:
    day, settings, seeds = job
    return run_twin(day, settings, seeds=seeds)


def calibrate(
    calibration: Sequence[BankDay],
    validation: Sequence[BankDay],
    grid: Sequence[TwinSettings],
    *,
    seeds: Sequence[int] = (1, 2),
    jobs: int = 1,
) -> Calibration:
    """Chooses the settings of ``grid`` with the lowest :func:`calibration_loss` on the
    calibration days alone, then runs the twin on the validation days with them."""
    if not calibration or not grid:
        raise ValueError("calibration needs at least one day and one setting to try")
    seeds = tuple(seeds)
    work = [(day, s, seeds) for s in grid for day in calibration]
    results = _map(work, jobs)
    losses: dict[TwinSettings, float] = {}
    per_setting: dict[TwinSettings, list[TwinDay]] = {}
    for (_, s, _), r in zip(work, results, strict=True):
        per_setting.setdefault(s, []).append(r)
    for s, days in per_setting.items():
        losses[s] = calibration_loss(days)
    best = min(grid, key=lambda s: losses[s])
    checked = _map([(day, best, seeds) for day in validation], jobs)
    return Calibration(
        settings=best,
        losses=losses,
        calibration=tuple(per_setting[best]),
        validation=tuple(checked),
    )


def _map(work: list[tuple[BankDay, TwinSettings, tuple[int, ...]]], jobs: int) -> list[TwinDay]:
    if jobs <= 1:
        return [_run(job) for job in work]
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=jobs) as pool:
        return list(pool.map(_run, work, chunksize=1))


# Seconds off the phone after a call, and the gap that makes a break: the settings tried.
AFTER_CALL_S = (0.0, 15.0, 30.0, 45.0, 60.0, 75.0, 90.0)
BREAK_GAP_S = (600.0, 1200.0, 1800.0, 3600.0)
GRID = tuple(TwinSettings(after_call_s=a, break_gap_s=g) for a in AFTER_CALL_S for g in BREAK_GAP_S)


def split_days(days: Iterable[dt.date]) -> tuple[list[dt.date], list[dt.date]]:
    """Calibration days (odd dates) and validation days (even dates): both halves hold
    every weekday, busy and quiet weeks alike."""
    ordered = sorted(days)
    return [d for d in ordered if d.day % 2], [d for d in ordered if d.day % 2 == 0]


def calibrate_month(path: str | Path, *, jobs: int = 1) -> Calibration:
    """Calibrates the twin on the odd days of the log and validates it on the even ones."""
    days = read_bank_log(path)
    odd, even = split_days(days)
    if not odd:
        raise ScenarioError(f"no calls offered to agents in {path}")
    return calibrate([days[d] for d in odd], [days[d] for d in even], GRID, jobs=jobs)
