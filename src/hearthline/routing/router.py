"""The routing core's public face: ``Router``.

    router = Router(clock=clock, rng=random.Random(1))
    router.configure(config)                 # events that set it up
    events = router.handle(ArriveContact(...))
    events += router.tick()                  # timers due by clock.now()
    router.next_deadline()                   # when tick() next has work

Drivers (the server, the simulator) own time: they call ``tick()`` when the clock
reaches ``next_deadline()``. ``handle`` also fires every timer due before the command,
so a command always sees the state as it is at its time. When a command is refused,
events of timers that came due first stay in the outbox: take them with
``take_events()`` (they happened whatever became of the command).
"""

from __future__ import annotations

import heapq
import pickle
from collections.abc import Iterable
from typing import Any

from hearthline.kernel.clock import Clock, Rng
from hearthline.kernel.ids import ContactId
from hearthline.kernel.records import mypyc_attr
from hearthline.routing import commands as cmd
from hearthline.routing.config import DEFAULT_REASONS, SYSTEM_REASONS, RoutingConfig
from hearthline.routing.errors import InvalidCommand
from hearthline.routing.events import Event
from hearthline.routing.handlers import HANDLERS, Handling
from hearthline.routing.runtime import Contact, ContactEntry
from hearthline.routing.states import AgentState, ContactState
from hearthline.routing.views import AgentView, ContactView, QueueView

# How often a replay clears stale timers (events): often enough to bound its memory.
_PRUNE_EVERY = 50_000
# At work on the queue's behalf: idle, ringing, busy (a consult too: its colleague is free
# again soon, as one in a wrap-up is).
_STAFFED = frozenset(
    {
        AgentState.AVAILABLE,
        AgentState.RESERVED,
        AgentState.ON_CONTACT,
        AgentState.WRAP_UP,
        AgentState.CONSULTING,
    }
)


