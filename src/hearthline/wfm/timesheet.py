"""Timesheets: each agent's time on the clock per day, a pure function of the log.

For an agent and a day of the firm's calendar (midnight to midnight in its time zone, so
23 or 25 hours on the days the clocks change), from the agent's marks (``timeline``):

- ``on_clock_s``: time signed in (a shift across midnight counts in each day for the part
  that falls in it);
- ``breaks_s``: time on a not-ready reason of the agent's own, by reason;
- ``unpaid_s``: the part of that on the firm's unpaid reasons (lunch by default);
- ``system_s``: time the center is answerable for (a lost connection, a restart), paid;
- ``paid_s = on_clock_s - unpaid_s``.

A supervisor's ``Correction`` replaces what the log says for a span of time (a sign-in
the agent could not make, a break recorded under the wrong reason), and is kept beside
the sheet with its reason; the log itself is never changed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from hearthline.wfm.timeline import Mark, marks_at, segments

UNPAID_REASONS = frozenset({"lunch"})
# What a correction can say the agent was doing.
WORKING = "working"
OFF_CLOCK = "off-clock"


@dataclass(frozen=True, slots=True)
class Correction:
    start: float
    end: float
    # WORKING, OFF_CLOCK, or a not-ready reason (a break of that kind).
    state: str
    reason: str
    by: str = ""

    def mark(self) -> Mark:
        if self.state == OFF_CLOCK:
            return Mark(self.start, signed_in=False)
        return Mark(
            self.start, signed_in=True, reason=None if self.state == WORKING else self.state
        )


@dataclass(frozen=True, slots=True)
class Timesheet:
    agent: str
    day: dt.date
    first_in: float | None
    last_out: float | None
    on_clock_s: float
    paid_s: float
    unpaid_s: float
    system_s: float
    breaks_s: dict[str, float]
    corrections: tuple[Correction, ...]


def day_bounds(day: dt.date, tz: ZoneInfo) -> tuple[float, float]:
    """UTC seconds of the local midnights that start and end ``day``."""
    start = dt.datetime.combine(day, dt.time(), tzinfo=tz)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=tz)
    return start.timestamp(), end.timestamp()


def corrected(marks: Sequence[Mark], corrections: Sequence[Correction]) -> list[Mark]:
    """The marks with each correction's span replaced by what it says (later ones win)."""
    out = list(marks)
    for c in corrections:
        before = [m for m in out if m.at < c.start]
        after = [m for m in out if m.at >= c.end]
        resume = marks_at(out, c.end)
        out = [
            *before,
            c.mark(),
            Mark(c.end, resume.signed_in, resume.reason, resume.connected),
            *after,
        ]
    return out


def own_break(mark: Mark) -> str | None:
    """The reason of a break of the agent's own choosing while signed in; None while they
    work, wait for a contact, or the center is answerable (a lost connection, a restart).
    Timesheets and pay read time by this one rule."""
    if mark.excused or mark.reason in (None, "signed-in"):
        return None
    return str(mark.reason)


def timesheet(
    agent: str,
    marks: Sequence[Mark],
    day: dt.date,
    *,
    tz: ZoneInfo,
    corrections: Sequence[Correction] = (),
    unpaid_reasons: frozenset[str] = UNPAID_REASONS,
    until: float | None = None,
) -> Timesheet:
    """``agent``'s sheet for ``day``; of today, ``until`` now (time to come is not on it)."""
    start, end = day_bounds(day, tz)
    if until is not None:
        end = max(start, min(end, until))
    on_clock = unpaid = system = 0.0
    breaks: dict[str, float] = {}
    first_in: float | None = None
    last_out: float | None = None
    for seg in segments(corrected(marks, corrections), start, end):
        if not seg.mark.signed_in:
            continue
        length = seg.end - seg.start
        on_clock += length
        first_in = seg.start if first_in is None else first_in
        last_out = seg.end
        reason = own_break(seg.mark)
        if seg.mark.excused:
            system += length
        elif reason is not None:
            breaks[reason] = breaks.get(reason, 0.0) + length
            if reason in unpaid_reasons:
                unpaid += length
    return Timesheet(
        agent=agent,
        day=day,
        first_in=first_in,
        last_out=last_out,
        on_clock_s=on_clock,
        paid_s=on_clock - unpaid,
        unpaid_s=unpaid,
        system_s=system,
        breaks_s=breaks,
        corrections=tuple(corrections),
    )
