"""The report tables per hour and per day of the firm, summed in the database from the
interval rows.

The writer stores the intervals that changed, then asks here for the hours and days they
fall in to be summed again (``roll_up``); days in the firm's zone, from local midnight to
local midnight, 23 or 25 hours when the clocks change. Summing in SQL reads the stored
intervals, so the live statistics need not keep an hour's or a day's intervals in memory,
and a late change (a repeat contact counted days later, history brought in) re-sums its
hour and day.
``report_day_zone`` says in which zone the days are counted and from which midnight on
every day is there; a query reads days only from there, hours or intervals before.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Table, case, delete, func, insert, literal, select
from sqlalchemy.dialects import postgresql, sqlite

from hearthline.store import tables as t
from hearthline.store.upsert import upsert

NAME = "stats"
CHUNK = 500


@dataclass(frozen=True, slots=True)
class DayZone:
    """The zone the day tables count in, from ``since`` (a local midnight) on, and the
    length of the intervals they are summed from."""

    time_zone: str
    since: float
    interval_s: float

    def whole(self, start: float, end: float) -> bool:
        """Whether the day [start, end) is made of whole intervals (every zone in use
        today is, for 15-minute intervals) and is counted in the tables."""
        return start >= self.since and start % self.interval_s == 0 == end % self.interval_s


# (interval table, day table, the key columns an entity is known by)
_SOURCES: dict[str, tuple[Table, Table, tuple[str, ...]]] = {
    "queue": (t.queue_interval_stats, t.queue_day_stats, ("queue_id",)),
    "agent": (t.agent_interval_stats, t.agent_day_stats, ("agent_id",)),
    "outcome": (t.agent_outcome_stats, t.agent_outcome_day_stats, ("agent_id", "campaign_id")),
}
_HOURS = {
    "queue": t.queue_hour_stats,
    "agent": t.agent_hour_stats,
    "outcome": t.agent_outcome_hour_stats,
}
HOUR_S = 3600.0


def local_day(t_: float, tz: ZoneInfo) -> tuple[float, float]:
    """The local day holding the instant ``t_``: its midnight and the next one."""
    day = dt.datetime.fromtimestamp(t_, tz).date()
    start = dt.datetime.combine(day, dt.time(), tzinfo=tz).timestamp()
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=tz).timestamp()
    return start, end


def stored_zone(conn: Connection) -> DayZone | None:
    z, c = t.report_day_zone, t.read_model_checkpoints
    row = conn.execute(
        select(z.c.time_zone, z.c.since, c.c.interval_s)
        .select_from(z.join(c, c.c.name == z.c.name))
        .where(z.c.name == NAME)
    ).first()
    return None if row is None else DayZone(str(row[0]), float(row[1]), float(row[2]))


def set_zone(conn: Connection, time_zone: str, since: float) -> None:
    """Records the zone the days are counted in; when it changed, the days counted in
    the old one from ``since`` on are removed (they are summed anew as they change)."""
    z = t.report_day_zone
    old = conn.execute(select(z.c.time_zone, z.c.since).where(z.c.name == NAME)).first()
    if old is not None and (str(old[0]), float(old[1])) == (time_zone, since):
        return
    if old is not None and str(old[0]) != time_zone:
        for _, table, _ in _SOURCES.values():
            conn.execute(delete(table).where(table.c.interval_start >= since))
    upsert(conn, z, [{"name": NAME, "time_zone": time_zone, "since": since}], keys=["name"])


def roll_up(
    conn: Connection,
    source: str,
    changed: Iterable[tuple[str, float]],
    *,
    time_zone: str | None,
) -> None:
    """Sums again the days (in ``time_zone``), or with None the hours, of ``changed``
    (entity, interval start) of ``source`` ("queue", "agent" or "outcome"; an outcome's
    entity is its agent) from the stored intervals."""
    tz = None if time_zone is None else ZoneInfo(time_zone)
    periods: dict[float, tuple[float, set[str]]] = {}
    bounds: dict[float, tuple[float, float]] = {}
    for entity, start in changed:
        if start not in bounds:
            hour = start // HOUR_S * HOUR_S
            bounds[start] = (hour, hour + HOUR_S) if tz is None else local_day(start, tz)
        first, last = bounds[start]
        periods.setdefault(first, (last, set()))[1].add(entity)
    target = _HOURS[source] if tz is None else _SOURCES[source][1]
    for first, (last, entities) in sorted(periods.items()):
        ordered = sorted(entities)
        for i in range(0, len(ordered), CHUNK):
            _sum(conn, source, target, (first, last), ordered[i : i + CHUNK])


def _sum(
    conn: Connection, source: str, day: Table, between: tuple[float, float], ids: list[str]
) -> None:
    interval, _, keys = _SOURCES[source]
    first, last = between
    who = interval.c[keys[0]]
    conn.execute(
        delete(day).where(day.c.interval_start == first, day.c[keys[0]].in_(ids)),
    )
    names = [c.name for c in day.columns if c.name not in (*keys, "interval_start")]
    summed: list[Any] = [
        func.max(interval.c[n])
        if n in ("client_id", "max_wait_s")
        else func.coalesce(func.sum(interval.c[n]), 0)
        for n in names
    ]
    query = (
        select(*(interval.c[k] for k in keys), literal(first).label("day"), *summed)
        .where(who.in_(ids), interval.c.interval_start >= first, interval.c.interval_start < last)
        .group_by(*(interval.c[k] for k in keys))
    )
    conn.execute(insert(day).from_select([*keys, "interval_start", *names], query))


def add(
    conn: Connection, table: Table, rows: Sequence[Mapping[str, Any]], keys: Sequence[str]
) -> None:
    """Adds ``rows`` to the stored ones of the same ``keys`` (inserted where none): the
    rows the live statistics hold no longer, changed late (history brought in)."""
    if not rows:
        return
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(table)
    updates: dict[str, Any] = {}
    for c in rows[0]:
        if c in keys:
            continue
        old, new = table.c[c], stmt.excluded[c]
        if c == "client_id":
            updates[c] = func.coalesce(new, old)
        elif c == "max_wait_s":
            updates[c] = case((new > old, new), else_=old)
        else:
            updates[c] = old + new
    stmt = stmt.on_conflict_do_update(index_elements=list(keys), set_=updates)
    conn.execute(stmt, [dict(r) for r in rows])


def day_stats(conn: Connection) -> list[list[dict[str, Any]]]:
    """Every stored day row (queues', agents', outcomes'), in key order."""
    return [
        [dict(r) for r in conn.execute(select(d).order_by(*d.primary_key.columns)).mappings()]
        for _, d, _ in _SOURCES.values()
    ]
