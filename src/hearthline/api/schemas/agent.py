"""Bodies of an agent's actions: state, transfers, notes, help, their day."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field, StringConstraints

from hearthline.api.schemas.common import FieldValue, Ident, In, Out, Text, printable


class SignInIn(In):
    ready: bool = False


class NotReadyIn(In):
    reason: Ident
    # While an offer rings: keep it, and be not ready once that contact is over.
    after_contact: bool = False


class TransferIn(In):
    queue: Ident | None = None
    agent: Ident | None = None


class ConsultIn(In):
    """The colleague to talk to first (ready and free), within the contact's client."""

    agent: Ident


class TransferAgent(Out):
    """An agent of the contact's client company, as a transfer target."""

    id: str
    name: str
    state: str
    # Available now: a direct transfer rings them at once.
    free: bool
    skills: dict[str, int]
    campaigns: list[str]


class TransferQueue(Out):
    id: str
    name: str
    waiting: int
    agents_available: int


class TransferTargets(Out):
    """Where the contact in hand may go: its own client company's agents and queues."""

    contact: str
    client_id: str
    agents: list[TransferAgent]
    queues: list[TransferQueue]


class DraftIn(In):
    revision: Annotated[int, Field(ge=1, le=2**31)]
    text: Text = ""
    fields: Annotated[dict[Ident, FieldValue], Field(max_length=200)] = {}


class FinishIn(In):
    disposition: Ident
    text: Text = ""
    fields: Annotated[dict[Ident, FieldValue], Field(max_length=200)] = {}


class HelpIn(In):
    text: Annotated[
        str, StringConstraints(min_length=1, max_length=2000), AfterValidator(printable)
    ]


class HelpOut(Out):
    id: int
    agent_id: str
    contact_id: str | None
    customer_id: str | None = None
    client_id: str | None = None
    text: str
    created_at: float
    open: bool
    answer: str | None
    answered_by: str | None
    answered_at: float | None


class AnswerIn(In):
    text: Annotated[
        str, StringConstraints(min_length=1, max_length=2000), AfterValidator(printable)
    ]


class MyDayOut(Out):
    since: float
    answered: int
    handled: int
    dropped: int
    average_handle_s: float | None
    talk_s: float
    hold_s: float
    wrap_s: float
    outcomes: dict[str, int]
    sales: int
    saves: int
    sale_rate: float | None
    save_rate: float | None
    # The agent's own breaks; reasons the center set (restart, lost connection) apart.
    not_ready_s: dict[str, float]
    system_not_ready_s: dict[str, float]
