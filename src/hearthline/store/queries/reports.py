"""Statistics from the read models, and an agent's recorded outcomes from the log."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Connection, Table, func, select

from hearthline.quality.lifecycle import Status
from hearthline.reports.figures import (
    ADHERENCE_SUMS,
    AGENT_SUMS,
    OUTCOME_SUMS,
    QUALITY_SUMS,
    QUEUE_SUMS,
    Figures,
    derive,
)
from hearthline.reports.periods import Span, midnight
from hearthline.reports.stats import DEFAULT_INTERVAL_S
from hearthline.store import read_models, report_days
from hearthline.store import tables as t
from hearthline.store.queries.bind import Bind, connected


def queue_stats(bind: Bind, *, since: float | None) -> list[dict[str, Any]]:
    with connected(bind) as conn:
        return read_models.queue_stats(conn, since=since)


def agent_stats(
    bind: Bind, *, since: float | None, agent: str | None = None
) -> list[dict[str, Any]]:
    with connected(bind) as conn:
        rows = read_models.agent_stats(conn, since=since)
    return [r for r in rows if agent is None or r["agent_id"] == agent]


def outcomes(bind: Bind, *, agent: str, since: float) -> list[dict[str, Any]]:
    """The payloads of the agent's DispositionRecorded events since ``since``."""
    e = t.events
    query = select(e.c.payload).where(
        e.c.type == "DispositionRecorded", e.c.agent_id == agent, e.c.at >= since
    )
    with connected(bind) as conn:
        return [json.loads(p) for (p,) in conn.execute(query)]


# Report figures over a date range ---------------------------------------------------------

DIMENSIONS = ("client", "campaign", "queue", "agent", "interval", "day")
_TIME = ("interval", "day")


@dataclass(frozen=True, slots=True)
class ReportScope:
    """What the reader may see: ``clients`` (None: every client) for contacts and outcomes,
    ``agents`` (None: every agent) for agents' time and outcomes, and which read models
    at all: a client company sees no agent time (agents work for several clients)."""

    clients: frozenset[str] | None
    agents: frozenset[str] | None
    contacts: bool = True
    agent_time: bool = True


@dataclass(slots=True)
class ReportRow:
    key: dict[str, str]
    interval_start: float | None
    figures: Figures


def check_grouping(by: Sequence[str]) -> tuple[str, ...]:
    """``by`` as a grouping: known dimensions, at most one of them a time and one not."""
    unknown = [d for d in by if d not in DIMENSIONS]
    if unknown:
        raise ValueError(f"unknown grouping {unknown[0]!r}: use {', '.join(DIMENSIONS)}")
    times = [d for d in by if d in _TIME]
    others = [d for d in by if d not in _TIME]
    if len(times) > 1 or len(others) > 1:
        raise ValueError("group by at most one of client, campaign, queue, agent and one time")
    return tuple(others + times)


def report(bind: Bind, *, span: Span, by: Sequence[str], scope: ReportScope) -> list[ReportRow]:
    """The figures of each group over ``span``, in the reader's ``scope``."""
    by = check_grouping(by)
    with connected(bind) as conn:
        cut = _days_from(conn, by, span)
        parts = {
            source: _sums(conn, source, by, span, scope, cut)
            for source, shown in (
                ("queue", scope.contacts),
                ("agent", scope.agent_time),
                ("outcome", True),
            )
            if shown and all(d in _DIMS[source] for d in by)
        }
        if all(d in _DIMS["quality"] for d in by):
            parts["quality"] = _quality(conn, by, span, scope)
        if scope.agent_time and all(d in _DIMS["adherence"] for d in by):
            held = _adherence(conn, by, span, scope)
            if held:  # no shift in the range: no schedules to adhere to, figures stay null
                parts["adherence"] = held
    keys = sorted({k for sums in parts.values() for k in sums}, key=_order(by))
    if not keys and not by:
        keys = [()]
    out = []
    zeros = {s: _zeros(s) for s in parts}  # read only: shared by every key a part lacks
    for key in keys:
        got = {s: sums.get(key) or zeros[s] for s, sums in parts.items()}
        labels = {d: _label(d, v, span) for d, v in zip(by, key, strict=True)}
        start = key[by.index("interval")] if "interval" in by else None
        out.append(
            ReportRow(
                labels,
                None if start is None else float(start),
                derive(
                    got.get("queue"),
                    got.get("agent"),
                    got.get("outcome"),
                    got.get("quality"),
                    got.get("adherence"),
                ),
            )
        )
    return out


