"""Read-only views of the core's state, for the server, the simulator and the tests."""

from __future__ import annotations

from dataclasses import dataclass

from hearthline.kernel.ids import AgentId, ContactId, CustomerId, QueueId, ReasonId
from hearthline.routing.config import Channel
from hearthline.routing.states import AgentState, ContactState


@dataclass(frozen=True, slots=True)
class AgentView:
    id: AgentId
    state: AgentState
    since: float
    reason: ReasonId | None
    contact: ContactId | None
    pending_reason: ReasonId | None
    connected: bool
    handled_today: int


@dataclass(frozen=True, slots=True)
class ContactView:
    id: ContactId
    state: ContactState
    since: float
    channel: Channel
    caller: str
    customer: CustomerId | None
    queue: QueueId | None
    priority: int
    waiting_since: float
    agent: AgentId | None
    preferred_agent: AgentId | None
    origin: ContactId | None
    # A consult on the call: the agent asked, and whether they accepted (else it rings).
    consultant: AgentId | None = None
    consult_accepted: bool = False


@dataclass(frozen=True, slots=True)
class QueueView:
    id: QueueId
    waiting: int
    waiting_callers: int
    oldest_waiting_since: float | None
    agents_available: int
    agents_staffed: int
    handle_time_s: float
