"""The menu projection, fed MenuVisited events by hand: each figure worked out on paper."""

from __future__ import annotations

import pickle

from hearthline.reports.menus import MenuProjection, derive_menu
from hearthline.voice.events import CallEnded, MenuVisited

T0 = 1_773_133_200.0  # 2026-03-10 09:00 UTC, on an interval boundary
NUM = "+15550200"


def _visit(
    at: float, call: str, node: str, entered: float, how: str, t: int = 0, i: int = 0
) -> MenuVisited:
    return MenuVisited(at, call, f"k-{call}", "acme", NUM, node, entered, how, t, i)


WALKS = [
    # c1: 8 s at main with one timeout, option 1 to the queue
    _visit(T0 + 8, "c1", "main", T0, "option:1", t=1),
    _visit(T0 + 8, "c1", "returns", T0 + 8, "queue"),
    CallEnded(T0 + 400, "c1", "k-c1", "acme", "a0", "agent"),
    # c2: 12 s at main, two invalid keys, then "0"
    _visit(T0 + 112, "c2", "main", T0 + 100, "zero-out", i=2),
    CallEnded(T0 + 500, "c2", "k-c2", "acme", None, "caller"),
    # c3: entered in this interval, hangs up in the next one (at 30 s of the account node)
    _visit(T0 + 895, "c3", "main", T0 + 890, "option:2"),
    _visit(T0 + 925, "c3", "account", T0 + 895, "hangup", t=2),
    CallEnded(T0 + 925, "c3", "k-c3", "acme", None, "caller"),
]


def _fed(events: list[object]) -> MenuProjection:
    menus = MenuProjection(interval_s=900)
    for e in events:
        menus.apply(e)
    return menus


def test_each_node_and_each_call_is_counted_where_it_began() -> None:
    rows = {(r.node, r.start): r for r in _fed(WALKS).rows()}
    assert set(rows) == {("main", T0), ("returns", T0), ("account", T0)}
    main = rows[("main", T0)]
    # Three calls entered the menu at main; their whole walks: 8 + 12 + (5 + 30) seconds.
    assert (main.calls, main.call_s) == (3, 55.0)
    assert (main.visits, main.seconds, main.timeouts, main.invalids) == (3, 25.0, 1, 2)
    assert main.exits == {"option:1": 1, "zero-out": 1, "option:2": 1}
    assert (main.zero_outs, main.hangups) == (1, 0)
    account = rows[("account", T0)]  # entered at 14:55 of the first interval
    assert (account.calls, account.visits, account.seconds, account.hangups) == (0, 1, 30.0, 1)
    assert account.timeouts == 2 and account.exits == {"hangup": 1}
    total = dict.fromkeys(("calls", "call_s", "visits", "seconds"), 0.0)
    total |= {"hangups": 0.0, "zero_outs": 0.0, "timeouts": 0.0, "invalids": 0.0}
    for r in rows.values():
        for name in total:
            total[name] += getattr(r, name)
    figures = derive_menu(total)
    assert figures["menu_calls"] == 3 and figures["menu_time_s"] == 55 / 3
    assert figures["node_visits"] == 5 and figures["node_time_s"] == 55 / 5
    assert figures["menu_hangups"] == 1 and figures["zero_outs"] == 1
    assert figures["menu_timeouts"] == 3 and figures["invalid_keys"] == 2


def test_no_calls_means_no_means_rather_than_zero() -> None:
    zeros = dict.fromkeys(("calls", "call_s", "visits", "seconds"), 0.0)
    zeros |= dict.fromkeys(("hangups", "zero_outs", "timeouts", "invalids"), 0.0)
    figures = derive_menu(zeros)
    assert figures["menu_time_s"] is None and figures["node_time_s"] is None
    assert figures["menu_calls"] == 0


def test_an_open_walk_keeps_its_entry_row_through_pruning_and_a_snapshot() -> None:
    menus = _fed([_visit(T0 + 5, "c9", "main", T0, "option:2")])
    assert [r.calls for r in menus.take_changed()] == [1]
    # Hours later, other callers; c9 is still in the account node.
    later = T0 + 3 * 3600
    menus.apply(_visit(later + 5, "c8", "main", later, "hangup"))
    menus.take_changed()
    menus.prune()
    menus = pickle.loads(pickle.dumps(menus))
    assert {(r.node, r.start) for r in menus.rows()} == {("main", T0), ("main", later)}
    menus.apply(_visit(later + 9, "c9", "account", T0 + 5, "hangup"))
    changed = {(r.node, r.start): r for r in menus.take_changed()}
    # The walk's time goes to the row it entered by: the whole row, to overwrite the stored.
    assert changed[("main", T0)].call_s == 5 + (later + 9 - (T0 + 5))
    assert changed[("main", T0)].calls == 1 and changed[("main", T0)].visits == 1
    menus.apply(CallEnded(later + 9, "c9", "k-c9", "acme", None, "caller"))
    menus.take_changed()
    menus.prune()
    assert {(r.node, r.start) for r in menus.rows()} == {("main", later)}


def test_a_call_that_comes_back_to_the_menu_is_one_call() -> None:
    menus = _fed(
        [
            _visit(T0 + 5, "c1", "main", T0, "option:9"),
            _visit(T0 + 9, "c1", "main", T0 + 5, "option:1"),
        ]
    )
    [row] = menus.rows()
    assert (row.calls, row.visits, row.call_s, row.seconds) == (1, 2, 9.0, 9.0)