_SUMS = {
    "queue": QUEUE_SUMS,
    "agent": AGENT_SUMS,
    "outcome": OUTCOME_SUMS,
    "quality": QUALITY_SUMS,
    "adherence": ADHERENCE_SUMS,
}
_TABLES = {
    "queue": (t.queue_interval_stats, t.queue_hour_stats),
    "agent": (t.agent_interval_stats, t.agent_hour_stats),
    "outcome": (t.agent_outcome_stats, t.agent_outcome_hour_stats),
}
_DAY_TABLES = {
    "queue": t.queue_day_stats,
    "agent": t.agent_day_stats,
    "outcome": t.agent_outcome_day_stats,
}
_DIMS = {
    "queue": ("client", "campaign", "queue", "interval", "day"),
    "agent": ("agent", "interval", "day"),
    "outcome": ("client", "campaign", "agent", "interval", "day"),
    "quality": ("client", "campaign", "agent", "interval", "day"),
    # Per agent and day only: agents work for several clients, and a shift is not cut
    # into intervals.
    "adherence": ("agent", "day"),
}
_HOUR = 3600.0
_LONG_S = 8 * 86400.0


def _column(source: str, table: Table, dim: str) -> ColumnElement[Any]:
    if dim == "campaign" and source == "queue":
        return t.queues.c.campaign_id
    name = {"interval": "interval_start", "day": "interval_start"}.get(dim, f"{dim}_id")
    return table.c[name]


def _hourly(by: Sequence[str], start: float, end: float) -> bool:
    """Whether the hour tables serve: no interval asked, and days that start on the hour
    (every zone but the few half- and quarter-hour ones)."""
    return "interval" not in by and start % _HOUR == 0 and end % _HOUR == 0


def _days_from(conn: Connection, by: Sequence[str], span: Span) -> float | None:
    """The midnight from which on ``span`` is read from the day tables (to its end), or
    None: grouped by interval, days of another zone, or none of its days summed yet."""
    if "interval" in by:
        return None
    zone = report_days.stored_zone(conn)
    if zone is None or zone.time_zone != span.tz.key:
        return None
    day, cut = span.first, None
    while day <= span.last:
        start = midnight(day, span.tz)
        end = midnight(day + dt.timedelta(days=1), span.tz)
        if cut is None and start >= zone.since:
            cut = start
        if cut is not None and not zone.whole(start, end):
            return None
        day += dt.timedelta(days=1)
    return cut


Key = tuple[Any, ...]


def _sums(
    conn: Connection,
    source: str,
    by: tuple[str, ...],
    span: Span,
    scope: ReportScope,
    cut: float | None,
) -> dict[Key, dict[str, float]]:
    """The sums of each group: whole days from the day tables (from ``cut`` on), the days
    before from the hours or the intervals."""
    out: dict[Key, dict[str, float]] = {}
    end = span.end if cut is None else cut
    if span.start < end:
        table = _TABLES[source][_hourly(by, span.start, end)]
        _read(conn, source, table, by, span, scope, (span.start, end), out)
    if cut is not None:
        _read(conn, source, _DAY_TABLES[source], by, span, scope, (cut, span.end), out)
    return out


def _read(
    conn: Connection,
    source: str,
    table: Table,
    by: tuple[str, ...],
    span: Span,
    scope: ReportScope,
    between: tuple[float, float],
    out: dict[Key, dict[str, float]],
) -> None:
    names = _SUMS[source]
    dims = [_column(source, table, d) for d in by]
    start: ColumnElement[Any] = table.c.interval_start
    if between[1] - between[0] > _LONG_S and table not in _DAY_TABLES.values():
        # A long range reads most rows: one pass over the table beats a lookup per row
        # through the index (SQLite takes the index when it may: "+ 0" hides it).
        start = start + 0
    query = select(*dims, *(func.sum(table.c[n]) for n in names)).where(
        start >= between[0], start < between[1]
    )
    if source == "queue" and "campaign" in by:
        query = query.select_from(table.outerjoin(t.queues, t.queues.c.id == table.c.queue_id))
    if scope.clients is not None and "client_id" in table.c:
        query = query.where(table.c.client_id.in_(sorted(scope.clients)))
    if scope.agents is not None and "agent_id" in table.c:
        query = query.where(table.c.agent_id.in_(sorted(scope.agents)))
    if dims:
        query = query.group_by(*dims)
    width = len(dims)
    days: dict[Any, dt.date] = {}  # a month has few days and many rows of each
    for row in conn.execute(query):
        key = tuple(
            (days.get(v) or days.setdefault(v, span.day_of(v)))
            if d == "day"
            else ("" if v is None else v)
            for d, v in zip(by, row[:width], strict=True)
        )
        values = row[width:]
        if all(v is None for v in values):
            continue  # no rows in range: an aggregate over nothing
        sums = out.get(key)
        if sums is None:  # most keys come once: from one table, not the hours and days
            out[key] = {n: float(v or 0) for n, v in zip(names, values, strict=True)}
            continue
        for n, v in zip(names, values, strict=True):
            sums[n] += float(v or 0)


