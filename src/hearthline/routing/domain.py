"""The routing core as a domain of the one write path (see ``kernel.domain``).

The live state is the ``Router`` and the ``Tenancy`` beside it; the Router is what
decides, the Tenancy says whom each event concerns.
"""

from __future__ import annotations

import pickle
from collections.abc import Sequence

from hearthline.kernel.domain import Concerns, Domain, DomainEvent, Live, Setup
from hearthline.routing import commands as cmd
from hearthline.routing import events as ev
from hearthline.routing.errors import RoutingError
from hearthline.routing.router import Router
from hearthline.routing.tenancy import Tenancy


class LiveRouting(Live):
    def __init__(self, router: Router, tenancy: Tenancy) -> None:
        self.router = router
        self.tenancy = tenancy

    def decide(self, command: object) -> Sequence[DomainEvent]:
        assert isinstance(command, cmd.Command)  # the writer sends only what we registered
        return self.router.handle(command)

    def tick(self) -> Sequence[DomainEvent]:
        return self.router.tick()

    def next_deadline(self) -> float | None:
        return self.router.next_deadline()

    def take_events(self) -> Sequence[DomainEvent]:
        return self.router.take_events()

    def concerns(self, event: DomainEvent) -> Concerns | None:
        return self.tenancy.concerns(event)

    def replay(self, events: Sequence[DomainEvent]) -> None:
        routing: list[ev.Event] = []
        for event in events:
            self.tenancy.concerns(event)
            if isinstance(event, ev.Event):
                routing.append(event)
        self.router.apply(routing)

    def dump(self) -> bytes:
        return pickle.dumps(
            (self.router.dump_state(), self.tenancy), protocol=pickle.HIGHEST_PROTOCOL
        )

    @classmethod
    def load(cls, blob: bytes, setup: Setup) -> LiveRouting:
        # Only ever our own snapshots, written by ``dump`` into our own database.
        state, tenancy = pickle.loads(blob)
        return cls(Router.load_state(state, clock=setup.clock, rng=setup.rng), tenancy)

    @classmethod
    def start(cls, setup: Setup) -> LiveRouting:
        return cls(Router(clock=setup.clock, rng=setup.rng), Tenancy())


DOMAIN = Domain(
    name="routing",
    package="hearthline.routing",
    commands=(cmd.Command,),
    events=tuple(ev.EVENT_TYPES.values()),
    refusals=(RoutingError,),
    start=LiveRouting.start,
    load=LiveRouting.load,
    # Configuration goes through the writer's ``update_*``, so that the tables change in
    # the same transaction; recovery happens on start.
    reserved=(
        cmd.ConfigureCenter,
        cmd.ConfigureCampaign,
        cmd.ConfigureQueue,
        cmd.ConfigureAgent,
        cmd.ConfigureReasons,
        cmd.RecoverAfterRestart,
    ),
)
