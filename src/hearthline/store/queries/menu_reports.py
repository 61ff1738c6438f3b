"""Menu figures over a date range, grouped, from the menus' read model.

A request sums the stored intervals of the range (``menu_interval_stats`` and the ways
of leaving, ``menu_exit_stats``) in the database, never the log; only intervals in which
callers were in a node have a row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, Table, func, select

from hearthline.reports.menus import MENU_GROUPS, MENU_SUMS, MenuFigures, derive_menu
from hearthline.reports.periods import Span
from hearthline.store import tables as t
from hearthline.store.queries.bind import Bind, connected

_TIME = ("interval", "day")
# A caller is in no queue or campaign while in the menu; agents never are.
_NOT_MENU = ("campaign", "queue", "agent")


@dataclass(slots=True)
class MenuRow:
    key: dict[str, str]
    interval_start: float | None
    figures: MenuFigures
    exits: dict[str, int]


def check_menu_grouping(by: Sequence[str]) -> tuple[str, ...]:
    """``by`` as a menu grouping: client, menu, node and one of interval, day. A node is
    a node of one menu, so grouping by node groups by menu too."""
    wrong = [d for d in by if d in _NOT_MENU]
    if wrong:
        raise ValueError(
            f"menu figures do not group by {', '.join(wrong)}: a caller has no queue or "
            "campaign until the menu routes them; group by client, menu or node"
        )
    unknown = [d for d in by if d not in MENU_GROUPS]
    if unknown:
        raise ValueError(
            f"unknown grouping {', '.join(unknown)}: use client, menu, node, interval or day"
        )
    if len(set(by)) != len(by):
        raise ValueError("each grouping at most once")
    if sum(d in _TIME for d in by) > 1:
        raise ValueError("group by interval or by day, not both")
    out = list(by)
    if "node" in out and "menu" not in out:
        out.insert(out.index("node"), "menu")
    return tuple(out)


def menu_report(
    bind: Bind, *, span: Span, by: Sequence[str], clients: frozenset[str] | None
) -> list[MenuRow]:
    """The menu figures of each group over ``span``, of the given clients (None: all).

    The database sums the rows per group (and per interval, when grouped by time); the
    intervals are then gathered into the firm's days or labelled here."""
    by = check_menu_grouping(by)
    m, x = t.menu_interval_stats, t.menu_exit_stats
    timed = any(d in _TIME for d in by)
    with connected(bind) as conn:
        figures = conn.execute(
            _grouped(m, by, timed, span, clients, [func.sum(m.c[n]) for n in MENU_SUMS])
        ).all()
        # Ways of leaving are a node's own ("option:1" of two nodes are two options):
        # summed only for a grouping by node.
        exits = (
            conn.execute(
                _grouped(x, by, timed, span, clients, [func.sum(x.c.stays)], x.c.how)
            ).all()
            if "node" in by
            else []
        )
    entities = [d for d in by if d not in _TIME]
    days: dict[float, dt.date] = {}

    def key(values: Sequence[Any]) -> tuple[Any, ...]:
        named = dict(zip(entities, values[: len(entities)], strict=True))
        if timed:
            start = float(values[len(entities)])
            if "day" in by:
                named["day"] = days.get(start) or days.setdefault(start, span.day_of(start))
            else:
                named["interval"] = start
        return tuple(named[d] for d in by)

    width = len(entities) + timed
    groups: dict[tuple[Any, ...], tuple[dict[str, float], dict[str, int]]] = {}
    for row in figures:
        sums, _ = groups.setdefault(key(row), (dict.fromkeys(MENU_SUMS, 0.0), {}))
        for name, value in zip(MENU_SUMS, row[width:], strict=True):
            sums[name] += value or 0
    for row in exits:
        found = groups.get(key(row))
        if found is not None:
            how, n = str(row[width]), int(row[width + 1] or 0)
            found[1][how] = found[1].get(how, 0) + n
    if not by and not groups:
        groups[()] = (dict.fromkeys(MENU_SUMS, 0.0), {})
    return [
        MenuRow(
            key={d: _label(d, v, span) for d, v in zip(by, k, strict=True)},
            interval_start=float(k[by.index("interval")]) if "interval" in by else None,
            figures=derive_menu(sums),
            exits=dict(sorted(ways.items())),
        )
        for k, (sums, ways) in sorted(groups.items(), key=lambda kv: _order(by, kv[0]))
    ]


_COLUMN = {"client": "client_id", "menu": "number", "node": "node"}


def _grouped(
    table: Table,
    by: Sequence[str],
    timed: bool,
    span: Span,
    clients: frozenset[str] | None,
    sums: list[ColumnElement[Any]],
    *extra: ColumnElement[Any],
) -> Select[Any]:
    """The sums of ``table``'s rows in ``span`` per group: the grouping's columns (and
    the interval, when grouped by time) and ``extra`` ones, then the sums."""
    keys: list[ColumnElement[Any]] = [table.c[_COLUMN[d]] for d in by if d not in _TIME]
    if timed:
        keys.append(table.c.interval_start)
    keys += extra
    query = select(*keys, *sums).where(
        table.c.interval_start >= span.start, table.c.interval_start < span.end
    )
    if clients is not None:
        query = query.where(table.c.client_id.in_(sorted(clients)))
    return query.group_by(*keys) if keys else query


def _label(dim: str, value: Any, span: Span) -> str:
    if dim == "interval":
        return span.label(float(value))
    if dim == "day":
        return str(value.isoformat())
    return str(value)


def _order(by: tuple[str, ...], key: tuple[Any, ...]) -> tuple[Any, ...]:
    """Time first, then the menu and node: the order a page or a spreadsheet reads in."""
    timed = tuple(v for d, v in zip(by, key, strict=True) if d in _TIME)
    return timed + tuple(str(v) for d, v in zip(by, key, strict=True) if d not in _TIME)
