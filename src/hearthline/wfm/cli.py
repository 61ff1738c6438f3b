"""The planning sub-commands: ``erlang`` (a queue calculator), ``forecast``, ``plan`` and
``backtest``.

Numbers are read as text and checked here, so any bad value ends in one clear line
(``hearthline.cli.UsageError``), never a traceback.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hearthline.kernel.errors import UsageError

_DEFAULT_INTERVAL_S = 1800.0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``erlang``, ``forecast`` and ``plan`` to the ``hearthline`` command."""
    _register_erlang(subparsers)
    _register_forecast(subparsers)
    _register_plan(subparsers)
    _register_backtest(subparsers)


# --- value parsing ------------------------------------------------------------------


def _number(
    flag: str, text: str | None, *, positive: bool = False, maximum: float = math.inf
) -> float:
    if text is None:
        raise UsageError(f"{flag} is required")
    try:
        value = float(text)
    except ValueError:
        raise UsageError(f"{flag} must be a number, got {text!r}") from None
    if not math.isfinite(value):
        raise UsageError(f"{flag} must be a finite number, got {text!r}")
    if value < 0 or (positive and value == 0):
        raise UsageError(
            f"{flag} must be {'greater than 0' if positive else '0 or more'}, got {text}"
        )
    if value > maximum:
        raise UsageError(f"{flag} must be at most {maximum:g}, got {text}")
    return value


def _optional(flag: str, text: str | None, **kw: Any) -> float | None:
    return None if text is None else _number(flag, text, **kw)


def _share(flag: str, text: str | None, *, allow_one: bool = False) -> float | None:
    if text is None:
        return None
    value = _number(flag, text, maximum=1.0)
    if value == 0 or (value == 1 and not allow_one):
        bound = "at most 1" if allow_one else "below 1"
        raise UsageError(f"{flag} must be a share above 0 and {bound} (e.g. 0.8), got {text}")
    return value


def _whole(flag: str, text: str) -> int:
    value = _number(flag, text)
    if value != math.floor(value):
        raise UsageError(f"{flag} must be a whole number, got {text}")
    return int(value)


def _json_number(value: float) -> float | None:
    return value if math.isfinite(value) else None


def _date(flag: str, text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"{flag} must be a date like 2010-08-22, got {text!r}") from None


# --- erlang ---------------------------------------------------------------------------


def _register_erlang(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "erlang",
        help="queue figures for one interval (Erlang C, or Erlang A with --patience)",
        description=(
            "Queue figures for one interval: give --agents for the figures at that staffing, "
            "or a target (--target-sl, --target-asa, --max-abandon) for the agents required."
        ),
    )
    p.add_argument("--calls", metavar="N", help="calls offered in the interval")
    p.add_argument(
        "--interval", metavar="SECONDS", default=str(_DEFAULT_INTERVAL_S), help="interval length"
    )
    p.add_argument("--aht", metavar="SECONDS", help="average handle time")
    p.add_argument("--agents", metavar="N", help="agents on the phones")
    p.add_argument(
        "--answer-time", metavar="SECONDS", default="20", help="service level target time"
    )
    p.add_argument("--target-sl", metavar="SHARE", help="required service level, e.g. 0.8")
    p.add_argument("--target-asa", metavar="SECONDS", help="required average speed of answer")
    p.add_argument("--max-abandon", metavar="SHARE", help="most callers allowed to give up")
    p.add_argument("--max-occupancy", metavar="SHARE", help="occupancy cap, e.g. 0.85")
    p.add_argument("--shrinkage", metavar="SHARE", default="0", help="time off the phones")
    p.add_argument(
        "--patience", metavar="SECONDS", help="callers' mean patience: switches to Erlang A"
    )
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=run_erlang)


