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

import datetime as dt
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from hearthline.crm.events import DispositionRecorded, OutcomeCorrected
from hearthline.reports.definitions import (
    REPEAT_WINDOW_S,
    SHORT_ABANDON_S,
    service_level,
    within_target,
)
from hearthline.reports.imported import CallImported
from hearthline.routing import events as ev
from hearthline.routing.config import SYSTEM_REASONS, Channel, OverflowKind
from hearthline.wfm.events import SchedulingConfigured

DEFAULT_INTERVAL_S = 900.0
HOUR_S = 3600.0

QueueKey = tuple[str, float]
"""(queue id, interval start)."""
AgentKey = tuple[str, float]
"""(agent id, interval start)."""
OutcomeKey = tuple[str, str, float]
"""(agent id, campaign id, interval start)."""
CallerKey = tuple[str, str]
"""(the customer, else the caller's number; the campaign): whose repeat contacts count."""


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
    abandoned_short: int = 0  # gave up within the short-abandon threshold
    dropped: int = 0  # ended by a line or system fault
    overflowed: int = 0  # sent on by a limit (another queue, a callback, voicemail)
    converted_to_callback: int = 0  # the caller asked to be called back
    moved_out: int = 0  # moved to another queue while waiting
    transferred_out: int = 0  # passed on by the agent after answering
    handled: int = 0  # answered and ended by the caller or the agent
    # Answered, and the same customer contacted the campaign again within the window.
    repeated: int = 0
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


