"""Read-model tables for reports: the stats projection's rows, kept in the database.

The service writes the rows that changed (``write_changed``), together with the id of
the last event they include, in the same transaction as each snapshot and now and then
between. ``rebuild`` recomputes every row from the log alone, from scratch, and must
give the same numbers: the tables are a cache of the log, never a second truth.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Engine, delete, insert, select, tuple_

from hearthline.reports.stats import (
    DEFAULT_INTERVAL_S,
    AgentInterval,
    QueueInterval,
    StatsProjection,
)
from hearthline.routing.events import Event
from hearthline.store import tables as t
from hearthline.store.codec import Codec
from hearthline.store.config_repo import queue_clients
from hearthline.store.log import read_events
from hearthline.store.upsert import upsert

STATS = "stats"


def write_changed(
    conn: Connection,
    queue_rows: Sequence[QueueInterval],
    agent_rows: Sequence[AgentInterval],
    *,
    last_event_id: int,
    interval_s: float,
) -> None:
    """Writes these rows over the stored ones, and the checkpoint they bring us to."""
    clients = queue_clients(conn) if queue_rows else {}
    upsert(
        conn,
        t.queue_interval_stats,
        [_queue_row(r, clients.get(r.queue)) for r in queue_rows],
        keys=["queue_id", "interval_start"],
    )
    upsert(
        conn,
        t.agent_interval_stats,
        [_agent_row(r) for r in agent_rows],
        keys=["agent_id", "interval_start"],
    )
    if agent_rows:
        nr = t.agent_not_ready_stats
        keys = [(r.agent, r.start) for r in agent_rows]
        for chunk in range(0, len(keys), 500):
            conn.execute(
                delete(nr).where(
                    tuple_(nr.c.agent_id, nr.c.interval_start).in_(keys[chunk : chunk + 500])
                )
            )
        reasons = [row for r in agent_rows for row in _not_ready_rows(r)]
        if reasons:
            conn.execute(insert(nr), reasons)
    upsert(
        conn,
        t.read_model_checkpoints,
        [{"name": STATS, "last_event_id": last_event_id, "interval_s": interval_s}],
        keys=["name"],
    )


def rebuild(engine: Engine, codec: Codec, *, interval_s: float = DEFAULT_INTERVAL_S) -> int:
    """Recomputes the stats tables from the whole log; returns the last event id used."""
    stats = StatsProjection(interval_s=interval_s)
    last = 0
    for stored in read_events(engine, codec):
        if isinstance(stored.event, Event):
            stats.apply(stored.event)
        last = stored.id
    with engine.begin() as conn:
        conn.execute(delete(t.agent_not_ready_stats))
        conn.execute(delete(t.agent_interval_stats))
        conn.execute(delete(t.queue_interval_stats))
        write_changed(
            conn,
            stats.queue_rows(),
            stats.agent_rows(),
            last_event_id=last,
            interval_s=interval_s,
        )
    return last


def checkpoint(conn: Connection) -> int | None:
    row = conn.execute(
        select(t.read_model_checkpoints.c.last_event_id).where(
            t.read_model_checkpoints.c.name == STATS
        )
    ).first()
    return int(row[0]) if row is not None else None


def queue_stats(
    conn: Connection, *, client: str | None = None, since: float | None = None
) -> list[dict[str, Any]]:
    """Stored queue rows, ordered by queue and interval; ``client`` limits to one tenant."""
    q = t.queue_interval_stats
    query = select(q).order_by(q.c.queue_id, q.c.interval_start)
    if client is not None:
        query = query.where(q.c.client_id == client)
    if since is not None:
        query = query.where(q.c.interval_start >= since)
    return [dict(r) for r in conn.execute(query).mappings()]


def agent_stats(conn: Connection, *, since: float | None = None) -> list[dict[str, Any]]:
    """Stored agent rows with their not-ready seconds per reason (own and system)."""
    a, nr = t.agent_interval_stats, t.agent_not_ready_stats
    query = select(a).order_by(a.c.agent_id, a.c.interval_start)
    if since is not None:
        query = query.where(a.c.interval_start >= since)
    rows = [
        dict(r) | {"not_ready_s": {}, "system_not_ready_s": {}}
        for r in conn.execute(query).mappings()
    ]
    index = {(r["agent_id"], r["interval_start"]): r for r in rows}
    reasons = select(nr).order_by(nr.c.agent_id, nr.c.interval_start, nr.c.reason_id)
    if since is not None:
        reasons = reasons.where(nr.c.interval_start >= since)
    for r in conn.execute(reasons).mappings():
        row = index.get((r["agent_id"], r["interval_start"]))
        if row is not None:
            key = "system_not_ready_s" if r["system"] else "not_ready_s"
            row[key][r["reason_id"]] = r["seconds"]
    return rows


def _queue_row(r: QueueInterval, client: str | None) -> dict[str, Any]:
    row = {name: getattr(r, name) for name in t.QUEUE_STAT_COLUMNS if name != "interval_start"}
    return row | {"queue_id": r.queue, "interval_start": r.start, "client_id": client}


def _agent_row(r: AgentInterval) -> dict[str, Any]:
    row = {name: getattr(r, name) for name in t.AGENT_STAT_COLUMNS if name != "interval_start"}
    return row | {"agent_id": r.agent, "interval_start": r.start}


def _not_ready_rows(r: AgentInterval) -> list[dict[str, Any]]:
    return [
        {
            "agent_id": r.agent,
            "interval_start": r.start,
            "reason_id": reason,
            "system": system,
            "seconds": seconds,
        }
        for system, spent in ((False, r.not_ready_s), (True, r.system_not_ready_s))
        for reason, seconds in sorted(spent.items())
    ]