@mypyc_attr(allow_interpreted_subclasses=True)
class Router(Handling):
    def __init__(self, *, clock: Clock, rng: Rng) -> None:
        super().__init__(clock=clock, rng=rng)
        self.reasons = {r.id: r for r in (*SYSTEM_REASONS, *DEFAULT_REASONS)}

    # Driving -----------------------------------------------------------------------------

    def handle(self, command: cmd.Command) -> list[Event]:
        handler = HANDLERS.get(type(command))
        if handler is None:
            raise InvalidCommand(f"not a routing command: {type(command).__name__}")
        self.fire_due(self.clock.now())
        handler(self, command, self.now)
        return self.take_events()

    def tick(self) -> list[Event]:
        self.fire_due(self.clock.now())
        return self.take_events()

    def take_events(self) -> list[Event]:
        out, self.outbox = self.outbox, []
        return out

    def next_deadline(self) -> float | None:
        agenda = self.agenda
        while agenda:
            _, _, kind, record, token = agenda[0]
            if self.timer_live(kind, record, token):
                return agenda[0][0]
            heapq.heappop(agenda)
        return None

    def configure(self, config: RoutingConfig) -> list[Event]:
        commands: list[cmd.Command] = [
            cmd.ConfigureCenter(config.settings),
            cmd.ConfigureReasons(config.reasons),
            *(cmd.ConfigureCampaign(c) for c in config.campaigns),
            *(cmd.ConfigureQueue(q) for q in config.queues),
            *(cmd.ConfigureAgent(a) for a in config.agents),
        ]
        events: list[Event] = []
        for command in commands:
            events += self.handle(command)
        return events

    def apply(self, events: Iterable[Event]) -> None:
        """Applies recorded events without deciding anything: rebuilding from a log."""
        apply = self._APPLY
        last = self.now
        for n, event in enumerate(events, 1):
            apply[type(event)](self, event)
            last = event.at
            if not n % _PRUNE_EVERY:
                self.compact()
        self.now = max(self.now, last)
        self.flush_dirty()
        self.compact()

    def compact(self) -> None:
        """Drops stale entries (timers, heap places) whose owners have moved on.

        A live core discards those as it meets them; a replay sets every timer and place
        the log implies and decides nothing, so without this it would keep them all.
        """
        live = [t for t in self.agenda if self.timer_live(t[2], t[3], t[4])]
        heapq.heapify(live)
        self.agenda = live
        contacts = self.contacts
        for q in self.queues.values():
            for b in q.buckets:
                b.contacts = _live_places(b.contacts, contacts)
                b.compact_pool()
        for agent in self.agents.values():
            agent.personal = _live_places(agent.personal, contacts)

    @classmethod
    def replay(cls, events: Iterable[Event], *, clock: Clock, rng: Rng) -> Router:
        router = cls(clock=clock, rng=rng)
        router.apply(events)
        return router

    def dump_state(self) -> bytes:
        """The whole state as bytes, for a snapshot the same code version can load.

        A snapshot is only a shortcut: the event log stays the truth, and a snapshot from
        another code version is to be ignored and the log replayed instead.
        """
        if self.outbox:
            raise InvalidCommand("take the pending events before dumping the state")
        state = {name: getattr(self, name) for name in self.STATE_FIELDS}
        return pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL)

    @classmethod
    def load_state(cls, blob: bytes, *, clock: Clock, rng: Rng) -> Router:
        router = cls(clock=clock, rng=rng)
        # Only ever our own snapshots, written by dump_state into our own database. Field by
        # field, not through vars(): a compiled Router keeps its fields in slots.
        for name, value in pickle.loads(blob).items():
            setattr(router, name, value)
        return router

    # Reading -----------------------------------------------------------------------------

    def agent(self, ident: str) -> AgentView:
        a = self.agent_rec(ident)
        return AgentView(
            id=a.id,
            state=a.state,
            since=a.state_since,
            reason=a.reason,
            contact=a.contact,
            pending_reason=a.pending,
            connected=a.connected,
            handled_today=a.handled_today,
        )

    def contact(self, ident: str) -> ContactView:
        return _contact_view(self.contact_rec(ident))

    def agent_ids(self) -> list[str]:
        return list(self.agents)

    def live_contacts(self) -> list[ContactView]:
        return [_contact_view(c) for c in self.contacts.values()]

    def queue(self, ident: str) -> QueueView:
        q = self.queue_rec(ident)
        eligible = q.buckets[q.step_bucket[0]].eligible
        states = [self.agents[a].state for a in eligible]
        oldest = min(
            (
                c.waiting_since
                for c in self.contacts.values()
                if c.queue == q.cfg.id and c.state in (ContactState.QUEUED, ContactState.OFFERED)
            ),
            default=None,
        )
        return QueueView(
            id=q.cfg.id,
            waiting=q.waiting,
            waiting_callers=q.waiting_live,
            oldest_waiting_since=oldest,
            agents_available=sum(s is AgentState.AVAILABLE for s in states),
            agents_staffed=sum(s in _STAFFED for s in states),
            handle_time_s=q.aht,
        )

    def position(self, ident: str) -> int | None:
        """1 for the next contact of its queue to be answered; None unless it is queued."""
        c = self.contact_rec(ident)
        if c.state is not ContactState.QUEUED or c.queue is None:
            return None
        key = c.entry()[:3]
        ahead = sum(
            1
            for other in self.contacts.values()
            if other.queue == c.queue
            and other.state is ContactState.QUEUED
            and other.entry()[:3] < key
        )
        return ahead + 1

    def estimated_wait(self, ident: str) -> float | None:
        """Seconds until answered: position x smoothed handle time / agents staffed for it.

        None when no agent who could take it is signed in (the wait is unbounded).
        """
        pos = self.position(ident)
        c = self.contact_rec(ident)
        if pos is None or c.bucket is None or c.queue is None:
            return None
        staffed = sum(self.agents[a].state in _STAFFED for a in c.bucket.eligible)
        if staffed == 0:
            return None
        return pos * self.queues[c.queue].aht / staffed

    def snapshot(self) -> dict[str, Any]:
        """Everything that determines future behaviour, in a canonical, comparable form."""
        live_timers = sorted(
            (due, kind, record.id)
            for due, _, kind, record, token in self.agenda
            if self.timer_live(kind, record, token)
        )
        waiting: dict[str, list[str]] = {}
        for qid, q in self.queues.items():
            entries = sorted(
                (*e[:3], e[4].id)
                for b in q.buckets
                for e in b.contacts
                if e[4].epoch == e[3] and self.contacts.get(e[4].id) is e[4]
            )
            waiting[qid] = [e[3] for e in entries]
        return {
            "agents": {a: (self.agent(a), sorted(self.agents[a].rr.items())) for a in self.agents},
            "contacts": {c: self.contact(c) for c in sorted(self.contacts)},
            "declined": {c: sorted(x.declined or ()) for c, x in self.contacts.items()},
            "waiting": waiting,
            "personal": {
                a: sorted(e[4].id for e in rec.personal if e[4].epoch == e[3])
                for a, rec in self.agents.items()
            },
            "timers": live_timers,
            "queues": {
                q: (r.waiting, r.waiting_live, r.rr_counter, r.aht) for q, r in self.queues.items()
            },
            "seq": self.seq,
            "settings": self.settings,
            "campaigns": dict(self.campaigns),
            "reasons": dict(self.reasons),
        }


def _live_places(
    heap: list[ContactEntry], contacts: dict[ContactId, Contact]
) -> list[ContactEntry]:
    live = [e for e in heap if e[4].epoch == e[3] and contacts.get(e[4].id) is e[4]]
    heapq.heapify(live)
    return live


def _contact_view(c: Contact) -> ContactView:
    return ContactView(
        id=c.id,
        state=c.state,
        since=c.state_since,
        channel=c.channel,
        caller=c.caller,
        customer=c.customer,
        queue=c.queue,
        priority=c.priority,
        waiting_since=c.waiting_since,
        agent=c.agent,
        preferred_agent=c.target.id if c.target is not None else None,
        origin=c.origin,
        consultant=c.consultant,
        consult_accepted=c.consult_accepted,
    )
