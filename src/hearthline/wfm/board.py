"""The schedule board: contracts, published windows of open shifts, who holds which, and
each agent's adherence, all followed from the log.

Picks are decided here, on the one writer, in the order they arrive: two agents after
the last seat get one ``ShiftPicked`` and one ``ShiftTaken`` refusal. Every pick goes
through ``contracts.fits``, the same check the generated proposal uses.
"""

from __future__ import annotations

import bisect
import datetime as dt
import heapq
from collections.abc import Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from hearthline.wfm import change_desk
from hearthline.wfm import events as e
from hearthline.wfm.adherence import Adherence, Grace, Status, adherence
from hearthline.wfm.adherence_days import AdherenceDay, shift_days
from hearthline.wfm.changes import (
    ID,
    Change,
    ChangeRules,
    ChangeStatus,
    PickOrder,
    Requirement,
    turn_ranks,
)
from hearthline.wfm.commands import (
    ConfigureScheduling,
    PickShift,
    PublishShifts,
    ScheduleCommand,
    SetContract,
)
from hearthline.wfm.contracts import Contract, Shift, fits
from hearthline.wfm.errors import (
    NotYourTurn,
    PickRefused,
    ScheduleInvalid,
    ShiftTaken,
    UnknownShift,
)
from hearthline.wfm.timeline import Mark, Timelines

MAX_SHIFTS = 20_000
# Adherence looks back a day at most; older marks are dropped (timesheets read the log).
KEEP_MARKS_S = 2 * 86_400.0
# A change settled (done, declined, refused, withdrawn) this long ago by the log's time
# leaves the board, but for what its refusals need (``Settled``): the lists show a
# month's settled changes; the log and the audit keep every one.
KEEP_SETTLED_S = 35 * 86_400.0


@dataclass
class Window:
    id: str
    closes_at: float
    shifts: list[str] = field(default_factory=list)
    closed: bool = False
    opened_at: float = 0.0
    order: str = PickOrder.FIRST_COME.value
    turns: dict[str, int] = field(default_factory=dict)
    turn_s: float = 0.0

    def turn_opens(self, agent: str) -> float:
        """When ``agent`` may start picking here (an agent without a turn goes last)."""
        if self.order == PickOrder.FIRST_COME.value:
            return self.opened_at
        last = max(self.turns.values(), default=-1) + 1
        return self.opened_at + self.turns.get(agent, last) * self.turn_s


@dataclass(frozen=True, slots=True)
class Settled:
    """What the board keeps of a change pruned once settled: enough to refuse what is
    asked of it in the same words as before (its id is taken; it is not open)."""

    status: ChangeStatus
    agent: str
    partner: str | None


@dataclass
class Open:
    """A change the agents or a supervisor still have to answer."""

    change: Change
    status: ChangeStatus
    at: float
    # Who said what, in order: (status, by, note, at).
    history: list[tuple[str, str, str, float]] = field(default_factory=list)


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a folder, like 'Europe'
        raise ScheduleInvalid(
            f"unknown time zone {name!r} (an IANA name like Europe/Paris)"
        ) from None


