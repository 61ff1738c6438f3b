"""The core's mutable records and the state every part of the router shares.

Only the appliers (apply.py) change these records, and only in response to events; the
decision code reads them and emits events. Records are plain slotted classes: the core
touches them on every event and a dataclass's extra machinery would cost time.

Waiting contacts and available agents are indexed per *bucket*: one bucket per queue and
per distinct skill requirement its escalation steps use, and one more per step and
requirement of a contact's own (a menu's "French speakers"), made when first needed. A
bucket holds a heap of its waiting contacts (priority, then time waited, then arrival
order) and a pool of its available agents ordered by the queue's strategy. Entries are
removed lazily: each entry carries the version its owner had when it went in, and a
changed version makes it stale.
That keeps every routing decision proportional to the buckets one agent or one contact
belongs to, never to all agents times all queues.
"""

from __future__ import annotations

import heapq
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, ClassVar

from hearthline.kernel.clock import Clock, Rng
from hearthline.kernel.ids import AgentId, CampaignId, ContactId, CustomerId, QueueId, ReasonId
from hearthline.kernel.records import mypyc_attr
from hearthline.routing.config import (
    AgentProfile,
    CampaignConfig,
    CenterSettings,
    Channel,
    NotReadyReason,
    QueueConfig,
    Strategy,
)
from hearthline.routing.errors import UnknownEntity
from hearthline.routing.events import Event
from hearthline.routing.skills import Requirement
from hearthline.routing.states import AgentState, ContactState

# (-priority, waiting_since, seq, epoch, contact): epochs are unique, so comparison stops there.
ContactEntry = tuple[int, float, int, int, "Contact"]
# (strategy keys..., ordinal, version, agent): ordinals are unique, so comparison stops there.
AgentEntry = tuple[Any, ...]

# Timer kinds.
T_STEP, T_MAX_WAIT, T_PREFER, T_DUE, T_OFFER, T_WRAP, T_GRACE, T_CONSULT = range(8)
TimerEntry = tuple[float, int, int, Any, int]  # (due, seq, kind, record, token)

# The records below go into a snapshot (Router.dump_state pickles them). Compiled by mypyc
# (bench/compiled.py) a class is native and its unpickling would call ``__init__`` with no
# arguments; ``serializable`` makes it restore the fields as plain Python does.

# Ended contacts remembered so a late command gets a precise refusal ("it was abandoned").
ENDED_MEMORY = 10_000


@mypyc_attr(serializable=True)
class Contact:
    __slots__ = (
        "agent",
        "answered_at",
        "bucket",
        "caller",
        "campaign",
        "channel",
        "consult_accepted",
        "consultant",
        "customer",
        "data",
        "declined",
        "due_at",
        "ended_at",
        "epoch",
        "expires_at",
        "id",
        "offered_at",
        "origin",
        "overflows",
        "prefer_until",
        "priority",
        "queue",
        "queued_at",
        "requirement",
        "seq",
        "state",
        "state_since",
        "step",
        "target",
        "waiting_since",
    )

    def __init__(
        self,
        ident: ContactId,
        channel: Channel,
        caller: str,
        customer: CustomerId | None,
        campaign: CampaignId | None,
        data: tuple[tuple[str, str], ...],
        origin: ContactId | None,
        at: float,
        requirement: str | None = None,
    ) -> None:
        self.id = ident
        # Its own skill requirement, met on top of its queue's (a menu's skill choice).
        self.requirement = requirement
        self.channel = channel
        self.caller = caller
        self.customer = customer
        self.campaign = campaign
        self.data = data
        self.origin = origin
        self.state = ContactState.ARRIVING
        self.state_since = at
        self.queue: QueueId | None = None
        self.priority = 0
        self.waiting_since = at
        self.queued_at = at
        self.seq = -1
        self.step = 0
        self.epoch = 0
        self.bucket: Bucket | None = None
        self.target: Agent | None = None
        self.prefer_until: float | None = None
        self.agent: AgentId | None = None
        self.declined: set[AgentId] | None = None
        self.offered_at: float | None = None
        self.expires_at: float | None = None
        self.answered_at: float | None = None
        self.ended_at: float | None = None
        self.due_at: float | None = None
        self.overflows = 0
        # In a consult: the agent asked (ringing until accepted, then talking).
        self.consultant: AgentId | None = None
        self.consult_accepted = False

    def entry(self) -> ContactEntry:
        return (-self.priority, self.waiting_since, self.seq, self.epoch, self)


