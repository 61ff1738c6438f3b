"""The hub: committed events, fanned out to the streams allowed to see them.

The writer calls ``Hub.receive`` on its thread after each commit, in log order, with
each event in its envelope: the writer has worked out whom it concerns (its client
company, and the agent it is about or whose contact it is). The hub hands the envelopes
to the event loop in one call per burst, then on the loop encodes each event once,
keeps it in a ring buffer for streams that resume, and appends it to the pending list
of every stream that may see it. Fan-out costs the number of recipients, not the
number of streams.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field

from hearthline.api.directory import Directory
from hearthline.api.history import INTERNAL, public_fields
from hearthline.api.principal import Principal, Role
from hearthline.kernel.envelope import Envelope
from hearthline.service.domains import CODEC


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
    # How it signed in ("session" or "token", and the secret): checked again when
    # credentials are revoked, so a stream never outlives its sign-in.
    credential: tuple[str, str] = ("", "")
    pending: deque[tuple[int, str]] = field(default_factory=deque)
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    # Too far behind: it gets a reset and a fresh snapshot instead of the backlog.
    overflowed: bool = False
    # Set when its sign-in ended: the close code and reason the socket closes with.
    closing: tuple[int, str] | None = None

    def close(self, code: int, reason: str) -> None:
        self.closing = (code, reason)
        self.wake.set()

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
        self._inbox: list[Envelope] = []
        self._inbox_lock = threading.Lock()
        self._scheduled = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._firm: set[Stream] = set()
        self._viewers: dict[str, set[Stream]] = {}
        self._supervisors: dict[str, set[Stream]] = {}
        self._agents: dict[str, set[Stream]] = {}
        self.listeners: list[asyncio.Queue[Entry]] = []

    # From the writer thread ---------------------------------------------------------------

    def attach(self, loop: asyncio.AbstractEventLoop, *, last_event_id: int) -> None:
        self._loop = loop
        self.last_id = last_event_id

    @property
    def loop(self) -> asyncio.AbstractEventLoop | None:
        """The server's event loop, where streams are written (None before it starts)."""
        return self._loop

    def receive(self, envelope: Envelope) -> None:
        """The writer's subscriber: called on the writer thread, after commit, in order."""
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        with self._inbox_lock:
            self._inbox.append(envelope)
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
        for envelope in items:
            self.publish(envelope)

    def publish(self, envelope: Envelope) -> None:
        log_id, event, client, agent = envelope.id, envelope.event, envelope.client, envelope.agent
        if log_id <= self.last_id:
            return
        self.directory.follow(event)
        name = type(event).__name__
        payload = CODEC.encode(event)
        if name in INTERNAL:
            payload = json.dumps(public_fields(name, json.loads(payload)), separators=(",", ":"))
        text = f'{{"type":"event","id":{log_id},"event":{{"type":"{name}",{payload[1:]}}}'
        entry = Entry(log_id, text, client, agent)
        self.buffer.append(entry)
        self.last_id = log_id
        recipients = self._recipients(client, agent)
        asker: str | None = getattr(event, "asker", None)
        if asker is not None:
            # A consult's event concerns the consulted agent; the agent who asked, whose
            # call it is, is told too (their desk reads the outcome from the core).
            recipients = {*recipients, *self._agents.get(asker, ())}
        for stream in recipients:
            stream.push(log_id, text, limit=self.backlog)
        for q in self.listeners:
            q.put_nowait(entry)

    def _recipients(self, client: str | None, agent: str | None) -> Iterable[Stream]:
        out: set[Stream] = set(self._firm)
        if client is not None:
            out.update(self._viewers.get(client, ()))
            out.update(self._supervisors.get(client, ()))
        if agent is not None:
            out.update(self._agents.get(agent, ()))
            if client is None:  # the agent's own state: every client they work for
                for cl in self.directory.agent_clients(agent):
                    out.update(self._supervisors.get(cl, ()))
        return out

    def may_see(self, principal: Principal, entry: Entry) -> bool:
        if principal.firm_wide:
            return True
        role = principal.role
        if role is Role.AGENT:
            return entry.agent is not None and entry.agent == principal.agent_id
        if entry.client is not None:
            # A client's work is that client's alone, even on an agent who also works
            # for the supervisor's client.
            return entry.client == principal.client_id
        return (
            role is Role.SUPERVISOR
            and entry.agent is not None
            and principal.client_id in self.directory.agent_clients(entry.agent)
        )

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

    def open(self, principal: Principal, credential: tuple[str, str] = ("", "")) -> Stream:
        stream = Stream(principal, credential)
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

    def notify_agents(self, message: dict[str, object], agents: Iterable[str]) -> None:
        """A notice for these agents' own streams only (a bulletin sent to them)."""
        text = json.dumps(message)
        for agent in agents:
            for stream in self._agents.get(agent, ()):
                stream.push(0, text, limit=self.backlog)

    def tell_agent(self, agent: str, message: dict[str, object]) -> None:
        """A notice for one agent's own pages alone (their call's media offer)."""
        self.notify_agents(message, (agent,))

    def streams(self) -> list[Stream]:
        """Every open stream (a copy: closing one while iterating is safe)."""
        groups = (self._viewers, self._supervisors, self._agents)
        return [*self._firm, *(s for g in groups for group in g.values() for s in group)]

    @property
    def stream_count(self) -> int:
        return (
            len(self._firm)
            + sum(len(s) for s in self._viewers.values())
            + sum(len(s) for s in self._supervisors.values())
            + sum(len(s) for s in self._agents.values())
        )
