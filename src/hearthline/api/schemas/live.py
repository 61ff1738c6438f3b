"""The live state of agents, contacts and queues, as the core sees it now."""

from __future__ import annotations

from typing import Literal

from hearthline.api.schemas.common import Out
from hearthline.api.schemas.config import FormsOut


class AgentLive(Out):
    id: str
    name: str = ""
    state: str
    since: float
    reason: str | None
    contact: str | None
    pending_reason: str | None
    connected: bool
    handled_today: int


class ContactLive(Out):
    id: str
    state: str
    since: float
    channel: str
    caller: str
    customer: str | None
    queue: str | None
    priority: int
    waiting_since: float
    agent: str | None
    preferred_agent: str | None
    origin: str | None
    # A consult on the call: the agent asked (ringing until accepted, then talking).
    consultant: str | None = None
    consult_accepted: bool = False
    position: int | None = None
    estimated_wait_s: float | None = None


class QueueLive(Out):
    id: str
    waiting: int
    waiting_callers: int
    oldest_waiting_since: float | None
    agents_available: int
    agents_staffed: int
    handle_time_s: float


class DeskConsult(Out):
    """A consult the agent is in: as the one who ``asked`` (their call) or the one asked."""

    contact: str
    role: Literal["asked", "consulted"]
    # The other agent, and their name as the firm knows it.
    other: str
    other_name: str
    accepted: bool


class AgentDesk(Out):
    """What an agent's desktop shows: their state, their contact, its form."""

    agent: AgentLive
    contact: ContactLive | None
    campaign_id: str | None
    forms: FormsOut | None
    consult: DeskConsult | None = None
    # The last event of the log this desk reflects: a page that has already applied a
    # later event from its stream knows this read is older than what it shows.
    as_of: int = 0
