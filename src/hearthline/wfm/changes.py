"""Changes to a schedule after picking, as values: the firm's rules for them, a change
request (a trade, a shift given back, time off) and the cover a change takes away.

Cover is counted as the rostering counts it: the share of each interval a shift works,
its breaks carved out, per skill group.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from hearthline.wfm.contracts import Shift

# Ids of windows, shifts and changes.
ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:@+-]{0,99}$")


class Approval(StrEnum):
    """When an agent's change waits for a supervisor."""

    ALWAYS = "always"
    NEVER = "never"
    # Only a change that alters the scheduled cover of some interval: a swap of shifts
    # between two qualified agents leaves cover as it was; a shift given back does not.
    COVER = "cover"


class PickOrder(StrEnum):
    FIRST_COME = "first-come"
    # Turns, most senior first (equal seniority shares a turn).
    SENIORITY = "seniority"
    # Turns in agent order, the first turn moving one agent on with every window.
    ROTATION = "rotation"


@dataclass(frozen=True, slots=True)
class ChangeRules:
    approval: Approval = Approval.COVER
    pick_order: PickOrder = PickOrder.FIRST_COME
    # How long each turn of an ordered pick lasts before the next agent's opens.
    turn_s: float = 3600.0
    # How long before a shift the agent's desktop reminds them of it.
    reminder_s: float = 900.0


class ChangeKind(StrEnum):
    TRADE = "trade"
    GIVE_BACK = "give-back"
    TIME_OFF = "time-off"


class ChangeStatus(StrEnum):
    # A trade the partner has not answered yet.
    PROPOSED = "proposed"
    # Waiting for a supervisor.
    PENDING = "pending"
    DONE = "done"
    DECLINED = "declined"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"


OPEN_STATUSES = frozenset({ChangeStatus.PROPOSED, ChangeStatus.PENDING})


@dataclass(frozen=True, slots=True)
class Change:
    """A trade (``agent`` gives ``shift`` to ``partner``, who gives ``partner_shift``
    back, or nothing), a shift given back, or time off from ``start`` to ``end``."""

    id: str
    kind: ChangeKind
    agent: str
    shift: str | None = None
    partner: str | None = None
    partner_shift: str | None = None
    start: float | None = None
    end: float | None = None
    reason: str = ""


@dataclass(frozen=True, slots=True)
class Move:
    """A shift changing hands: ``to`` None leaves it open (a gap until someone picks it)."""

    shift: str
    source: str
    to: str | None


@dataclass(frozen=True, slots=True)
class Requirement:
    """The agents required per interval for a group, as the staffing plan said when the
    shifts were published: what a change's cover impact is measured against."""

    group: str
    start: float
    step_s: float
    required: tuple[float, ...]

    def at(self, t: float) -> float | None:
        i = int((t - self.start) // self.step_s)
        return self.required[i] if 0 <= i < len(self.required) and t >= self.start else None


def worked(shift: Shift, start: float, end: float) -> float:
    """Seconds of ``[start, end)`` that ``shift`` plans work (breaks taken out)."""
    span = max(0.0, min(end, shift.end) - max(start, shift.start))
    for b in shift.breaks:
        span -= max(0.0, min(end, b.end) - max(start, b.start))
    return span


def cover(shifts: Iterable[Shift], group: str, start: float, step_s: float, n: int) -> list[float]:
    """Agents scheduled in each of ``n`` intervals of ``group`` from ``start``."""
    out = [0.0] * n
    end = start + n * step_s
    for s in shifts:
        if s.group != group or s.end <= start or s.start >= end:
            continue
        first = max(0, int((s.start - start) // step_s))
        last = min(n, int((s.end - start) // step_s) + 1)
        for i in range(first, last):
            a = start + i * step_s
            out[i] += worked(s, a, a + step_s) / step_s
    return out


def cover_changes(before: Sequence[Shift], after: Sequence[Shift], *, step_s: float) -> bool:
    """Whether the scheduled cover of any interval of any group differs between the two
    sets of held shifts (only the intervals the differing shifts touch are compared)."""
    moved = set(before) ^ set(after)
    if not moved:
        return False
    start = min(s.start for s in moved) // step_s * step_s
    n = int((max(s.end for s in moved) - start) // step_s) + 1
    groups = {s.group for s in moved}
    return any(
        any(
            abs(x - y) > 1e-9
            for x, y in zip(
                cover(before, g, start, step_s, n), cover(after, g, start, step_s, n), strict=True
            )
        )
        for g in groups
    )


def turn_ranks(
    order: PickOrder, agents: Sequence[tuple[str, float]], window_index: int
) -> dict[str, int]:
    """Each agent's turn (0 first) under ``order``; ``agents`` are (id, seniority)."""
    if order is PickOrder.SENIORITY:
        levels = sorted({s for _, s in agents}, reverse=True)
        return {a: levels.index(s) for a, s in agents}
    ids = sorted(a for a, _ in agents)
    if order is PickOrder.ROTATION and ids:
        k = window_index % len(ids)
        return {a: (i - k) % len(ids) for i, a in enumerate(ids)}
    return dict.fromkeys(ids, 0)
