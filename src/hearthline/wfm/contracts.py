"""Agents' contracts and the one check every schedule change goes through.

A shift is stored in UTC seconds (the log's clock); what a contract says about days,
weeks and hours of availability is in the firm's time zone, so the checks convert with
``zoneinfo`` and a shift across a change to summer time is as long as the clock says.

The limits (hours and days a week at most, rest between shifts, availability, shift
lengths, breaks) are never broken by a generated, assigned or picked schedule. The
minimum hours a week is a target: while agents are still picking it cannot hold, so it is
reported as a shortfall (``shortfalls``), never as a broken limit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from zoneinfo import ZoneInfo

HOUR = 3600.0
DAY_MINUTES = 24 * 60


class ContractKind(StrEnum):
    FULL_TIME = "full-time"
    PART_TIME = "part-time"


@dataclass(frozen=True, slots=True)
class BreakRule:
    """A shift of at least ``min_shift_s`` has a break of ``length_s``, starting no sooner
    than ``earliest_s`` after the shift starts and ending no later than ``latest_s``
    before it ends."""

    min_shift_s: float
    length_s: float
    paid: bool
    reason: str = "break"
    earliest_s: float = 2 * HOUR
    latest_s: float = HOUR


@dataclass(frozen=True, slots=True)
class Window:
    """The agent can work on ``weekday`` (0 Monday) from ``start_min`` to ``end_min``
    minutes after local midnight (an end past 1440 runs into the next day)."""

    weekday: int
    start_min: int
    end_min: int

    def __post_init__(self) -> None:
        if not (0 <= self.weekday <= 6 and 0 <= self.start_min < self.end_min <= 2 * DAY_MINUTES):
            raise ValueError(
                f"availability window {self.weekday}/{self.start_min}-{self.end_min}: weekday "
                "0-6, start before end, minutes 0-2880"
            )


ALWAYS = tuple(Window(d, 0, DAY_MINUTES) for d in range(7))


@dataclass(frozen=True, slots=True)
class Contract:
    agent: str
    group: str
    kind: ContractKind = ContractKind.FULL_TIME
    min_week_h: float = 0.0
    max_week_h: float = 40.0
    max_days_week: int = 5
    min_rest_h: float = 11.0
    windows: tuple[Window, ...] = ALWAYS
    shift_lengths_h: tuple[float, ...] = (8.0,)
    breaks: tuple[BreakRule, ...] = ()
    # Years of service, or any rank the firm keeps: higher picks first when the firm
    # picks by seniority.
    seniority: float = 0.0

    def __post_init__(self) -> None:
        problems = []
        if not 0 <= self.min_week_h <= self.max_week_h <= 7 * 24:
            problems.append("hours a week: 0 <= min_week_h <= max_week_h <= 168")
        if not 1 <= self.max_days_week <= 7:
            problems.append("max_days_week must be 1 to 7")
        if not 0 <= self.min_rest_h <= 48:
            problems.append("min_rest_h must be 0 to 48")
        if not self.shift_lengths_h or any(not 1 <= h <= 16 for h in self.shift_lengths_h):
            problems.append("shift_lengths_h: at least one, each 1 to 16 hours")
        if problems:
            raise ValueError(f"contract of {self.agent!r}: " + "; ".join(problems))

    def breaks_for(self, length_s: float) -> tuple[BreakRule, ...]:
        return tuple(b for b in self.breaks if length_s >= b.min_shift_s)


@dataclass(frozen=True, slots=True)
class Break:
    start: float
    end: float
    paid: bool
    reason: str = "break"


@dataclass(frozen=True, slots=True)
class Shift:
    id: str
    group: str
    start: float
    end: float
    breaks: tuple[Break, ...] = ()

    @property
    def length_s(self) -> float:
        return self.end - self.start

    @property
    def paid_s(self) -> float:
        return self.length_s - sum(b.end - b.start for b in self.breaks if not b.paid)


@dataclass(frozen=True, slots=True)
class Violation:
    agent: str
    shift: str
    rule: str
    message: str


@dataclass
class _Week:
    paid_s: float = 0.0
    days: set[dt.date] = field(default_factory=set)


def _local(at: float, tz: ZoneInfo) -> dt.datetime:
    return dt.datetime.fromtimestamp(at, tz=tz)


def week_of(day: dt.date) -> dt.date:
    """The Monday that starts ``day``'s week."""
    return day - dt.timedelta(days=day.weekday())