@mypyc_attr(serializable=True)
class Agent:
    __slots__ = (
        "available_since",
        "buckets",
        "connected",
        "contact",
        "handled_today",
        "id",
        "levels",
        "lost_at",
        "ordinal",
        "pending",
        "pending_signout",
        "personal",
        "profile",
        "pushed_version",
        "reason",
        "rr",
        "state",
        "state_since",
        "version",
        "wrap_ends_at",
    )

    def __init__(self, profile: AgentProfile, ordinal: int) -> None:
        self.id = profile.id
        self.profile = profile
        self.levels = profile.levels
        self.ordinal = ordinal
        self.state = AgentState.OFFLINE
        self.state_since = 0.0
        self.reason: ReasonId | None = None
        self.version = 0
        self.pushed_version = -1
        self.contact: ContactId | None = None
        self.pending: ReasonId | None = None
        self.pending_signout = False
        self.connected = True
        self.lost_at: float | None = None
        self.handled_today = 0
        self.available_since = 0.0
        self.rr: dict[QueueId, int] = {}
        self.buckets: list[Bucket] = []
        # Contacts waiting for this agent by name: a transfer, a dropped call's callback.
        self.personal: list[ContactEntry] = []
        self.wrap_ends_at: float | None = None


@mypyc_attr(serializable=True)
class Bucket:
    """Waiting contacts and available agents for one queue under one skill requirement."""

    __slots__ = (
        "campaign",
        "contacts",
        "eligible",
        "pool",
        "queue",
        "rank_skill",
        "requirement",
        "strategy",
    )

    def __init__(
        self, queue: QueueRt, requirement: Requirement, strategy: Strategy, rank_skill: str | None
    ) -> None:
        self.queue = queue
        self.campaign = queue.cfg.campaign
        self.requirement = requirement
        self.strategy = strategy
        self.rank_skill = rank_skill
        self.contacts: list[ContactEntry] = []
        self.pool: list[AgentEntry] = []
        self.eligible: set[AgentId] = set()

    def admits(self, agent: Agent) -> bool:
        return self.campaign in agent.profile.campaigns and self.requirement(agent.levels)

    def agent_entry(self, a: Agent) -> AgentEntry:
        s = self.strategy
        if s is Strategy.LONGEST_IDLE:
            return (a.available_since, a.ordinal, a.version, a)
        if s is Strategy.HIGHEST_SKILL:
            level = a.levels.get(self.rank_skill, 0) if self.rank_skill else 0
            return (-level, a.available_since, a.ordinal, a.version, a)
        if s is Strategy.FEWEST_CONTACTS:
            return (a.handled_today, a.available_since, a.ordinal, a.version, a)
        if s is Strategy.ROUND_ROBIN:
            return (a.rr.get(self.queue.cfg.id, -1), a.ordinal, a.version, a)
        # RANDOM: the pool is an unordered list; the pick draws from the injected RNG.
        return (a.ordinal, a.version, a)

    def push_contact(self, c: Contact) -> None:
        heapq.heappush(self.contacts, c.entry())
        if len(self.contacts) > 64 and len(self.contacts) > 4 * self.queue.waiting + 64:
            self.contacts = [e for e in self.contacts if e[4].epoch == e[3]]
            heapq.heapify(self.contacts)

    def push_agent(self, a: Agent) -> None:
        if self.strategy is Strategy.RANDOM:
            self.pool.append(self.agent_entry(a))
        else:
            heapq.heappush(self.pool, self.agent_entry(a))
        if len(self.pool) > 64 and len(self.pool) > 4 * len(self.eligible) + 64:
            self.compact_pool()

    def compact_pool(self) -> None:
        live = [e for e in self.pool if e[-1].version == e[-2] and e[-1].state is _AVAILABLE]
        if self.strategy is not Strategy.RANDOM:
            heapq.heapify(live)
        self.pool = live


