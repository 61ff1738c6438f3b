"""Queue and agent statistics per interval, as a pure projection of the routing events.

    stats = StatsProjection(interval_s=900)
    for event in events:            # routing events, in log order
        stats.apply(event)
    stats.queue_rows()              # [QueueInterval], sorted by (queue, start)
    stats.agent_rows(until=now)     # [AgentInterval], open spans counted up to ``until``

The live server and the read-model tables use this one computation. The simulator counts
its own figures in one pass (``sim.results``), with the same definitions
(``reports.definitions``), so a simulated day and a real one are reported alike; a test
feeds both the same events (tests/sim/test_counting.py). It imports only the standard
library and the routing core's event types; it decides nothing and reads no clock.

Conventions (the usual ones of contact-center reporting):

- A *queue visit* starts when a contact takes a place in a queue (``ContactQueued`` into a
  queue it was not already waiting in). Every figure of a visit -- offered, answered,
  abandoned, its wait and its handle time -- lands in the interval the visit *started*,
  so the service level of an interval is that of the contacts that arrived in it.
- Wait is measured from entering the queue to the agent accepting (answered) or to the
  caller leaving (abandoned). Answered within target and the service level are defined
  in ``reports.definitions``; abandoned within target (gave up before the target, short
  abandons) is counted too, for those who want it, but not taken out of the service level.
- Handle time is talk + hold + the agent's wrap-up for that contact.
- Agent time is split exactly across interval boundaries. Not-ready time is kept per
  reason; reasons the center sets itself (signed in, missed offer, connection lost,
  system restart) go to ``system_not_ready_s`` and contacts ended by a fault to
  ``dropped``: they never count against the agent's own figures.
- Time an agent spends in a state is counted when the state ends; pass ``until`` to
  ``agent_rows`` to include the spans still open.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from hearthline.reports.definitions import service_level, within_target
from hearthline.routing import events as ev
from hearthline.routing.config import SYSTEM_REASONS, Channel, OverflowKind

DEFAULT_INTERVAL_S = 900.0

QueueKey = tuple[str, float]
"""(queue id, interval start)."""
AgentKey = tuple[str, float]
"""(agent id, interval start)."""


@dataclass(slots=True)
class QueueInterval:
    """What happened to the contacts that entered ``queue`` during one interval."""

    queue: str
    start: float
    offered: int = 0
    callbacks_offered: int = 0  # of ``offered``, callbacks the center owed
    answered: int = 0
    answered_in_target: int = 0
    abandoned: int = 0
    abandoned_in_target: int = 0
    dropped: int = 0  # ended by a line or system fault
    overflowed: int = 0  # sent on by a limit (another queue, a callback, voicemail)
    converted_to_callback: int = 0  # the caller asked to be called back
    moved_out: int = 0  # moved to another queue while waiting
    transferred_out: int = 0  # passed on by the agent after answering
    handled: int = 0  # answered and ended by the caller or the agent
    wait_answered_s: float = 0.0
    wait_abandoned_s: float = 0.0
    max_wait_s: float = 0.0
    talk_s: float = 0.0
    hold_s: float = 0.0
    wrap_s: float = 0.0

    @property
    def service_level(self) -> float | None:
        """Answered within target over offered (reports.definitions; None if none offered)."""
        return service_level(self.offered, self.answered_in_target)

    @property
    def average_speed_of_answer_s(self) -> float | None:
        return self.wait_answered_s / self.answered if self.answered else None

    @property
    def handle_s(self) -> float:
        return self.talk_s + self.hold_s + self.wrap_s

    @property
    def average_handle_s(self) -> float | None:
        return self.handle_s / self.answered if self.answered else None


@dataclass(slots=True)
class AgentInterval:
    """How one agent spent one interval, and the contacts they worked in it."""

    agent: str
    start: float
    offers: int = 0
    answered: int = 0
    declined: int = 0
    missed: int = 0  # rang out without an answer
    handled: int = 0  # conversations the caller or the agent ended
    transferred: int = 0
    dropped: int = 0  # conversations a fault ended: never counted against the agent
    available_s: float = 0.0
    reserved_s: float = 0.0  # an offer ringing
    talk_s: float = 0.0
    hold_s: float = 0.0
    wrap_s: float = 0.0
    not_ready_s: dict[str, float] = field(default_factory=dict)
    system_not_ready_s: dict[str, float] = field(default_factory=dict)

    @property
    def signed_in_s(self) -> float:
        return (
            self.available_s
            + self.reserved_s
            + self.talk_s
            + self.hold_s
            + self.wrap_s
            + sum(self.not_ready_s.values())
            + sum(self.system_not_ready_s.values())
        )


# Agent activities: the state an agent's time accrues to.
_OFFLINE, _AVAILABLE, _RESERVED, _TALK, _HOLD, _WRAP, _NOT_READY = range(7)
_SECONDS_FIELD = {
    _AVAILABLE: "available_s",
    _RESERVED: "reserved_s",
    _TALK: "talk_s",
    _HOLD: "hold_s",
    _WRAP: "wrap_s",
}


@dataclass(slots=True)
class _Visit:
    queue: str
    key: QueueKey
    entered: float
    answered: bool = False
    # The call's current talk or hold span, counted into the visit's row when it ends.
    span_since: float | None = None
    held: bool = False


@dataclass(slots=True)
class _AgentClock:
    activity: int = _OFFLINE
    reason: str | None = None
    since: float = 0.0
    # The row of the visit the agent last answered: where its wrap-up time belongs.
    work_key: QueueKey | None = None


class StatsProjection:
    """Per-interval queue and agent statistics, fed routing events in log order.

    Picklable, so a snapshot can hold it and a restart carry on from there.
    """

    def __init__(self, *, interval_s: float = DEFAULT_INTERVAL_S) -> None:
        if not interval_s > 0:
            raise ValueError(f"interval_s must be > 0, got {interval_s}")
        self.interval_s = interval_s
        self._queues: dict[QueueKey, QueueInterval] = {}
        self._agents: dict[AgentKey, AgentInterval] = {}
        self._targets: dict[str, float] = {}
        self._system: set[str] = {r.id for r in SYSTEM_REASONS}
        self._callback_contacts: set[str] = set()
        self._visits: dict[str, _Visit] = {}
        self._clocks: dict[str, _AgentClock] = {}
        self._call_agent: dict[str, str] = {}
        self._transferring: set[str] = set()
        self._dirty_queues: set[QueueKey] = set()
        self._dirty_agents: set[AgentKey] = set()

    # Feeding -------------------------------------------------------------------------------

    def apply(self, event: ev.Event) -> None:
        """Takes one routing event into account; other event types are ignored."""
        handler = _HANDLERS.get(type(event))
        if handler is not None:
            handler(self, event)

    def apply_all(self, events: Iterable[ev.Event]) -> None:
        for event in events:
            self.apply(event)

    # Reading -------------------------------------------------------------------------------

    def queue_rows(self) -> list[QueueInterval]:
        return [self._queues[k] for k in sorted(self._queues)]

    def agent_rows(self, *, until: float | None = None) -> list[AgentInterval]:
        """Agent rows; with ``until``, spans still open are counted up to that time.

        Counting open spans works on copies: the projection itself is not changed.
        """
        if until is None:
            return [self._agents[k] for k in sorted(self._agents)]
        rows = {k: _copy_agent_row(r) for k, r in self._agents.items()}
        for agent, clock in self._clocks.items():
            if clock.activity != _OFFLINE and until > clock.since:
                self._spread(agent, clock, clock.since, until, rows)
        return [rows[k] for k in sorted(rows)]

    def queue_row(self, queue: str, start: float) -> QueueInterval | None:
        return self._queues.get((queue, start))

    def agent_row(self, agent: str, start: float) -> AgentInterval | None:
        return self._agents.get((agent, start))

    def take_changed(self) -> tuple[list[QueueInterval], list[AgentInterval]]:
        """Rows changed since the last call: what a persisted read model must rewrite."""
        queues = [self._queues[k] for k in sorted(self._dirty_queues)]
        agents = [self._agents[k] for k in sorted(self._dirty_agents)]
        self._dirty_queues.clear()
        self._dirty_agents.clear()
        return queues, agents

    def interval_of(self, t: float) -> float:
        return (t // self.interval_s) * self.interval_s

    # Rows ----------------------------------------------------------------------------------

    def _qrow(self, key: QueueKey) -> QueueInterval:
        row = self._queues.get(key)
        if row is None:
            row = self._queues[key] = QueueInterval(queue=key[0], start=key[1])
        self._dirty_queues.add(key)
        return row

    def _arow(self, agent: str, t: float) -> AgentInterval:
        key = (agent, self.interval_of(t))
        row = self._agents.get(key)
        if row is None:
            row = self._agents[key] = AgentInterval(agent=agent, start=key[1])
        self._dirty_agents.add(key)
        return row

    # Agent time ------------------------------------------------------------------------------

    def _clock(self, agent: str) -> _AgentClock:
        clock = self._clocks.get(agent)
        if clock is None:
            clock = self._clocks[agent] = _AgentClock()
        return clock

    def _move(self, agent: str, at: float, activity: int, reason: str | None = None) -> None:
        clock = self._clock(agent)
        if clock.activity != _OFFLINE and at > clock.since:
            self._spread(agent, clock, clock.since, at, None)
        clock.activity, clock.reason, clock.since = activity, reason, at

    def _spread(
        self,
        agent: str,
        clock: _AgentClock,
        start: float,
        end: float,
        rows: dict[AgentKey, AgentInterval] | None,
    ) -> None:
        """Adds the span [start, end) of the agent's current activity, split by interval."""
        t = start
        while t < end:
            boundary = self.interval_of(t) + self.interval_s
            stop = min(end, boundary)
            if rows is None:
                row = self._arow(agent, t)
            else:
                key = (agent, self.interval_of(t))
                row = rows.setdefault(key, AgentInterval(agent, key[1]))
            _add_time(row, clock, stop - t, self._system)
            t = stop

    # Handlers --------------------------------------------------------------------------------

    def _on_queue_configured(self, e: ev.QueueConfigured) -> None:
        self._targets[e.queue.id] = e.queue.service_target_s

    def _on_reasons_configured(self, e: ev.ReasonsConfigured) -> None:
        self._system = {r.id for r in SYSTEM_REASONS} | {r.id for r in e.reasons if r.system}

    def _on_signed_in(self, e: ev.AgentSignedIn) -> None:
        self._move(e.agent, e.at, _NOT_READY, SYSTEM_REASONS[0].id)

    def _on_signed_out(self, e: ev.AgentSignedOut) -> None:
        self._move(e.agent, e.at, _OFFLINE)

    def _on_available(self, e: ev.AgentBecameAvailable) -> None:
        self._move(e.agent, e.at, _AVAILABLE)

    def _on_not_ready(self, e: ev.AgentWentNotReady) -> None:
        self._move(e.agent, e.at, _NOT_READY, e.reason)

    def _on_arrived(self, e: ev.ContactArrived) -> None:
        if e.channel is Channel.CALLBACK:
            self._callback_contacts.add(e.contact)

    def _on_queued(self, e: ev.ContactQueued) -> None:
        visit = self._visits.get(e.contact)
        if visit is not None and visit.queue == e.queue and not visit.answered:
            return  # a new place in the same queue, not a new visit
        if visit is not None and not visit.answered:
            self._qrow(visit.key).moved_out += 1
        key = (e.queue, self.interval_of(e.at))
        row = self._qrow(key)
        row.offered += 1
        if e.contact in self._callback_contacts:
            row.callbacks_offered += 1
        self._visits[e.contact] = _Visit(queue=e.queue, key=key, entered=e.at)

    def _on_offered(self, e: ev.ContactOffered) -> None:
        self._move(e.agent, e.at, _RESERVED)
        self._arow(e.agent, e.at).offers += 1

    def _on_accepted(self, e: ev.OfferAccepted) -> None:
        self._move(e.agent, e.at, _TALK)
        self._arow(e.agent, e.at).answered += 1
        self._call_agent[e.contact] = e.agent
        visit = self._visits.get(e.contact)
        if visit is None:
            return
        row, wait, in_target = self._end_wait(visit, e.at)
        row.answered += 1
        row.wait_answered_s += wait
        row.answered_in_target += in_target
        visit.answered, visit.span_since, visit.held = True, e.at, False
        self._clock(e.agent).work_key = visit.key

    def _end_wait(self, visit: _Visit, at: float) -> tuple[QueueInterval, float, bool]:
        """A visit's wait ends (answered or given up): its row, which keeps the longest
        wait, the wait, and whether it was within the queue's target."""
        wait = at - visit.entered
        row = self._qrow(visit.key)
        row.max_wait_s = max(row.max_wait_s, wait)
        return row, wait, within_target(wait, self._targets.get(visit.queue, 0.0))

    def _on_declined(self, e: ev.OfferDeclined) -> None:
        self._arow(e.agent, e.at).declined += 1

    def _on_timed_out(self, e: ev.OfferTimedOut) -> None:
        self._arow(e.agent, e.at).missed += 1

    def _end_span(self, visit: _Visit, at: float) -> None:
        if visit.span_since is not None:
            row = self._qrow(visit.key)
            if visit.held:
                row.hold_s += at - visit.span_since
            else:
                row.talk_s += at - visit.span_since
            visit.span_since = None

    def _on_held(self, e: ev.ContactHeld) -> None:
        self._toggle_hold(e.contact, e.at, held=True)

    def _on_resumed(self, e: ev.ContactResumed) -> None:
        self._toggle_hold(e.contact, e.at, held=False)

    def _toggle_hold(self, contact: str, at: float, *, held: bool) -> None:
        visit = self._visits.get(contact)
        if visit is not None and visit.answered:
            self._end_span(visit, at)
            visit.span_since, visit.held = at, held
        agent = self._call_agent.get(contact)
        if agent is not None:
            self._move(agent, at, _HOLD if held else _TALK)

    def _on_transferred(self, e: ev.ContactTransferred) -> None:
        self._arow(e.agent, e.at).transferred += 1
        self._call_agent.pop(e.contact, None)
        visit = self._visits.pop(e.contact, None)
        if visit is not None:
            self._end_span(visit, e.at)
            self._qrow(visit.key).transferred_out += 1

    def _on_ended(self, e: ev.ContactEnded) -> None:
        self._arow(e.agent, e.at).handled += 1
        self._call_agent.pop(e.contact, None)
        visit = self._visits.get(e.contact)
        if visit is not None:
            self._end_span(visit, e.at)
            self._qrow(visit.key).handled += 1

    def _on_wrap_started(self, e: ev.WrapUpStarted) -> None:
        self._move(e.agent, e.at, _WRAP)

    def _on_wrap_ended(self, e: ev.WrapUpEnded) -> None:
        clock = self._clock(e.agent)
        if clock.activity == _WRAP and clock.work_key is not None and e.at > clock.since:
            # The agent's own time is split later, when their next activity starts.
            self._qrow(clock.work_key).wrap_s += e.at - clock.since
        clock.work_key = None

    def _on_completed(self, e: ev.ContactCompleted) -> None:
        self._forget(e.contact)

    def _on_abandoned(self, e: ev.ContactAbandoned) -> None:
        visit = self._visits.get(e.contact)
        if visit is not None and not visit.answered:
            row, wait, in_target = self._end_wait(visit, e.at)
            row.abandoned += 1
            row.wait_abandoned_s += wait
            row.abandoned_in_target += in_target
        self._forget(e.contact)

    def _on_dropped(self, e: ev.ContactDropped) -> None:
        visit = self._visits.get(e.contact)
        if visit is not None:
            self._end_span(visit, e.at)
            self._qrow(visit.key).dropped += 1
        agent = self._call_agent.pop(e.contact, None)
        if agent is not None:
            self._arow(agent, e.at).dropped += 1
        self._forget(e.contact)

    def _on_overflowed(self, e: ev.ContactOverflowed) -> None:
        visit = self._visits.pop(e.contact, None)
        if visit is not None and not visit.answered:
            self._qrow(visit.key).overflowed += 1
        if e.destination.kind is OverflowKind.VOICEMAIL:
            self._forget(e.contact)

    def _on_converted(self, e: ev.ContactConvertedToCallback) -> None:
        visit = self._visits.get(e.contact)
        if visit is not None and not visit.answered:
            self._qrow(visit.key).converted_to_callback += 1
        self._forget(e.contact)

    def _forget(self, contact: str) -> None:
        self._visits.pop(contact, None)
        self._callback_contacts.discard(contact)
        self._call_agent.pop(contact, None)


