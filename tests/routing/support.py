"""Small builders for routing tests: a center with a clock the test moves."""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass, field

from hearthline.routing import (
    AgentProfile,
    CampaignConfig,
    ManualClock,
    QueueConfig,
    Router,
    RoutingConfig,
)
from hearthline.routing import commands as cmd
from hearthline.routing.events import Event


@dataclass
class Center:
    router: Router
    clock: ManualClock
    log: list[Event] = field(default_factory=list)

    def do(self, command: cmd.Command) -> list[Event]:
        out = self.router.handle(command)
        self.log += out
        return out

    def wait(self, seconds: float) -> list[Event]:
        self.clock.advance(seconds)
        out = self.router.tick()
        self.log += out
        return out

    def state(self, agent: str) -> str:
        return str(self.router.agent(agent).state)

    def offered(self, events: Iterable[Event]) -> list[tuple[str, str]]:
        from hearthline.routing.events import ContactOffered

        return [(e.contact, e.agent) for e in events if isinstance(e, ContactOffered)]


def center(
    queues: Iterable[QueueConfig] = (),
    agents: Iterable[AgentProfile] = (),
    *,
    campaigns: Iterable[CampaignConfig] = (),
    seed: int = 1,
) -> Center:
    clock = ManualClock(0.0)
    router = Router(clock=clock, rng=random.Random(seed))
    queues = tuple(queues) or (QueueConfig("q1", "sales"),)
    camps = tuple(campaigns) or tuple(
        CampaignConfig(c, "acme") for c in sorted({q.campaign for q in queues})
    )
    c = Center(router, clock)
    c.log += router.configure(RoutingConfig(campaigns=camps, queues=queues, agents=tuple(agents)))
    return c


def agent(ident: str, campaigns: Iterable[str] = ("sales",), **skills: int) -> AgentProfile:
    return AgentProfile.of(ident, skills, campaigns)