def run_erlang(args: argparse.Namespace) -> int:
    """``hearthline erlang``: figures at a staffing, or the staffing a target needs."""
    from hearthline.wfm.staffing import Targets, figures_at, required_agents, scheduled_agents

    calls = _number("--calls", args.calls)
    interval = _number("--interval", args.interval, positive=True)
    aht = _number("--aht", args.aht, positive=True)
    answer = _number("--answer-time", args.answer_time)
    patience = _optional("--patience", args.patience, positive=True)
    target_sl = _share("--target-sl", args.target_sl)
    target_asa = _optional("--target-asa", args.target_asa, positive=True)
    max_abandon = _share("--max-abandon", args.max_abandon)
    max_occ = _share("--max-occupancy", args.max_occupancy, allow_one=True)
    shrinkage_text = args.shrinkage
    shrinkage = 0.0 if shrinkage_text in (None, "0") else _number("--shrinkage", shrinkage_text)
    if shrinkage >= 1:
        raise UsageError(f"--shrinkage must be at least 0 and below 1, got {shrinkage_text}")
    if max_abandon is not None and patience is None:
        raise UsageError("--max-abandon needs --patience (abandonment is Erlang A)")
    has_target = any(v is not None for v in (target_sl, target_asa, max_abandon))
    if args.agents is not None and has_target:
        raise UsageError("give either --agents or a target (--target-sl, --target-asa, ...)")
    if args.agents is None and not has_target:
        raise UsageError("give --agents, or a target such as --target-sl 0.8")
    if args.agents is None and max_occ is None and not has_target:  # pragma: no cover
        raise UsageError("nothing to compute")

    required: int | None = None
    if has_target:
        targets = Targets(
            service_level=target_sl,
            answer_time_s=answer,
            asa_s=target_asa,
            max_abandon=max_abandon,
            max_occupancy=max_occ,
            patience_s=patience,
            shrinkage=shrinkage,
        )
        try:
            required = int(
                required_agents(calls=calls, interval_s=interval, aht_s=aht, targets=targets)
            )
        except ArithmeticError as exc:
            raise UsageError(str(exc)) from None
        agents = required
    else:
        agents = _whole("--agents", args.agents)
    figs = figures_at(
        calls=calls,
        interval_s=interval,
        aht_s=aht,
        agents=agents,
        answer_time_s=answer,
        patience_s=patience,
    )
    out: dict[str, Any] = {
        "model": figs.model,
        "traffic_erlangs": float(figs.traffic_erlangs),
        "agents": agents,
        "p_wait": float(figs.p_wait),
        "service_level": float(figs.service_level),
        "answer_time_s": answer,
        "asa_s": _json_number(float(figs.asa_s)),
        "occupancy": float(figs.occupancy),
        "unstable": bool(figs.unstable),
    }
    if patience is not None:
        out["p_abandon"] = float(figs.p_abandon)
        out["patience_s"] = patience
    if required is not None:
        out["required_agents"] = required
        out["scheduled_agents"] = int(scheduled_agents(agents=required, shrinkage=shrinkage))
        out["shrinkage"] = shrinkage
    if bool(figs.unstable):
        out["message"] = (
            "the queue is unstable: traffic is at or above the agents, so every caller waits "
            "and the queue grows without bound"
        )
    if args.json:
        print(json.dumps(out))
    else:
        print(_erlang_text(out, calls=calls, interval=interval, aht=aht))
    return 0


def _pct(value: float) -> str:
    return f"{100 * value:.1f} %"