_AVAILABLE = AgentState.AVAILABLE


@mypyc_attr(serializable=True)
class QueueRt:
    """A queue at run time: its config, its buckets, and the counters decisions need."""

    __slots__ = (
        "aht",
        "buckets",
        "cfg",
        "needs",
        "rr_counter",
        "step_bucket",
        "waiting",
        "waiting_live",
    )

    def __init__(self, cfg: QueueConfig) -> None:
        self.cfg = cfg
        self.buckets: list[Bucket] = []
        self.step_bucket: list[int] = []
        # Buckets for contacts with a requirement of their own, made when the first such
        # contact waits: (the step's bucket, the contact's requirement) -> bucket.
        self.needs: dict[tuple[int, str], Bucket] = {}
        self.waiting = 0  # queued or ringing
        self.waiting_live = 0  # of those, callers on the line (callbacks excluded)
        self.rr_counter = 0
        # Handle time, smoothed, for estimated waits; starts at the configured expectation.
        self.aht = cfg.expected_handle_s


@mypyc_attr(allow_interpreted_subclasses=True)
class RouterState:
    """Everything the core knows, plus the plumbing to emit events and set timers."""

    _APPLY: ClassVar[dict[type[Event], Callable[[Any, Any], None]]] = {}
    # What a snapshot holds: everything but the injected clock and RNG and the outbox.
    STATE_FIELDS: ClassVar[tuple[str, ...]] = (
        "settings",
        "campaigns",
        "queues",
        "agents",
        "contacts",
        "ended",
        "reasons",
        "seq",
        "epoch",
        "timer_seq",
        "agenda",
        "now",
        "dirty",
        "eligibility_cache",
    )

    def __init__(self, *, clock: Clock, rng: Rng) -> None:
        self.clock = clock
        self.rng = rng
        self.settings = CenterSettings()
        self.campaigns: dict[CampaignId, CampaignConfig] = {}
        self.queues: dict[QueueId, QueueRt] = {}
        self.agents: dict[AgentId, Agent] = {}
        self.contacts: dict[ContactId, Contact] = {}
        self.ended: OrderedDict[ContactId, ContactState] = OrderedDict()
        self.reasons: dict[ReasonId, NotReadyReason] = {}
        self.seq = 0
        self.epoch = 0
        self.timer_seq = 0
        self.agenda: list[TimerEntry] = []
        self.now = clock.now()
        self.outbox: list[Event] = []
        self.dirty: list[Agent] = []
        self.eligibility_cache: dict[tuple[object, ...], list[Bucket]] = {}

    # Emitting ------------------------------------------------------------------------

    def emit(self, event: Event) -> None:
        self._APPLY[type(event)](self, event)
        self.outbox.append(event)

    def next_epoch(self) -> int:
        self.epoch += 1
        return self.epoch

    def schedule(self, due: float, kind: int, record: Any, token: int) -> None:
        self.timer_seq += 1
        heapq.heappush(self.agenda, (due, self.timer_seq, kind, record, token))

    # Lookups that refuse clearly ---------------------------------------------------------

    def agent_rec(self, ident: str) -> Agent:
        try:
            return self.agents[AgentId(ident)]
        except KeyError:
            raise UnknownEntity("agent", ident) from None

    def contact_rec(self, ident: str) -> Contact:
        try:
            return self.contacts[ContactId(ident)]
        except KeyError:
            ended = self.ended.get(ContactId(ident))
            detail = f"it has ended: {ended}" if ended is not None else ""
            raise UnknownEntity("contact", ident, detail) from None

    def queue_rec(self, ident: str) -> QueueRt:
        try:
            return self.queues[QueueId(ident)]
        except KeyError:
            raise UnknownEntity("queue", ident) from None

    def forget(self, c: Contact) -> None:
        del self.contacts[c.id]
        self.ended[c.id] = c.state
        if len(self.ended) > ENDED_MEMORY:
            self.ended.popitem(last=False)
