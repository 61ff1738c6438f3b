"""Commands: what someone asks the core to do, in the imperative. Frozen.

A command either produces events or is refused with a RoutingError and changes nothing.
Who may send which command (an agent for themselves, a supervisor for anyone in their
scope) is decided above the core, by the service layer.
"""

from __future__ import annotations

from hearthline.kernel.ids import AgentId, ContactId, CustomerId, QueueId, ReasonId
from hearthline.kernel.records import record
from hearthline.routing.config import (
    AgentProfile,
    CampaignConfig,
    CenterSettings,
    Channel,
    NotReadyReason,
    QueueConfig,
)


@record
class Command:
    pass


# Configuration ------------------------------------------------------------------------


@record
class ConfigureCenter(Command):
    settings: CenterSettings


@record
class ConfigureCampaign(Command):
    campaign: CampaignConfig


@record
class ConfigureQueue(Command):
    queue: QueueConfig


@record
class ConfigureAgent(Command):
    profile: AgentProfile


@record
class ConfigureReasons(Command):
    reasons: tuple[NotReadyReason, ...]


@record
class StartDay(Command):
    pass


@record
class RecoverAfterRestart(Command):
    """After a crash: live calls end as dropped (system), agents wait as not-ready.

    ``keep``: contacts whose call outlived the server (its media engine and B2BUA kept
    it, docs/voice.md "Restarts"): a queued one stays queued, one that rang an agent is
    queued again, a connected or held one stays with its agent, who counts as
    disconnected until their page is back (the grace period applies)."""

    keep: tuple[ContactId, ...] = ()


# Agents -------------------------------------------------------------------------------


@record
class SignIn(Command):
    agent: AgentId
    ready: bool = False


@record
class SignOut(Command):
    agent: AgentId


@record
class RetireAgent(Command):
    """Takes a signed-out agent off the books (they left the firm); ConfigureAgent with
    the same id brings them back."""

    agent: AgentId


@record
class MakeReady(Command):
    agent: AgentId


@record
class MakeNotReady(Command):
    """Not ready now, or, while the agent is busy with a contact, once their wrap-up ends.

    While an offer rings, not ready now withdraws the offer (it is not a decline);
    ``after_contact`` keeps it, for the agent to answer, and makes them not ready once
    that contact is over."""

    agent: AgentId
    reason: ReasonId
    after_contact: bool = False


@record
class HoldAfterContact(Command):
    """The center, not a person, keeps an agent from going ready after their contact, for a
    reason of its own (a system reason): not ready once the wrap-up is over, or at once if
    they are ready and idle. An agent already not ready, or who asked for a reason of their
    own after this contact, keeps it. The agent's own Ready, once admitted, lifts it."""

    agent: AgentId
    reason: ReasonId


@record
class AcceptOffer(Command):
    agent: AgentId
    contact: ContactId


@record
class DeclineOffer(Command):
    agent: AgentId
    contact: ContactId


@record
class HoldContact(Command):
    agent: AgentId
    contact: ContactId


@record
class ResumeContact(Command):
    agent: AgentId
    contact: ContactId


@record
class TransferContact(Command):
    """To a queue, or to a named agent (who is rung first; the queue takes it after a while)."""

    agent: AgentId
    contact: ContactId
    to_queue: QueueId | None = None
    to_agent: AgentId | None = None


@record
class StartConsult(Command):
    """The agent on a call asks ``to_agent`` (ready and idle) to talk first, a consult
    transfer: the caller is held and ``to_agent``'s desk rings until they answer or the
    contact's queue's offer time passes."""

    agent: AgentId
    contact: ContactId
    to_agent: AgentId


@record
class AcceptConsult(Command):
    """The consulted agent takes the consult: the two agents talk, the caller still held."""

    agent: AgentId
    contact: ContactId


@record
class DeclineConsult(Command):
    agent: AgentId
    contact: ContactId


@record
class HandOverContact(Command):
    """The agent who asked gives the consulted agent the contact (the consult's end): the
    caller is joined to them, and the asker's wrap-up begins."""

    agent: AgentId
    contact: ContactId


@record
class EndConsult(Command):
    """Either agent ends the consult without a handover (a return): the consulted agent is
    ready again, the caller back with the agent who asked, resumed."""

    agent: AgentId
    contact: ContactId


@record
class EndContact(Command):
    """The agent ends the conversation."""

    agent: AgentId
    contact: ContactId


@record
class FinishWrapUp(Command):
    agent: AgentId


@record
class ReportConnectionLost(Command):
    """The agent's browser stopped answering (missed heartbeats)."""

    agent: AgentId


@record
class ReportReconnected(Command):
    agent: AgentId


# Channels (telephony adapters, the simulator) ----------------------------------------------


@record
class ArriveContact(Command):
    """A contact reaches the center; with ``queue`` it is queued at once, else it is in the menu."""

    contact: ContactId
    caller: str = ""
    customer: CustomerId | None = None
    queue: QueueId | None = None
    channel: Channel = Channel.VOICE
    priority: int = 0
    data: tuple[tuple[str, str], ...] = ()
    # A skill requirement of the contact's own (a menu's choice of language, say), met on
    # top of every queue's: only agents with it are offered the contact.
    requirement: str | None = None


@record
class RouteContact(Command):
    """The caller finished the menu; queue them."""

    contact: ContactId
    queue: QueueId
    priority: int | None = None


@record
class CallerHangUp(Command):
    contact: ContactId


@record
class DropContact(Command):
    """A line or system failure. ``side``: 'caller', 'agent' or 'system'."""

    contact: ContactId
    side: str = "caller"


@record
class RequestCallback(Command):
    """A waiting caller asks to be called back; the callback keeps their place."""

    contact: ContactId


@record
class ScheduleCallback(Command):
    """A callback at a chosen time (``due_at`` on the core's clock)."""

    contact: ContactId
    queue: QueueId
    due_at: float
    caller: str
    customer: CustomerId | None = None
    priority: int = 0
    preferred_agent: AgentId | None = None


@record
class CallBackVoicemail(Command):
    """A supervisor turns a voicemail into a callback: ``<origin>~vm`` to ``caller``, due
    now in ``queue`` (``preferred_agent`` rung first), its origin the contact the message
    is filed under, so whoever takes it hears the message first. One per voicemail."""

    origin: ContactId
    queue: QueueId
    caller: str
    customer: CustomerId | None = None
    preferred_agent: AgentId | None = None
    requirement: str | None = None
    data: tuple[tuple[str, str], ...] = ()


# Supervisors ---------------------------------------------------------------------------------


@record
class Reprioritise(Command):
    contact: ContactId
    priority: int


@record
class MoveContact(Command):
    """Move a waiting contact to another queue; it keeps the time it has waited."""

    contact: ContactId
    queue: QueueId
