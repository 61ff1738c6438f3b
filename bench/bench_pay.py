"""Payroll: a month of pay for 2,000 agents, read from their events in the log.

    make bench BENCH_ARGS=pay              # SQLite and PostgreSQL, 2,000 agents, 30 days
    python -m bench pay --quick            # 200 agents, for a smoke run

Each agent works a day shift every day of November 2026 (sign-in, ready, a paid break, an
unpaid lunch, sign-out, a few seconds of jitter) and records five outcomes a day, two of
them sales; the events are written to the log as the writer stores them. The figure is
the time of ``api.pay.period_pay`` for every agent: reading the state events and the
outcomes, timesheets, pricing by pay rule and settling bonuses period by period from the
calendar's anchor (January). Then October is closed (its ledger kept) and November read
again, its bonuses resumed from October's ledger; then November itself is closed
(computed and stored, 2,000 agents' lines). The peer is reading the same rows alone, so
the ratio is what pay adds to the database's own work. Wall time and this process's CPU
time are both given: the machine is shared. Goal: under 30 s on each database.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, insert, select

from bench.databases import database
from hearthline.api.pay import PeriodPay, period_pay
from hearthline.crm.events import DispositionRecorded
from hearthline.kernel.clock import WallClock
from hearthline.kernel.envelope import Envelope
from hearthline.kernel.ids import AgentId, ReasonId
from hearthline.routing import events as ev
from hearthline.service.actions.pay import close_pay_period
from hearthline.service.domains import CODEC
from hearthline.store import tables as t
from hearthline.store.engine import create_store_engine
from hearthline.store.log import append_rows, event_row
from hearthline.store.migrate import upgrade

RESULTS = Path(__file__).parent / "results" / "pay.json"
ZONE = ZoneInfo("Europe/London")
MONTH = date(2026, 11, 1)
# "Now" for the pay: after the months the bench fills, so each is paid whole.
AFTER = datetime(2027, 1, 1, tzinfo=ZONE).timestamp()
DAYS = 30


@dataclass(frozen=True)
class _Closer:
    user_id: int = 0
    username: str = "bench"


def _timed(work: Callable[[], Any]) -> tuple[Any, float, float]:
    """``work()``, its wall time and this process's CPU time (both seconds)."""
    wall, cpu = time.perf_counter(), time.process_time()
    out = work()
    return out, time.perf_counter() - wall, time.process_time() - cpu


def _close(engine: Engine, day: date, names: list[AgentId]) -> PeriodPay:
    pay = period_pay(engine, ZONE, day, names, now=AFTER)
    assert pay.ledger is not None
    close_pay_period(
        engine,
        _Closer(),
        at=WallClock().now(),
        period=pay.period,
        rows=pay.rows,
        ledger=pay.ledger,
        currency=pay.currency,
    )
    return pay


def _day_events(agent: AgentId, day: date, rng: random.Random) -> list[Any]:
    def at(hour: float) -> float:
        start = datetime.combine(day, datetime.min.time(), tzinfo=ZONE)
        return (start + timedelta(hours=hour, seconds=rng.randint(0, 300))).timestamp()

    out: list[Any] = [
        ev.AgentSignedIn(at(8), agent),
        ev.AgentBecameAvailable(at(8.1), agent),
        ev.AgentWentNotReady(at(10.5), agent, ReasonId("break")),
        ev.AgentBecameAvailable(at(10.75), agent),
        ev.AgentWentNotReady(at(12.5), agent, ReasonId("lunch")),
        ev.AgentBecameAvailable(at(13), agent),
        ev.AgentSignedOut(at(16.5), agent),
    ]
    for n in range(5):
        out.append(
            DispositionRecorded(
                at(9 + n), f"{agent}-{day:%d}-{n}", agent, "sales", "x", n < 2, False
            )
        )
    return out


def _fill(url: str, agents: list[AgentId]) -> int:
    engine = create_store_engine(url)
    upgrade(engine)
    rng = random.Random(7)
    with engine.begin() as conn:
        conn.execute(insert(t.firm).values(id="firm", name="Bench"))
        conn.execute(insert(t.clients).values(id="acme", firm_id="firm", name="Acme"))
        conn.execute(insert(t.campaigns).values(id="sales", client_id="acme", name="Sales"))
        conn.execute(insert(t.agents), [{"id": a, "name": a} for a in agents])
        conn.execute(
            insert(t.pay_rules),
            [
                {
                    "agent_id": a,
                    "effective_from": "2026-01-01",
                    "hourly_rate": "12.50",
                    "daily_overtime_after_h": "8",
                    "night_premium": "0.25",
                }
                for a in agents
            ],
        )
        conn.execute(
            insert(t.bonus_rules).values(campaign_id="sales", tiers='[[10, "4.00"]]', per_save="0")
        )
    ident = 0
    for offset in range(DAYS):
        day = MONTH + timedelta(days=offset)
        batch = []
        for agent in agents:
            for event in _day_events(agent, day, rng):
                ident += 1
                client = "acme" if isinstance(event, DispositionRecorded) else None
                batch.append(event_row(Envelope(ident, event, client, agent), CODEC))
        batch.sort(key=lambda row: row["at"])
        for i, row in enumerate(batch, start=ident - len(batch) + 1):
            row["id"] = i
        with engine.begin() as conn:
            append_rows(conn, batch)
    engine.dispose()
    return ident


def _run(kind: str, agents: int) -> dict[str, Any]:
    names = [AgentId(f"a{n:05d}") for n in range(agents)]
    with database(kind) as url:
        began = time.perf_counter()
        events = _fill(url, names)
        filled = time.perf_counter() - began
        engine = create_store_engine(url)
        began = time.perf_counter()
        with engine.connect() as conn:
            rows = conn.execute(select(t.events.c.payload)).all()
        peer = time.perf_counter() - began
        day = MONTH + timedelta(days=10)
        pay, took, cpu = _timed(lambda: period_pay(engine, ZONE, day, names, now=AFTER))
        period, pays = pay.period, pay.rows
        _close(engine, MONTH - timedelta(days=10), names)
        resumed, resumed_s, resumed_cpu = _timed(
            lambda: period_pay(engine, ZONE, day, names, now=AFTER)
        )
        _, close_s, close_cpu = _timed(lambda: _close(engine, day, names))
        engine.dispose()
    total = sum((p.total for p in pays), start=pays[0].total * 0)
    assert sum((p.total for p in resumed.rows), start=total * 0) == total
    return {
        "database": kind,
        "agents": agents,
        "events": events,
        "rows_read_by_peer": len(rows),
        "fill_s": round(filled, 1),
        "payroll_s": round(took, 2),
        "payroll_cpu_s": round(cpu, 2),
        "resumed_payroll_s": round(resumed_s, 2),
        "resumed_payroll_cpu_s": round(resumed_cpu, 2),
        "close_s": round(close_s, 2),
        "close_cpu_s": round(close_cpu, 2),
        "peer_read_s": round(peer, 2),
        "ratio_to_peer": round(took / peer, 1),
        "period": period.label,
        "total_paid": str(total),
        "goal_s": 30,
        "met": max(took, resumed_s, close_s) < 30,
    }


def main(flags: list[str]) -> int:
    agents = 200 if "--quick" in flags else 2000
    results = []
    for kind in ("sqlite", "postgres"):
        result = _run(kind, agents)
        results.append(result)
        print(json.dumps(result), flush=True)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps({"measured": WallClock().now(), "runs": results}, indent=2))
    return 0
