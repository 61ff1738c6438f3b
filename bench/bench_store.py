"""Durable state: events per second and commit latency through the real service, beside
the raw insert rate of the same database in the same run; recovery time of a big log.

    make bench BENCH_ARGS=store            # SQLite and PostgreSQL, 1,000,000-event recovery
    python -m bench store --quick          # smaller, for a smoke run

The service figure is end to end: concurrent submitters, the routing core deciding,
group commit, the acknowledgement. The raw figure is a plain DBAPI ``executemany`` of
rows of the same size into a table of the same shape, committed in batches of the size
group commit produced -- the database's own limit for this work, so the ratio is our
overhead. PostgreSQL runs on 127.0.0.1:5432 in a database created and dropped here.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import threading
import time
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event

from bench.databases import database
from hearthline.demo.sample import QUEUE, agent_id, seed
from hearthline.kernel.clock import ManualClock, WallClock
from hearthline.kernel.envelope import Envelope
from hearthline.kernel.ids import ContactId
from hearthline.routing import commands as cmd
from hearthline.routing.domain import LiveRouting
from hearthline.routing.events import ContactOffered
from hearthline.service.domains import CODEC
from hearthline.service.state import recover
from hearthline.service.writer import Writer
from hearthline.store.engine import create_store_engine
from hearthline.store.log import append_rows, event_row
from hearthline.store.migrate import upgrade
from hearthline.store.snapshots import write_snapshot

RESULTS = Path(__file__).parent / "results" / "store.json"


def _service(engine: Engine, *, commands: int, submitters: int, window: int) -> dict[str, Any]:
    writer = Writer(engine=engine, clock=WallClock(), rng=random.Random(1), snapshot_every=10**9)
    writer.start()
    commits = 0

    def count(_conn: object) -> None:
        nonlocal commits
        commits += 1

    event.listen(engine, "commit", count)
    latencies: list[float] = []
    events = 0
    lock = threading.Lock()

    def submit(worker: int) -> None:
        nonlocal events
        sem = threading.Semaphore(window)
        mine: list[float] = []
        total = 0

        def done(started: float, f: Any) -> None:
            nonlocal total
            mine.append(time.perf_counter() - started)
            total += len(f.result())
            sem.release()

        for i in range(commands // submitters):
            sem.acquire()
            started = time.perf_counter()
            k = ContactId(f"w{worker}-{i}")
            f = writer.submit(cmd.ArriveContact(k, caller="+15550000", queue=QUEUE))
            f.add_done_callback(partial(done, started))
        for _ in range(window):
            sem.acquire()
        with lock:
            latencies.extend(mine)
            events += total

    started = time.perf_counter()
    threads = [threading.Thread(target=submit, args=(w,)) for w in range(submitters)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    event.remove(engine, "commit", count)
    writer.stop()
    q = statistics.quantiles(latencies, n=100)
    return {
        "events": events,
        "seconds": elapsed,
        "events_per_s": events / elapsed,
        "commits": commits,
        "events_per_commit": events / max(commits, 1),
        "latency_p50_ms": q[49] * 1000,
        "latency_p99_ms": q[98] * 1000,
    }


def _raw(engine: Engine, *, rows: int, batch: int, payload: str) -> dict[str, Any]:
    """Plain DBAPI executemany into a table shaped like the log, committed per batch."""
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        cur.execute("DROP TABLE IF EXISTS bench_raw")
        cur.execute(
            "CREATE TABLE bench_raw (id BIGINT PRIMARY KEY, at DOUBLE PRECISION NOT NULL, "
            "type VARCHAR(60) NOT NULL, client_id VARCHAR(200), contact_id VARCHAR(200), "
            "agent_id VARCHAR(200), payload TEXT NOT NULL)"
        )
        raw.commit()
        mark = "?" if engine.dialect.name == "sqlite" else "%s"
        sql = f"INSERT INTO bench_raw VALUES ({', '.join([mark] * 7)})"
        data = [(i, 1.0, "ContactQueued", "acme", f"w0-{i}", None, payload) for i in range(rows)]
        started = time.perf_counter()
        for i in range(0, rows, batch):
            cur.executemany(sql, data[i : i + batch])
            raw.commit()
        elapsed = time.perf_counter() - started
        cur.execute("DROP TABLE bench_raw")
        raw.commit()
    finally:
        raw.close()
    return {"rows": rows, "batch": batch, "seconds": elapsed, "rows_per_s": rows / elapsed}


def _build_log(engine: Engine, target: int, *, snapshot_at: int) -> int:
    """Appends about ``target`` events of busy days, decided by the real core, and a
    snapshot of the live state at ``snapshot_at`` -- as the writer takes them."""
    writer = Writer(engine=engine, clock=ManualClock(0.0), rng=random.Random(1))
    writer.start()
    writer.stop()
    state, info = recover(engine, clock=ManualClock(1.0), rng=random.Random(1), interval_s=900.0)
    router = state.part(LiveRouting).router
    clock = router.clock
    assert isinstance(clock, ManualClock)
    next_id = info.last_event_id + 1
    agents = [agent_id(i) for i in range(50)]
    pending: list[dict[str, Any]] = []
    snapped = False

    def emit(events: list[Any]) -> None:
        nonlocal next_id
        for e in events:
            client, agent = state.observe(e)
            pending.append(event_row(Envelope(next_id, e, client, agent), CODEC))
            next_id += 1

    for a in agents:
        emit(router.handle(cmd.SignIn(a, ready=True)))
    n = 0
    while next_id < target:
        n += 1
        clock.advance(2.0)
        arrived = router.handle(cmd.ArriveContact(ContactId(f"c{n}"), caller="+1", queue=QUEUE))
        emit(arrived)
        # Whoever is offered the call answers it: a busy floor without a growing backlog.
        for offer in [e for e in arrived if isinstance(e, ContactOffered)]:
            emit(router.handle(cmd.AcceptOffer(offer.agent, offer.contact)))
            emit(router.handle(cmd.EndContact(offer.agent, offer.contact)))
            emit(router.handle(cmd.MakeReady(offer.agent)))
        if len(pending) >= 20_000 or (not snapped and next_id > snapshot_at):
            _insert(engine, pending)
            pending = []
        if not snapped and next_id > snapshot_at:
            snapped = True
            with engine.begin() as conn:
                write_snapshot(conn, state.dump(last_event_id=next_id - 1, taken_at=clock.now()))
    _insert(engine, pending)
    return next_id - 1


def _insert(engine: Engine, rows: list[dict[str, Any]]) -> None:
    with engine.begin() as conn:
        append_rows(conn, rows)


def _recovery(engine: Engine, *, events: int) -> dict[str, Any]:
    _build_log(engine, events, snapshot_at=events - 10_000)
    clock = ManualClock(10**9)
    started = time.perf_counter()
    _, info = recover(
        engine, clock=clock, rng=random.Random(1), interval_s=900.0, use_snapshot=False
    )
    full = time.perf_counter() - started
    started = time.perf_counter()
    _, tail = recover(engine, clock=clock, rng=random.Random(1), interval_s=900.0)
    fast = time.perf_counter() - started
    return {
        "events": info.last_event_id,
        "full_replay_s": full,
        "full_replay_events_per_s": info.last_event_id / full,
        "snapshot_plus_tail_s": fast,
        "tail_events": tail.replayed,
    }


def run(kind: str, *, commands: int, recovery_events: int) -> dict[str, Any]:
    with database(kind) as url:
        engine = create_store_engine(url)
        upgrade(engine)
        seed(engine, agents=50)
        service = _service(engine, commands=commands, submitters=4, window=32)
        batch = max(1, round(service["events_per_commit"]))
        payload = '{"at":1.0,"contact":"w0-123456","queue":"returns","priority":0,' + (
            '"waiting_since":1.0,"seq":123456,"preferred_agent":null,"prefer_until":null}'
        )
        raw = _raw(engine, rows=service["events"], batch=batch, payload=payload)
        result: dict[str, Any] = {"service": service, "raw": raw}
        result["ratio_raw_over_service"] = raw["rows_per_s"] / service["events_per_s"]
        engine.dispose()
    if recovery_events:
        with database(kind) as url:
            engine = create_store_engine(url)
            upgrade(engine)
            seed(engine, agents=50)
            result["recovery"] = _recovery(engine, events=recovery_events)
            engine.dispose()
    return result


def main(argv: list[str]) -> int:
    quick = "--quick" in argv
    kinds = [k for k in ("sqlite", "postgres") if f"--only-{k}" in argv] or ["sqlite", "postgres"]
    commands = 5_000 if quick else 40_000
    recovery_events = 50_000 if quick else 1_000_000
    results: dict[str, Any] = {"machine": f"{os.cpu_count()} cores", "quick": quick}
    for kind in kinds:
        r = results[kind] = run(kind, commands=commands, recovery_events=recovery_events)
        s, raw = r["service"], r["raw"]
        print(
            f"{kind:9} service {s['events_per_s']:9,.0f} events/s  "
            f"p50 {s['latency_p50_ms']:6.1f} ms  p99 {s['latency_p99_ms']:6.1f} ms  "
            f"({s['events_per_commit']:.0f} events/commit)   raw {raw['rows_per_s']:9,.0f} rows/s "
            f"(batches of {raw['batch']})   raw/service {r['ratio_raw_over_service']:.2f}x",
            flush=True,
        )
        rec = r.get("recovery")
        if rec:
            print(
                f"{kind:9} recovery of {rec['events']:,} events: full replay "
                f"{rec['full_replay_s']:.1f} s ({rec['full_replay_events_per_s']:,.0f}/s), "
                f"snapshot + {rec['tail_events']:,}-event tail {rec['snapshot_plus_tail_s']:.2f} s",
                flush=True,
            )
    RESULTS.write_text(json.dumps(results, indent=2))
    return 0
