"""The figures of a simulated day, counted from the center's events alone.

Per queue and interval (calls belong to the interval they arrived in): offered,
answered, abandoned, overflowed (voicemail or callback) and dropped contacts (before an
answer; calls cut off during the conversation are counted apart), service
level, ASA, mean wait, AHT and the occupancy of the agents who may take the queue. Per
agent: contacts handled and time ringing, talking, in wrap-up, idle, on a break and
away (not ready for a system reason: just signed in, missed offer, lost connection).

Definitions (docs/simulator.md): service level as every report defines it
(``reports.definitions``: answered within target over offered); ASA the mean wait of
answered calls; mean wait the mean over answered and abandoned calls; AHT talk plus
wrap-up; occupancy the share of staffed time (ringing, talking, wrap-up, idle) spent
ringing, talking or in wrap-up. Callbacks the center owes are counted apart.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from hearthline.kernel.ids import AgentId, ContactId
from hearthline.kernel.records import mypyc_attr
from hearthline.reports.definitions import service_level, within_target
from hearthline.routing import events as ev
from hearthline.routing.config import SYSTEM_REASONS, Channel, OverflowKind
from hearthline.routing.events import Event
from hearthline.sim.build import Built

OFF, IDLE, RING, TALK, WRAP, BREAK, AWAY = range(7)
_STAFFED = (False, True, True, True, True, False, False)
_BUSY = (False, False, True, True, True, False, False)
_SYSTEM = frozenset(r.id for r in SYSTEM_REASONS) | {"end-of-shift"}

# Per queue and interval counters, by position in a row list.
(
    C_OFFERED,
    C_ANSWERED,
    C_ABANDONED,
    C_OVERFLOWED,
    C_DROPPED,
    C_IN_TARGET,
    C_WAIT_ANSWERED,
    C_WAIT_ABANDONED,
    C_HANDLED,
    C_HANDLE_S,
    C_CALLBACKS,
    C_WAITING_AT_END,
    C_WAITED,
    C_CUT,
) = range(14)
_N_COUNTERS = 14


# A plain class in the compiled build too: these values are pickled (replications in a
# process pool), and a compiled frozen dataclass does not unpickle.
@mypyc_attr(native_class=False)
@dataclass(frozen=True, slots=True)
class QueueRow:
    """The figures of one queue over one interval (or the whole day)."""

    queue: str
    start_s: float
    offered: int
    answered: int
    abandoned: int
    overflowed: int
    # Dropped by a fault before an agent answered, and cut off during the conversation.
    dropped: int
    cut_off: int
    service_level: float
    # Share of answered calls that waited at all (Erlang C's probability of waiting).
    p_wait: float
    asa_s: float
    mean_wait_s: float
    aht_s: float
    abandon_rate: float
    occupancy: float
    agents: float
    callbacks: int


@mypyc_attr(native_class=False)
@dataclass(frozen=True, slots=True)
class AgentRow:
    agent: str
    handled: int
    ring_s: float
    talk_s: float
    wrap_s: float
    idle_s: float
    break_s: float
    away_s: float
    occupancy: float


@mypyc_attr(native_class=False)
@dataclass(frozen=True)
class Results:
    """A finished run: its intervals, day totals, agents and how the run went."""

    name: str
    seed: int
    start_s: float
    end_s: float
    interval_s: float
    warmup_end_s: float
    intervals: list[QueueRow]
    days: list[QueueRow]
    agents: list[AgentRow]
    run: dict[str, Any] = field(default_factory=dict)

    def day(self, queue: str) -> QueueRow:
        """The day's totals for ``queue``."""
        for row in self.days:
            if row.queue == queue:
                return row
        raise KeyError(queue)

    def as_dict(self) -> dict[str, Any]:
        """Plain data for JSON: NaN (no calls to average over) becomes None."""
        out: dict[str, Any] = json_safe(asdict(self))
        return out


def json_safe(value: Any) -> Any:
    """``value`` with NaN as None and infinities as text, for strict JSON."""
    if isinstance(value, float):
        return None if math.isnan(value) else (str(value) if math.isinf(value) else value)
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    return value


class _Tally:
    __slots__ = ("busy", "cat", "handled", "since", "staffed", "totals")

    def __init__(self, n_intervals: int) -> None:
        self.cat = OFF
        self.since = 0.0
        self.handled = 0
        self.totals = [0.0] * 7
        self.busy = [0.0] * n_intervals
        self.staffed = [0.0] * n_intervals


