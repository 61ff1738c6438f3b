"""Reports over a month of a 500-agent center: query latency, and the XLSX export.

    make bench BENCH_ARGS=reports              # 1,000,000 contacts, SQLite and PostgreSQL
    python -m bench reports --quick            # 100,000 contacts, for a smoke run
    python -m bench reports --calls=300000 --sqlite-only   # or --postgres-only
    python -m bench reports --store=sqlite:////var/tmp/month.sqlite3   # keep the month

With ``--store=URL`` the month is written into that database if its log is empty and
kept there; a later run with the same URL measures the queries and exports again
without writing it anew (an hour's work on this machine).

How the month is made, all through the real service (``Writer``): 500 agents of 20
campaigns (10 client companies) sign in for their shifts, take breaks and lunch and sign
out as routing commands on the writer's clock, five days a week; the contacts of each
quarter hour are written through the same writer as ``RecordCalls`` history (one
``CallImported`` event each: queue, wait, talk, wrap-up, agent, outcome), so the report
tables are kept live exactly as the server keeps them. The contacts are not offered to
the agents through the routing core: simulating a million offers end to end takes
longer than this machine has (see docs/PERFORMANCE.md).

Then, on the month: each report query (the route's own ``report_rows``) is run
repeatedly and its p50/p95 printed; the goal is p95 < 500 ms. The peer is what a request
would cost without read models: replaying the month's log through the projection once.
The XLSX export of the month's interval table (by queue and interval) is written by the
route's own ``write_xlsx`` in a fresh process per range (a day, a week, the month), which
prints its time and peak RSS: flat memory means the month's peak is the day's. The peer
is openpyxl's write-only mode on the same rows.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, insert

from bench.databases import database
from hearthline.kernel.clock import ManualClock
from hearthline.kernel.ids import AgentId, CampaignId, ClientId, QueueId, ReasonId
from hearthline.reports.imported import CallImported, RecordCalls
from hearthline.reports.periods import Span, zone
from hearthline.reports.stats import StatsProjection
from hearthline.routing import commands as cmd
from hearthline.routing.config import (
    DEFAULT_REASONS,
    AgentProfile,
    CampaignConfig,
    QueueConfig,
    RoutingConfig,
)
from hearthline.service.domains import CODEC
from hearthline.service.writer import Writer
from hearthline.store import config_repo, tables
from hearthline.store.codec import dump_value
from hearthline.store.engine import create_store_engine
from hearthline.store.log import count_events, read_events
from hearthline.store.migrate import upgrade
from hearthline.store.queries.reports import ReportScope, report_rows
from hearthline.wfm.adherence import Grace

RESULTS = (
    Path(__file__).parent / "results" / os.environ.get("HEARTHLINE_BENCH_RESULT", "reports.json")
)
TZ = "Europe/Paris"
FIRST = dt.date(2026, 3, 1)  # a month with a change of the clocks (29 March)
DAYS = 31
AGENTS, CLIENTS, CAMPAIGNS_PER_CLIENT = 500, 10, 2
SLOT = 900.0


def _campaigns() -> list[tuple[str, str, str]]:
    """(client, campaign, queue) for every line of work."""
    return [
        (f"client{c:02d}", f"c{c:02d}-{k}", f"q{c:02d}-{k}")
        for c in range(CLIENTS)
        for k in ("sales", "care")
    ]


def _agent(i: int) -> str:
    return f"ag{i:03d}"


def _config() -> RoutingConfig:
    lines = _campaigns()
    return RoutingConfig(
        campaigns=tuple(CampaignConfig(CampaignId(k), ClientId(c)) for c, k, _ in lines),
        queues=tuple(QueueConfig(QueueId(q), CampaignId(k)) for _, k, q in lines),
        agents=tuple(
            AgentProfile.of(_agent(i), campaigns=[lines[i % len(lines)][1]]) for i in range(AGENTS)
        ),
        reasons=DEFAULT_REASONS,
    )


def _seed(engine: Engine) -> None:
    names = {"firm": "Bench Outsourcing"} | {c: c for c, _, _ in _campaigns()}
    # The firm's zone, as its schedules' settings hold it: the days the reports count in.
    zone_row = {"id": 1, "time_zone": TZ, "grace": dump_value(Grace, Grace()), "updated_at": 0}
    with engine.begin() as conn:
        config_repo.save_routing_config(conn, _config(), firm="firm", client_names=names)
        conn.execute(insert(tables.schedule_settings), [zone_row])


def _volume(local: dt.datetime) -> float:
    """The relative arrival rate at a local time: office hours, a morning and an afternoon
    peak, quieter weekends."""
    hour = local.hour + local.minute / 60
    if not 8 <= hour < 20:
        return 0.0
    peaks = math.exp(-(((hour - 10.5) / 1.6) ** 2)) + 0.8 * math.exp(-(((hour - 15) / 2) ** 2))
    return (0.2 + peaks) * (0.4 if local.weekday() >= 5 else 1.0)


def _slots(tz_name: str) -> list[float]:
    span = Span.of(FIRST, FIRST + dt.timedelta(DAYS - 1), zone(tz_name))
    return [span.start + i * SLOT for i in range(int((span.end - span.start) // SLOT))]


def _shift_commands(t: float, tz_name: str) -> list[Any]:
    """The agents' sign-ins, breaks, lunches and sign-outs due at ``t``: half start at
    08:00 and half at 12:00, five days a week (each agent has their own two days off)."""
    local = dt.datetime.fromtimestamp(t, zone(tz_name))
    minute = local.hour * 60 + local.minute
    out: list[Any] = []
    for i in range(AGENTS):
        if (local.weekday() + i) % 7 in (5, 6):
            continue
        start = 8 * 60 if i % 2 == 0 else 12 * 60
        offset = minute - start
        agent = AgentId(_agent(i))
        if offset == 0:
            out.append(cmd.SignIn(agent, ready=True))
        elif offset in (120, 360):
            out.append(cmd.MakeNotReady(agent, ReasonId("break")))
        elif offset == 240:
            out.append(cmd.MakeNotReady(agent, ReasonId("lunch")))
        elif offset in (135, 270, 375):
            out.append(cmd.MakeReady(agent))
        elif offset == 480:
            out.append(cmd.SignOut(agent))
    return out


def _calls(t: float, n: int, rng: random.Random, seq: int) -> list[CallImported]:
    lines = _campaigns()
    out = []
    for j in range(n):
        line = rng.randrange(len(lines))
        client, campaign, queue = lines[line]
        agent = _agent(line + len(lines) * rng.randrange(AGENTS // len(lines)))
        wait = rng.expovariate(1 / 25)
        gone = wait > 40 and rng.random() < 0.5
        kind = rng.random()
        out.append(
            CallImported(
                at=t + rng.uniform(0, SLOT - 1),
                contact=f"m{seq + j}",
                client=client,
                campaign=campaign,
                queue=queue,
                caller=f"+33{rng.randrange(300_000):06d}",
                outcome="abandoned" if gone else "answered",
                wait_s=wait,
                agent=None if gone else agent,
                talk_s=0.0 if gone else rng.lognormvariate(5.3, 0.5),
                hold_s=0.0 if gone or kind < 0.8 else rng.uniform(10, 90),
                wrap_s=0.0 if gone else rng.uniform(5, 60),
                disposition=None
                if gone
                else ("sale" if kind < 0.2 else "save" if kind < 0.35 else "done"),
                sale=not gone and kind < 0.2,
                save=not gone and 0.2 <= kind < 0.35,
            )
        )
    return out


def build_month(url: str, calls: int) -> dict[str, Any]:
    """The month written through the writer; returns what was written and how long it took."""
    engine = create_store_engine(url)
    upgrade(engine)
    _seed(engine)
    slots = _slots(TZ)
    weights = [_volume(dt.datetime.fromtimestamp(t, zone(TZ))) for t in slots]
    scale = calls / sum(weights)
    clock = ManualClock(slots[0] - 60)
    writer = Writer(
        engine=engine,
        clock=clock,
        rng=random.Random(1),
        snapshot_every=10**9,
        read_model_every_s=SLOT,
    )
    writer.start()
    rng = random.Random(17)
    written = commands = 0
    days = {t: i for i, t in enumerate(slots[:: int(86400 / SLOT) * 5])}
    carry = 0.0
    started, cpu = time.perf_counter(), time.process_time()
    for t, w in zip(slots, weights, strict=True):
        clock.set(t)
        pending: list[Future[Any]] = [writer.submit(c) for c in _shift_commands(t, TZ)]
        commands += len(pending)
        carry += w * scale
        n, carry = int(carry), carry - int(carry)
        batch = _calls(t, n, rng, written)
        written += n
        for i in range(0, len(batch), 1000):
            pending.append(writer.submit(RecordCalls(tuple(batch[i : i + 1000]))))
        for f in pending:
            f.result(120)
        if t in days:
            print(
                f"    day {days[t]} written after {time.perf_counter() - started:.0f} s", flush=True
            )
    clock.set(slots[-1] + SLOT)
    # The last snapshot holds the month's statistics: writing it takes a while.
    writer.stop(timeout=1800)
    took = time.perf_counter() - started
    engine.dispose()
    return {
        "calls": written,
        "shift_commands": commands,
        "write_s": round(took, 1),
        # The writer's thread and this one's: the whole process.
        "write_cpu_s": round(time.process_time() - cpu, 1),
    }


QUERIES: list[tuple[str, str, tuple[str, ...], str]] = [
    # (name, range, grouping, reader)
    ("month by day", "month", ("day",), "firm"),
    ("month by client", "month", ("client",), "firm"),
    ("month by campaign", "month", ("campaign",), "firm"),
    ("month by queue", "month", ("queue",), "firm"),
    ("month by agent", "month", ("agent",), "firm"),
    ("month totals", "month", (), "firm"),
    ("week by campaign and day", "week", ("campaign", "day"), "firm"),
    ("day by interval", "day", ("interval",), "firm"),
    ("day by queue and interval", "day", ("queue", "interval"), "firm"),
    ("month by day, one client's viewer", "month", ("day",), "viewer"),
    ("month by queue, one client's viewer", "month", ("queue",), "viewer"),
]


def _span(kind: str) -> Span:
    tz = zone(TZ)
    if kind == "month":
        return Span.of(FIRST, FIRST + dt.timedelta(DAYS - 1), tz)
    if kind == "week":
        return Span.of(dt.date(2026, 3, 23), dt.date(2026, 3, 29), tz)
    return Span.of(dt.date(2026, 3, 10), dt.date(2026, 3, 10), tz)


def time_queries(url: str, repeat: int) -> dict[str, Any]:
    engine = create_store_engine(url)
    viewer = ReportScope(clients=frozenset({"client03"}), agents=None, agent_time=False)
    firm = ReportScope(clients=None, agents=None)
    out: dict[str, Any] = {}
    every: list[float] = []
    for name, kind, by, reader in QUERIES:
        span = _span(kind)
        scope = viewer if reader == "viewer" else firm
        times, cpu, rows = [], [], 0
        for _ in range(repeat):
            t0, c0 = time.perf_counter(), time.process_time()
            rows = sum(1 for _ in report_rows(engine, span=span, by=by, scope=scope))
            times.append((time.perf_counter() - t0) * 1000)
            cpu.append((time.process_time() - c0) * 1000)
        every.extend(times)
        p95 = _p95(times)
        p50 = statistics.median(times)
        # This process's CPU only: on PostgreSQL the server's share is not in it.
        cpu_ms = statistics.median(cpu)
        out[name] = {
            "rows": rows,
            "p50_ms": round(p50, 1),
            "p95_ms": round(p95, 1),
            "cpu_p50_ms": round(cpu_ms, 1),
        }
        print(
            f"  {name:38s} {rows:6d} rows  p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  "
            f"CPU {cpu_ms:7.1f} ms"
        )
    out["all_p95_ms"] = round(_p95(every), 1)
    engine.dispose()
    return out


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(0.95 * len(ordered)) - 1)]


def replay_peer(url: str) -> float:
    """Seconds to recompute the month from the log once: a report without read models."""
    engine = create_store_engine(url)
    t0 = time.perf_counter()
    stats = StatsProjection()
    for stored in read_events(engine, CODEC):
        stats.apply(stored.event)
    took = time.perf_counter() - t0
    engine.dispose()
    return took


def export_in_fresh_process(url: str, kind: str, writer: str) -> dict[str, Any]:
    code = (
        "import sys; from bench.bench_reports import _export; "
        f"_export({url!r}, {kind!r}, {writer!r})"
    )
    env = os.environ | {"PYTHONPATH": os.pathsep.join(sys.path)}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _export(url: str, kind: str, writer: str) -> None:
    """In a fresh process: the interval table of ``kind`` written as XLSX; prints JSON."""
    from hearthline.api.exports import write_xlsx

    engine = create_store_engine(url)
    span = _span(kind)
    scope = ReportScope(clients=None, agents=None)
    by = ("queue", "interval")
    base = _rss_mb()
    with tempfile.TemporaryDirectory() as tmp:
        path = f"{tmp}/month.xlsx"
        t0, c0 = time.perf_counter(), time.process_time()
        rows = report_rows(engine, span=span, by=by, scope=scope)
        if writer == "xlsxwriter":
            count = write_xlsx(path, span, by, rows)
        else:
            count = _openpyxl(path, by, rows)
        took = time.perf_counter() - t0
        cpu = time.process_time() - c0
        size = os.path.getsize(path)
    print(
        json.dumps(
            {
                "rows": count,
                "seconds": round(took, 2),
                "cpu_s": round(cpu, 2),
                "start_rss_mb": round(base, 1),
                "peak_rss_mb": round(_rss_mb(), 1),
                "bytes": size,
            }
        )
    )


def _openpyxl(path: str, by: tuple[str, ...], rows: Any) -> int:
    from openpyxl import Workbook

    from hearthline.reports.definitions import FIGURE_NAMES

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Report")
    sheet.append([*by, *FIGURE_NAMES])
    count = 0
    for row in rows:
        sheet.append([*(row.key[d] for d in by), *(row.figures[n] for n in FIGURE_NAMES)])
        count += 1
    book.save(path)
    return count


def _rss_mb() -> float:
    """This process's peak resident memory (VmHWM: unlike ru_maxrss, not inherited from
    the parent this process was forked from)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@contextmanager
