"""Adherence in the reports: a month of a 500-agent center, read from the read model, and
the same worked out from the log for one request (the peer).

    make bench BENCH_ARGS=adherence              # SQLite and PostgreSQL, 500 agents
    python -m bench adherence --sqlite-only      # one database
    python -m bench adherence --quick            # 50 agents, for a smoke run

March 2026 in Europe/Paris (the clocks go forward on the 29th): every agent holds a
09:00-17:00 shift with a half-hour lunch on weekdays (22 shifts), signs in with a few
minutes of jitter (one shift in ten late by 10 to 30 minutes), takes lunch (one in five
running 10 minutes long), loses the connection for 15 minutes one shift in twenty,
becomes available after each of 90 contacts a shift (about the million contacts of the
reports' month), and signs out. The schedule (one window, every shift picked) and the
states are written to the log as the writer stores them.

Timed: the rebuild of the adherence table from the log (what the writer does as the
month goes, shift by shift), and report queries over the month from the table (20 runs
each: p50, p95 and CPU); the peer is one request that works the month out from the log
(the agents' state events, their marks, every shift's days), as a report without the
read model would. Wall and this process's CPU time are both given: the machine is shared.
"""

from __future__ import annotations

import json
import random
import statistics
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, delete, insert

from bench.databases import database
from hearthline.kernel.clock import WallClock
from hearthline.kernel.envelope import Envelope
from hearthline.kernel.ids import AgentId, ReasonId
from hearthline.reports.periods import Span
from hearthline.routing import events as ev
from hearthline.routing.config import CONNECTION_LOST
from hearthline.service.domains import CODEC
from hearthline.store import read_models
from hearthline.store import tables as t
from hearthline.store.engine import create_store_engine
from hearthline.store.log import append_rows, event_row, read_events
from hearthline.store.migrate import upgrade
from hearthline.store.queries import schedules as schedules_q
from hearthline.store.queries.reports import ReportScope, report
from hearthline.wfm import events as we
from hearthline.wfm.adherence import Grace
from hearthline.wfm.adherence_days import shift_days
from hearthline.wfm.board import Board
from hearthline.wfm.contracts import Break, Shift
from hearthline.wfm.timeline import Timelines

RESULTS = Path(__file__).parent / "results"
ZONE = ZoneInfo("Europe/Paris")
MONTH = date(2026, 3, 1)
DAYS = 31
CONTACTS = 90
RUNS = 20
LOOKBACK_S = 36 * 3600.0


