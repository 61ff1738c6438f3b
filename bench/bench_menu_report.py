"""Menu figures over a month: the reports' menu queries against the read model, and the
same figures worked out from the log, which is what a request would cost without it.

    make bench BENCH_ARGS=menu_report                 # 60,000 calls, SQLite and PostgreSQL
    python -m bench menu_report --quick               # 6,000 calls, for a smoke run
    python -m bench menu_report --calls=20000 --sqlite-only   # or --postgres-only

A month (March 2026, UTC) of callers in the menus of three numbers of two client
companies, written through the real service (``Writer``) as the control plane writes
them: ``AnswerCall``, one ``RecordMenuVisit`` per node left (one to three nodes, about
one caller in ten hanging up, one in twenty pressing "0"), ``EndCall``, between 08:00 and
20:00; so ``menu_interval_stats`` is kept live as the server keeps it.

Then each menu query (``store.queries.menu_reports.menu_report``, the route's own) is run
20 times and its p50/p95 wall and mean CPU (this process's) printed; the peer is the month
by node from the log: the MenuVisited payloads read back and summed per node
(``voice.figures.node_figures``, what ``/api/supervisor/menus/figures`` does, with the
month's range added), run 3 times. The goal: every query's p95 under 500 ms.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import statistics
import time
from concurrent.futures import Future
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bench.databases import database
from hearthline.kernel.clock import ManualClock
from hearthline.reports.periods import Span
from hearthline.service.writer import Writer
from hearthline.store import tables
from hearthline.store.engine import create_store_engine
from hearthline.store.migrate import upgrade
from hearthline.store.queries.menu_reports import menu_report
from hearthline.voice.commands import AnswerCall, EndCall, RecordMenuVisit
from hearthline.voice.figures import node_figures

RESULTS = (
    Path(__file__).parent
    / "results"
    / os.environ.get("HEARTHLINE_BENCH_RESULT", "menu_report.json")
)
FIRST = dt.date(2026, 3, 1)
DAYS = 31
UTC = ZoneInfo("UTC")
NUMBERS = (("+15550200", "acme"), ("+15550201", "acme"), ("+15550300", "globex"))
DEEPER = ("sales", "billing", "returns", "account", "opening", "other")


def build_month(url: str, calls: int) -> dict[str, Any]:
    engine = create_store_engine(url)
    upgrade(engine)
    engine.dispose()
    start = dt.datetime.combine(FIRST, dt.time(), tzinfo=UTC).timestamp()
    clock = ManualClock(start)
    rng = random.Random(17)
    writer = Writer(engine=create_store_engine(url), clock=clock, rng=rng, own_engine=True)
    writer.start()
    per_day = calls // DAYS
    visits = 0
    t0, c0 = time.perf_counter(), time.process_time()
    try:
        for day in range(DAYS):
            opens = start + day * 86400 + 8 * 3600
            # The day's commands in the order of their times (callers overlap), each sent
            # with the writer's clock at its time; a day's are awaited before the next.
            steps: list[tuple[float, int, object]] = []
            for n in range(per_day):
                call = f"d{day}-{n}"
                number, client = NUMBERS[n % 3]
                entered = opens + rng.uniform(0, 12 * 3600)
                steps.append((entered, len(steps), AnswerCall(call, f"k-{call}", client, number)))
                path = ["main", *rng.sample(DEEPER, rng.randint(0, 2))]
                for i, node in enumerate(path):
                    left = entered + rng.uniform(3, 40)
                    roll = rng.random()
                    how = (
                        ("hangup" if roll < 0.1 else "zero-out" if roll < 0.15 else "queue")
                        if i == len(path) - 1
                        else f"option:{rng.randint(1, 4)}"
                    )
                    timeouts, invalids = int(rng.random() < 0.2), int(rng.random() < 0.1)
                    visit = RecordMenuVisit(call, node, entered, how, timeouts, invalids)
                    steps.append((left, len(steps), visit))
                    visits += 1
                    entered = left
                steps.append((entered, len(steps), EndCall(call, "caller")))
            steps.sort(key=lambda s: (s[0], s[1]))
            pending: list[Future[Any]] = []
            for at, _, command in steps:
                clock.set(max(clock.now(), at))
                pending.append(writer.submit(command))
            for f in pending:
                f.result()
    finally:
        writer.stop()
    return {
        "calls": per_day * DAYS,
        "visits": visits,
        "write_s": round(time.perf_counter() - t0, 1),
        "write_cpu_s": round(time.process_time() - c0, 1),
    }


QUERIES: tuple[tuple[str, tuple[dt.date, dt.date], tuple[str, ...], frozenset[str] | None], ...] = (
    ("month by menu and node", (FIRST, FIRST + dt.timedelta(DAYS - 1)), ("menu", "node"), None),
    ("month by day", (FIRST, FIRST + dt.timedelta(DAYS - 1)), ("day",), None),
    ("month by client and day", (FIRST, FIRST + dt.timedelta(DAYS - 1)), ("client", "day"), None),
    ("month totals", (FIRST, FIRST + dt.timedelta(DAYS - 1)), (), None),
    ("day by node and interval", (FIRST + dt.timedelta(9), FIRST + dt.timedelta(9)),
     ("node", "interval"), None),
    ("month by node, one client's viewer", (FIRST, FIRST + dt.timedelta(DAYS - 1)),
     ("menu", "node"), frozenset({"globex"})),
)  # fmt: skip


def time_queries(url: str, repeat: int) -> dict[str, Any]:
    engine = create_store_engine(url)
    out: dict[str, Any] = {}
    try:
        for name, (first, last), by, clients in QUERIES:
            span = Span.of(first, last, UTC)
            walls, cpus, rows = [], [], 0
            for _ in range(repeat):
                t0, c0 = time.perf_counter(), time.process_time()
                rows = len(menu_report(engine, span=span, by=by, clients=clients))
                walls.append((time.perf_counter() - t0) * 1000)
                cpus.append((time.process_time() - c0) * 1000)
            walls.sort()
            out[name] = {
                "rows": rows,
                "p50_ms": round(statistics.median(walls), 1),
                "p95_ms": round(walls[int(0.95 * (len(walls) - 1))], 1),
                "cpu_ms": round(statistics.mean(cpus), 1),
            }
            print(f"  {name}: {out[name]}", flush=True)
    finally:
        engine.dispose()
    return out


def log_peer(url: str, repeat: int) -> dict[str, Any]:
    """The month by node from the log: the MenuVisited payloads of the range, summed."""
    engine = create_store_engine(url)
    span = Span.of(FIRST, FIRST + dt.timedelta(DAYS - 1), UTC)
    e = tables.events
    query = select(e.c.payload).where(
        e.c.type == "MenuVisited", e.c.at >= span.start, e.c.at < span.end
    )
    walls, cpus, nodes = [], [], 0
    try:
        for _ in range(repeat):
            t0, c0 = time.perf_counter(), time.process_time()
            with engine.connect() as conn:
                visits = [json.loads(p) for (p,) in conn.execute(query)]
            nodes = len(node_figures(visits))
            walls.append(time.perf_counter() - t0)
            cpus.append(time.process_time() - c0)
    finally:
        engine.dispose()
    return {
        "nodes": nodes,
        "p50_s": round(statistics.median(walls), 2),
        "cpu_s": round(statistics.mean(cpus), 2),
    }


def main(argv: list[str]) -> int:
    calls = 6_000 if "--quick" in argv else 60_000
    for arg in argv:
        if arg.startswith("--calls="):
            calls = int(arg.split("=", 1)[1])
    kinds = ["sqlite", "postgres"]
    if "--sqlite-only" in argv:
        kinds = ["sqlite"]
    elif "--postgres-only" in argv:
        kinds = ["postgres"]
    results: dict[str, Any] = {"calls_asked": calls, "load": os.getloadavg()}
    met = True
    for kind in kinds:
        with database(kind) as url:
            print(f"{kind}: writing a month of {calls:,} callers in menus…", flush=True)
            made = build_month(url, calls)
            print(f"  written through the writer: {made}", flush=True)
            queries = time_queries(url, 20)
            worst = max(q["p95_ms"] for q in queries.values())
            met &= worst < 500
            print(f"  worst p95 {worst} ms (goal < 500 ms: {'met' if worst < 500 else 'NOT met'})")
            peer = log_peer(url, 3)
            ratio = peer["p50_s"] * 1000 / max(queries["month by menu and node"]["p50_ms"], 0.1)
            print(
                f"  peer, the month by node from the log: {peer} "
                f"({ratio:,.0f}x the read model's month by node p50)",
                flush=True,
            )
            results[kind] = {"made": made, "queries": queries, "peer": peer, "ratio": ratio}
    results["load_after"] = os.getloadavg()
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2))
    return 0 if met else 1
