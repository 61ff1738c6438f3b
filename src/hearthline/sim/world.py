"""Simulated callers and agents, acting on the center only through commands.

Callers arrive (``ArriveContact``) and hang up when their patience runs out while still
waiting (``CallerHangUp``). Agents sign in and out with their shifts, take breaks
(``MakeNotReady`` then ``MakeReady``), answer offers after their time to accept or miss
them (the center times a missed offer out), end calls after the handle time, finish a
manual wrap-up, and lose their connection now and then (``ReportConnectionLost``, later
``ReportReconnected`` and ``MakeReady``).

The world learns what happened only from the center's events, as a real agent's desktop
does, so it can drive any :class:`~hearthline.sim.port.RoutingPort`. It remembers just
enough to act at the right moment: each scheduled action carries the event that
prompted it and is dropped if something newer has happened since.
"""

from __future__ import annotations

from collections.abc import Callable
from random import Random
from typing import Any

from hearthline.kernel.ids import AgentId, ContactId, QueueId, ReasonId
from hearthline.routing import commands as cmd
from hearthline.routing import events as ev
from hearthline.routing.config import CONNECTION_LOST, MISSED_OFFER, OverflowKind
from hearthline.routing.events import Event
from hearthline.sim.build import END_OF_SHIFT, AgentPlan, Built
from hearthline.sim.distributions import Sampler
from hearthline.sim.engine import Engine
from hearthline.sim.menu_callers import count_visits, walk_call
from hearthline.voice.figures import FigureBook
from hearthline.voice.menus import Visit

EventHandler = Callable[[Any], None]


class _AgentSim:
    __slots__ = ("accept", "drop_length", "drop_rate", "miss", "plan", "ready_after_miss")

    def __init__(self, plan: AgentPlan, rng: Random, samplers: dict[int, Sampler]) -> None:
        b = plan.behaviour
        self.plan = plan
        # Agents of one group share their samplers: one draw function per distribution.
        self.accept = _shared(samplers, b.accept, rng)
        self.ready_after_miss = _shared(samplers, b.ready_after_miss, rng)
        self.drop_length = _shared(samplers, b.drop_length, rng)
        self.miss = b.miss_probability
        self.drop_rate = b.drops_per_hour / 3600.0


def _shared(cache: dict[int, Sampler], dist: Any, rng: Random) -> Sampler:
    key = id(dist)
    if key not in cache:
        cache[key] = dist.sampler(rng)
    return cache[key]


