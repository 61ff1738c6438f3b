"""Menu (IVR) figures per interval, as a pure projection of the voice events.

    menus = MenuProjection(interval_s=900)
    for event in events:            # the log, in order
        menus.apply(event)
    menus.rows()                    # [MenuInterval], sorted by (number, node, start)

A caller's walk through a menu is logged as one ``MenuVisited`` per node left (entered,
left, how). Conventions, like those of the queues' figures (``reports.stats``):

- a node's stay lands in the interval the caller *entered* the node;
- a call *enters the menu* once, at its first node: it is counted (``calls``) on that
  node's row in that interval, and its whole time in the menu, every node of its walk
  summed, is added there too (``call_s``), so the mean time in menu is per call;
- a walk ends with the call (``CallEnded``); a call that comes back to a menu before
  then is the same call, still counted once.

A menu belongs to a dialled number, and the number to one client company: the rows
carry that client. A caller waits in no queue and no campaign until the menu routes
them, so menu figures group by client, menu and node, and by interval or day, never by
campaign or queue. It imports only the standard library and the voice events.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from hearthline.reports.definitions import Figure, ratio
from hearthline.voice.events import CallEnded, MenuVisited

DEFAULT_INTERVAL_S = 900.0
HOUR_S = 3600.0
# A walk still open this long after its last node was left was cut off without a
# CallEnded (a fault): it stops pinning its row.
STALE_WALK_S = 86400.0

MenuKey = tuple[str, str, float]
"""(dialled number, node, interval start)."""

HANGUP = "hangup"
ZERO_OUT = "zero-out"


@dataclass(slots=True)
class MenuInterval:
    """What callers did in one node of one number's menu, entered in one interval."""

    number: str
    node: str
    start: float
    client: str = ""
    calls: int = 0  # calls whose walk through the menu began here
    call_s: float = 0.0  # those calls' whole time in the menu, every node summed
    visits: int = 0  # stays in the node
    seconds: float = 0.0  # time spent in those stays
    hangups: int = 0  # stays the caller ended by hanging up
    zero_outs: int = 0  # stays left by "0", asking for a person
    timeouts: int = 0  # prompts the caller let time out, in those stays
    invalids: int = 0  # keys pressed that the node does not offer
    exits: dict[str, int] = field(default_factory=dict)  # how the stays were left


MENU_SUMS = ("calls", "call_s", "visits", "seconds", "hangups", "zero_outs", "timeouts", "invalids")

MENU_FIGURES: tuple[Figure, ...] = (
    Figure(
        "menu_calls",
        "Calls in menu",
        "calls",
        "Calls that entered a menu, counted once each, in the interval they entered it, "
        "at the node they entered.",
    ),
    Figure(
        "menu_time_s",
        "Mean time in menu",
        "seconds",
        "A call's whole time in the menu (every node it went through), averaged over the "
        "calls that entered it.",
    ),
    Figure(
        "node_visits",
        "Node visits",
        "visits",
        "Stays in a menu node (a caller who comes back to a node stays twice), counted in "
        "the interval the node was entered.",
    ),
    Figure("node_time_s", "Mean time in node", "seconds", "Time per stay in a node, averaged."),
    Figure(
        "menu_hangups",
        "Menu hang-ups",
        "calls",
        "Callers who hung up while in the menu, at the node they were in.",
    ),
    Figure(
        "zero_outs",
        "Zero-outs",
        "calls",
        'Callers who pressed "0" in the menu to reach a person.',
    ),
    Figure(
        "menu_timeouts",
        "Timeouts",
        "prompts",
        "Prompts a caller let pass without pressing a key (each counted, also when the "
        "node played the prompt again).",
    ),
    Figure(
        "invalid_keys",
        "Invalid keys",
        "keys",
        "Keys pressed that the node does not offer.",
    ),
    Figure(
        "menu_exits",
        "Exits",
        "visits",
        'How the stays in a node ended, per way: "option:<key>" (to the option of that '
        'key), "zero-out", "timeout" or "invalid" (too many), "hangup", "found" (a caller '
        "recognised), or the kind of step the node leads to. Given per node only: a way "
        "is its node's own.",
    ),
)
MENU_FIGURE_NAMES: tuple[str, ...] = tuple(f.name for f in MENU_FIGURES if f.name != "menu_exits")
MENU_GROUPS = ("client", "menu", "node", "interval", "day")
MENU_DEFINITION_NOTE = (
    "A menu belongs to a dialled number, and the number to one client company. A caller "
    "has no queue or campaign until the menu routes them: menu figures group by client, "
    "menu (the number) and node, and by interval or day, never by campaign or queue."
)

