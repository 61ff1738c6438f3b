"""The lifecycles of a contact and of an agent, as tables of allowed moves.

Every state change in the core goes through ``check_*_move``; an illegal one is refused
with an error naming the state found and the states the action needs.
"""

from __future__ import annotations

from enum import StrEnum

from hearthline.routing.errors import IllegalTransition


class ContactState(StrEnum):
    ARRIVING = "arriving"  # in the menu, not yet in a queue
    SCHEDULED = "scheduled"  # a callback waiting for the time the customer chose
    QUEUED = "queued"
    OFFERED = "offered"  # reserved for one agent, ringing
    CONNECTED = "connected"
    ON_HOLD = "on-hold"
    WRAP_UP = "wrap-up"  # the call is over; the agent finishes notes and outcome
    COMPLETED = "completed"
    ABANDONED = "abandoned"  # the caller gave up
    DROPPED = "dropped"  # a connection or system failure: never the agent's fault
    OVERFLOWED = "overflowed"  # sent out of the center (voicemail)
    CALLBACK = "converted-to-callback"  # replaced by a callback contact


class AgentState(StrEnum):
    OFFLINE = "offline"
    NOT_READY = "not-ready"
    AVAILABLE = "available"
    RESERVED = "reserved"  # an offer is ringing
    ON_CONTACT = "on-contact"
    WRAP_UP = "wrap-up"
    # Asked by a colleague on a call to talk first (a consult transfer): ringing until they
    # accept, then talking with that colleague while the caller is held. Busy, never idle,
    # and offered nothing; afterwards ready again, or on the contact once it is handed over.
    CONSULTING = "consulting"
    # Off the books (left the firm): takes no work until configured again. The id stays
    # in the core so the log's history of the agent keeps meaning.
    RETIRED = "retired"


C = ContactState
A = AgentState

# Not signed in: no connection to watch, no work, nobody to prefer or recover.
OFF_DUTY: frozenset[AgentState] = frozenset({A.OFFLINE, A.RETIRED})

TERMINAL: frozenset[ContactState] = frozenset(
    {C.COMPLETED, C.ABANDONED, C.DROPPED, C.OVERFLOWED, C.CALLBACK}
)
# The caller is on the line (or the callback is owed) and no agent has them yet.
WAITING: frozenset[ContactState] = frozenset({C.ARRIVING, C.SCHEDULED, C.QUEUED, C.OFFERED})
IN_CALL: frozenset[ContactState] = frozenset({C.CONNECTED, C.ON_HOLD})

CONTACT_MOVES: dict[ContactState, frozenset[ContactState]] = {
    C.ARRIVING: frozenset({C.QUEUED, C.ABANDONED, C.DROPPED, C.OVERFLOWED, C.CALLBACK}),
    C.SCHEDULED: frozenset({C.QUEUED, C.ABANDONED}),
    # QUEUED -> QUEUED is a move between queues or places (transfer, overflow, reprioritise).
    C.QUEUED: frozenset({C.QUEUED, C.OFFERED, C.ABANDONED, C.DROPPED, C.OVERFLOWED, C.CALLBACK}),
    C.OFFERED: frozenset({C.QUEUED, C.CONNECTED, C.ABANDONED, C.DROPPED}),
    C.CONNECTED: frozenset({C.ON_HOLD, C.WRAP_UP, C.DROPPED, C.QUEUED}),
    C.ON_HOLD: frozenset({C.CONNECTED, C.WRAP_UP, C.DROPPED, C.QUEUED}),
    C.WRAP_UP: frozenset({C.COMPLETED}),
    **{t: frozenset() for t in TERMINAL},
}

AGENT_MOVES: dict[AgentState, frozenset[AgentState]] = {
    A.OFFLINE: frozenset({A.NOT_READY, A.AVAILABLE, A.RETIRED}),
    A.NOT_READY: frozenset({A.NOT_READY, A.AVAILABLE, A.OFFLINE}),
    A.AVAILABLE: frozenset({A.NOT_READY, A.RESERVED, A.CONSULTING, A.OFFLINE}),
    A.RESERVED: frozenset({A.ON_CONTACT, A.AVAILABLE, A.NOT_READY, A.OFFLINE}),
    A.ON_CONTACT: frozenset({A.WRAP_UP, A.NOT_READY}),
    A.WRAP_UP: frozenset({A.AVAILABLE, A.NOT_READY, A.OFFLINE}),
    # Returned (or declined): ready again; handed the contact: on it; a break asked for, or
    # a lost connection: not ready.
    A.CONSULTING: frozenset({A.AVAILABLE, A.ON_CONTACT, A.NOT_READY}),
    A.RETIRED: frozenset({A.OFFLINE}),  # configured again
}


def check_contact_move(ident: str, found: ContactState, target: ContactState, action: str) -> None:
    if target not in CONTACT_MOVES[found]:
        expected = [str(s) for s, moves in CONTACT_MOVES.items() if target in moves]
        raise IllegalTransition("contact", ident, action, expected, str(found))


def check_agent_move(ident: str, found: AgentState, target: AgentState, action: str) -> None:
    if target not in AGENT_MOVES[found]:
        expected = [str(s) for s, moves in AGENT_MOVES.items() if target in moves]
        raise IllegalTransition("agent", ident, action, expected, str(found))


def require_contact_state(
    ident: str, found: ContactState, allowed: frozenset[ContactState], action: str
) -> None:
    if found not in allowed:
        raise IllegalTransition("contact", ident, action, map(str, allowed), str(found))


def require_agent_state(
    ident: str, found: AgentState, allowed: frozenset[AgentState], action: str
) -> None:
    if found not in allowed:
        raise IllegalTransition("agent", ident, action, map(str, allowed), str(found))
