"""The routing core: a pure, deterministic automatic call distributor.

It reads time from an injected clock and randomness from an injected RNG, and knows
nothing of HTTP, SQL or asyncio. The server drives it with the wall clock; the
simulator drives the very same core with a virtual clock. See docs/routing.md.
"""

from hearthline.kernel.clock import Clock, ManualClock, Rng
from hearthline.routing import commands, events
from hearthline.routing.config import (
    AgentProfile,
    CampaignConfig,
    CenterSettings,
    Channel,
    EscalationStep,
    NotReadyReason,
    Overflow,
    OverflowKind,
    QueueConfig,
    RoutingConfig,
    Strategy,
    WrapUpMode,
    WrapUpPolicy,
)
from hearthline.routing.errors import (
    ConfigError,
    IllegalTransition,
    InvalidCommand,
    OfferNotFound,
    RoutingError,
    UnknownEntity,
)
from hearthline.routing.router import Router
from hearthline.routing.states import TERMINAL, AgentState, ContactState
from hearthline.routing.views import AgentView, ContactView, QueueView

__all__ = [
    "TERMINAL",
    "AgentProfile",
    "AgentState",
    "AgentView",
    "CampaignConfig",
    "CenterSettings",
    "Channel",
    "Clock",
    "ConfigError",
    "ContactState",
    "ContactView",
    "EscalationStep",
    "IllegalTransition",
    "InvalidCommand",
    "ManualClock",
    "NotReadyReason",
    "OfferNotFound",
    "Overflow",
    "OverflowKind",
    "QueueConfig",
    "QueueView",
    "Rng",
    "Router",
    "RoutingConfig",
    "RoutingError",
    "Strategy",
    "UnknownEntity",
    "WrapUpMode",
    "WrapUpPolicy",
    "commands",
    "events",
]
