"""What the menus cost callers, from the log's MenuVisited events: time in menu per node,
exits per option, hang-ups per node and zero-outs ("menus annoy" as a number); and per
menu (number), the wallboard's line: callers, their mean time in it, hang-ups, zero-outs."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class NodeFigure:
    number: str
    node: str
    visits: int = 0
    seconds: float = 0.0  # total time callers spent in the node
    hangups: int = 0
    zero_outs: int = 0
    timeouts: int = 0
    invalids: int = 0
    exits: Counter[str] = field(default_factory=Counter)

    @property
    def mean_s(self) -> float:
        return self.seconds / self.visits if self.visits else 0.0


class FigureBook:
    """Node figures summed visit by visit: the log's MenuVisited events on the server, the
    simulated callers' visits in the twin (which keeps no list of them)."""

    def __init__(self) -> None:
        self._figures: dict[tuple[str, str], NodeFigure] = {}

    def add(
        self, number: str, node: str, seconds: float, how: str, timeouts: int, invalids: int
    ) -> None:
        key = (number, node)
        figure = self._figures.get(key)
        if figure is None:
            figure = self._figures[key] = NodeFigure(number, node)
        figure.visits += 1
        figure.seconds += max(0.0, seconds)
        figure.exits[how] += 1
        figure.hangups += how == "hangup"
        figure.zero_outs += how == "zero-out"
        figure.timeouts += timeouts
        figure.invalids += invalids

    def figures(self) -> list[NodeFigure]:
        """Per (number, node), in that order."""
        return [self._figures[k] for k in sorted(self._figures)]


def node_figures(visits: Iterable[Mapping[str, Any]]) -> list[NodeFigure]:
    """Per (number, node), in that order."""
    book = FigureBook()
    for v in visits:
        book.add(
            str(v["number"]), str(v["node"]), float(v["at"]) - float(v["entered_at"]),
            str(v["how"]), int(v.get("timeouts", 0)), int(v.get("invalids", 0)),
        )  # fmt: skip
    return book.figures()


@dataclass(slots=True)
class MenuLine:
    number: str
    callers: int = 0  # calls with at least one visit measured
    seconds: float = 0.0  # their time in the menu, all nodes
    hangups: int = 0
    zero_outs: int = 0

    @property
    def mean_s(self) -> float:
        """Mean time in the menu per caller."""
        return self.seconds / self.callers if self.callers else 0.0


def menu_lines(visits: Iterable[Mapping[str, Any]]) -> dict[str, MenuLine]:
    """Per number: the callers who walked its menu and what it cost them."""
    out: dict[str, MenuLine] = {}
    calls: set[tuple[str, str]] = set()
    for v in visits:
        number = str(v["number"])
        line = out.setdefault(number, MenuLine(number))
        call = (number, str(v["call"]))
        if call not in calls:
            calls.add(call)
            line.callers += 1
        line.seconds += max(0.0, float(v["at"]) - float(v["entered_at"]))
        how = str(v["how"])
        line.hangups += how == "hangup"
        line.zero_outs += how == "zero-out"
    return out
