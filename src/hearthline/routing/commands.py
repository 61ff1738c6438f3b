"""Commands: what someone asks the core to do, in the imperative. Frozen.

A command either produces events or is refused with a RoutingError and changes nothing.
Who may send which command (an agent for themselves, a supervisor for anyone in their
scope) is decided above the core, by the service layer.
"""

from __future__ import annotations

from dataclasses import dataclass

from hearthline.kernel.ids import AgentId, ContactId, CustomerId, QueueId, ReasonId
from hearthline.routing.config import (
    AgentProfile,
    CampaignConfig,
    CenterSettings,
    Channel,
    NotReadyReason,
    QueueConfig,
)


@dataclass(frozen=True, slots=True)
class Command:
    pass


# Configuration ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ConfigureCenter(Command):
    settings: CenterSettings


@dataclass(frozen=True, slots=True)
class ConfigureCampaign(Command):
    campaign: CampaignConfig


@dataclass(frozen=True, slots=True)
class ConfigureQueue(Command):
    queue: QueueConfig


@dataclass(frozen=True, slots=True)
class ConfigureAgent(Command):
    profile: AgentProfile


@dataclass(frozen=True, slots=True)
class ConfigureReasons(Command):
    reasons: tuple[NotReadyReason, ...]


@dataclass(frozen=True, slots=True)
class StartDay(Command):
    pass


@dataclass(frozen=True, slots=True)
class RecoverAfterRestart(Command):
    """After a crash: live calls end as dropped (system), agents wait as not-ready."""


# Agents -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SignIn(Command):
    agent: AgentId
    ready: bool = False


@dataclass(frozen=True, slots=True)
class SignOut(Command):
    agent: AgentId


@dataclass(frozen=True, slots=True)
class RetireAgent(Command):
    """Takes a signed-out agent off the books (they left the firm); ConfigureAgent with
    the same id brings them back."""

    agent: AgentId


@dataclass(frozen=True, slots=True)
class MakeReady(Command):
    agent: AgentId


@dataclass(frozen=True, slots=True)
class MakeNotReady(Command):
    """Not ready now, or, while the agent is busy with a contact, once their wrap-up ends.

    While an offer rings, not ready now withdraws the offer (it is not a decline);
    ``after_contact`` keeps it, for the agent to answer, and makes them not ready once
    that contact is over."""

    agent: AgentId
    reason: ReasonId
    after_contact: bool = False


@dataclass(frozen=True, slots=True)
class AcceptOffer(Command):
    agent: AgentId
    contact: ContactId


@dataclass(frozen=True, slots=True)
class DeclineOffer(Command):
    agent: AgentId
    contact: ContactId


@dataclass(frozen=True, slots=True)
class HoldContact(Command):
    agent: AgentId
    contact: ContactId


@dataclass(frozen=True, slots=True)
class ResumeContact(Command):
    agent: AgentId
    contact: ContactId


@dataclass(frozen=True, slots=True)
class TransferContact(Command):
    """To a queue, or to a named agent (who is rung first; the queue takes it after a while)."""

    agent: AgentId
    contact: ContactId
    to_queue: QueueId | None = None
    to_agent: AgentId | None = None


@dataclass(frozen=True, slots=True)
class EndContact(Command):
    """The agent ends the conversation."""

    agent: AgentId
    contact: ContactId


@dataclass(frozen=True, slots=True)
class FinishWrapUp(Command):
    agent: AgentId


@dataclass(frozen=True, slots=True)
class ReportConnectionLost(Command):
    """The agent's browser stopped answering (missed heartbeats)."""

    agent: AgentId


@dataclass(frozen=True, slots=True)
class ReportReconnected(Command):
    agent: AgentId


# Channels (telephony adapters, the simulator) ----------------------------------------------


@dataclass(frozen=True, slots=True)
class ArriveContact(Command):
    """A contact reaches the center; with ``queue`` it is queued at once, else it is in the menu."""

    contact: ContactId
    caller: str = ""
    customer: CustomerId | None = None
    queue: QueueId | None = None
    channel: Channel = Channel.VOICE
    priority: int = 0
    data: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class RouteContact(Command):
    """The caller finished the menu; queue them."""

    contact: ContactId
    queue: QueueId
    priority: int | None = None


@dataclass(frozen=True, slots=True)
class CallerHangUp(Command):
    contact: ContactId


@dataclass(frozen=True, slots=True)
class DropContact(Command):
    """A line or system failure. ``side``: 'caller', 'agent' or 'system'."""

    contact: ContactId
    side: str = "caller"


@dataclass(frozen=True, slots=True)
class RequestCallback(Command):
    """A waiting caller asks to be called back; the callback keeps their place."""

    contact: ContactId


@dataclass(frozen=True, slots=True)
class ScheduleCallback(Command):
    """A callback at a chosen time (``due_at`` on the core's clock)."""

    contact: ContactId
    queue: QueueId
    due_at: float
    caller: str
    customer: CustomerId | None = None
    priority: int = 0
    preferred_agent: AgentId | None = None


# Supervisors ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Reprioritise(Command):
    contact: ContactId
    priority: int


@dataclass(frozen=True, slots=True)
class MoveContact(Command):
    """Move a waiting contact to another queue; it keeps the time it has waited."""

    contact: ContactId
    queue: QueueId
