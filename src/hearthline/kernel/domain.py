"""The contract a domain fulfils to take part in the one write path.

A domain (routing, crm, reports, and the modules to come) is a pure package: it decides
commands into events and follows events into state, on the clock and RNG it is given.
``service/domains.py`` lists the domains; the writer, the codec, the live state, the
snapshots and the tenancy of events loop over that list and name none of them.

    DOMAIN = Domain(
        name="crm",
        package="hearthline.crm",
        commands=(CrmCommand,),          # the writer sends these (and subclasses) here
        events=(NoteDrafted, ...),       # the log stores and decodes these
        refusals=(CrmError,),            # a refused command raises one of these
        start=lambda setup: LiveCrm(),   # an empty live state
        load=LiveCrm.load,               # the live state a snapshot holds, or None
    )
"""

from __future__ import annotations

import pickle
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from hearthline.kernel.clock import Clock, Rng


class DomainEvent(Protocol):
    """What every event in the log has: the time it happened (the clock's seconds)."""

    @property
    def at(self) -> float: ...


# (client company, agent) an event concerns; None where it concerns no one in particular.
Concerns = tuple[str | None, str | None]


@dataclass(frozen=True, slots=True)
class Setup:
    """What a live state is built with: the injected clock and RNG, and the length of the
    reporting interval (a snapshot taken with another length cannot serve)."""

    clock: Clock
    rng: Rng
    interval_s: float


class Live:
    """A domain's live state, owned by the writer thread. Every method has a do-nothing
    default, so a domain writes only what it does."""

    def decide(self, command: object) -> Sequence[DomainEvent]:
        """The events ``command`` causes now; raises one of the domain's refusals."""
        raise NotImplementedError(f"{type(self).__name__} decides no commands")

    def tick(self) -> Sequence[DomainEvent]:
        """The events of timers that are due by the clock now."""
        return ()

    def next_deadline(self) -> float | None:
        """When ``tick`` next has work, or None."""
        return None

    def take_events(self) -> Sequence[DomainEvent]:
        """Events a refused command left behind (timers that fired before it)."""
        return ()

    def concerns(self, event: DomainEvent) -> Concerns | None:
        """Whom ``event`` concerns, if this domain knows; called once per event, in log
        order, live and in replay, so it may remember what later events need."""
        return None

    def follow(self, event: DomainEvent) -> None:
        """Follows an event of any domain just decided, before it is stored."""

    def replay(self, events: Sequence[DomainEvent]) -> None:
        """Follows events read back from the log (recovery), in order."""
        follow = self.follow
        if type(self).concerns is Live.concerns:  # nothing to remember: the hot path
            for event in events:
                follow(event)
            return
        for event in events:
            self.concerns(event)
            follow(event)

    def dump(self) -> bytes:
        """The state for a snapshot that this same code can load."""
        return pickle.dumps(self, protocol=pickle.HIGHEST_PROTOCOL)


@dataclass(frozen=True, slots=True)
class Domain:
    name: str
    package: str
    commands: tuple[type, ...]
    events: tuple[type, ...]
    refusals: tuple[type[Exception], ...]
    start: Callable[[Setup], Live]
    load: Callable[[bytes, Setup], Live | None]
    # Commands only the service issues (configuration, recovery): refused from outside.
    reserved: tuple[type, ...] = ()
    # The domain checks its commands' text and numbers itself, with its own refusals;
    # otherwise the writer checks that the log can hold them (``service/checks.py``).
    checks_own_values: bool = False


def load_pickled(blob: bytes, setup: Setup) -> Live | None:
    """``Domain.load`` for a live state that pickles whole (the default ``dump``)."""
    # Only ever our own snapshots, written by ``dump`` into our own database.
    live = pickle.loads(blob)
    return live if isinstance(live, Live) else None
