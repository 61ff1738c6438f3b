"""Adherence: what each agent was scheduled to do against what the log says they did.

A shift plans work from its start to its end, with its breaks carved out. With the
grace of each activity (``Grace``):

- **late**: not signed in more than ``sign_in_s`` after the shift started (while it
  lasts), or signed in later than that (remembered for the day);
- **absent**: not signed in ``absent_s`` after the shift started, or at all;
- **early-out**: signed out more than ``sign_out_s`` before the shift ended;
- **break-long**: on a break of their own more than ``break_s`` past the planned break's
  end, or on one of their own when work is planned (beyond the same grace);
- **excused**: a lost connection or a system restart; it never counts against the agent.

Adherence (a share) is the planned working time so far in which the agent was signed in
and not on a break of their own, excused time counting as kept.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from hearthline.wfm.contracts import Shift
from hearthline.wfm.timeline import Mark, marks_at, segments


class Status(StrEnum):
    OFF = "off"
    ADHERING = "adhering"
    LATE = "late"
    ABSENT = "absent"
    EARLY_OUT = "early-out"
    BREAK_LONG = "break-long"
    EXCUSED = "excused"


ALERTS = frozenset({Status.LATE, Status.ABSENT, Status.EARLY_OUT, Status.BREAK_LONG})


@dataclass(frozen=True, slots=True)
class Grace:
    sign_in_s: float = 300.0
    absent_s: float = 1800.0
    sign_out_s: float = 300.0
    break_s: float = 120.0


@dataclass(frozen=True, slots=True)
class Adherence:
    status: Status
    # Since when the status holds (its start, for an alert: when the grace ran out).
    since: float | None
    shift: str | None
    late_s: float
    adherence: float | None


def planned_work(shift: Shift, start: float, end: float) -> list[tuple[float, float]]:
    spans = [(shift.start, shift.end)]
    for b in sorted(shift.breaks, key=lambda b: b.start):
        head, (a, z) = spans[:-1], spans[-1]
        spans = [*head, (a, b.start), (b.end, z)]
    cut = [(max(a, start), min(z, end)) for a, z in spans]
    return [(a, z) for a, z in cut if z > a]


def _own_break(mark: Mark) -> bool:
    return mark.signed_in and mark.reason not in (None, "signed-in") and not mark.excused


def share(marks: Sequence[Mark], shift: Shift, now: float) -> float | None:
    """The share of the shift's planned work so far in which the agent kept to it."""
    kept = total = 0.0
    for a, z in planned_work(shift, shift.start, min(now, shift.end)):
        total += z - a
        for seg in segments(marks, a, z):
            if seg.mark.excused or (seg.mark.signed_in and not _own_break(seg.mark)):
                kept += seg.end - seg.start
    return kept / total if total > 0 else None


def first_sign_in(marks: Sequence[Mark], shift: Shift, early_s: float) -> float | None:
    signed = marks_at(marks, shift.start - early_s).signed_in
    if signed:
        return shift.start
    for m in marks:
        if m.at >= shift.start - early_s and m.signed_in:
            return max(m.at, shift.start)
    return None


def adherence(
    marks: Sequence[Mark], shifts: Sequence[Shift], now: float, grace: Grace = Grace()
) -> Adherence:
    """The agent's status at ``now`` against the shift in progress (or the last one of
    the past day that has ended), from their marks."""
    shift = _relevant(shifts, now)
    current = marks_at(marks, now)
    if shift is None:
        return Adherence(Status.EXCUSED if current.excused else Status.OFF, None, None, 0.0, None)
    first = first_sign_in(marks, shift, early_s=grace.absent_s)
    late_s = max(0.0, (first if first is not None else min(now, shift.end)) - shift.start)
    late_s = late_s if late_s > grace.sign_in_s else 0.0
    kept = share(marks, shift, now)
    status, since = _status(marks, current, shift, first, now, grace)
    return Adherence(status, since, shift.id, late_s, kept)


def _status(
    marks: Sequence[Mark], current: Mark, shift: Shift, first: float | None, now: float, g: Grace
) -> tuple[Status, float | None]:
    if current.excused:
        return Status.EXCUSED, current.at
    if first is None:
        if now >= min(shift.start + g.absent_s, shift.end):
            return Status.ABSENT, shift.start + g.absent_s
        if now > shift.start + g.sign_in_s:
            return Status.LATE, shift.start + g.sign_in_s
        return (Status.ADHERING, shift.start) if now >= shift.start else (Status.OFF, None)
    if not current.signed_in:
        if current.at < shift.end - g.sign_out_s:
            return Status.EARLY_OUT, current.at
        return Status.OFF, None
    if _own_break(current) and now < shift.end:
        # A break taken in (or just before) a planned one is due back at its end.
        planned = [b.end for b in shift.breaks if b.start - g.break_s <= current.at < b.end]
        due = max(planned) if planned else current.at
        if now > due + g.break_s:
            return Status.BREAK_LONG, due + g.break_s
    return (Status.ADHERING, first) if now < shift.end else (Status.OFF, None)


def _relevant(shifts: Sequence[Shift], now: float) -> Shift | None:
    """The shift in progress, else one that ended within the last hour (an early
    sign-out stays visible a while), else the next within the hour."""
    live = [s for s in shifts if s.start <= now < s.end]
    if live:
        return min(live, key=lambda s: s.start)
    ended = [s for s in shifts if s.end <= now < s.end + 3600]
    if ended:
        return max(ended, key=lambda s: s.end)
    return None