def _erlang_text(out: dict[str, Any], *, calls: float, interval: float, aht: float) -> str:
    model = (
        f"Erlang A (callers give up after a mean patience of {out['patience_s']:g} s)"
        if out["model"] == "erlang-a"
        else "Erlang C (callers wait as long as it takes)"
    )
    lines = [
        model,
        f"  calls offered     {calls:g} in {interval:g} s, AHT {aht:g} s",
        f"  traffic           {out['traffic_erlangs']:.3f} Erlangs",
    ]
    if "required_agents" in out:
        lines.append(f"  required agents   {out['required_agents']}")
        if out["shrinkage"]:
            lines.append(
                f"  to schedule       {out['scheduled_agents']} "
                f"(after shrinkage of {_pct(out['shrinkage'])})"
            )
    else:
        lines.append(f"  agents            {out['agents']}")
    lines += [
        f"  P(wait)           {_pct(out['p_wait'])}",
        f"  service level     {_pct(out['service_level'])} answered within "
        f"{out['answer_time_s']:g} s",
        "  ASA               " + ("unbounded" if out["asa_s"] is None else f"{out['asa_s']:.1f} s"),
        f"  occupancy         {_pct(out['occupancy'])}",
    ]
    if "p_abandon" in out:
        lines.append(f"  abandoned         {_pct(out['p_abandon'])}")
    if out["unstable"]:
        lines.append(f"  {out['message']}")
    return "\n".join(lines)


# --- forecast and plan ------------------------------------------------------------------


def _register_forecast(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "forecast",
        help="forecast calls and handle time per interval from contact history",
        description=(
            "Forecast offered calls and average handle time per interval for the days from "
            "--start, using only history before --start. The method is chosen by backtesting."
        ),
    )
    _history_args(p)
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=run_forecast)


def _register_plan(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "plan",
        help="staffing plan: forecast, then required agents per interval",
        description="Forecast the days from --start and staff every interval to the targets.",
    )
    _history_args(p)
    p.add_argument("--target-sl", metavar="SHARE", default="0.8", help="service level target")
    p.add_argument("--answer-time", metavar="SECONDS", default="20", help="service level time")
    p.add_argument("--target-asa", metavar="SECONDS", help="average speed of answer target")
    p.add_argument("--max-abandon", metavar="SHARE", help="abandonment cap (needs --patience)")
    p.add_argument("--max-occupancy", metavar="SHARE", help="occupancy cap, e.g. 0.85")
    p.add_argument("--shrinkage", metavar="SHARE", default="0.3", help="time off the phones")
    p.add_argument("--patience", metavar="SECONDS", help="mean patience: plan with Erlang A")
    p.add_argument(
        "--open",
        metavar="HH:MM-HH:MM",
        help="the line's daily opening hours (local time): no agents are planned outside them",
    )
    p.add_argument("--csv", metavar="FILE", help="write the plan as CSV")
    p.add_argument("--png", metavar="FILE", help="draw the plan as a PNG chart")
    p.add_argument("--json", action="store_true", help="print the plan as one JSON object")
    p.set_defaults(func=run_plan)


def _opening(text: str | None) -> Callable[[dt.datetime], bool] | None:
    """``--open 08:00-18:00`` as "is this local time open?"."""
    if text is None:
        return None
    match = re.fullmatch(r"([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-4]):([0-5]\d)", text)
    if match is None:
        raise UsageError(f"--open is HH:MM-HH:MM, e.g. 08:00-18:00, not {text!r}")
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    opens, closes = h1 * 60 + m1, h2 * 60 + m2
    if not opens < closes <= 24 * 60:
        raise UsageError(f"--open {text}: the line closes before it opens")
    return lambda at: opens <= at.hour * 60 + at.minute < closes


def _register_backtest(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "backtest",
        help="every forecast method against seasonal naive, week by week over a history",
        description=(
            "Forecast every week of the history that has two weeks before it from the days "
            "before it, with every method, for all calls and for calls offered to agents."
        ),
    )
    p.add_argument("--history", metavar="FILE", required=True, help="contact history CSV")
    p.add_argument("--format", default="auto", metavar="FORMAT", help="history format")
    p.add_argument("--interval", metavar="MINUTES", default="30", help="interval length")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=run_backtest)


def run_backtest(args: argparse.Namespace) -> int:
    """``hearthline backtest``: per-week WAPE of every method, and the chosen one's ratio."""
    from hearthline.wfm.evaluation import backtest_series

    minutes = _interval_minutes(args.interval)
    history = _load(Path(args.history), args.format)
    try:
        results = backtest_series(history, interval_minutes=minutes)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if args.json:
        print(json.dumps({"series": [r.to_json() for r in results]}))
    else:
        print("\n\n".join(r.to_text() for r in results))
    return 0


