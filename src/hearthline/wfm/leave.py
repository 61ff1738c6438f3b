"""Approved time off as leave for pay: the scheduled time it took off.

A supervisor's approval of time off frees the agent's shifts it touches that had not
started (``change_desk``: ``ShiftsMoved`` with ``why`` "time-off"). The leave is those
shifts' time within the time off asked for, less their unpaid breaks, and less any time
the agent was on the clock anyway (worked time is paid as work, and no second twice). It
is priced as ``SpanKind.LEAVE``: at the plain rate where the agent's pay rule gives paid
leave, otherwise not at all. Time off with no shift in it takes no scheduled time off,
so it is no leave.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import UTC, datetime

from hearthline.wfm.changes import Change, ChangeKind
from hearthline.wfm.contracts import Shift
from hearthline.wfm.events import ChangeRequested, ShiftsMoved, ShiftsPublished
from hearthline.wfm.pay import SpanKind, TimeSpan

# The schedule events leave is read from, by name (what the log's ``type`` holds).
LEAVE_EVENTS = ("ShiftsPublished", "ChangeRequested", "ShiftsMoved")
REASON = "time off"


def leave_spans(
    events: Iterable[object], agents: Collection[str], start: float, end: float
) -> list[TimeSpan]:
    """The leave of ``agents`` within ``[start, end)`` from the schedule events (log
    order), before taking out the time they worked (``off_the_clock``)."""
    shifts: dict[str, Shift] = {}
    asked: dict[str, Change] = {}
    out: list[TimeSpan] = []
    for event in events:
        if isinstance(event, ShiftsPublished):
            shifts.update((s.id, s) for s in event.shifts)
        elif isinstance(event, ChangeRequested) and event.change.kind is ChangeKind.TIME_OFF:
            asked[event.change.id] = event.change
        elif isinstance(event, ShiftsMoved) and event.why == ChangeKind.TIME_OFF.value:
            change = asked.get(event.change)
            if change is None or change.agent not in agents:
                continue
            # Time off always has both ends (``change_desk``).
            assert change.start is not None
            assert change.end is not None
            for move in event.moves:
                shift = shifts.get(move.shift)
                if shift is None or move.source != change.agent:
                    continue
                lo, hi = max(shift.start, change.start, start), min(shift.end, change.end, end)
                parts = [(lo, hi)] if hi > lo else []
                for b in shift.breaks:
                    if not b.paid:
                        parts = _cut(parts, b.start, b.end)
                out.extend(
                    TimeSpan(change.agent, _utc(a), _utc(z), SpanKind.LEAVE, REASON)
                    for a, z in parts
                )
    return out


def off_the_clock(leave: Iterable[TimeSpan], timesheet: Iterable[TimeSpan]) -> list[TimeSpan]:
    """``leave`` less every stretch of the same agent's ``timesheet`` spans (worked, or on
    a break): the agent came in after all, and that time is paid as it was spent."""
    leave = list(leave)
    on_leave = {s.agent for s in leave}
    busy: dict[str, list[tuple[float, float]]] = {}
    for s in timesheet:
        # Only the agents with leave: most of a payroll's spans are no one's leave.
        if s.agent in on_leave:
            busy.setdefault(s.agent, []).append((s.start.timestamp(), s.end.timestamp()))
    out: list[TimeSpan] = []
    for s in leave:
        parts = [(s.start.timestamp(), s.end.timestamp())]
        for a, z in busy.get(s.agent, ()):
            parts = _cut(parts, a, z)
        out.extend(TimeSpan(s.agent, _utc(a), _utc(z), s.kind, s.reason) for a, z in parts)
    return out


def _cut(parts: list[tuple[float, float]], a: float, z: float) -> list[tuple[float, float]]:
    out: list[tuple[float, float]] = []
    for lo, hi in parts:
        if z <= lo or a >= hi:
            out.append((lo, hi))
            continue
        if lo < a:
            out.append((lo, a))
        if z < hi:
            out.append((z, hi))
    return out


def _utc(t: float) -> datetime:
    return datetime.fromtimestamp(t, UTC)
