"""``hearthline simulate SCENARIO``: run a simulated day and print what happened."""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import asdict, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hearthline.kernel.errors import UsageError

if TYPE_CHECKING:
    from hearthline.sim.build import Built


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``simulate`` to the ``hearthline`` command."""
    p = subparsers.add_parser(
        "simulate",
        help="run a simulated day on the real routing core",
        description="Run the scenario's day (docs/simulator.md) and print a summary and "
        "tables, or with --json the figures as one JSON object.",
    )
    p.add_argument("scenario", metavar="SCENARIO", help="scenario file (TOML)")
    p.add_argument("--seed", metavar="N", help="seed to use instead of the scenario's")
    p.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    p.add_argument("--out", metavar="DIR", help="also write report.txt, CSV tables and charts")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument(
        "--replications",
        metavar="N",
        default="1",
        help="run the day N times, seeds SEED..SEED+N-1, and report the spread",
    )
    p.add_argument("--jobs", metavar="N", default="1", help="processes to run replications in")
    p.set_defaults(func=run)
    r = subparsers.add_parser(
        "simulate-replay",
        help="replay a real day of the bank's call log and compare with what happened",
        description="Replay one day of an Anonymous Bank call log (arrivals, handle times, "
        "patience, staffing per interval) on the routing core and compare waits, service "
        "level and abandonment with the real day (docs/simulator.md).",
    )
    r.add_argument("history", metavar="CALL_LOG", help="Anonymous Bank CSV")
    r.add_argument("--date", metavar="YYYY-MM-DD", required=True, help="the day to replay")
    r.add_argument("--seed", metavar="N", help="seed for the draws (default 1)")
    r.add_argument("--target", metavar="SECONDS", default="20", help="service level target")
    r.add_argument("--json", action="store_true", help="print the comparison as JSON")
    r.set_defaults(func=run_replay)
    t = subparsers.add_parser(
        "simulate-twin",
        help="calibrate the bank's twin on some days of its log and check it on the others",
        description="Rebuild every day of an Anonymous Bank call log as a twin (agents' "
        "stretches on duty, not ready where idle while their callers waited, service types and "
        "priorities as queues, Kaplan-Meier patience), "
        "calibrate what the log does not say on the odd dates and compare the even dates' "
        "mean wait and abandonment with the real ones (docs/simulator.md).",
    )
    t.add_argument("history", metavar="CALL_LOG", help="Anonymous Bank CSV")
    t.add_argument("--jobs", metavar="N", default="1", help="processes to run days in")
    t.set_defaults(func=run_twin_month)
    c = subparsers.add_parser(
        "plan-check",
        help="check a staffing plan on simulated days and correct it interval by interval",
        description="Run the plan's day (its forecast calls, its agents) on several seeds, "
        "add an agent where the simulated service level misses the target and take one "
        "away where it is met without it, and print both plans (docs/planning.md).",
    )
    c.add_argument("plan", metavar="PLAN_CSV", help="a plan from hearthline plan --csv")
    c.add_argument("--patience", metavar="SECONDS", help="callers' mean patience (none: never)")
    c.add_argument("--target-sl", metavar="SHARE", default="0.8", help="service level target")
    c.add_argument("--answer-time", metavar="SECONDS", default="20", help="within this time")
    c.add_argument("--seeds", metavar="N", default="5", help="simulated days per check")
    c.add_argument("--date", metavar="YYYY-MM-DD", help="the plan's day (default: its first)")
    c.add_argument("--queue", metavar="NAME", help="the plan's queue (when it has several)")
    c.set_defaults(func=run_plan_check)


def _seed(text: str | None) -> int | None:
    if text is None:
        return None
    try:
        return int(text)
    except ValueError:
        raise UsageError(f"--seed must be a whole number, got {text!r}") from None


def _count(flag: str, text: str, most: int) -> int:
    if not text.isdigit() or not 1 <= int(text) <= most:
        raise UsageError(f"{flag} must be a whole number from 1 to {most}, got {text!r}")
    return int(text)


def run(args: argparse.Namespace) -> int:
    from hearthline.sim.build import build
    from hearthline.sim.report import text_report, write_report
    from hearthline.sim.run import simulate
    from hearthline.sim.scenario import ScenarioError, load_scenario

    seed = _seed(args.seed)
    replications = _count("--replications", args.replications, 1000)
    jobs = _count("--jobs", args.jobs, 64)
    if replications > 1 and args.out:
        raise UsageError("--out writes one day's report: leave out --replications or --out")
    try:
        built = build(load_scenario(args.scenario))
    except ScenarioError as exc:
        raise UsageError(str(exc)) from None
    if replications > 1:
        return _run_replications(built, seed, replications, jobs, as_json=args.json)
    show = not args.json and not args.no_progress and sys.stderr.isatty()
    bar, progress = _progress(built.start, built.drain_end, enabled=show)
    try:
        results = simulate(built, seed=seed, progress=progress)
    finally:
        if bar is not None:
            bar.close()
    if not results.name:
        results = replace(results, name=Path(args.scenario).stem)
    if args.out:
        try:
            written = write_report(results, Path(args.out))
        except OSError as exc:
            raise UsageError(f"cannot write the report to {args.out}: {exc}") from None
    if args.json:
        print(json.dumps(results.as_dict(), indent=1, allow_nan=False))
    else:
        print(text_report(results))
        if args.out:
            print(f"\nWritten: {', '.join(str(p) for p in written)}")
    return 0


def _run_replications(
    built: Built, seed: int | None, replications: int, jobs: int, *, as_json: bool
) -> int:
    from hearthline.sim.replications import replicate, summarize
    from hearthline.sim.results import json_safe

    first = built.seed if seed is None else seed
    t = time.perf_counter()
    days = replicate(built, range(first, first + replications), jobs=jobs)
    wall = time.perf_counter() - t
    spread = summarize(days)
    if as_json:
        doc = {
            "seeds": [d.seed for d in days],
            "jobs": jobs,
            "wall_s": wall,
            "summary": [asdict(s) for s in spread],
            "replications": [d.as_dict() for d in days],
        }
        print(json.dumps(json_safe(doc), indent=1, allow_nan=False))
        return 0
    calls = sum(int(d.run.get("calls", 0)) for d in days)
    refused = sum(int(d.run.get("refused_commands", 0)) for d in days)
    print(
        f"{replications} replications (seeds {first}-{first + replications - 1}) in "
        f"{jobs} process{'es' if jobs > 1 else ''}: {calls:,} calls, {wall:.2f} s wall clock; "
        f"refused commands: {refused}"
    )
    print(f"{'queue':<12} {'figure':<14} {'mean':>10} {'s.e.':>9} {'low':>10} {'high':>10}")
    for s in spread:
        print(
            f"{s.queue:<12} {s.figure:<14} {s.mean:>10.4g} {s.se:>9.3g} "
            f"{s.low:>10.4g} {s.high:>10.4g}"
        )
    return 0


def _progress(start: float, end: float, *, enabled: bool) -> tuple[Any, Any]:
    if not enabled:
        return None, None
    from tqdm import tqdm

    bar = tqdm(total=round((end - start) / 60.0), unit="sim min", file=sys.stderr, leave=False)

    def step(t: float) -> None:
        bar.update(max(0, round((t - start) / 60.0) - bar.n))

    return bar, step


def run_replay(args: argparse.Namespace) -> int:
    from hearthline.sim.replay import replay_day, replay_dict, replay_table
    from hearthline.sim.scenario import ScenarioError

    seed = _seed(args.seed)
    try:
        target = float(args.target)
    except ValueError:
        raise UsageError(f"--target must be a number of seconds, got {args.target!r}") from None
    if not target > 0:
        raise UsageError(f"--target must be greater than 0, got {args.target}")
    try:
        replay = replay_day(args.history, date=args.date, seed=seed or 1, target_s=target)
    except ScenarioError as exc:
        raise UsageError(str(exc)) from None
    if args.json:
        print(json.dumps(replay_dict(replay), indent=1, allow_nan=False))
    else:
        print(replay_table(replay))
    return 0


def run_twin_month(args: argparse.Namespace) -> int:
    from hearthline.sim.scenario import ScenarioError
    from hearthline.sim.twin import calibrate_month

    if not args.jobs.isdigit() or not 1 <= int(args.jobs) <= 64:
        raise UsageError(f"--jobs must be a whole number from 1 to 64, got {args.jobs!r}")
    try:
        result = calibrate_month(args.history, jobs=int(args.jobs))
    except ScenarioError as exc:
        raise UsageError(str(exc)) from None
    print(result.to_text())
    return 0


def _positive(flag: str, text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise UsageError(f"{flag} must be a number, got {text!r}") from None
    if not (value > 0 and value < float("inf")):
        raise UsageError(f"{flag} must be greater than 0, got {text}")
    return value


def run_plan_check(args: argparse.Namespace) -> int:
    from hearthline.sim.staffing_check import correct_plan, read_plan_day

    target = _positive("--target-sl", args.target_sl)
    if target >= 1:
        raise UsageError(f"--target-sl must be a share below 1 (e.g. 0.8), got {args.target_sl}")
    patience = None if args.patience is None else _positive("--patience", args.patience)
    seeds = _positive("--seeds", args.seeds)
    if seeds != int(seeds) or seeds > 100:
        raise UsageError(f"--seeds must be a whole number from 1 to 100, got {args.seeds}")
    try:
        day, agents, stamps = read_plan_day(
            args.plan,
            patience_s=patience,
            service_level=target,
            answer_time_s=_positive("--answer-time", args.answer_time),
            date=args.date,
            queue=args.queue,
        )
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    result = correct_plan(day, agents, seeds=range(1, int(seeds) + 1))
    hours = day.width_s / 3600.0
    print(
        f"{'start':19s} {'calls':>6s} {'Erlang':>6s} {'sim SL':>7s} "
        f"{'corrected':>9s} {'sim SL':>7s}"
    )
    for i, stamp in enumerate(stamps):
        print(
            f"{stamp:19s} {day.calls[i]:6.1f} {result.erlang.agents[i]:6d} "
            f"{result.erlang.service_level[i]:7.1%} {result.corrected.agents[i]:9d} "
            f"{result.corrected.service_level[i]:7.1%}"
        )
    for name, checked in (("Erlang plan", result.erlang), ("corrected", result.corrected)):
        below = sum(
            1
            for c, sl in zip(day.calls, checked.service_level, strict=True)
            if c > 0 and sl < target
        )
        print(
            f"{name}: {checked.agent_hours * hours:.1f} agent-hours on the phones, "
            f"{checked.day_service_level:.1%} in the day, {below} intervals below target"
        )
    return 0