class World:
    """The callers and agents of one simulated day, scheduled on ``engine``.

    It reacts to an event at the engine's ``now()``, not at the event's own ``at``: the
    same moment in a discrete-event run, and the moment the event reached it in a live
    one (whose center may also count time from another origin).
    """

    def __init__(
        self,
        built: Built,
        *,
        engine: Engine,
        rng: Random,
        caller_of: Callable[[ContactId, QueueId], str] | None = None,
        contact_prefix: str = "",
        requirement: str | None = None,
    ) -> None:
        self.built = built
        # A skill requirement every caller brings on top of their queue's (and a menu's):
        # the demo with real calls keeps its person at the desk for those ("!phone").
        self.requirement = requirement
        # Contact ids are ``<prefix><queue>-<n>``: a demo that runs day after day gives each
        # day its own prefix, so no day reuses the id of another day's contact.
        self.contact_prefix = contact_prefix
        self.engine = engine
        self.rng = rng
        # The number a caller rings from (the demo gives real-looking ones, many of them
        # known customers); by default the contact's id. It must not draw from ``rng``.
        self.caller_of = caller_of
        self.calls = 0
        samplers: dict[int, Sampler] = {}
        self.handle_draw = {QueueId(q.id): _shared(samplers, q.handle, rng) for q in built.queues}
        self.patience_draw = [_shared(samplers, q.patience, rng) for q in built.queues]
        self.wrap_draw = {
            QueueId(q.id): _shared(samplers, q.wrap_time, rng)
            for q in built.queues
            if q.wrap_time is not None
        }
        self.agents = {AgentId(p.id): _AgentSim(p, rng, samplers) for p in built.agents}
        # Contacts still waiting for an agent -> their handle time, drawn when they arrive.
        self.waiting: dict[ContactId, float] = {}
        # Calls ended by the center (a drop) before the agent would have ended them.
        self.cut: set[ContactId] = set()
        self.ringing: dict[AgentId, ev.ContactOffered] = {}
        self.not_ready: dict[AgentId, ev.AgentWentNotReady] = {}
        self.planned_break: dict[AgentId, tuple[ReasonId, float]] = {}
        # Seconds of break still owed by an agent already on a break when another fell due.
        self.break_owed: dict[AgentId, float] = {}
        self.wrapping: dict[AgentId, ev.WrapUpStarted] = {}
        self.manual_wrap: dict[ContactId, Sampler] = {}
        self.on_shift: set[AgentId] = set()
        self.disconnected: set[AgentId] = set()
        self.ready_when_back: set[AgentId] = set()
        self.rejoin: set[AgentId] = set()
        k = engine.kind
        self.K_ARRIVE = k(self._arrive)
        self.K_HANG_UP = k(self._hang_up)
        self.K_ACCEPT = k(self._accept)
        self.K_END = k(self._end)
        self.K_FINISH_WRAP = k(self._finish_wrap)
        self.K_SHIFT_START = k(self._shift_start)
        self.K_SHIFT_END = k(self._shift_end)
        self.K_BREAK_START = k(self._break_start)
        self.K_BACK = k(self._back)
        self.K_DROP = k(self._drop)
        self.K_RECONNECT = k(self._reconnect)
        self.K_SEND = k(self._send)
        self.K_REPLAY = k(self._replay)
        self.K_MENU_DONE = k(self._menu_done)
        # Callers who walked a menu: how many, their time in it, and who hung up there.
        self.menu_callers = 0
        self.menu_seconds = 0.0
        self.menu_hangups = 0
        # Per menu (the queue it is before) and node: visits, time, hang-ups, exits.
        self.menu_nodes = FigureBook()
        self._visits: list[Visit] = []

    # Wiring ----------------------------------------------------------------------------------

    def handlers(self) -> dict[type[Event], EventHandler]:
        """The events the world reacts to, with its reaction."""
        table: dict[type[Event], EventHandler] = {
            ev.ContactQueued: self._on_queued,
            ev.ContactOffered: self._on_offered,
            ev.OfferAccepted: self._on_accepted,
            ev.OfferTimedOut: self._on_offer_over,
            ev.OfferRescinded: self._on_offer_over,
            ev.OfferDeclined: self._on_offer_over,
            ev.ContactAbandoned: self._on_gone,
            ev.ContactOverflowed: self._on_overflowed,
            ev.ContactConvertedToCallback: self._on_gone,
            ev.ContactDropped: self._on_dropped,
            ev.AgentWentNotReady: self._on_not_ready,
            ev.AgentSignedOut: self._on_signed_out,
        }
        if self.wrap_draw:
            table[ev.WrapUpStarted] = self._on_wrap_started
            table[ev.WrapUpEnded] = self._on_wrap_ended
        return table

    def start(self) -> None:
        """Schedules the day: first arrivals, shifts, breaks."""
        b = self.built
        draw = self.rng.expovariate
        for qi, q in enumerate(b.queues):
            if q.trace is not None:
                if q.trace:
                    self.engine.at(q.trace[0][0], self.K_REPLAY, (qi, 0))
            else:
                self.engine.at(q.arrivals.next_arrival(b.start, draw), self.K_ARRIVE, qi)
        for a in b.agents:
            ident = AgentId(a.id)
            for start, end in a.shifts:
                self.engine.at(max(start, b.start), self.K_SHIFT_START, ident)
                self.engine.at(end, self.K_SHIFT_END, ident)
            for at, seconds, reason in a.breaks:
                if any(start <= at < end for start, end in a.shifts):
                    self.engine.at(at, self.K_BREAK_START, (ident, ReasonId(reason), seconds))

    # Callers ---------------------------------------------------------------------------------

    def _arrive(self, t: float, qi: int) -> None:
        q = self.built.queues[qi]
        if q.menu is None:
            self._caller(t, qi, self.handle_draw[QueueId(q.id)](), self.patience_draw[qi]())
        else:
            self._walk_menu(t, qi)
        self.engine.at(q.arrivals.next_arrival(t, self.rng.expovariate), self.K_ARRIVE, qi)

    def _walk_menu(self, t: float, qi: int) -> None:
        menu = self.built.queues[qi].menu
        assert menu is not None
        self._visits.clear()
        walked = walk_call(*menu, self.rng, visits=self._visits)
        count_visits(self.menu_nodes, self.built.queues[qi].id, self._visits)
        self.menu_callers += 1
        self.menu_seconds += walked.seconds
        how = walked.how
        if not how.startswith("queue:"):
            # Hung up in the menu, or left a voicemail or callback request: no queue.
            self.menu_hangups += how == "hangup"
            return
        target = next(i for i, q in enumerate(self.built.queues) if q.id == how[6:])
        self.engine.at(t + walked.seconds, self.K_MENU_DONE, (target, walked.skill))

    def _menu_done(self, t: float, where: tuple[int, str | None]) -> None:
        qi, skill = where
        q = self.built.queues[qi]
        draw = self.handle_draw[QueueId(q.id)]()
        # The skill the caller's path set is the contact's requirement, as on the server.
        self._caller(t, qi, draw, self.patience_draw[qi](), requirement=skill)

    def _replay(self, t: float, where: tuple[int, int]) -> None:
        qi, i = where
        trace = self.built.queues[qi].trace
        assert trace is not None
        _, handle, patience = trace[i]
        self._caller(t, qi, handle, patience)
        if i + 1 < len(trace):
            self.engine.at(trace[i + 1][0], self.K_REPLAY, (qi, i + 1))

    def _caller(
        self, t: float, qi: int, handle: float, patience: float, *, requirement: str | None = None
    ) -> None:
        q = self.built.queues[qi]
        self.calls += 1
        ident = ContactId(f"{self.contact_prefix}{q.id}-{self.calls}")
        qid = QueueId(q.id)
        self.waiting[ident] = handle
        if qid in self.wrap_draw:
            self.manual_wrap[ident] = self.wrap_draw[qid]
        caller = ident if self.caller_of is None else self.caller_of(ident, qid)
        if self.requirement is not None:
            own = self.requirement
            requirement = own if requirement is None else f"({requirement}) & ({own})"
        self.engine.send(
            cmd.ArriveContact(
                contact=ident, caller=caller, queue=qid, priority=q.priority,
                requirement=requirement,
            )
        )  # fmt: skip
        self.engine.at(t + patience, self.K_HANG_UP, ident)

    def _hang_up(self, t: float, contact: ContactId) -> None:
        if contact in self.waiting:
            self.engine.send(cmd.CallerHangUp(contact))

    def _on_queued(self, e: ev.ContactQueued) -> None:
        # A contact the world did not bring (a callback the center owes) gets its handle
        # time when it first takes a place.
        if e.contact not in self.waiting:
            self.waiting[e.contact] = self.handle_draw[e.queue]()
            if e.queue in self.wrap_draw:
                self.manual_wrap[e.contact] = self.wrap_draw[e.queue]

    def _on_gone(self, e: ev.ContactAbandoned | ev.ContactConvertedToCallback) -> None:
        self.waiting.pop(e.contact, None)
        self.manual_wrap.pop(e.contact, None)

    def _on_overflowed(self, e: ev.ContactOverflowed) -> None:
        if e.destination.kind is OverflowKind.VOICEMAIL:
            self.waiting.pop(e.contact, None)
            self.manual_wrap.pop(e.contact, None)

    def _on_dropped(self, e: ev.ContactDropped) -> None:
        if self.waiting.pop(e.contact, None) is None:
            self.cut.add(e.contact)
        self.manual_wrap.pop(e.contact, None)

    # Agents and offers -----------------------------------------------------------------------

    def _on_offered(self, e: ev.ContactOffered) -> None:
        a = self.agents.get(e.agent)
        if a is None:
            return  # a person at a real desktop (the demo): theirs to answer
        self.ringing[e.agent] = e
        if a.miss and self.rng.random() < a.miss:
            return  # nobody answers: the center times the offer out
        self.engine.at(self.engine.now() + a.accept(), self.K_ACCEPT, e)

    def _accept(self, t: float, offer: ev.ContactOffered) -> None:
        if self.ringing.get(offer.agent) is offer:
            self.engine.send(cmd.AcceptOffer(agent=offer.agent, contact=offer.contact))

    def _on_offer_over(self, e: ev.OfferTimedOut | ev.OfferRescinded | ev.OfferDeclined) -> None:
        self.ringing.pop(e.agent, None)

    def _on_accepted(self, e: ev.OfferAccepted) -> None:
        self.ringing.pop(e.agent, None)
        handle = self.waiting.pop(e.contact, None)
        if handle is not None and e.agent in self.agents:
            self.engine.at(self.engine.now() + handle, self.K_END, (e.agent, e.contact))

    def _end(self, t: float, payload: tuple[AgentId, ContactId]) -> None:
        agent, contact = payload
        if contact in self.cut:
            self.cut.discard(contact)
            return
        self.engine.send(cmd.EndContact(agent=agent, contact=contact))

    def _on_wrap_started(self, e: ev.WrapUpStarted) -> None:
        draw = self.manual_wrap.pop(e.contact, None)
        if draw is not None and e.agent in self.agents:
            self.wrapping[e.agent] = e
            self.engine.at(self.engine.now() + draw(), self.K_FINISH_WRAP, e)

    def _on_wrap_ended(self, e: ev.WrapUpEnded) -> None:
        self.wrapping.pop(e.agent, None)

    def _finish_wrap(self, t: float, started: ev.WrapUpStarted) -> None:
        if self.wrapping.get(started.agent) is started:
            self.engine.send(cmd.FinishWrapUp(started.agent))

    # Not ready: breaks, missed offers, lost connections ----------------------------------------

    def _on_not_ready(self, e: ev.AgentWentNotReady) -> None:
        agent = e.agent
        if agent not in self.agents:
            return
        self.not_ready[agent] = e
        reason = e.reason
        if reason == END_OF_SHIFT:
            if agent in self.rejoin:
                # The next stretch on duty began while this one's last call went on.
                self.rejoin.discard(agent)
                self._soon(self.engine.now(), cmd.MakeReady(agent))
            else:
                self._soon(self.engine.now(), cmd.SignOut(agent))
        elif reason == MISSED_OFFER:
            self.engine.at(
                self.engine.now() + self.agents[agent].ready_after_miss(), self.K_BACK, e
            )
        elif reason == CONNECTION_LOST:
            if agent not in self.disconnected:
                self._soon(self.engine.now(), cmd.MakeReady(agent))
        else:
            plan = self.planned_break.get(agent)
            if plan is not None and plan[0] == reason:
                del self.planned_break[agent]
                self.engine.at(self.engine.now() + plan[1], self.K_BACK, e)
                self.break_owed.pop(agent, None)

    def _soon(self, t: float, command: cmd.Command) -> None:
        # Never send from inside an event handler: the rest of the batch (and the results'
        # handlers for this very event) must see it before what the command causes.
        self.engine.at(t, self.K_SEND, command)

    def _send(self, t: float, command: cmd.Command) -> None:
        self.engine.send(command)

    def _back(self, t: float, went: ev.AgentWentNotReady) -> None:
        """The end of a break, or of the pause after a missed offer."""
        if self.not_ready.get(went.agent) is went:
            owed = self.break_owed.pop(went.agent, 0.0)
            if owed > 0:
                self.engine.at(t + owed, self.K_BACK, went)
            else:
                self._make_ready(went.agent)

    def _make_ready(self, agent: AgentId) -> None:
        if agent in self.disconnected:
            self.ready_when_back.add(agent)
            return
        self.not_ready.pop(agent, None)
        self.engine.send(cmd.MakeReady(agent))

    def _break_start(self, t: float, payload: tuple[AgentId, ReasonId, float]) -> None:
        agent, reason, seconds = payload
        if agent not in self.on_shift:
            return
        # A break due while another is still waiting to begin or under way follows it:
        # the agent owes both in full (a call in hand delays a break, never shortens it).
        planned = self.planned_break.get(agent)
        if planned is not None:
            self.planned_break[agent] = (planned[0], planned[1] + seconds)
            return
        went = self.not_ready.get(agent)
        if went is not None and went.reason == reason:
            self.break_owed[agent] = self.break_owed.get(agent, 0.0) + seconds
            return
        self.planned_break[agent] = (reason, seconds)
        self.ready_when_back.discard(agent)
        self.engine.send(cmd.MakeNotReady(agent=agent, reason=reason))

    # Shifts ----------------------------------------------------------------------------------

    def _shift_start(self, t: float, agent: AgentId) -> None:
        if agent in self.on_shift:
            self.rejoin.add(agent)  # still finishing the last stretch's call
            return
        self.on_shift.add(agent)
        self.engine.send(cmd.SignIn(agent, ready=True))
        rate = self.agents[agent].drop_rate
        if rate > 0:
            self.engine.at(t + self.rng.expovariate(rate), self.K_DROP, agent)

    def _shift_end(self, t: float, agent: AgentId) -> None:
        if agent not in self.on_shift:
            return
        self.planned_break.pop(agent, None)
        self.break_owed.pop(agent, None)
        self.rejoin.discard(agent)
        # Busy agents finish the contact in hand first: not ready now, signed out after.
        if not self.engine.try_send(cmd.SignOut(agent)):
            self.engine.send(cmd.MakeNotReady(agent=agent, reason=END_OF_SHIFT))

    def _on_signed_out(self, e: ev.AgentSignedOut) -> None:
        self.on_shift.discard(e.agent)
        self.not_ready.pop(e.agent, None)
        self.ready_when_back.discard(e.agent)

    def _drop(self, t: float, agent: AgentId) -> None:
        if agent not in self.on_shift:
            return
        self.disconnected.add(agent)
        self.engine.send(cmd.ReportConnectionLost(agent))
        self.engine.at(t + self.agents[agent].drop_length(), self.K_RECONNECT, agent)

    def _reconnect(self, t: float, agent: AgentId) -> None:
        self.disconnected.discard(agent)
        if agent not in self.on_shift:
            return
        self.engine.send(cmd.ReportReconnected(agent))
        went = self.not_ready.get(agent)
        if agent in self.ready_when_back or (went is not None and went.reason == CONNECTION_LOST):
            self.ready_when_back.discard(agent)
            self._make_ready(agent)
        a = self.agents[agent]
        self.engine.at(t + self.rng.expovariate(a.drop_rate), self.K_DROP, agent)

    def open_contacts(self) -> int:
        """Contacts the world is still waiting on: queued, ringing or in a call."""
        return len(self.waiting)
