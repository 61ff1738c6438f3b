"""Customers and what the log holds of their contacts."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from hearthline.api.schemas.agent import HelpOut
from hearthline.api.schemas.common import ContactIdent, Ident, In, Name, Out, Phone


class CustomerIn(In):
    client_id: Ident
    name: Name = ""
    phone: Phone | Literal[""] = ""
    email: Name = ""


class CustomerOut(Out):
    id: str
    client_id: str
    name: str
    phone: str
    email: str
    created_at: float


class LinkIn(In):
    contact_id: ContactIdent


class ContactRecord(Out):
    """One past (or live) contact, as the log tells it."""

    contact_id: str
    arrived_at: float | None
    caller: str
    queue: str | None
    agents: list[str]
    ended_as: str | None
    ended_at: float | None
    disposition: str | None
    note: str | None
    fields: dict[str, str]
    # The answers given along the call guide, in order (its newest saved path).
    guide: list[str] = []
    # The help the agents asked a supervisor about it, with the answers, oldest first.
    help: list[HelpOut] = []


class EarlierLeg(ContactRecord):
    """An earlier leg of the agent's voice call (its agent's leg dropped), with the names
    of the agents who had it."""

    agent_names: list[str] = []


class ContactDetail(ContactRecord):
    events: list[dict[str, object]]


# An order number as a caller keys it or a shop prints it.
ORDER_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"


class OrdersIn(In):
    numbers: list[Annotated[str, StringConstraints(pattern=ORDER_PATTERN)]] = Field(
        min_length=1, max_length=1000
    )


class OrderOut(Out):
    number: str
    customer_id: str
    client_id: str
    created_at: float
