"""The hub: committed events, fanned out to the streams allowed to see them.

The center calls ``Hub.receive`` on its writer thread after each commit, in log order.
The hub hands the events to the event loop in one call per burst, then on the loop:
works out whom each event concerns (its client company, and the agent it is about or
whose contact it is), encodes it once, keeps it in a ring buffer for streams that
resume, and appends it to the pending list of every stream that may see it. Fan-out
costs the number of recipients, not the number of streams.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
from collections import OrderedDict, deque
from collections.abc import Iterable
from dataclasses import dataclass, field

from hearthline.api.directory import Directory
from hearthline.api.principal import Principal, Role
from hearthline.routing import events as ev
from hearthline.store import codec
from hearthline.store.codec import AnyEvent

_FORGET_CONTACT_AGENT = (
    ev.OfferDeclined,
    ev.OfferTimedOut,
    ev.OfferRescinded,
    ev.ContactTransferred,
    ev.ContactCompleted,
    ev.ContactAbandoned,
    ev.ContactDropped,
    ev.ContactOverflowed,
    ev.ContactConvertedToCallback,
)
_ENDINGS = _FORGET_CONTACT_AGENT[4:]
# Ended contacts whose client company is remembered (notes come after the call).
_CONTACT_MEMORY = 200_000


@dataclass(frozen=True, slots=True)
class Entry:
    id: int
    text: str
    client: str | None
    # The agent the event is about, or who has its contact: the one agent who sees it.
    agent: str | None


@dataclass(eq=False, slots=True)
class Stream:
    """One connected stream: what it may see, and what waits to be sent to it."""

    principal: Principal
    pending: deque[tuple[int, str]] = field(default_factory=deque)
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    # Too far behind: it gets a reset and a fresh snapshot instead of the backlog.
    overflowed: bool = False

    def push(self, ident: int, text: str, *, limit: int) -> None:
        if self.overflowed:
            return
        if len(self.pending) >= limit:
            self.overflowed = True
            self.pending.clear()
        else:
            self.pending.append((ident, text))
        self.wake.set()


class Hub:
    def __init__(self, directory: Directory, *, buffer: int, backlog: int) -> None:
        self.directory = directory
        self.backlog = backlog
        self.buffer: deque[Entry] = deque(maxlen=buffer)
        self.last_id = 0
        self._inbox: list[tuple[int, AnyEvent]] = []
        self._inbox_lock = threading.Lock()
        self._scheduled = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._firm: set[Stream] = set()
        self._viewers: dict[str, set[Stream]] = {}
        self._supervisors: dict[str, set[Stream]] = {}
        self._agents: dict[str, set[Stream]] = {}
        self._contact_agent: dict[str, str] = {}
        # The agent a live contact was last offered to, kept until the contact ends.
        self._offered_to: dict[str, str] = {}
        self._contact_client: OrderedDict[str, str] = OrderedDict()
        self.listeners: list[asyncio.Queue[Entry]] = []

    # From the writer thread ---------------------------------------------------------------

    def attach(self, loop: asyncio.AbstractEventLoop, *, last_event_id: int) -> None:
        self._loop = loop
        self.last_id = last_event_id

    def receive(self, log_id: int, event: AnyEvent) -> None:
        """The center's subscriber: called on the writer thread, after commit, in order."""
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        with self._inbox_lock:
            self._inbox.append((log_id, event))
            if self._scheduled:
                return
            self._scheduled = True
        with contextlib.suppress(RuntimeError):  # the loop closed while we were stopping
            loop.call_soon_threadsafe(self._drain)

    # On the event loop --------------------------------------------------------------------

    def _drain(self) -> None:
        with self._inbox_lock:
            items, self._inbox = self._inbox, []
            self._scheduled = False
        for log_id, event in items:
            self.publish(log_id, event)

    def publish(self, log_id: int, event: AnyEvent) -> None:
        if log_id <= self.last_id:
            return
        self.directory.follow(event)
        client, agent = self._concerns(event)
        name = type(event).__name__
        payload = codec.encode(event)
        text = f'{{"type":"event","id":{log_id},"event":{{"type":"{name}",{payload[1:]}}}'
        entry = Entry(log_id, text, client, agent)
        self.buffer.append(entry)
        self.last_id = log_id
        for stream in self._recipients(client, agent):
            stream.push(log_id, text, limit=self.backlog)
        for q in self.listeners:
            q.put_nowait(entry)

    def _concerns(self, event: AnyEvent) -> tuple[str | None, str | None]:
        contact = getattr(event, "contact", None)
        agent = getattr(event, "agent", None)
        client: str | None = None
        if isinstance(event, ev.CampaignConfigured):
            client = event.campaign.client
        elif isinstance(event, ev.QueueConfigured):
            client = self.directory.queue_client(event.queue.id)
        elif contact is not None:
            client = self._contact_client_of(contact, event)
            if agent is None:
                agent = self._contact_agent.get(contact)
            if isinstance(event, ev.ContactOffered):
                self._contact_agent[contact] = event.agent
                self._offered_to[contact] = event.agent
            elif isinstance(event, _FORGET_CONTACT_AGENT):
                self._contact_agent.pop(contact, None)
                if isinstance(event, _ENDINGS):
                    self._offered_to.pop(contact, None)
        return client, agent

    def _contact_client_of(self, contact: str, event: AnyEvent) -> str | None:
        known = self._contact_client
        client: str | None = None
        if isinstance(event, ev.ContactArrived) and event.campaign is not None:
            client = self.directory.campaign_client.get(event.campaign)
        elif isinstance(event, (ev.ContactQueued, ev.ContactScheduled)):
            client = self.directory.queue_client(event.queue)
        if isinstance(event, ev.ContactConvertedToCallback) and contact in known:
            known[event.callback] = known[contact]
        if client is not None:
            known[contact] = client
            known.move_to_end(contact)
            while len(known) > _CONTACT_MEMORY:
                known.popitem(last=False)
            return client
        return known.get(contact)

    def _recipients(self, client: str | None, agent: str | None) -> Iterable[Stream]:
        out: set[Stream] = set(self._firm)
        if client is not None:
            out.update(self._viewers.get(client, ()))
            out.update(self._supervisors.get(client, ()))
        if agent is not None:
            out.update(self._agents.get(agent, ()))
            for cl in self.directory.agent_clients(agent):
                out.update(self._supervisors.get(cl, ()))
        return out

    def may_see(self, principal: Principal, entry: Entry) -> bool:
        if principal.firm_wide:
            return True
        role = principal.role
        if role is Role.AGENT:
            return entry.agent is not None and entry.agent == principal.agent_id
        if entry.client is not None and entry.client == principal.client_id:
            return True
        return (
            role is Role.SUPERVISOR
            and entry.agent is not None
            and principal.client_id in self.directory.agent_clients(entry.agent)
        )

    def client_of_contact(self, contact: str) -> str | None:
        return self._contact_client.get(contact)

    def had_contact(self, contact: str, agent: str) -> bool:
        """True when the live contact is, or was last, offered to ``agent``."""
        return agent in (self._contact_agent.get(contact), self._offered_to.get(contact))

    # Streams ---------------------------------------------------------------------------------

    def _index(self, principal: Principal) -> set[Stream] | None:
        if principal.firm_wide:
            return self._firm
        if principal.role is Role.AGENT and principal.agent_id is not None:
            return self._agents.setdefault(principal.agent_id, set())
        if principal.client_id is None:
            return None
        table = self._supervisors if principal.role is Role.SUPERVISOR else self._viewers
        return table.setdefault(principal.client_id, set())

    def open(self, principal: Principal) -> Stream:
        stream = Stream(principal)
        index = self._index(principal)
        if index is not None:
            index.add(stream)
        return stream

    def close(self, stream: Stream) -> None:
        index = self._index(stream.principal)
        if index is not None:
            index.discard(stream)

    def can_resume(self, after: int) -> bool:
        """True when every event after ``after`` is still in the buffer."""
        if after > self.last_id or after < 0:
            return False
        if after == self.last_id:
            return True
        return bool(self.buffer) and self.buffer[0].id <= after + 1

    def replay(self, stream: Stream, after: int) -> None:
        """Queues the buffered events after ``after`` that the stream may see."""
        buf = self.buffer
        start = max(0, after + 1 - buf[0].id) if buf else 0
        for i in range(start, len(buf)):
            entry = buf[i]
            if self.may_see(stream.principal, entry):
                stream.push(entry.id, entry.text, limit=self.backlog)

    def notify(self, message: dict[str, object], *, agent: str | None, client: str | None) -> None:
        """A notice that is not a log event (help requests): sent as is, never replayed."""
        text = json.dumps(message)
        for stream in self._recipients(client, agent):
            if stream.principal.role is not Role.CLIENT_VIEWER:
                stream.push(0, text, limit=self.backlog)

    @property
    def stream_count(self) -> int:
        return (
            len(self._firm)
            + sum(len(s) for s in self._viewers.values())
            + sum(len(s) for s in self._supervisors.values())
            + sum(len(s) for s in self._agents.values())
        )