def _quality(
    conn: Connection, by: tuple[str, ...], span: Span, scope: ReportScope
) -> dict[Key, dict[str, float]]:
    """Evaluations and their summed scores per group, scored within ``span``: those that
    count in trends (no calibration, none overturned)."""
    q = t.quality_evaluations
    dims = [q.c[f"{d}_id"] for d in by if d not in _TIME]
    timed = [d for d in by if d in _TIME]
    query = select(*dims).where(
        q.c.at >= span.start,
        q.c.at < span.end,
        q.c.calibration.is_(False),
        q.c.status != Status.OVERTURNED.value,
    )
    if scope.clients is not None:
        query = query.where(q.c.client_id.in_(sorted(scope.clients)))
    if scope.agents is not None:
        query = query.where(q.c.agent_id.in_(sorted(scope.agents)))
    out: dict[Key, dict[str, float]] = {}
    if not timed:
        query = query.add_columns(func.count(), func.sum(q.c.score))
        for row in conn.execute(query.group_by(*dims) if dims else query):
            if row[-2]:
                out[tuple(row[:-2])] = {"evaluations": float(row[-2]), "score": float(row[-1])}
        return out
    # By time, each evaluation is put in its interval or day here: a supervisor scores a
    # few contacts a day, and the buckets are the firm's local days.
    interval_s = _interval_s(conn)
    for *keys, at, score in conn.execute(query.add_columns(q.c.at, q.c.score)):
        start = at // interval_s * interval_s
        when = span.day_of(start) if timed[0] == "day" else start
        key = (*keys, when)  # check_grouping puts the time last
        sums = out.setdefault(key, _zeros("quality"))
        sums["evaluations"] += 1
        sums["score"] += float(score)
    return out


def _adherence(
    conn: Connection, by: tuple[str, ...], span: Span, scope: ReportScope
) -> dict[Key, dict[str, float]]:
    """The shifts' adherence summed per group, over the firm's days of ``span`` (stored
    per local day, so no cut at midnight is needed here)."""
    a = t.agent_adherence_days
    dims = [a.c[f"{d}_id"] if d == "agent" else a.c.day for d in by]
    query = select(*dims, *(func.sum(a.c[n]) for n in ADHERENCE_SUMS)).where(
        a.c.day >= span.first.isoformat(), a.c.day <= span.last.isoformat()
    )
    if scope.agents is not None:
        query = query.where(a.c.agent_id.in_(sorted(scope.agents)))
    if dims:
        query = query.group_by(*dims)
    out: dict[Key, dict[str, float]] = {}
    width = len(dims)
    days: dict[str, dt.date] = {}
    for row in conn.execute(query):
        if all(v is None for v in row[width:]):
            continue  # no rows in range
        key = tuple(
            (days.get(v) or days.setdefault(v, dt.date.fromisoformat(v))) if d == "day" else v
            for d, v in zip(by, row[:width], strict=True)
        )
        out[key] = {n: float(v or 0) for n, v in zip(ADHERENCE_SUMS, row[width:], strict=True)}
    return out


def _interval_s(conn: Connection) -> float:
    c = t.read_model_checkpoints
    found = conn.execute(select(c.c.interval_s).where(c.c.name == read_models.STATS)).first()
    return DEFAULT_INTERVAL_S if found is None else float(found[0])


def _zeros(source: str) -> dict[str, float]:
    return dict.fromkeys(_SUMS[source], 0.0)


def _label(dim: str, value: Any, span: Span) -> str:
    if dim == "interval":
        return span.label(float(value))
    if dim == "day":
        return str(value.isoformat())
    return str(value)


def _order(by: tuple[str, ...]) -> Callable[[Key], tuple[Any, ...]]:
    """Time first, then the entity: the order a page or a spreadsheet reads in."""
    timed = [i for i, d in enumerate(by) if d in _TIME]
    rest = [i for i, d in enumerate(by) if d not in _TIME]
    return lambda key: tuple(key[i] for i in timed) + tuple(str(key[i]) for i in rest)


def report_rows(
    bind: Bind, *, span: Span, by: Sequence[str], scope: ReportScope
) -> Iterator[ReportRow]:
    """``report``'s rows, read a stretch at a time when they are grouped by time, so an
    export of a long range holds a stretch's rows in memory, not the range's: a day of
    intervals, or a month of days. The same rows, in the same order: a time group never
    crosses midnight."""
    by = check_grouping(by)
    if not any(d in _TIME for d in by):
        yield from report(bind, span=span, by=by, scope=scope)
        return
    step = dt.timedelta(days=1 if "interval" in by else _DAYS_AT_ONCE)
    day = span.first
    while day <= span.last:
        last = min(span.last, day + step - dt.timedelta(days=1))
        yield from report(bind, span=Span.of(day, last, span.tz), by=by, scope=scope)
        day = last + dt.timedelta(days=1)


# Days read at once for a report by day: a month of a 500-agent center by agent and day
# is 15,500 rows.
_DAYS_AT_ONCE = 31