@dataclass(slots=True)
class OutcomeInterval:
    """The outcomes one agent recorded for one campaign in one interval."""

    agent: str
    campaign: str
    start: float
    client: str | None = None
    outcomes: int = 0
    sales: int = 0
    saves: int = 0


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

    def __init__(
        self,
        *,
        interval_s: float = DEFAULT_INTERVAL_S,
        short_abandon_s: float = SHORT_ABANDON_S,
        repeat_window_s: float = REPEAT_WINDOW_S,
    ) -> None:
        if not interval_s > 0:
            raise ValueError(f"interval_s must be > 0, got {interval_s}")
        self.interval_s = interval_s
        self.short_abandon_s = short_abandon_s
        self.repeat_window_s = repeat_window_s
        self._outcomes: dict[OutcomeKey, OutcomeInterval] = {}
        self._dirty_outcomes: set[OutcomeKey] = set()
        self._campaign_clients: dict[str, str] = {}
        # Repeat contacts: who each live contact is, and each customer's last answered
        # contact (when, and the row it counts in) within the window.
        self._contact_caller: dict[str, CallerKey] = {}
        self._last_answered: dict[CallerKey, tuple[float, QueueKey]] = {}
        self._prune_at = 0.0
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
        # The firm's days, which the read models also sum: its zone, and the epoch from
        # which on every day has been counted in it (see ``days``).
        self.day_zone = "UTC"
        self.days_from = 0.0
        self._counted = False
        # Pruning (``prune``): rows before these starts may have left memory, so a row
        # made there again holds only what changed since, to add to the stored one.
        self._newest = 0.0
        self._pruned = [-math.inf, -math.inf, -math.inf]  # queues, agents, outcomes
        self._added_queues: set[QueueKey] = set()
        self._added_agents: set[AgentKey] = set()
        self._added_outcomes: set[OutcomeKey] = set()

    # Feeding -------------------------------------------------------------------------------

    def apply(self, event: object) -> None:
        """Takes one event into account (routing, outcomes, imported calls); others are
        ignored."""
        handler = _HANDLERS.get(type(event))
        if handler is not None:
            handler(self, event)

    def apply_all(self, events: Iterable[object]) -> None:
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

    def agent_rows_now(
        self, agent: str, *, since: float, until: float
    ) -> tuple[list[AgentInterval], list[AgentInterval]]:
        """One agent's rows from ``since`` as they stand at ``until``, the span still open
        (a break in progress) counted up to it: the rows that replace the stored ones,
        and the rows to add to them (made again after their interval left memory). A
        reader of the stored rows alone sees a span only once it has ended and the
        rows are written. Works on copies: the projection itself is not changed."""
        rows = {
            k: _copy_agent_row(r)
            for k, r in self._agents.items()
            if k[0] == agent and k[1] >= since
        }
        clock = self._clocks.get(agent)
        if clock is not None and clock.activity != _OFFLINE and until > clock.since:
            self._spread(agent, clock, max(clock.since, since), until, rows)
        kept = sorted(k for k in rows if k[1] >= since)  # as the stored rows are read
        whole = [rows[k] for k in kept if k not in self._added_agents]
        added = [rows[k] for k in kept if k in self._added_agents]
        return whole, added

    def queue_row(self, queue: str, start: float) -> QueueInterval | None:
        return self._queues.get((queue, start))

    def agent_row(self, agent: str, start: float) -> AgentInterval | None:
        return self._agents.get((agent, start))

    def outcome_rows(self) -> list[OutcomeInterval]:
        return [self._outcomes[k] for k in sorted(self._outcomes)]

    def take_changed(self) -> tuple[list[QueueInterval], list[AgentInterval]]:
        """Rows changed since the last call: what a persisted read model must rewrite."""
        queues = [self._queues[k] for k in sorted(self._dirty_queues - self._added_queues)]
        agents = [self._agents[k] for k in sorted(self._dirty_agents - self._added_agents)]
        self._dirty_queues.clear()
        self._dirty_agents.clear()
        return queues, agents

    def take_changed_outcomes(self) -> list[OutcomeInterval]:
        rows = [self._outcomes[k] for k in sorted(self._dirty_outcomes - self._added_outcomes)]
        self._dirty_outcomes.clear()
        return rows

    def has_added(self) -> bool:
        """Whether rows made again in the pruned past wait for ``take_added``."""
        return bool(self._added_queues or self._added_agents or self._added_outcomes)

    def take_added(
        self,
    ) -> tuple[list[QueueInterval], list[AgentInterval], list[OutcomeInterval]]:
        """Rows made again after their interval was pruned: what changed in them since,
        to add to the stored rows (once: they leave memory here). Adding is not
        idempotent: the service takes them only with a snapshot, in its transaction, so a
        restart replays exactly the changes the tables lack."""
        out = (
            [self._queues.pop(k) for k in sorted(self._added_queues)],
            [self._agents.pop(k) for k in sorted(self._added_agents)],
            [self._outcomes.pop(k) for k in sorted(self._added_outcomes)],
        )
        self._added_queues.clear()
        self._added_agents.clear()
        self._added_outcomes.clear()
        return out

    def prune(self, keep_s: float = HOUR_S) -> None:
        """Drops the rows taken already (``take_changed``) that nothing live can change
        any more: older than ``keep_s`` before the newest row, and than every contact
        waiting or talking, every agent's open span and wrap-up, and every answered
        contact a repeat could still count against (``repeat_window_s``). What changes
        them later (history brought in) makes rows to add (``take_added``)."""
        base = self._newest - keep_s
        queue_pins = [v.key[1] for v in self._visits.values()]
        queue_pins += [key[1] for _, key in self._last_answered.values()]
        queue_pins += [c.work_key[1] for c in self._clocks.values() if c.work_key is not None]
        agent_pins = [
            self.interval_of(c.since) for c in self._clocks.values() if c.activity != _OFFLINE
        ]
        horizons = (min([base, *queue_pins]), min([base, *agent_pins]), base)
        self._queues = _kept(self._queues, horizons[0], self._dirty_queues | self._added_queues, 1)
        self._agents = _kept(self._agents, horizons[1], self._dirty_agents | self._added_agents, 1)
        self._outcomes = _kept(
            self._outcomes, horizons[2], self._dirty_outcomes | self._added_outcomes, 2
        )
        self._pruned = [max(p, h) for p, h in zip(self._pruned, horizons, strict=True)]

    def sizes(self) -> tuple[int, int, int]:
        """Rows held in memory: queues', agents', outcomes'."""
        return len(self._queues), len(self._agents), len(self._outcomes)

    @property
    def days(self) -> tuple[str, float]:
        """The zone the firm's days are counted in, and the local midnight from which on
        the per-day read models hold every day in it: the start of the log, or the first
        midnight after the zone last changed (days before it were summed in the old one)."""
        return self.day_zone, self.days_from

    def interval_of(self, t: float) -> float:
        return (t // self.interval_s) * self.interval_s

    # Rows ----------------------------------------------------------------------------------

    def _qrow(self, key: QueueKey) -> QueueInterval:
        row = self._queues.get(key)
        if row is None:
            row = self._queues[key] = QueueInterval(queue=key[0], start=key[1])
            self._made(key[1], self._added_queues, key, 0)
        self._dirty_queues.add(key)
        return row

    def _arow(self, agent: str, t: float) -> AgentInterval:
        key = (agent, self.interval_of(t))
        row = self._agents.get(key)
        if row is None:
            row = self._agents[key] = AgentInterval(agent=agent, start=key[1])
            self._made(key[1], self._added_agents, key, 1)
        self._dirty_agents.add(key)
        return row

    def _made(self, start: float, added: set[Any], key: Any, table: int) -> None:
        self._counted = True
        if start > self._newest:
            self._newest = start
        elif start < self._pruned[table]:
            added.add(key)

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

    def _on_campaign_configured(self, e: ev.CampaignConfigured) -> None:
        self._campaign_clients[e.campaign.id] = e.campaign.client

    def _on_queue_configured(self, e: ev.QueueConfigured) -> None:
        self._targets[e.queue.id] = e.queue.service_target_s

    def _on_reasons_configured(self, e: ev.ReasonsConfigured) -> None:
        self._system = {r.id for r in SYSTEM_REASONS} | {r.id for r in e.reasons if r.system}

    def _on_scheduling(self, e: SchedulingConfigured) -> None:
        if e.time_zone == self.day_zone:
            return
        self.day_zone = e.time_zone
        if self._counted:
            # From the midnight after every row counted so far (history may lie ahead
            # of the clock): the days from there on are summed in the new zone alone.
            after = max(e.at, self._newest + self.interval_s)
            local = dt.datetime.fromtimestamp(after, ZoneInfo(e.time_zone)).date()
            midnight = dt.datetime.combine(local + dt.timedelta(days=1), dt.time())
            self.days_from = midnight.replace(tzinfo=ZoneInfo(e.time_zone)).timestamp()

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
            return  # the center calling back is no repeat of the customer's
        who = e.customer or e.caller
        if who and e.campaign is not None:
            caller = (who, e.campaign)
            self._contact_caller[e.contact] = caller
            self._count_repeat(caller, e.at)

    def _count_repeat(self, caller: CallerKey, at: float) -> None:
        """A customer is back: their last answered contact, if recent, was a repeat."""
        last = self._last_answered.get(caller)
        if last is None or at < last[0]:
            return  # history brought in after later contacts: no repeat of those
        del self._last_answered[caller]
        if at - last[0] <= self.repeat_window_s:
            self._qrow(last[1]).repeated += 1
        if at >= self._prune_at:
            cutoff = at - self.repeat_window_s
            self._last_answered = {k: v for k, v in self._last_answered.items() if v[0] >= cutoff}
            self._prune_at = at + self.repeat_window_s / 7

    def _answered_by(self, caller: CallerKey, at: float, key: QueueKey) -> None:
        last = self._last_answered.get(caller)
        if last is None or last[0] <= at:
            self._last_answered[caller] = (at, key)

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
        caller = self._contact_caller.get(e.contact)
        if caller is not None:
            self._answered_by(caller, e.at, visit.key)

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

    # A consult: the consulted agent's ring counts as an offer's, their talk as talk (busy,
    # never idle); the asker's time is the held call's. A handover is the asker's transfer
    # out, and the call talks on with the consulted agent in the same visit.

    def _on_consult_requested(self, e: ev.ConsultRequested) -> None:
        self._move(e.agent, e.at, _RESERVED)

    def _on_consult_accepted(self, e: ev.ConsultAccepted) -> None:
        self._move(e.agent, e.at, _TALK)

    def _on_handed_over(self, e: ev.ContactHandedOver) -> None:
        self._arow(e.asker, e.at).transferred += 1
        self._call_agent[e.contact] = e.agent
        self._move(e.agent, e.at, _TALK)
        visit = self._visits.get(e.contact)
        if visit is not None and visit.answered:
            self._end_span(visit, e.at)
            visit.span_since, visit.held = e.at, False
            self._clock(e.agent).work_key = visit.key

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
            row.abandoned_short += wait <= self.short_abandon_s
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

    def _on_disposition(self, e: DispositionRecorded) -> None:
        self._outcome(e.agent, e.campaign, e.at, sale=e.counts_as_sale, save=e.counts_as_save)

    def _on_corrected(self, e: OutcomeCorrected) -> None:
        # The contact counts once, in the interval its outcome was first recorded, as it
        # now stands: its sale and save are moved there, its outcome is not counted again.
        self._outcome(
            e.agent,
            e.campaign,
            e.recorded_at,
            sale=e.counts_as_sale - e.was_sale,
            save=e.counts_as_save - e.was_save,
            counted=0,
        )

    def _outcome(
        self, agent: str, campaign: str, at: float, *, sale: int, save: int, counted: int = 1
    ) -> None:
        key = (agent, campaign, self.interval_of(at))
        row = self._outcomes.get(key)
        if row is None:
            client = self._campaign_clients.get(campaign)
            row = self._outcomes[key] = OutcomeInterval(agent, campaign, key[2], client)
            self._made(key[2], self._added_outcomes, key, 2)
        self._dirty_outcomes.add(key)
        row.outcomes += counted
        row.sales += sale
        row.saves += save

    def _on_imported(self, e: CallImported) -> None:
        """A contact handled before this center kept its log (history brought in): its
        figures go where a live one's would, without agent time, which it does not hold."""
        self._campaign_clients.setdefault(e.campaign, e.client)
        caller = (e.caller, e.campaign)
        if e.caller:
            self._count_repeat(caller, e.at)
        key = (e.queue, self.interval_of(e.at))
        row = self._qrow(key)
        row.offered += 1
        wait = e.wait_s
        row.max_wait_s = max(row.max_wait_s, wait)
        in_target = within_target(wait, self._targets.get(e.queue, 0.0))
        if e.outcome == "answered":
            row.answered += 1
            row.handled += 1
            row.wait_answered_s += wait
            row.answered_in_target += in_target
            row.talk_s += e.talk_s
            row.hold_s += e.hold_s
            row.wrap_s += e.wrap_s
            if e.caller:
                self._answered_by(caller, e.at + wait, key)
            if e.agent and e.disposition is not None:
                self._outcome(e.agent, e.campaign, e.at, sale=e.sale, save=e.save)
        elif e.outcome == "abandoned":
            row.abandoned += 1
            row.wait_abandoned_s += wait
            row.abandoned_in_target += in_target
            row.abandoned_short += wait <= self.short_abandon_s
        else:
            row.dropped += 1  # the record does not say how it ended

    def _forget(self, contact: str) -> None:
        self._contact_caller.pop(contact, None)
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


K = TypeVar("K", QueueKey, OutcomeKey)
V = TypeVar("V")


def _kept(rows: dict[K, V], horizon: float, pending: set[K], at: int) -> dict[K, V]:
    """``rows`` without those before ``horizon`` (whole hours) but for the ``pending``
    ones, not written yet; ``at``: where a key holds its interval start."""
    hour = horizon // HOUR_S * HOUR_S

    def start(key: K) -> float:
        return float(key[at])

    if not any(start(k) < hour for k in rows):
        return rows
    return {k: v for k, v in rows.items() if start(k) >= hour or k in pending}


def _copy_agent_row(row: AgentInterval) -> AgentInterval:
    return replace(
        row, not_ready_s=dict(row.not_ready_s), system_not_ready_s=dict(row.system_not_ready_s)
    )


_HANDLERS: dict[type, Callable[[StatsProjection, Any], None]] = {
    ev.CampaignConfigured: StatsProjection._on_campaign_configured,
    ev.QueueConfigured: StatsProjection._on_queue_configured,
    ev.ReasonsConfigured: StatsProjection._on_reasons_configured,
    SchedulingConfigured: StatsProjection._on_scheduling,
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
    ev.ConsultRequested: StatsProjection._on_consult_requested,
    ev.ConsultAccepted: StatsProjection._on_consult_accepted,
    ev.ContactHandedOver: StatsProjection._on_handed_over,
    ev.ContactEnded: StatsProjection._on_ended,
    ev.WrapUpStarted: StatsProjection._on_wrap_started,
    ev.WrapUpEnded: StatsProjection._on_wrap_ended,
    ev.ContactCompleted: StatsProjection._on_completed,
    ev.ContactAbandoned: StatsProjection._on_abandoned,
    ev.ContactDropped: StatsProjection._on_dropped,
    ev.ContactOverflowed: StatsProjection._on_overflowed,
    ev.ContactConvertedToCallback: StatsProjection._on_converted,
    DispositionRecorded: StatsProjection._on_disposition,
    OutcomeCorrected: StatsProjection._on_corrected,
    CallImported: StatsProjection._on_imported,
}