def _database(kind: str, store: str | None) -> Iterator[str]:
    if store is None:
        with database(kind) as url:
            yield url
    else:
        yield store


def _month(url: str, calls: int) -> dict[str, Any]:
    """The month in ``url``: written now, or as an earlier run of ``--store`` left it."""
    engine = create_store_engine(url)
    upgrade(engine)
    with engine.connect() as conn:
        written = count_events(conn)
    engine.dispose()
    if written:
        print(f"{url}: the month an earlier run wrote ({written:,} events)", flush=True)
        return {"calls": None, "events": written, "reused": True}
    print(f"{url}: writing a month of {calls:,} contacts and {AGENTS} agents' shifts…", flush=True)
    made = build_month(url, calls)
    print(f"  written through the writer in {made['write_s']} s: {made}", flush=True)
    return made


def main(argv: list[str]) -> int:
    calls = 100_000 if "--quick" in argv else 1_000_000
    for arg in argv:
        if arg.startswith("--calls="):
            calls = int(arg.split("=", 1)[1])
    kinds = ["sqlite", "postgres"]
    if "--sqlite-only" in argv:
        kinds = ["sqlite"]
    elif "--postgres-only" in argv:
        kinds = ["postgres"]
    repeat = 20
    results: dict[str, Any] = {"calls_asked": calls, "agents": AGENTS, "cpus": os.cpu_count()}
    store = next((a.split("=", 1)[1] for a in argv if a.startswith("--store=")), None)
    if store is not None:
        kinds = ["postgres" if store.startswith("postgresql") else "sqlite"]
    for kind in kinds:
        with _database(kind, store) as url:
            made = _month(url, calls)
            queries = time_queries(url, repeat)
            goal = "met" if queries["all_p95_ms"] < 500 else "NOT met"
            print(f"  every query: p95 {queries['all_p95_ms']} ms (goal < 500 ms: {goal})")
            replay = replay_peer(url)
            ratio = replay * 1000 / max(queries["month by day"]["p50_ms"], 0.001)
            print(
                f"  peer, the month replayed from the log for one request: {replay:.1f} s "
                f"({ratio:,.0f}x the read model's month-by-day p50)"
            )
            exports = {
                k: export_in_fresh_process(url, k, "xlsxwriter") for k in ("day", "week", "month")
            }
            for k, e in exports.items():
                print(
                    f"  XLSX of the {k}'s interval table: {e['rows']:,} rows in {e['seconds']} s "
                    f"(CPU {e['cpu_s']} s), "
                    f"peak RSS {e['peak_rss_mb']} MB (started at {e['start_rss_mb']} MB), "
                    f"{e['bytes'] / 1e6:.1f} MB"
                )
            peer = export_in_fresh_process(url, "month", "openpyxl")
            print(
                f"  peer, openpyxl write-only, the month: {peer['seconds']} s, peak RSS "
                f"{peer['peak_rss_mb']} MB (XlsxWriter/openpyxl time: "
                f"{exports['month']['seconds'] / max(peer['seconds'], 0.001):.2f})"
            )
            goal = "met" if exports["month"]["seconds"] < 10 else "NOT met"
            print(f"  month export goal < 10 s: {goal}")
            results[kind] = {
                "month": made,
                "queries": queries,
                "replay_peer_s": round(replay, 1),
                "xlsx": exports,
                "xlsx_openpyxl_peer": peer,
            }
            RESULTS.parent.mkdir(exist_ok=True)
            RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    return 0