class Board:
    def __init__(self) -> None:
        self.time_zone = "UTC"
        self.tz = ZoneInfo("UTC")
        self.grace = Grace()
        self.contracts: dict[str, Contract] = {}
        self.windows: dict[str, Window] = {}
        self.shifts: dict[str, Shift] = {}
        self.shift_window: dict[str, str] = {}
        self.holder: dict[str, str] = {}
        self.held: dict[str, list[Shift]] = {}
        self.timelines = Timelines()
        self._pruned_day = 0
        self.rules = ChangeRules()
        self.needs: list[Requirement] = []
        self.changes: dict[str, Open] = {}
        # Changes settled long ago (``KEEP_SETTLED_S``), pruned to what refusals need;
        # and the settled ones still here, by when they settled, to prune in turn.
        self.settled: dict[str, Settled] = {}
        self._settling: list[tuple[float, str]] = []
        self.keep_settled_s = KEEP_SETTLED_S
        # Every published shift by its start, then id: who holds one is ``holder``'s.
        self._by_start: list[tuple[float, str]] = []
        # Shifts held once and open again (given back, time off, a sick call): pickable
        # until they start even after their window closed; ``gap_why`` says why.
        self.gap_why: dict[str, str] = {}
        # The shifts each agent called in sick for: adherence excuses them.
        self.sick: dict[str, list[Shift]] = {}
        # Adherence per shift and day for the reports, worked out once a shift is over:
        # every published shift by its end, the log's latest time, and the rows made
        # (with the end of their shift), of which the first ``adherence_taken`` are taken
        # for the read model.
        self._ending: list[tuple[float, str]] = []
        self._log_at = 0.0
        self.adherence_rows: list[tuple[float, AdherenceDay]] = []
        self.adherence_taken = 0

    # Deciding --------------------------------------------------------------------------

    def decide(self, c: ScheduleCommand, *, at: float) -> list[e.ScheduleEvent]:
        if isinstance(c, ConfigureScheduling):
            zone(c.time_zone)
            return [e.SchedulingConfigured(at=at, time_zone=c.time_zone, grace=c.grace)]
        if isinstance(c, SetContract):
            return [e.ContractSet(at=at, agent=c.contract.agent, contract=c.contract)]
        if isinstance(c, PublishShifts):
            return [self._publish(c, at)]
        if isinstance(c, PickShift):
            return [self._pick(c, at)]
        if isinstance(c, change_desk.CHANGE_COMMANDS):
            return change_desk.decide(self, c, at)
        raise ScheduleInvalid(f"not a schedule command: {type(c).__name__}")

    def _publish(self, c: PublishShifts, at: float) -> e.ShiftsPublished:
        if not ID.match(c.window):
            raise ScheduleInvalid("a window id is 1-100 letters, digits and ._:@+-")
        if c.window in self.windows:
            raise ScheduleInvalid(f"window {c.window!r} is published already")
        if c.closes_at <= at:
            raise ScheduleInvalid("the window must close in the future")
        if not c.shifts or len(c.shifts) > MAX_SHIFTS:
            raise ScheduleInvalid(f"publish 1 to {MAX_SHIFTS} shifts")
        seen: set[str] = set()
        for s in c.shifts:
            if not ID.match(s.id) or not ID.match(s.group):
                raise ScheduleInvalid(
                    f"shift {s.id[:100]!r}: ids are 1-100 letters, digits and ._:@+-"
                )
            if s.id in self.shifts or s.id in seen:
                raise ScheduleInvalid(f"shift {s.id!r} is published already")
            if not s.start < s.end or any(
                not s.start <= b.start < b.end <= s.end for b in s.breaks
            ):
                raise ScheduleInvalid(f"shift {s.id!r}: start before end, breaks inside it")
            seen.add(s.id)
        for n in c.needs:
            if not ID.match(n.group) or not 60 <= n.step_s <= 86_400 or len(n.required) > 5000:
                raise ScheduleInvalid("needs: a group id, a step of 1 min to 1 day, 5000 steps")
        order = self.rules.pick_order
        contracted = [(a, k.seniority) for a, k in sorted(self.contracts.items())]
        turns = turn_ranks(order, contracted, len(self.windows))
        return e.ShiftsPublished(
            at=at,
            window=c.window,
            shifts=c.shifts,
            closes_at=c.closes_at,
            needs=c.needs,
            order=order.value,
            turns=tuple(sorted(turns.items())) if order is not PickOrder.FIRST_COME else (),
            turn_s=self.rules.turn_s,
        )

    def _pick(self, c: PickShift, at: float) -> e.ShiftPicked:
        shift = self.shifts.get(c.shift)
        if shift is None:
            raise UnknownShift(f"no open shift {c.shift[:100]!r}")
        window = self.windows[self.shift_window[c.shift]]
        holder = self.holder.get(c.shift)
        if holder is not None:
            mine = " by you" if holder == c.agent else " by another agent"
            raise ShiftTaken(f"shift {c.shift!r} has been taken{mine}")
        reopened = c.shift in self.gap_why
        if reopened and at >= shift.start:
            raise PickRefused(f"shift {c.shift!r} has started")
        if not reopened and (window.closed or at >= window.closes_at):
            raise PickRefused(f"picking for window {window.id!r} has closed")
        opens = window.turn_opens(c.agent)
        if not reopened and at < opens:
            raise NotYourTurn(
                f"your turn to pick in window {window.id!r} ({window.order} order) opens "
                f"at {dt.datetime.fromtimestamp(opens, tz=self.tz).isoformat()}"
            )
        contract = self.contracts.get(c.agent)
        if contract is None:
            raise PickRefused(f"agent {c.agent!r} has no contract to pick shifts under")
        broken = fits(contract, self.held.get(c.agent, []), shift, tz=self.tz)
        if broken:
            raise PickRefused(
                "the shift would break your contract: " + "; ".join(v.message for v in broken)
            )
        return e.ShiftPicked(at=at, agent=c.agent, shift=c.shift, window=window.id)

    def due(self, now: float) -> list[e.PickingClosed]:
        """The windows whose picking time is over, closed."""
        return [
            e.PickingClosed(
                at=now,
                window=w.id,
                unfilled=tuple(s for s in w.shifts if s not in self.holder),
            )
            for w in sorted(self.windows.values(), key=lambda w: (w.closes_at, w.id))
            if not w.closed and w.closes_at <= now
        ]

    def next_close(self) -> float | None:
        return min((w.closes_at for w in self.windows.values() if not w.closed), default=None)

    # Following -------------------------------------------------------------------------

    def apply(self, event: e.ScheduleEvent) -> None:
        if isinstance(event, e.SchedulingConfigured):
            self.time_zone, self.tz, self.grace = (
                event.time_zone,
                zone(event.time_zone),
                event.grace,
            )
        elif isinstance(event, e.ContractSet):
            self.contracts[event.agent] = event.contract
        elif isinstance(event, e.ShiftsPublished):
            window = Window(
                event.window,
                event.closes_at,
                opened_at=event.at,
                order=event.order,
                turns=dict(event.turns),
                turn_s=event.turn_s,
            )
            self.needs.extend(event.needs)
            self._by_start.extend((s.start, s.id) for s in event.shifts)
            self._by_start.sort()
            for s in event.shifts:
                heapq.heappush(self._ending, (s.end, s.id))
                self.shifts[s.id] = s
                self.shift_window[s.id] = event.window
                window.shifts.append(s.id)
            self.windows[event.window] = window
        elif isinstance(event, e.ShiftPicked):
            self.holder[event.shift] = event.agent
            shift = self.shifts[event.shift]
            self.held.setdefault(event.agent, []).append(shift)
            self.gap_why.pop(event.shift, None)
            if shift.end <= self._log_at:
                # Picked once over (a window may offer past shifts): worked out next.
                heapq.heappush(self._ending, (shift.end, shift.id))
        elif isinstance(event, e.PickingClosed):
            self.windows[event.window].closed = True
        else:
            change_desk.apply(self, event)

    def follow(self, event: object) -> None:
        """Follows any event of the log: the board's own, or another domain's."""
        self.advance(float(getattr(event, "at", 0.0)))
        if isinstance(event, e.ScheduleEvent):
            self.apply(event)
        else:
            self.observe(event)

    def advance(self, at: float) -> None:
        """The log has reached ``at``: every shift that ended by the time before it is
        over, with all of the log up to its end followed (a restart's events, which excuse
        time back to when the server stopped, all carry one time), and its adherence
        per day is worked out by the log's order alone, so a replay makes the same rows."""
        if at <= self._log_at:
            return
        done = self._log_at
        self._log_at = at
        self._prune_settled(at)
        while self._ending and self._ending[0][0] <= done:
            end, shift = heapq.heappop(self._ending)
            agent = self.holder.get(shift)
            if agent is None:
                continue  # never held, or open again (given back, a sick call)
            marks = self.timelines.marks.get(agent, ())
            for row in shift_days(agent, marks, self.shifts[shift], tz=self.tz, grace=self.grace):
                self.adherence_rows.append((end, row))

    def settle(self, ident: str, at: float) -> None:
        """Change ``ident`` settled at ``at``: pruned once ``keep_settled_s`` have passed."""
        heapq.heappush(self._settling, (at, ident))

    def _prune_settled(self, at: float) -> None:
        settling, horizon = self._settling, at - self.keep_settled_s
        while settling and settling[0][0] <= horizon:
            _, ident = heapq.heappop(settling)
            found = self.changes.pop(ident, None)
            if found is not None:
                change = found.change
                self.settled[ident] = Settled(found.status, change.agent, change.partner)

    def take_adherence(self, *, all_rows: bool) -> list[AdherenceDay]:
        """The rows made since the last take (or all still held); rows taken and made
        more than two days before the log's time leave memory: the table holds them."""
        rows = self.adherence_rows if all_rows else self.adherence_rows[self.adherence_taken :]
        out = [row for _, row in rows]
        keep = [(end, row) for end, row in self.adherence_rows if end > self._log_at - KEEP_MARKS_S]
        self.adherence_rows, self.adherence_taken = keep, len(keep)
        return out

    def observe(self, event: object) -> None:
        """Follows another domain's event: the agents' states, for adherence."""
        if self.timelines.follow(event) is None:
            return
        # Once a day (UTC) by the log's own clock, so a replay drops the same marks.
        day = int(getattr(event, "at", 0.0) // 86_400)
        if day > self._pruned_day:
            self._pruned_day = day
            self.timelines.forget_before(day * 86_400 - KEEP_MARKS_S)

    # Reading ---------------------------------------------------------------------------

    def shifts_of(self, agent: str, start: float, end: float) -> list[Shift]:
        return sorted(
            (s for s in self.held.get(agent, []) if s.end > start and s.start < end),
            key=lambda s: s.start,
        )

    def starting(self, start: float, end: float) -> list[tuple[str, Shift]]:
        """Held shifts that start in [start, end), with their agents (for reminders), by
        start then shift id: the published shifts' index by start, read from ``start``
        to ``end`` (not every held shift of every agent)."""
        index, shifts, holder = self._by_start, self.shifts, self.holder
        first = bisect.bisect_left(index, (start,))
        last = bisect.bisect_left(index, (end,), lo=first)
        return [(holder[s], shifts[s]) for _, s in index[first:last] if s in holder]

    def open_shifts(self, now: float) -> list[tuple[Shift, Window]]:
        out = []
        for w in self.windows.values():
            if w.closed or w.closes_at <= now:
                continue
            out += [(self.shifts[s], w) for s in w.shifts if s not in self.holder]
        seen = {s.id for s, _ in out}
        out += [
            (self.shifts[s], self.windows[self.shift_window[s]])
            for s in self.gap_why
            if s not in seen and self.shifts[s].start > now
        ]
        return sorted(out, key=lambda p: (p[0].start, p[0].id))

    def gaps(self, now: float) -> list[tuple[Shift, str]]:
        """Shifts no one holds that the planner must fill: left unfilled by a closed
        window, or open again after a change; those not yet over."""
        out = [(self.shifts[s], why) for s, why in self.gap_why.items()]
        for w in self.windows.values():
            if w.closed:
                out += [
                    (self.shifts[s], "unfilled")
                    for s in w.shifts
                    if s not in self.holder and s not in self.gap_why
                ]
        return sorted(
            ((s, why) for s, why in out if s.end > now), key=lambda p: (p[0].start, p[0].id)
        )

    def required(self, group: str, t: float) -> float | None:
        """The staffing plan's requirement at ``t``, from the latest window that gave one."""
        for n in reversed(self.needs):
            if n.group == group:
                found = n.at(t)
                if found is not None:
                    return found
        return None

    def adherence(self, agents: Sequence[str], now: float) -> dict[str, Adherence]:
        return self.inputs(agents, now).adherence(now)

    def inputs(self, agents: Sequence[str], now: float) -> AdherenceInputs:
        """What adherence is computed from, copied: taken on the writer (a millisecond
        for thousands of agents), computed anywhere else."""
        marks = self.timelines.marks
        return AdherenceInputs(
            {a: tuple(marks.get(a, ())) for a in agents},
            {
                a: tuple(s for s in self.held.get(a, ()) if s.start - 86_400 < now < s.end + 86_400)
                for a in agents
            },
            self.grace,
            {
                a: tuple(s for s in self.sick[a] if s.start <= now < s.end)
                for a in agents
                if a in self.sick
            },
        )


@dataclass(frozen=True, slots=True)
class AdherenceInputs:
    marks: dict[str, tuple[Mark, ...]]
    shifts: dict[str, tuple[Shift, ...]]
    grace: Grace
    # Shifts in progress the agent called in sick for.
    sick: dict[str, tuple[Shift, ...]] = field(default_factory=dict)

    def adherence(self, now: float) -> dict[str, Adherence]:
        out = {}
        for a, m in self.marks.items():
            found = adherence(m, self.shifts[a], now, self.grace)
            sick = self.sick.get(a, ())
            if sick and found.status in (Status.OFF, Status.ABSENT, Status.LATE):
                # Called in sick: the shift is not theirs to keep, never held against them.
                found = Adherence(Status.EXCUSED, sick[0].start, sick[0].id, 0.0, None)
            out[a] = found
        return out
