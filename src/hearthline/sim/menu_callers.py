"""Simulated callers walking a real menu flow (the voice domain's ``Walker``): at each
menu they listen to the prompt, then press a key drawn from that node's choice
probabilities (or nothing, and wait for the timeout); a caller whose time in the menu
passes their menu patience hangs up. Comparing two flows (a three-level menu with a
one-level one) on the same callers shows what each costs in time and hang-ups, in all
and per node (each stay in a node is a ``Visit``, as the server measures real callers).
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field

from hearthline.voice.figures import FigureBook, NodeFigure
from hearthline.voice.menus import Flow, Step, Visit, Walker

# node -> key -> probability; the rest of the mass is "presses nothing".
Choices = Mapping[str, Mapping[str, float]]
_MAX_STEPS = 1000


@dataclass(frozen=True, slots=True)
class MenuCallers:
    choices: Choices
    patience_s: float  # mean menu patience (exponential)
    prompt_s: Mapping[str, float] = field(default_factory=dict)  # prompt lengths, by name
    think_s: float = 1.5  # from the prompt's end to the key


@dataclass(frozen=True, slots=True)
class MenuDay:
    callers: int
    hung_up: int
    zero_outs: int
    seconds: float  # total time in the menu
    endings: Mapping[str, int]  # leaf kind (or queue) -> callers
    nodes: tuple[NodeFigure, ...] = ()  # per node: visits, time, hang-ups, exits

    @property
    def mean_s(self) -> float:
        return self.seconds / self.callers if self.callers else 0.0

    @property
    def hang_up_share(self) -> float:
        return self.hung_up / self.callers if self.callers else 0.0


@dataclass(frozen=True, slots=True)
class Walked:
    """One caller's way through the menu."""

    how: str  # a leaf's kind, "queue:<id>", or "hangup"
    seconds: float  # time spent in the menu
    zero_out: bool  # pressed 0
    # The skill the path set (``sets: {skill: ...}``): the contact's own requirement.
    skill: str | None = None


def walk(
    flow: Flow, callers: MenuCallers, rng: random.Random, *, visits: list[Visit] | None = None
) -> tuple[str, float, bool]:
    """One caller: how they left (a leaf's kind, "queue:<id>", or "hangup"), the seconds
    spent in the menu, and whether they pressed 0; each node's stay is added to ``visits``."""
    w = walk_call(flow, callers, rng, visits=visits)
    return w.how, w.seconds, w.zero_out


def walk_call(
    flow: Flow, callers: MenuCallers, rng: random.Random, *, visits: list[Visit] | None = None
) -> Walked:
    """``walk``, with the skill the caller's path set."""
    walker = Walker(flow)
    patience = rng.expovariate(1.0 / callers.patience_s) if callers.patience_s > 0 else 0.0
    at = 0.0
    step: Step = walker.start(at)
    for _ in range(_MAX_STEPS):
        if visits is not None:
            visits.extend(step.visits)
        at += sum(callers.prompt_s.get(p, 0.0) for p in step.play)
        if step.end is not None:
            end = step.end
            how = f"queue:{end.queue}" if end.kind == "queue" else end.kind
            return Walked(how, at, end.zero_out, dict(end.data).get("skill"))
        if step.lookup is not None:  # simulated callers know their account number
            step = walker.checked("simulated", at)
            continue
        assert step.wait_s is not None
        key = _draw(callers.choices.get(walker.node.id, {}), rng)
        wait = callers.think_s if key is not None else step.wait_s
        if at + wait > patience:
            gone = walker.hang_up(max(patience, 0.0))
            if visits is not None:
                visits.extend(gone.visits)
            return Walked("hangup", max(patience, 0.0), False)
        at += wait
        step = walker.digit(key, at) if key is not None else walker.timeout(at)
    raise RuntimeError("a simulated caller did not leave the menu")  # check_flow prevents it


def count_visits(book: FigureBook, menu: str, visits: list[Visit]) -> None:
    """Adds one caller's stays to ``book`` under ``menu`` (the queue the flow is before)."""
    for v in visits:
        book.add(menu, v.node, v.left_at - v.entered_at, v.how, v.timeouts, v.invalids)


def _draw(choices: Mapping[str, float], rng: random.Random) -> str | None:
    u, total = rng.random(), 0.0
    for key, p in choices.items():
        total += p
        if u < total:
            return key
    return None


def menu_day(flow: Flow, callers: MenuCallers, count: int, *, seed: int) -> MenuDay:
    """``count`` callers through ``flow``, drawn from ``seed`` (the same callers for any flow)."""
    rng = random.Random(seed)
    endings: dict[str, int] = {}
    hung_up = zero_outs = 0
    seconds = 0.0
    book = FigureBook()
    visits: list[Visit] = []
    for _ in range(count):
        visits.clear()
        how, spent, zero_out = walk(flow, callers, rng, visits=visits)
        count_visits(book, "menu", visits)
        endings[how] = endings.get(how, 0) + 1
        hung_up += how == "hangup"
        zero_outs += zero_out
        seconds += spent
    return MenuDay(count, hung_up, zero_outs, seconds, endings, tuple(book.figures()))
