"""The menus' read model (``menu_interval_stats`` and ``menu_exit_stats``): the menu
projection's rows, kept in the database, and rebuilt from the log alone.

The service overwrites the rows that changed (``write_changed``) with the other read
models, in the same transactions; ``rebuild`` recomputes every row from the log and
must give the same numbers (tests/store/test_report_rebuild.py). A row's ways of
leaving only grow (a stay is never taken back), so overwriting each way's count of a
changed row is the whole row.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Engine, delete, select

from hearthline.reports.menus import DEFAULT_INTERVAL_S, MenuInterval, MenuProjection
from hearthline.store import tables as t
from hearthline.store.codec import Codec
from hearthline.store.log import read_events
from hearthline.store.upsert import upsert

KEYS = ["number", "node", "interval_start"]


def write_changed(conn: Connection, rows: Sequence[MenuInterval]) -> None:
    """Writes these rows, and their ways of leaving, over the stored ones."""
    upsert(conn, t.menu_interval_stats, [_row(r) for r in rows], keys=KEYS)
    exits = [
        {
            "number": r.number,
            "node": r.node,
            "interval_start": r.start,
            "how": how,
            "client_id": r.client,
            "stays": n,
        }
        for r in rows
        for how, n in sorted(r.exits.items())
    ]
    upsert(conn, t.menu_exit_stats, exits, keys=[*KEYS, "how"])


def rebuild(engine: Engine, codec: Codec, *, interval_s: float = DEFAULT_INTERVAL_S) -> int:
    """Recomputes the menu tables from the whole log; returns the last event id used."""
    menus = MenuProjection(interval_s=interval_s)
    last = 0
    for stored in read_events(engine, codec):
        menus.apply(stored.event)
        last = stored.id
    with engine.begin() as conn:
        conn.execute(delete(t.menu_exit_stats))
        conn.execute(delete(t.menu_interval_stats))
        write_changed(conn, menus.rows())
    return last


def menu_stats(conn: Connection) -> list[dict[str, Any]]:
    """Every stored row with its ways of leaving (``exits``), in key order."""
    m, x = t.menu_interval_stats, t.menu_exit_stats
    exits: dict[tuple[str, str, float], dict[str, int]] = {}
    for row in conn.execute(select(x).order_by(x.c.number, x.c.node, x.c.interval_start, x.c.how)):
        exits.setdefault((row.number, row.node, row.interval_start), {})[row.how] = row.stays
    query = select(m).order_by(m.c.number, m.c.node, m.c.interval_start)
    return [
        {**row, "exits": exits.get((row["number"], row["node"], row["interval_start"]), {})}
        for row in conn.execute(query).mappings()
    ]


def _row(r: MenuInterval) -> dict[str, Any]:
    return {
        "number": r.number,
        "node": r.node,
        "interval_start": r.start,
        "client_id": r.client,
        "calls": r.calls,
        "call_s": r.call_s,
        "visits": r.visits,
        "seconds": r.seconds,
        "hangups": r.hangups,
        "zero_outs": r.zero_outs,
        "timeouts": r.timeouts,
        "invalids": r.invalids,
    }