def _timed(work: Callable[[], Any]) -> tuple[Any, float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    out = work()
    return out, time.perf_counter() - wall, time.process_time() - cpu


def _at(day: date, hour: float) -> float:
    return (
        datetime.combine(day, datetime.min.time(), tzinfo=ZONE) + timedelta(hours=hour)
    ).timestamp()


def _shifts(agents: list[AgentId]) -> list[tuple[AgentId, Shift]]:
    out = []
    for offset in range(DAYS):
        day = MONTH + timedelta(days=offset)
        if day.weekday() >= 5:
            continue
        for a in agents:
            lunch = Break(_at(day, 12), _at(day, 12.5), paid=False, reason="lunch")
            out.append((a, Shift(f"{a}-{day:%d}", "help", _at(day, 9), _at(day, 17), (lunch,))))
    return out


def _shift_events(agent: AgentId, s: Shift, rng: random.Random) -> list[Any]:
    late = rng.random() < 0.1
    begin = s.start + (rng.uniform(600, 1800) if late else rng.uniform(-300, 120))
    lunch_back = s.breaks[0].end + (600 if rng.random() < 0.2 else rng.uniform(-60, 60))
    out: list[Any] = [ev.AgentSignedIn(begin, agent), ev.AgentBecameAvailable(begin, agent)]
    out += [ev.AgentWentNotReady(s.breaks[0].start, agent, ReasonId("lunch"))]
    out += [ev.AgentBecameAvailable(lunch_back, agent)]
    if rng.random() < 0.05:
        drop = s.start + 5 * 3600
        out += [
            ev.AgentConnectionLost(drop, agent),
            ev.AgentWentNotReady(drop, agent, CONNECTION_LOST),
            ev.AgentReconnected(drop + 900, agent),
            ev.AgentBecameAvailable(drop + 900, agent),
        ]
    work = [(begin, s.breaks[0].start), (lunch_back, s.end)]
    for n in range(CONTACTS):
        a, z = work[n % 2]
        out.append(ev.AgentBecameAvailable(rng.uniform(a + 1, z - 1), agent))
    out.append(ev.AgentSignedOut(s.end + rng.uniform(-120, 300), agent))
    return out


def _fill(url: str, agents: list[AgentId]) -> tuple[int, list[tuple[AgentId, Shift]]]:
    engine = create_store_engine(url)
    upgrade(engine)
    rng = random.Random(7)
    with engine.begin() as conn:
        conn.execute(insert(t.firm).values(id="firm", name="Bench"))
        conn.execute(insert(t.agents), [{"id": a, "name": a} for a in agents])
    held = _shifts(agents)
    before = _at(MONTH, 0) - 86400
    schedule: list[Any] = [
        we.SchedulingConfigured(before, "Europe/Paris", Grace()),
        we.ShiftsPublished(before, "march", tuple(s for _, s in held), before + 3600),
    ]
    schedule += [we.ShiftPicked(before + 1, a, s.id, "march") for a, s in held]
    rows = [
        event_row(Envelope(i, e, None, getattr(e, "agent", None)), CODEC)
        for i, e in enumerate(schedule, start=1)
    ]
    with engine.begin() as conn:
        append_rows(conn, rows)
    ident = len(rows)
    by_day: dict[str, list[tuple[AgentId, Shift]]] = {}
    for a, s in held:
        by_day.setdefault(s.id[-2:], []).append((a, s))
    for day in sorted(by_day):
        batch = [
            event_row(Envelope(0, e, None, a), CODEC)
            for a, s in by_day[day]
            for e in _shift_events(a, s, rng)
        ]
        batch.sort(key=lambda row: row["at"])
        for row in batch:
            ident += 1
            row["id"] = ident
        with engine.begin() as conn:
            append_rows(conn, batch)
    engine.dispose()
    return ident, held


def _rebuild(engine: Engine) -> int:
    """The adherence table from the log alone, as ``read_models.rebuild`` makes it."""
    board = Board()
    for stored in read_events(engine, CODEC):
        board.follow(stored.event)
    rows = board.take_adherence(all_rows=True)
    with engine.begin() as conn:
        conn.execute(delete(t.agent_adherence_days))
        read_models.write_adherence(conn, rows)
    return len(rows)


def _from_the_log(engine: Engine, held: list[tuple[AgentId, Shift]]) -> dict[str, float]:
    """The peer: one request working the month out from the log (the shifts are given, as
    the board would hand them over)."""
    span = Span.of(MONTH, MONTH + timedelta(days=DAYS - 1), ZONE)
    agents = sorted({a for a, _ in held})
    lines = Timelines()
    lines.replay(
        schedules_q.state_events(
            engine, CODEC, agents=agents, start=span.start - LOOKBACK_S, end=span.end
        )
    )
    totals = {"scheduled_s": 0.0, "adhering_s": 0.0}
    for a, s in held:
        for row in shift_days(a, lines.marks.get(a, []), s, tz=ZONE, grace=Grace()):
            totals["scheduled_s"] += row.scheduled_s
            totals["adhering_s"] += row.adhering_s
    return totals


def _queries(engine: Engine) -> dict[str, dict[str, float]]:
    span = Span.of(MONTH, MONTH + timedelta(days=DAYS - 1), ZONE)
    everyone = ReportScope(clients=None, agents=None)
    out = {}
    groupings: tuple[tuple[str, tuple[str, ...]], ...] = (
        ("month totals", ()),
        ("month by agent", ("agent",)),
        ("month by agent and day", ("agent", "day")),
        ("month by day", ("day",)),
    )
    for name, by in groupings:
        walls, cpus = [], []
        for _ in range(RUNS):
            rows, wall, cpu = _timed(partial(report, engine, span=span, by=by, scope=everyone))
            walls.append(wall)
            cpus.append(cpu)
        walls.sort()
        out[name] = {
            "rows": len(rows),
            "p50_ms": round(statistics.median(walls) * 1000, 1),
            "p95_ms": round(walls[int(0.95 * (RUNS - 1))] * 1000, 1),
            "cpu_ms": round(statistics.mean(cpus) * 1000, 1),
        }
    return out


def _run(kind: str, agents: int) -> dict[str, Any]:
    names = [AgentId(f"a{n:04d}") for n in range(agents)]
    with database(kind) as url:
        (events, held), fill_s, _ = _timed(lambda: _fill(url, names))
        engine = create_store_engine(url)
        made, rebuild_s, rebuild_cpu = _timed(lambda: _rebuild(engine))
        queries = _queries(engine)
        month = report(
            engine,
            span=Span.of(MONTH, MONTH + timedelta(days=DAYS - 1), ZONE),
            by=(),
            scope=ReportScope(None, None),
        )[0].figures
        peer, peer_s, peer_cpu = _timed(lambda: _from_the_log(engine, held))
        engine.dispose()
    # The table and the log give the same month.
    assert abs((month["scheduled_s"] or 0) - peer["scheduled_s"]) < 1e-3
    assert abs((month["adhering_s"] or 0) - peer["adhering_s"]) < 1e-3
    return {
        "database": kind,
        "agents": agents,
        "shifts": len(held),
        "events": events,
        "adherence_rows": made,
        "fill_s": round(fill_s, 1),
        "rebuild_s": round(rebuild_s, 2),
        "rebuild_cpu_s": round(rebuild_cpu, 2),
        "queries": queries,
        "peer_from_the_log_s": round(peer_s, 2),
        "peer_from_the_log_cpu_s": round(peer_cpu, 2),
        "ratio_peer_to_month_by_agent_p50": round(
            peer_s / (queries["month by agent"]["p50_ms"] / 1000), 1
        ),
        "month_adherence": month["adherence"],
    }


def main(flags: list[str]) -> int:
    agents = 50 if "--quick" in flags else 500
    kinds = ["sqlite", "postgres"]
    if "--sqlite-only" in flags:
        kinds = ["sqlite"]
    if "--postgres-only" in flags:
        kinds = ["postgres"]
    results = []
    for kind in kinds:
        result = _run(kind, agents)
        results.append(result)
        print(json.dumps(result), flush=True)
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"adherence-{'-'.join(kinds)}.json"
    out.write_text(json.dumps({"measured": WallClock().now(), "runs": results}, indent=2))
    return 0
