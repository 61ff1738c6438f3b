"""The live state the writer owns, and how it is rebuilt from the store on start.

Each registered domain (``service/domains.py``) keeps a live part that follows the log:
the routing core and the tenancy of events, the notebook, the stats projection. A
snapshot holds every part at one event id; recovery loads the newest one this code can
read and applies the events after it, or replays the whole log when there is none.
"""

from __future__ import annotations

import pickle
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import Engine

from hearthline.kernel.clock import Clock, Rng
from hearthline.kernel.domain import Concerns, Domain, DomainEvent, Live, Setup
from hearthline.kernel.envelope import Envelope
from hearthline.service.domains import CODE_VERSION, CODEC, DOMAINS
from hearthline.service.errors import BadCommand
from hearthline.store.log import read_events
from hearthline.store.snapshots import Snapshot, latest_snapshot

L = TypeVar("L", bound=Live)
_REPLAY_PAGE = 5000


@dataclass(slots=True)
class Recovered:
    """What recovery found: where the log ends and how much of it was replayed."""

    last_event_id: int
    snapshot_event_id: int | None
    replayed: int


class LiveState:
    def __init__(self, parts: Sequence[Live], domains: Sequence[Domain] = DOMAINS) -> None:
        self.parts = tuple(parts)
        self.domains = tuple(domains)
        # Only the parts that do something with each event are asked: this is per event.
        self._concerns = [p.concerns for p in self.parts if type(p).concerns is not Live.concerns]
        self._follows = [p.follow for p in self.parts if type(p).follow is not Live.follow]
        self._owner: dict[type, Live] = {}
        for domain, part in zip(self.domains, self.parts, strict=True):
            for kind in domain.commands:
                self._owner[kind] = part

    def part(self, kind: type[L]) -> L:
        """The live part of the domain whose live state is a ``kind``."""
        for part in self.parts:
            if isinstance(part, kind):
                return part
        raise LookupError(f"no registered domain keeps a {kind.__name__}")

    # Deciding ------------------------------------------------------------------------------

    def owner(self, command: object) -> Live:
        """The live part that decides ``command``: the domain registered for its type."""
        for kind in type(command).__mro__:
            part = self._owner.get(kind)
            if part is not None:
                return part
        raise BadCommand(f"not a command: {type(command).__name__}")

    def tick(self) -> list[DomainEvent]:
        return [event for part in self.parts for event in part.tick()]

    def next_deadline(self) -> float | None:
        due = [d for part in self.parts if (d := part.next_deadline()) is not None]
        return min(due, default=None)

    def take_events(self) -> list[DomainEvent]:
        return [event for part in self.parts for event in part.take_events()]

    # Following events ---------------------------------------------------------------------

    def observe(self, event: DomainEvent) -> Concerns:
        """Follows an event just decided, before it is stored; says whom it concerns."""
        concerns: Concerns | None = None
        for concern in self._concerns:
            found = concern(event)
            if concerns is None:
                concerns = found
        for follow in self._follows:
            follow(event)
        if concerns is None:  # no domain knows more than the event itself says
            return getattr(event, "client", None), getattr(event, "agent", None)
        return concerns

    def replay(self, batch: Sequence[Envelope]) -> int:
        """Applies events read back from the log (recovery), in order."""
        events = [envelope.event for envelope in batch]
        for part in self.parts:
            part.replay(events)
        return len(events)

    # Snapshots ----------------------------------------------------------------------------

    def dump(self, *, last_event_id: int, taken_at: float) -> Snapshot:
        state = {d.name: part.dump() for d, part in zip(self.domains, self.parts, strict=True)}
        return Snapshot(
            last_event_id=last_event_id,
            code_version=CODE_VERSION,
            taken_at=taken_at,
            state=pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL),
        )

    @classmethod
    def empty(cls, setup: Setup) -> LiveState:
        return cls([d.start(setup) for d in DOMAINS])

    @classmethod
    def from_snapshot(cls, snap: Snapshot, setup: Setup) -> LiveState | None:
        """The state the snapshot holds, or None if it cannot serve (other settings)."""
        # Our own snapshots only, written by ``dump`` into our own database.
        state: dict[str, bytes] = pickle.loads(snap.state)
        parts: list[Live] = []
        for domain in DOMAINS:
            blob = state.get(domain.name)
            part = domain.load(blob, setup) if blob is not None else None
            if part is None:
                return None
            parts.append(part)
        return cls(parts)


def recover(
    engine: Engine, *, clock: Clock, rng: Rng, interval_s: float, use_snapshot: bool = True
) -> tuple[LiveState, Recovered]:
    """The live state as of the end of the log: newest usable snapshot plus the tail."""
    setup = Setup(clock=clock, rng=rng, interval_s=interval_s)
    state: LiveState | None = None
    after = 0
    snap_id: int | None = None
    if use_snapshot:
        with engine.connect() as conn:
            snap = latest_snapshot(conn, version=CODE_VERSION)
        if snap is not None:
            state = LiveState.from_snapshot(snap, setup)
            if state is not None:
                after = snap_id = snap.last_event_id
    if state is None:
        state = LiveState.empty(setup)
    replayed = 0
    last = after
    for page in _pages(read_events(engine, CODEC, after=after)):
        replayed += state.replay(page)
        last = page[-1].id
    return state, Recovered(last_event_id=last, snapshot_event_id=snap_id, replayed=replayed)


def _pages(envelopes: Iterable[Envelope]) -> Iterable[list[Envelope]]:
    page: list[Envelope] = []
    for envelope in envelopes:
        page.append(envelope)
        if len(page) >= _REPLAY_PAGE:
            yield page
            page = []
    if page:
        yield page
