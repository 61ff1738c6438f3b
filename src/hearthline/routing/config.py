"""What the routing core is configured with: campaigns, queues, agents' profiles, reasons.

All frozen: a change of configuration is itself a command (ConfigureQueue...) whose
event carries the whole new value, so the event log alone rebuilds the core.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from hearthline.kernel.ids import AgentId, CampaignId, ClientId, QueueId, ReasonId
from hearthline.routing.errors import ConfigError
from hearthline.routing.skills import compile_requirement


class Strategy(StrEnum):
    """How a queue picks among several available, eligible agents."""

    LONGEST_IDLE = "longest-idle"
    HIGHEST_SKILL = "highest-skill"
    FEWEST_CONTACTS = "fewest-contacts"
    ROUND_ROBIN = "round-robin"
    RANDOM = "random"


class WrapUpMode(StrEnum):
    TIMED = "timed"  # the agent is made ready when the time is up
    MANUAL = "manual"  # the agent says when; the time is a maximum


class OverflowKind(StrEnum):
    QUEUE = "queue"
    CALLBACK = "callback"
    VOICEMAIL = "voicemail"


class Channel(StrEnum):
    VOICE = "voice"
    CALLBACK = "callback"  # an outbound call the firm owes a customer
    CHAT = "chat"


@dataclass(frozen=True, slots=True)
class Overflow:
    """Where a contact goes when a limit is hit: another queue, a callback, or voicemail."""

    kind: OverflowKind
    queue: QueueId | None = None

    def __post_init__(self) -> None:
        if (self.kind is OverflowKind.QUEUE) != (self.queue is not None):
            raise ConfigError("an overflow to a queue names the queue, and only that kind does")

    @classmethod
    def of(cls, kind: str, queue: str | None = None) -> Overflow:
        """From the kind and the queue held apart (the tables' two columns, the API's two
        fields); an empty queue is no queue."""
        try:
            known = OverflowKind(kind)
        except ValueError:
            raise ConfigError(
                f"unknown overflow kind {kind!r}: one of {', '.join(OverflowKind)}"
            ) from None
        return cls(known, QueueId(queue) if queue else None)

    @classmethod
    def parse(cls, text: str) -> Overflow:
        """From its one-word form, as a scenario writes it: ``queue:ID``, ``callback`` or
        ``voicemail``; the inverse of ``text``."""
        kind, colon, queue = text.partition(":")
        if kind == OverflowKind.QUEUE and not queue:
            raise ConfigError(f"overflow {text!r} names no queue: write queue:ID")
        if colon and kind != OverflowKind.QUEUE:
            raise ConfigError(f"overflow {text!r}: only an overflow to a queue names one")
        return cls.of(kind, queue)

    @property
    def text(self) -> str:
        """The one-word form ``parse`` reads: ``queue:ID``, ``callback`` or ``voicemail``."""
        return f"{self.kind}:{self.queue}" if self.queue is not None else str(self.kind)


@dataclass(frozen=True, slots=True)
class EscalationStep:
    """After ``after_s`` seconds waiting in the queue, change how the contact is routed.

    Any of: a new (usually wider) skill requirement; a priority the contact is raised to
    (never lowered); an overflow elsewhere. Steps apply in order of ``after_s``.
    """

    after_s: float
    requirement: str | None = None
    priority: int | None = None
    overflow: Overflow | None = None

    def __post_init__(self) -> None:
        if not self.after_s >= 0:
            raise ConfigError(f"escalation step after_s must be >= 0, got {self.after_s}")
        if self.requirement is not None:
            compile_requirement(self.requirement)


@dataclass(frozen=True, slots=True)
class WrapUpPolicy:
    mode: WrapUpMode = WrapUpMode.TIMED
    seconds: float = 30.0

    def __post_init__(self) -> None:
        if not self.seconds >= 0:
            raise ConfigError(f"wrap-up seconds must be >= 0, got {self.seconds}")


@dataclass(frozen=True, slots=True)
class CampaignConfig:
    """A client company's line of work (sales, returns...), and its policy for drops."""

    id: CampaignId
    client: ClientId
    name: str = ""
    callback_on_drop: bool = True
    callback_priority: int = 10
    # A dropped call's callback waits this long for the agent who had the customer.
    prefer_same_agent_s: float = 120.0