MenuFigures = dict[str, float | None]


def derive_menu(sums: dict[str, float]) -> MenuFigures:
    """A menu report row's figures from its sums (``MENU_SUMS``)."""
    return {
        "menu_calls": sums["calls"],
        "menu_time_s": ratio(sums["call_s"], sums["calls"]),
        "node_visits": sums["visits"],
        "node_time_s": ratio(sums["seconds"], sums["visits"]),
        "menu_hangups": sums["hangups"],
        "zero_outs": sums["zero_outs"],
        "menu_timeouts": sums["timeouts"],
        "invalid_keys": sums["invalids"],
    }


class MenuProjection:
    """Per-interval menu figures, fed events in log order. Picklable (snapshots)."""

    def __init__(self, *, interval_s: float = DEFAULT_INTERVAL_S) -> None:
        if not interval_s > 0:
            raise ValueError(f"interval_s must be > 0, got {interval_s}")
        self.interval_s = interval_s
        self._rows: dict[MenuKey, MenuInterval] = {}
        self._dirty: set[MenuKey] = set()
        # Open walks: the call's entry row, and when its last node was left.
        self._walks: dict[str, tuple[MenuKey, float]] = {}
        self._newest = -math.inf

    def apply(self, event: object) -> None:
        if isinstance(event, MenuVisited):
            self._on_visited(event)
        elif isinstance(event, CallEnded):
            self._walks.pop(event.call, None)

    def rows(self) -> list[MenuInterval]:
        return [self._rows[k] for k in sorted(self._rows)]

    def take_changed(self) -> list[MenuInterval]:
        """Rows changed since the last call: what the stored table must overwrite."""
        rows = [self._rows[k] for k in sorted(self._dirty)]
        self._dirty.clear()
        return rows

    def prune(self, keep_s: float = HOUR_S) -> None:
        """Drops the rows taken already that no walk can change any more: older than
        ``keep_s`` before the newest visit and than every open walk's entry row. Walks
        left open a day (``STALE_WALK_S``) without their call ending are let go."""
        self._walks = {c: w for c, w in self._walks.items() if w[1] >= self._newest - STALE_WALK_S}
        horizon = min([self._newest - keep_s, *(w[0][2] for w in self._walks.values())])
        self._rows = {k: r for k, r in self._rows.items() if k[2] >= horizon or k in self._dirty}

    def size(self) -> int:
        return len(self._rows)

    def interval_of(self, t: float) -> float:
        return (t // self.interval_s) * self.interval_s

    def _row(self, key: MenuKey, client: str) -> MenuInterval:
        row = self._rows.get(key)
        if row is None:
            row = self._rows[key] = MenuInterval(key[0], key[1], key[2], client)
        self._dirty.add(key)
        return row

    def _on_visited(self, e: MenuVisited) -> None:
        seconds = max(0.0, e.at - e.entered_at)
        key = (e.number, e.node, self.interval_of(e.entered_at))
        row = self._row(key, e.client)
        row.visits += 1
        row.seconds += seconds
        row.hangups += e.how == HANGUP
        row.zero_outs += e.how == ZERO_OUT
        row.timeouts += e.timeouts
        row.invalids += e.invalids
        row.exits[e.how] = row.exits.get(e.how, 0) + 1
        walk = self._walks.get(e.call)
        entry = key if walk is None else walk[0]
        entry_row = self._row(entry, e.client)
        entry_row.calls += walk is None
        entry_row.call_s += seconds
        self._walks[e.call] = (entry, e.at)
        self._newest = max(self._newest, e.at)
