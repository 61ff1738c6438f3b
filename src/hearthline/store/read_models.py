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
    OutcomeInterval,
    QueueInterval,
    StatsProjection,
)
from hearthline.store import report_days
from hearthline.store import tables as t
from hearthline.store.codec import Codec
from hearthline.store.config_repo import queue_clients
from hearthline.store.log import read_events
from hearthline.store.upsert import upsert
from hearthline.wfm.adherence_days import SUMS as ADHERENCE_SUMS
from hearthline.wfm.adherence_days import AdherenceDay
from hearthline.wfm.board import Board

STATS = "stats"
Rows = tuple[Sequence[QueueInterval], Sequence[AgentInterval], Sequence[OutcomeInterval]]
HOUR_S = 3600.0


def write_changed(
    conn: Connection,
    queue_rows: Sequence[QueueInterval],
    agent_rows: Sequence[AgentInterval],
    *,
    last_event_id: int,
    interval_s: float,
    outcome_rows: Sequence[OutcomeInterval] = (),
    days: tuple[str, float] | None = None,
    added: Rows = ((), (), ()),
) -> None:
    """Writes these rows over the stored ones, and the checkpoint they bring us to;
    ``added``, rows to add to the stored ones (``StatsProjection.take_added``). Then the
    hours and, given ``days`` (the zone and first midnight of the firm's days,
    ``StatsProjection.days``), the days the rows fall in are summed again from the
    stored intervals."""
    plus_queues, plus_agents, plus_outcomes = added
    clients = queue_clients(conn) if queue_rows or plus_queues else {}
    q_keys, a_keys, o_keys = (
        ["queue_id", "interval_start"],
        ["agent_id", "interval_start"],
        [
            "agent_id",
            "campaign_id",
            "interval_start",
        ],
    )
    upsert(
        conn,
        t.queue_interval_stats,
        [_queue_row(r, clients.get(r.queue)) for r in queue_rows],
        keys=q_keys,
    )
    upsert(conn, t.agent_interval_stats, [_agent_row(r) for r in agent_rows], keys=a_keys)
    upsert(conn, t.agent_outcome_stats, [_outcome_row(r) for r in outcome_rows], keys=o_keys)
    report_days.add(
        conn,
        t.queue_interval_stats,
        [_queue_row(r, clients.get(r.queue)) for r in plus_queues],
        q_keys,
    )
    report_days.add(conn, t.agent_interval_stats, [_agent_row(r) for r in plus_agents], a_keys)
    report_days.add(conn, t.agent_outcome_stats, [_outcome_row(r) for r in plus_outcomes], o_keys)
    if plus_agents:
        report_days.add(
            conn,
            t.agent_not_ready_stats,
            [row for r in plus_agents for row in _not_ready_rows(r)],
            ["agent_id", "interval_start", "reason_id"],
        )
    changed = {
        "queue": [(r.queue, r.start) for rows in (queue_rows, plus_queues) for r in rows],
        "agent": [(r.agent, r.start) for rows in (agent_rows, plus_agents) for r in rows],
        "outcome": [(r.agent, r.start) for rows in (outcome_rows, plus_outcomes) for r in rows],
    }
    if interval_s <= HOUR_S and HOUR_S % interval_s == 0:
        for source, keys in changed.items():
            report_days.roll_up(conn, source, keys, time_zone=None)
    if days is not None:
        zone, since = days
        report_days.set_zone(conn, zone, since)
        for source, keys in changed.items():
            report_days.roll_up(conn, source, keys, time_zone=zone)
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
    """Recomputes the stats and adherence tables from the whole log; returns the last event
    id used."""
    stats = StatsProjection(interval_s=interval_s)
    # The shifts' adherence, through a schedule board of its own.
    board = Board()
    last = 0
    for stored in read_events(engine, codec):
        stats.apply(stored.event)
        board.follow(stored.event)
        last = stored.id
    with engine.begin() as conn:
        conn.execute(delete(t.agent_adherence_days))
        write_adherence(conn, board.take_adherence(all_rows=True))
        for table in (
            t.queue_hour_stats,
            t.agent_hour_stats,
            t.agent_outcome_hour_stats,
            t.queue_day_stats,
            t.agent_day_stats,
            t.agent_outcome_day_stats,
            t.report_day_zone,
        ):
            conn.execute(delete(table))
        conn.execute(delete(t.agent_outcome_stats))
        conn.execute(delete(t.agent_not_ready_stats))
        conn.execute(delete(t.agent_interval_stats))
        conn.execute(delete(t.queue_interval_stats))
        write_changed(
            conn,
            stats.queue_rows(),
            stats.agent_rows(),
            last_event_id=last,
            interval_s=interval_s,
            outcome_rows=stats.outcome_rows(),
            # Every day is summed again, in the zone the firm has now.
            days=(stats.day_zone, 0.0),
        )
    return last


def write_adherence(conn: Connection, rows: Sequence[AdherenceDay]) -> None:
    """Writes the shifts' adherence rows over the stored ones: a shift's rows are the same
    however often they are made (a restart from an older snapshot makes them again)."""
    upsert(
        conn,
        t.agent_adherence_days,
        [
            {"agent_id": r.agent, "shift_id": r.shift, "day": r.day}
            | {n: getattr(r, n) for n in ADHERENCE_SUMS}
            for r in rows
        ],
        keys=["agent_id", "shift_id", "day"],
    )


def adherence_days(conn: Connection) -> list[dict[str, Any]]:
    """Every stored adherence row, in key order."""
    a = t.agent_adherence_days
    query = select(a).order_by(a.c.agent_id, a.c.shift_id, a.c.day)
    return [dict(r) for r in conn.execute(query).mappings()]


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


def outcome_stats(conn: Connection) -> list[dict[str, Any]]:
    """Stored outcome rows, ordered by agent, campaign and interval."""
    o = t.agent_outcome_stats
    query = select(o).order_by(o.c.agent_id, o.c.campaign_id, o.c.interval_start)
    return [dict(r) for r in conn.execute(query).mappings()]


def hour_stats(conn: Connection) -> list[list[dict[str, Any]]]:
    """Every stored hour row (queues', agents', outcomes'), in key order."""
    return [
        [dict(r) for r in conn.execute(select(h).order_by(*h.primary_key.columns)).mappings()]
        for h in (t.queue_hour_stats, t.agent_hour_stats, t.agent_outcome_hour_stats)
    ]


def _outcome_row(r: OutcomeInterval) -> dict[str, Any]:
    return {
        "agent_id": r.agent,
        "campaign_id": r.campaign,
        "interval_start": r.start,
        "client_id": r.client,
        "outcomes": r.outcomes,
        "sales": r.sales,
        "saves": r.saves,
    }


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