class Collector:
    """Counts a run's figures from the events it is fed, in order."""

    def __init__(self, built: Built) -> None:
        self.built = built
        self.start = built.start
        self.width = built.interval_s
        # Intervals reach into the drain so late work lands somewhere; the report shows the day.
        self.n_iv = max(1, math.ceil((built.drain_end - built.start) / self.width) + 1)
        self.qindex = {q.id: i for i, q in enumerate(built.queues)}
        self.target = [q.target_s for q in built.queues]
        self.rows = [[[0.0] * _N_COUNTERS for _ in range(self.n_iv)] for _ in built.queues]
        # Open contacts: [queue index, interval, waiting since, answered at (-1: not yet), voice].
        self.live: dict[ContactId, list[Any]] = {}
        self.callbacks: set[ContactId] = set()
        self.tallies = {AgentId(a.id): _Tally(self.n_iv) for a in built.agents}
        self.events = 0

    def handlers(self) -> dict[type[Event], Callable[[Any], None]]:
        return {
            ev.ContactArrived: self._arrived,
            ev.ContactQueued: self._queued,
            ev.ContactOffered: self._offered,
            ev.OfferAccepted: self._accepted,
            ev.WrapUpStarted: self._wrap_started,
            ev.WrapUpEnded: self._wrap_ended,
            ev.ContactCompleted: self._completed,
            ev.ContactAbandoned: self._abandoned,
            ev.ContactDropped: self._dropped,
            ev.ContactOverflowed: self._overflowed,
            ev.ContactConvertedToCallback: self._converted,
            ev.AgentBecameAvailable: self._available,
            ev.AgentWentNotReady: self._not_ready,
            ev.AgentSignedIn: self._signed_in,
            ev.AgentSignedOut: self._signed_out,
        }

    def _iv(self, t: float) -> int:
        i = int((t - self.start) // self.width)
        return 0 if i < 0 else (i if i < self.n_iv else self.n_iv - 1)

    # Contacts -------------------------------------------------------------------------------

    def _arrived(self, e: ev.ContactArrived) -> None:
        if e.channel is Channel.CALLBACK:
            self.callbacks.add(e.contact)

    def _queued(self, e: ev.ContactQueued) -> None:
        if e.contact in self.live:
            return  # a move to another queue keeps the contact where it was first counted
        qi = self.qindex[e.queue]
        iv = self._iv(e.at)
        voice = e.contact not in self.callbacks
        if voice:
            self.rows[qi][iv][C_OFFERED] += 1
        else:
            self.callbacks.discard(e.contact)
            self.rows[qi][iv][C_CALLBACKS] += 1
        self.live[e.contact] = [qi, iv, e.waiting_since, -1.0, voice]

    def _accepted(self, e: ev.OfferAccepted) -> None:
        rec = self.live[e.contact]
        self._switch(e.agent, TALK, e.at)
        self.tallies[e.agent].handled += 1
        rec[3] = e.at
        if rec[4]:
            row = self.rows[rec[0]][rec[1]]
            wait = e.at - rec[2]
            row[C_ANSWERED] += 1
            row[C_WAIT_ANSWERED] += wait
            if within_target(wait, self.target[rec[0]]):
                row[C_IN_TARGET] += 1
            if wait > 0:
                row[C_WAITED] += 1

    def _wrap_ended(self, e: ev.WrapUpEnded) -> None:
        rec = self.live.get(e.contact)
        if rec is not None and rec[4]:
            row = self.rows[rec[0]][rec[1]]
            row[C_HANDLED] += 1
            row[C_HANDLE_S] += e.at - rec[3]

    def _completed(self, e: ev.ContactCompleted) -> None:
        self.live.pop(e.contact, None)

    def _abandoned(self, e: ev.ContactAbandoned) -> None:
        rec = self.live.pop(e.contact, None)
        if rec is not None and rec[4]:
            row = self.rows[rec[0]][rec[1]]
            row[C_ABANDONED] += 1
            row[C_WAIT_ABANDONED] += e.at - rec[2]

    def _dropped(self, e: ev.ContactDropped) -> None:
        rec = self.live.pop(e.contact, None)
        if rec is not None and rec[4]:
            self.rows[rec[0]][rec[1]][C_CUT if rec[3] >= 0 else C_DROPPED] += 1

    def _overflowed(self, e: ev.ContactOverflowed) -> None:
        if e.destination.kind is OverflowKind.QUEUE:
            return
        rec = self.live.pop(e.contact, None)
        if rec is not None and rec[4]:
            self.rows[rec[0]][rec[1]][C_OVERFLOWED] += 1

    def _converted(self, e: ev.ContactConvertedToCallback) -> None:
        self.live.pop(e.contact, None)

    # Agents ---------------------------------------------------------------------------------

    def _switch(self, agent: AgentId, cat: int, at: float) -> None:
        a = self.tallies[agent]
        old, since = a.cat, a.since
        a.cat, a.since = cat, at
        if at <= since:
            return
        a.totals[old] += at - since
        if _STAFFED[old]:
            self._spread(a, old, since, at)

    def _spread(self, a: _Tally, cat: int, since: float, at: float) -> None:
        width, start = self.width, self.start
        i = self._iv(since)
        last = self._iv(at)
        busy = _BUSY[cat]
        while True:
            edge = start + (i + 1) * width if i < last else at
            d = edge - since
            a.staffed[i] += d
            if busy:
                a.busy[i] += d
            if i >= last:
                return
            since, i = edge, i + 1

    def _offered(self, e: ev.ContactOffered) -> None:
        self._switch(e.agent, RING, e.at)

    def _wrap_started(self, e: ev.WrapUpStarted) -> None:
        self._switch(e.agent, WRAP, e.at)

    def _available(self, e: ev.AgentBecameAvailable) -> None:
        self._switch(e.agent, IDLE, e.at)

    def _not_ready(self, e: ev.AgentWentNotReady) -> None:
        self._switch(e.agent, AWAY if e.reason in _SYSTEM else BREAK, e.at)

    def _signed_in(self, e: ev.AgentSignedIn) -> None:
        self._switch(e.agent, AWAY, e.at)

    def _signed_out(self, e: ev.AgentSignedOut) -> None:
        self._switch(e.agent, OFF, e.at)

    # Results --------------------------------------------------------------------------------

    def open_contacts(self) -> int:
        return len(self.live)

    def finish(self, at: float, *, name: str, seed: int, run: dict[str, Any]) -> Results:
        """Closes the books at ``at`` and computes every figure."""
        for agent in self.tallies:
            self._switch(agent, self.tallies[agent].cat, at)
        for rec in self.live.values():
            if rec[4] and rec[3] < 0:
                self.rows[rec[0]][rec[1]][C_WAITING_AT_END] += 1
        b = self.built
        day_ivs = max(1, math.ceil((b.end - b.start) / self.width))
        first_counted = math.ceil((b.warmup_end - b.start) / self.width - 1e-9)
        intervals: list[QueueRow] = []
        days: list[QueueRow] = []
        for qi, q in enumerate(b.queues):
            eligible = [self.tallies[AgentId(b.agents[i].id)] for i in b.queue_agents[q.id]]
            busy = [math.fsum(t.busy[i] for t in eligible) for i in range(self.n_iv)]
            staffed = [math.fsum(t.staffed[i] for t in eligible) for i in range(self.n_iv)]
            for i in range(day_ivs):
                intervals.append(
                    _row(
                        q.id,
                        b.start + i * self.width,
                        self.rows[qi][i],
                        busy[i],
                        staffed[i],
                        self.width,
                    )
                )
            # The day's calls include those answered in the drain: they arrived in the day.
            total = [0.0] * _N_COUNTERS
            for i in range(first_counted, self.n_iv):
                for k, v in enumerate(self.rows[qi][i]):
                    total[k] += v
            span = range(first_counted, day_ivs)
            days.append(
                _row(
                    q.id,
                    b.warmup_end,
                    total,
                    math.fsum(busy[i] for i in span),
                    math.fsum(staffed[i] for i in span),
                    self.width * max(1, len(span)),
                )
            )
        agents = [_agent_row(a, t) for a, t in self.tallies.items()]
        return Results(
            name=name,
            seed=seed,
            start_s=b.start,
            end_s=b.end,
            interval_s=self.width,
            warmup_end_s=b.warmup_end,
            intervals=intervals,
            days=days,
            agents=agents,
            run=run,
        )


def _ratio(a: float, b: float) -> float:
    return a / b if b > 0 else math.nan


def _nan_if_none(x: float | None) -> float:
    return math.nan if x is None else x


def _row(
    queue: str, start: float, c: list[float], busy: float, staffed: float, span: float
) -> QueueRow:
    ended = c[C_OFFERED] - c[C_WAITING_AT_END]
    return QueueRow(
        queue=queue,
        start_s=start,
        offered=int(c[C_OFFERED]),
        answered=int(c[C_ANSWERED]),
        abandoned=int(c[C_ABANDONED]),
        overflowed=int(c[C_OVERFLOWED]),
        dropped=int(c[C_DROPPED]),
        cut_off=int(c[C_CUT]),
        service_level=_nan_if_none(service_level(c[C_OFFERED], c[C_IN_TARGET])),
        p_wait=_ratio(c[C_WAITED], c[C_ANSWERED]),
        asa_s=_ratio(c[C_WAIT_ANSWERED], c[C_ANSWERED]),
        mean_wait_s=_ratio(
            c[C_WAIT_ANSWERED] + c[C_WAIT_ABANDONED], c[C_ANSWERED] + c[C_ABANDONED]
        ),
        aht_s=_ratio(c[C_HANDLE_S], c[C_HANDLED]),
        abandon_rate=_ratio(c[C_ABANDONED], ended),
        occupancy=_ratio(busy, staffed),
        agents=staffed / span,
        callbacks=int(c[C_CALLBACKS]),
    )


def _agent_row(agent: str, t: _Tally) -> AgentRow:
    tot = t.totals
    staffed = tot[IDLE] + tot[RING] + tot[TALK] + tot[WRAP]
    return AgentRow(
        agent=agent,
        handled=t.handled,
        ring_s=tot[RING],
        talk_s=tot[TALK],
        wrap_s=tot[WRAP],
        idle_s=tot[IDLE],
        break_s=tot[BREAK],
        away_s=tot[AWAY],
        occupancy=_ratio(tot[RING] + tot[TALK] + tot[WRAP], staffed),
    )
