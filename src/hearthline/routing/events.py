"""Domain events: what happened, in the past tense, frozen. The core's only output.

Applying the same events in the same order to an empty core rebuilds the same state
(``Router.replay``), so the event log is the source of truth. Every event carries ``at``,
the time it happened on the core's clock. ``EVENT_TYPES`` maps each class name to its
class, for codecs outside the core.
"""

from __future__ import annotations

from typing import NamedTuple

from hearthline.kernel.ids import AgentId, CampaignId, ContactId, CustomerId, QueueId, ReasonId
from hearthline.kernel.records import record
from hearthline.routing.config import (
    AgentProfile,
    CampaignConfig,
    CenterSettings,
    Channel,
    NotReadyReason,
    Overflow,
    OverflowKind,
    QueueConfig,
)
from hearthline.routing.states import ContactState


@record
class Event:
    at: float


# Configuration ------------------------------------------------------------------------


@record
class CenterConfigured(Event):
    settings: CenterSettings


@record
class CampaignConfigured(Event):
    campaign: CampaignConfig


@record
class QueueConfigured(Event):
    queue: QueueConfig


@record
class AgentConfigured(Event):
    profile: AgentProfile


@record
class ReasonsConfigured(Event):
    reasons: tuple[NotReadyReason, ...]


@record
class DayStarted(Event):
    """Per-day counters (contacts handled today) start again from zero."""


# Agents -------------------------------------------------------------------------------


@record
class AgentSignedIn(Event):
    agent: AgentId


@record
class AgentSignedOut(Event):
    agent: AgentId


@record
class AgentRetired(Event):
    """Taken off the books: no work until configured again."""

    agent: AgentId


@record
class AgentBecameAvailable(Event):
    agent: AgentId


@record
class AgentWentNotReady(Event):
    agent: AgentId
    reason: ReasonId


@record
class AgentNotReadyRequested(Event):
    """The agent asked for a break while busy; it starts when their wrap-up ends."""

    agent: AgentId
    reason: ReasonId


@record
class AgentConnectionLost(Event):
    agent: AgentId


@record
class AgentReconnected(Event):
    agent: AgentId


# Contacts -----------------------------------------------------------------------------


@record
class ContactArrived(Event):
    contact: ContactId
    channel: Channel
    caller: str
    customer: CustomerId | None
    campaign: CampaignId | None
    # The menu choices or other routing data the caller brought, as (key, value) pairs.
    data: tuple[tuple[str, str], ...] = ()
    # For a callback: the contact it is owed for.
    origin: ContactId | None = None
    # The contact's own skill requirement, met on top of its queue's (None: the queue's alone).
    requirement: str | None = None


@record
class ContactQueued(Event):
    """The contact takes a place in ``queue``: its first, or a new one (move, transfer).

    ``waiting_since`` and ``seq`` fix its place among contacts of equal priority; a
    callback that replaces a waiting caller keeps the caller's.
    """

    contact: ContactId
    queue: QueueId
    priority: int
    waiting_since: float
    seq: int
    preferred_agent: AgentId | None = None
    prefer_until: float | None = None


@record
class ContactScheduled(Event):
    """A callback that waits, outside any queue, for the time the customer chose."""

    contact: ContactId
    queue: QueueId
    due_at: float
    priority: int
    preferred_agent: AgentId | None = None


@record
class ContactEscalated(Event):
    contact: ContactId
    step: int
    priority: int


@record
class ContactPreferenceExpired(Event):
    """The agent a contact waited for did not come in time; any eligible agent may take it."""

    contact: ContactId


@record
class ContactReprioritised(Event):
    contact: ContactId
    priority: int


@record
class ContactOffered(Event):
    contact: ContactId
    agent: AgentId
    expires_at: float


@record
class OfferAccepted(Event):
    contact: ContactId
    agent: AgentId


@record
class OfferDeclined(Event):
    contact: ContactId
    agent: AgentId


@record
class OfferTimedOut(Event):
    """Ring-no-answer: the contact goes back to its place, the agent to 'missed offer'."""

    contact: ContactId
    agent: AgentId


@record
class OfferRescinded(Event):
    """The offer ended through no choice of the agent (caller hung up, connection lost...)."""

    contact: ContactId
    agent: AgentId


@record
class ContactRequeued(Event):
    """Back in its queue at the place it had (after a decline, a missed or rescinded offer)."""

    contact: ContactId