def _within_window(shift: Shift, windows: Sequence[Window], tz: ZoneInfo) -> bool:
    """The shift lies in the agent's windows: one of its start day's, which may run past
    midnight (an end past 1440), or a chain of them, a night shift running on from one
    window into the next day's that starts by the time the first ends."""
    start = _local(shift.start, tz)
    # Minutes on the wall clock: a window 08:00-16:00 means that on a day of 23 hours too.
    end = _local(shift.end, tz)
    day, at = start.date(), start.hour * 60 + start.minute
    end_min = (end.date() - day).days * DAY_MINUTES + end.hour * 60 + end.minute
    while True:
        reach = max(
            (w.end_min for w in windows if w.weekday == day.weekday() and w.start_min <= at),
            default=at,
        )
        if end_min <= reach and reach > at:
            return True
        if reach < DAY_MINUTES or reach <= at:
            return False
        # Covered into the next day until ``reach``: a window of that day must go on.
        day, at, end_min = day + dt.timedelta(days=1), reach - DAY_MINUTES, end_min - DAY_MINUTES


def _shift_problems(contract: Contract, shift: Shift, tz: ZoneInfo) -> Iterable[tuple[str, str]]:
    lengths = {round(h * HOUR) for h in contract.shift_lengths_h}
    if round(shift.length_s) not in lengths:
        allowed = ", ".join(f"{h:g}" for h in sorted(contract.shift_lengths_h))
        yield "length", f"a shift of {shift.length_s / HOUR:g} h; the contract allows {allowed} h"
    if not _within_window(shift, contract.windows, tz):
        yield "availability", "the shift is outside the agent's available hours"
    wanted = sorted((b.length_s, b.paid) for b in contract.breaks_for(shift.length_s))
    placed = sorted((b.end - b.start, b.paid) for b in shift.breaks)
    if wanted != placed:
        yield "breaks", f"breaks {placed} where the contract asks for {wanted}"
        return
    rules = sorted(contract.breaks_for(shift.length_s), key=lambda r: (r.length_s, r.paid))
    for rule, brk in zip(
        rules, sorted(shift.breaks, key=lambda b: (b.end - b.start, b.paid)), strict=True
    ):
        if brk.start < shift.start + rule.earliest_s or brk.end > shift.end - rule.latest_s:
            yield "breaks", "a break is placed too early or too late in the shift"


def violations(contract: Contract, shifts: Iterable[Shift], *, tz: ZoneInfo) -> list[Violation]:
    """Every limit of ``contract`` that the agent's ``shifts`` break (none: the schedule
    keeps the contract). Weeks run Monday to Sunday in ``tz``; a shift counts in the
    week and on the day it starts."""
    ordered = sorted(shifts, key=lambda s: (s.start, s.id))
    out: list[Violation] = []

    def bad(shift: Shift, rule: str, message: str) -> None:
        out.append(Violation(contract.agent, shift.id, rule, message))

    weeks: dict[dt.date, _Week] = {}
    previous: Shift | None = None
    for shift in ordered:
        if shift.group != contract.group:
            bad(shift, "group", f"a {shift.group!r} shift; the agent works {contract.group!r}")
        for rule, message in _shift_problems(contract, shift, tz):
            bad(shift, rule, message)
        if previous is not None:
            rest = shift.start - previous.end
            if rest < contract.min_rest_h * HOUR:
                bad(
                    shift,
                    "rest",
                    f"{max(rest, 0) / HOUR:.1f} h after the shift before; at least "
                    f"{contract.min_rest_h:g} h",
                )
        previous = shift
        day = _local(shift.start, tz).date()
        week = weeks.setdefault(week_of(day), _Week())
        week.paid_s += shift.paid_s
        week.days.add(day)
        if week.paid_s > contract.max_week_h * HOUR + 1e-6:
            bad(
                shift,
                "week-hours",
                f"{week.paid_s / HOUR:g} h in the week; at most {contract.max_week_h:g}",
            )
        if len(week.days) > contract.max_days_week:
            bad(
                shift,
                "week-days",
                f"{len(week.days)} days in the week; at most {contract.max_days_week}",
            )
    return out


def shortfalls(
    contract: Contract, shifts: Iterable[Shift], *, tz: ZoneInfo, weeks: Iterable[dt.date]
) -> dict[dt.date, float]:
    """Hours short of the contract's minimum in each of ``weeks`` (Mondays), where short."""
    paid: dict[dt.date, float] = {}
    for shift in shifts:
        monday = week_of(_local(shift.start, tz).date())
        paid[monday] = paid.get(monday, 0.0) + shift.paid_s
    out = {}
    for monday in weeks:
        short = contract.min_week_h - paid.get(monday, 0.0) / HOUR
        if short > 1e-9:
            out[monday] = short
    return out


def fits(
    contract: Contract, held: Sequence[Shift], shift: Shift, *, tz: ZoneInfo
) -> list[Violation]:
    """What taking ``shift`` on top of ``held`` would break (empty: it fits). The check
    for a pick, an assignment or any other change: the whole new schedule is checked."""
    return violations(contract, [*held, shift], tz=tz)
