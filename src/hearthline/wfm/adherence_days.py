"""A worked shift's adherence, per day of the firm: what the reports sum.

For a shift the agent held once it is over, by the same rules as the live adherence
(``wfm.adherence``), cut at the firm's local midnights (a night counts in each day for
its part; a day holds 23 or 25 hours when the clocks change):

- ``scheduled_s``: the planned work, the shift less its planned breaks;
- ``adhering_s``: of that, the time the agent was signed in and not on a break of their
  own; time the center is answerable for (a lost connection, a restart) counts as kept;
- ``excused_s``: of the planned work, that time the center is answerable for, kept apart;
- ``worked_s``: from the shift's start to its end, breaks included, the time signed in
  and not on a break of their own (excused time included): working through a planned
  break counts, time outside the shift is the timesheet's;
- ``late_starts``/``late_s``: a first sign-in past the sign-in grace, by how much, on the
  day the shift starts; ``absences``: never signed in during the shift (not a late start);
- ``early_leaves``/``early_s``: signed out for good more than the sign-out grace before
  the end, by how much, on the day of the sign-out; a sign-out while the connection was
  lost is not the agent's leaving.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from hearthline.wfm.adherence import Grace, first_sign_in, planned_work
from hearthline.wfm.contracts import Shift
from hearthline.wfm.timeline import Mark, segments
from hearthline.wfm.timesheet import own_break


@dataclass(frozen=True, slots=True)
class AdherenceDay:
    agent: str
    shift: str
    # The firm's local day, ISO (YYYY-MM-DD).
    day: str
    scheduled_s: float = 0.0
    adhering_s: float = 0.0
    excused_s: float = 0.0
    worked_s: float = 0.0
    late_starts: int = 0
    late_s: float = 0.0
    early_leaves: int = 0
    early_s: float = 0.0
    absences: int = 0


SUMS = (
    "scheduled_s",
    "adhering_s",
    "excused_s",
    "worked_s",
    "late_starts",
    "late_s",
    "early_leaves",
    "early_s",
    "absences",
)


def _days(start: float, end: float, tz: ZoneInfo) -> Iterator[tuple[str, float, float]]:
    """The local days ``[start, end)`` touches, each with its part of it."""
    day = dt.datetime.fromtimestamp(start, tz=tz).date()
    while True:
        midnight = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=tz)
        cut = midnight.timestamp()
        yield day.isoformat(), start, min(end, cut)
        if cut >= end:
            return
        start, day = cut, day + dt.timedelta(days=1)


def _kept(mark: Mark) -> bool:
    return mark.excused or (mark.signed_in and own_break(mark) is None)


def shift_days(
    agent: str, marks: Sequence[Mark], shift: Shift, *, tz: ZoneInfo, grace: Grace
) -> list[AdherenceDay]:
    """The shift's figures per local day it touches (see the module's description)."""
    work = planned_work(shift, shift.start, shift.end)
    first = first_sign_in(marks, shift, early_s=grace.absent_s)
    leave = _early_leave(marks, shift, first, grace)
    out = []
    for day, a, z in _days(shift.start, shift.end, tz):
        scheduled = adhering = excused = worked = 0.0
        for wa, wz in work:
            lo, hi = max(a, wa), min(z, wz)
            if hi <= lo:
                continue
            scheduled += hi - lo
            for seg in segments(marks, lo, hi):
                length = seg.end - seg.start
                adhering += length if _kept(seg.mark) else 0.0
                excused += length if seg.mark.excused else 0.0
        for seg in segments(marks, a, z):
            worked += seg.end - seg.start if _kept(seg.mark) else 0.0
        late_s = 0.0
        if a == shift.start and first is not None and first - shift.start > grace.sign_in_s:
            late_s = first - shift.start
        on_leave_day = leave is not None and a <= leave < z
        out.append(
            AdherenceDay(
                agent,
                shift.id,
                day,
                scheduled_s=scheduled,
                adhering_s=adhering,
                excused_s=excused,
                worked_s=worked,
                late_starts=1 if late_s > 0 else 0,
                late_s=late_s,
                early_leaves=1 if on_leave_day else 0,
                early_s=shift.end - leave if leave is not None and on_leave_day else 0.0,
                absences=1 if a == shift.start and first is None else 0,
            )
        )
    return out


def _early_leave(
    marks: Sequence[Mark], shift: Shift, first: float | None, g: Grace
) -> float | None:
    """When the agent signed out for good before the shift's end (beyond the grace)."""
    if first is None:
        return None
    before: Mark | None = None
    last: Mark | None = None
    for m in marks:
        if m.at >= shift.end:
            break
        before, last = last, m
    if last is None or last.signed_in or last.at < first:
        return None
    if before is not None and before.excused:
        return None  # signed out while disconnected: the center's, not the agent's
    return last.at if last.at < shift.end - g.sign_out_s else None