@record
class ContactHeld(Event):
    contact: ContactId


@record
class ContactResumed(Event):
    contact: ContactId


@record
class ContactTransferred(Event):
    """The agent passed the contact on; a ContactQueued for its new place follows."""

    contact: ContactId
    agent: AgentId
    to_queue: QueueId
    to_agent: AgentId | None


# Consults: ``agent`` is the consulted agent, whose state each of these changes (their
# desk is the one each event reaches); ``asker`` the agent who has the contact and asked.


@record
class ConsultRequested(Event):
    """The caller is held (a ContactHeld precedes it when they were not) and ``agent``'s
    desk rings until ``expires_at``."""

    contact: ContactId
    agent: AgentId
    asker: AgentId
    expires_at: float


@record
class ConsultAccepted(Event):
    contact: ContactId
    agent: AgentId
    asker: AgentId


@record
class ConsultDeclined(Event):
    """Declined, or not answered in time (``timed_out``): the consulted agent is free again
    (an AgentBecameAvailable follows); the caller stays held with the asker."""

    contact: ContactId
    agent: AgentId
    asker: AgentId
    timed_out: bool


@record
class ConsultEnded(Event):
    """Over without a handover. ``side``: 'asker' or 'consulted' (either hung up the
    consult: a return), 'caller' (hung up meanwhile), 'system' (a lost connection, a
    drop, a restart). The consulted agent's next state follows (never a wrap-up: the
    contact was not theirs); on a return a ContactResumed follows too."""

    contact: ContactId
    agent: AgentId
    asker: AgentId
    side: str


@record
class ContactHandedOver(Event):
    """The consult ends in a handover: ``agent`` has the contact from now (no second
    ring), connected; the asker's wrap-up follows."""

    contact: ContactId
    agent: AgentId
    asker: AgentId


@record
class ContactEnded(Event):
    """The conversation is over (``by`` 'caller' or 'agent'); the agent's wrap-up begins."""

    contact: ContactId
    agent: AgentId
    by: str


@record
class WrapUpStarted(Event):
    agent: AgentId
    contact: ContactId
    # None for a manual wrap-up with no maximum.
    ends_at: float | None


@record
class WrapUpEnded(Event):
    agent: AgentId
    contact: ContactId
    # True when the time ran out rather than the agent saying so.
    timed_out: bool


@record
class ContactCompleted(Event):
    contact: ContactId


@record
class ContactAbandoned(Event):
    contact: ContactId


@record
class ContactDropped(Event):
    """A connection or system failure ended the contact. ``side``: caller, agent or system."""

    contact: ContactId
    side: str


@record
class ContactOverflowed(Event):
    """A limit sent the contact elsewhere. ``reason``: 'full', 'max-wait' or 'step'."""

    contact: ContactId
    queue: QueueId
    destination: Overflow
    reason: str


@record
class ContactConvertedToCallback(Event):
    """The caller left the line and is owed a callback (contact ``callback``)."""

    contact: ContactId
    callback: ContactId


# Every event class of this module, by name (built from the module's names rather than
# from Event.__subclasses__(), which compiled builds do not report faithfully).
EVENT_TYPES: dict[str, type[Event]] = {
    name: obj
    for name, obj in list(globals().items())
    if isinstance(obj, type) and issubclass(obj, Event) and obj is not Event
}


class Ending(NamedTuple):
    contact: ContactId
    state: ContactState


_ENDS: dict[type, ContactState] = {
    ContactCompleted: ContactState.COMPLETED,
    ContactAbandoned: ContactState.ABANDONED,
    ContactDropped: ContactState.DROPPED,
    ContactConvertedToCallback: ContactState.CALLBACK,
    ContactOverflowed: ContactState.OVERFLOWED,
}


def ending(event: object) -> Ending | None:
    """The contact ``event`` ends and how, or None: the one list of how contacts end.

    An overflow ends the contact only when it leaves the center (to voicemail); one to
    another queue moves it, and the contact goes on there.
    """
    # A lookup by type first: this runs for every event, live and in every replay.
    state = _ENDS.get(type(event))
    if state is None:
        return None
    if (
        isinstance(event, ContactOverflowed)
        and event.destination.kind is not OverflowKind.VOICEMAIL
    ):
        return None
    contact: ContactId = getattr(event, "contact")  # noqa: B009 -- every ending names one
    return Ending(contact, state)