def _interval_minutes(text: str) -> int:
    minutes = _whole("--interval", text)
    if minutes < 1 or 1440 % minutes:
        raise UsageError(f"--interval must be a whole number of minutes dividing a day, got {text}")
    return minutes


def _load(path: Path, fmt: str) -> Any:
    from hearthline.wfm.importers import WrongFormat, load_history

    try:
        history = load_history(path, fmt=fmt)
    except WrongFormat as exc:
        raise UsageError(
            f"{exc}: use --format {exc.found}, or leave --format out to detect it"
        ) from None
    except (OSError, ValueError) as exc:
        raise UsageError(str(exc)) from None
    for bad in history.bad_rows[:20]:
        print(f"{path}:{bad.line}: skipped: {bad.reason}", file=sys.stderr)
    if len(history.bad_rows) > 20:
        print(f"{path}: {len(history.bad_rows) - 20} more bad rows skipped", file=sys.stderr)
    return history


def _history_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--history", metavar="FILE", required=True, help="contact history CSV")
    p.add_argument(
        "--format",
        default="auto",
        metavar="FORMAT",
        help="history format: generic, anonymous-bank, or auto (from the header; the default)",
    )
    p.add_argument("--start", metavar="DATE", required=True, help="first day to forecast")
    p.add_argument("--days", metavar="N", default="7", help="days to forecast")
    p.add_argument("--interval", metavar="MINUTES", default="30", help="interval length")
    p.add_argument("--queue", metavar="NAME", help="one queue only (default: all together)")
    p.add_argument(
        "--by-queue", action="store_true", help="forecast each queue separately (plan only)"
    )


def _load_for_forecast(args: argparse.Namespace) -> Any:
    from hearthline.wfm.forecast import ForecastRequest

    start = _date("--start", args.start)
    days = _whole("--days", args.days)
    if days < 1 or days > 366:
        raise UsageError(f"--days must be between 1 and 366, got {args.days}")
    minutes = _interval_minutes(args.interval)
    history = _load(Path(args.history), args.format)
    return history, ForecastRequest(
        start=start, days=days, interval_minutes=minutes, queue=args.queue
    )


def run_forecast(args: argparse.Namespace) -> int:
    """``hearthline forecast``: calls and AHT per interval for the coming days."""
    from hearthline.wfm.forecast import forecast_history

    history, request = _load_for_forecast(args)
    try:
        fc = forecast_history(history, request)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if args.json:
        print(json.dumps(fc.to_json()))
    else:
        print(fc.to_text())
    return 0


def run_plan(args: argparse.Namespace) -> int:
    """``hearthline plan``: forecast, then required and scheduled agents per interval."""
    from hearthline.wfm.pipeline import plan_from_history
    from hearthline.wfm.plan import write_plan_csv, write_plan_png
    from hearthline.wfm.staffing import Targets

    history, request = _load_for_forecast(args)
    try:
        targets = Targets(
            service_level=_share("--target-sl", args.target_sl),
            answer_time_s=_number("--answer-time", args.answer_time),
            asa_s=_optional("--target-asa", args.target_asa, positive=True),
            max_abandon=_share("--max-abandon", args.max_abandon),
            max_occupancy=_share("--max-occupancy", args.max_occupancy, allow_one=True),
            patience_s=_optional("--patience", args.patience, positive=True),
            shrinkage=_number("--shrinkage", args.shrinkage, maximum=0.99),
        )
        plan = plan_from_history(
            history, request, targets, by_queue=args.by_queue, open_at=_opening(args.open)
        ).plan
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if args.csv:
        write_plan_csv(plan, Path(args.csv))
    if args.png:
        write_plan_png(plan, Path(args.png))
    if args.json:
        print(json.dumps(plan.to_json()))
    else:
        print(plan.to_text())
    return 0