def _add_time(row: AgentInterval, clock: _AgentClock, seconds: float, system: set[str]) -> None:
    if clock.activity == _NOT_READY:
        reason = clock.reason or ""
        bucket = row.system_not_ready_s if reason in system else row.not_ready_s
        bucket[reason] = bucket.get(reason, 0.0) + seconds
    else:
        name = _SECONDS_FIELD[clock.activity]
        setattr(row, name, getattr(row, name) + seconds)


def _copy_agent_row(row: AgentInterval) -> AgentInterval:
    return replace(
        row, not_ready_s=dict(row.not_ready_s), system_not_ready_s=dict(row.system_not_ready_s)
    )


_HANDLERS: dict[type[ev.Event], Callable[[StatsProjection, Any], None]] = {
    ev.QueueConfigured: StatsProjection._on_queue_configured,
    ev.ReasonsConfigured: StatsProjection._on_reasons_configured,
    ev.AgentSignedIn: StatsProjection._on_signed_in,
    ev.AgentSignedOut: StatsProjection._on_signed_out,
    ev.AgentBecameAvailable: StatsProjection._on_available,
    ev.AgentWentNotReady: StatsProjection._on_not_ready,
    ev.ContactArrived: StatsProjection._on_arrived,
    ev.ContactQueued: StatsProjection._on_queued,
    ev.ContactOffered: StatsProjection._on_offered,
    ev.OfferAccepted: StatsProjection._on_accepted,
    ev.OfferDeclined: StatsProjection._on_declined,
    ev.OfferTimedOut: StatsProjection._on_timed_out,
    ev.ContactHeld: StatsProjection._on_held,
    ev.ContactResumed: StatsProjection._on_resumed,
    ev.ContactTransferred: StatsProjection._on_transferred,
    ev.ContactEnded: StatsProjection._on_ended,
    ev.WrapUpStarted: StatsProjection._on_wrap_started,
    ev.WrapUpEnded: StatsProjection._on_wrap_ended,
    ev.ContactCompleted: StatsProjection._on_completed,
    ev.ContactAbandoned: StatsProjection._on_abandoned,
    ev.ContactDropped: StatsProjection._on_dropped,
    ev.ContactOverflowed: StatsProjection._on_overflowed,
    ev.ContactConvertedToCallback: StatsProjection._on_converted,
}