@dataclass(frozen=True, slots=True)
class QueueConfig:
    id: QueueId
    campaign: CampaignId
    name: str = ""
    requirement: str = "*"
    steps: tuple[EscalationStep, ...] = ()
    strategy: Strategy = Strategy.LONGEST_IDLE
    # The skill whose level HIGHEST_SKILL ranks by; defaults to the first one named.
    rank_skill: str | None = None
    offer_timeout_s: float = 20.0
    wrap_up: WrapUpPolicy = field(default_factory=WrapUpPolicy)
    max_length: int | None = None
    on_full: Overflow = field(default_factory=lambda: Overflow(OverflowKind.VOICEMAIL))
    max_wait_s: float | None = None
    on_max_wait: Overflow = field(default_factory=lambda: Overflow(OverflowKind.CALLBACK))
    service_target_s: float = 20.0
    expected_handle_s: float = 180.0

    def __post_init__(self) -> None:
        compile_requirement(self.requirement)
        if list(self.steps) != sorted(self.steps, key=lambda s: s.after_s):
            raise ConfigError(f"queue {self.id!r}: escalation steps must be in order of after_s")
        if not self.offer_timeout_s > 0:
            raise ConfigError(f"queue {self.id!r}: offer_timeout_s must be > 0")
        if self.max_length is not None and self.max_length < 0:
            raise ConfigError(f"queue {self.id!r}: max_length must be >= 0")
        if self.max_wait_s is not None and not self.max_wait_s >= 0:
            raise ConfigError(f"queue {self.id!r}: max_wait_s must be >= 0")
        if not self.expected_handle_s > 0:
            raise ConfigError(f"queue {self.id!r}: expected_handle_s must be > 0")

    @property
    def ranking_skill(self) -> str | None:
        return self.rank_skill or (compile_requirement(self.requirement).skills or (None,))[0]


@dataclass(frozen=True, slots=True)
class AgentProfile:
    """What routing needs to know of an agent: skills with levels, certified campaigns."""

    id: AgentId
    skills: tuple[tuple[str, int], ...] = ()
    campaigns: frozenset[CampaignId] = frozenset()
    name: str = ""
    # Simultaneous voice contacts; other channels will get their own room.
    capacity: int = 1

    def __post_init__(self) -> None:
        if self.capacity != 1:
            raise ConfigError(f"agent {self.id!r}: voice capacity is 1 contact at a time")
        for skill, level in self.skills:
            if not skill or level < 0:
                raise ConfigError(f"agent {self.id!r}: bad skill {skill!r} at level {level}")

    @classmethod
    def of(
        cls,
        id: str,
        skills: Mapping[str, int] | None = None,
        campaigns: Iterable[str] = (),
        name: str = "",
    ) -> AgentProfile:
        return cls(
            id=AgentId(id),
            skills=tuple(sorted((skills or {}).items())),
            campaigns=frozenset(CampaignId(c) for c in campaigns),
            name=name,
        )

    @property
    def levels(self) -> dict[str, int]:
        return dict(self.skills)


@dataclass(frozen=True, slots=True)
class NotReadyReason:
    id: ReasonId
    label: str
    # System reasons are set by the center itself and never count against the agent.
    system: bool = False


# Reasons the center itself uses; a firm's catalogue adds its own (break, lunch...).
SIGNED_IN = ReasonId("signed-in")
MISSED_OFFER = ReasonId("missed-offer")
CONNECTION_LOST = ReasonId("connection-lost")
SYSTEM_RESTART = ReasonId("system-restart")
# Held after a contact until the firm's mandatory bulletins are acknowledged (its rule).
UNREAD_BULLETINS = ReasonId("unread-bulletins")
SYSTEM_REASONS: tuple[NotReadyReason, ...] = (
    NotReadyReason(SIGNED_IN, "Signed in", system=True),
    NotReadyReason(MISSED_OFFER, "Missed offer", system=True),
    NotReadyReason(CONNECTION_LOST, "Connection lost", system=True),
    NotReadyReason(SYSTEM_RESTART, "System restart", system=True),
    NotReadyReason(UNREAD_BULLETINS, "Bulletins to acknowledge", system=True),
)
DEFAULT_REASONS: tuple[NotReadyReason, ...] = (
    NotReadyReason(ReasonId("break"), "Break"),
    NotReadyReason(ReasonId("lunch"), "Lunch"),
    NotReadyReason(ReasonId("training"), "Training"),
    NotReadyReason(ReasonId("coaching"), "Coaching"),
    NotReadyReason(ReasonId("technical"), "Technical problem"),
)


@dataclass(frozen=True, slots=True)
class CenterSettings:
    # How long a contact is held for an agent whose connection dropped.
    connection_grace_s: float = 60.0
    # How long a contact transferred to a named agent waits for them before the queue.
    direct_transfer_wait_s: float = 30.0

    def __post_init__(self) -> None:
        if not (self.connection_grace_s >= 0 and self.direct_transfer_wait_s >= 0):
            raise ConfigError("connection_grace_s and direct_transfer_wait_s must be >= 0")


@dataclass(frozen=True, slots=True)
class RoutingConfig:
    """Everything at once, for starting a core; later changes come as commands."""

    campaigns: tuple[CampaignConfig, ...] = ()
    queues: tuple[QueueConfig, ...] = ()
    agents: tuple[AgentProfile, ...] = ()
    reasons: tuple[NotReadyReason, ...] = DEFAULT_REASONS
    settings: CenterSettings = field(default_factory=CenterSettings)
