"""``hearthline simulate SCENARIO``: run a simulated day and print what happened."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

from hearthline.kernel.errors import UsageError


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


def _seed(text: str | None) -> int | None:
    if text is None:
        return None
    try:
        return int(text)
    except ValueError:
        raise UsageError(f"--seed must be a whole number, got {text!r}") from None


def run(args: argparse.Namespace) -> int:
    from hearthline.sim.build import build
    from hearthline.sim.report import text_report, write_report
    from hearthline.sim.run import simulate
    from hearthline.sim.scenario import ScenarioError, load_scenario

    seed = _seed(args.seed)
    try:
        built = build(load_scenario(args.scenario))
    except ScenarioError as exc:
        raise UsageError(str(exc)) from None
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
