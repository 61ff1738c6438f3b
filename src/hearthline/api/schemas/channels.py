"""Bodies of the channels that bring contacts in (telephony adapters, the simulator)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, Field, StringConstraints

from hearthline.api.schemas.common import (
    CommandResult,
    ContactIdent,
    Ident,
    In,
    Name,
    Phone,
    Priority,
    printable,
)


class ContactIn(In):
    """A caller reaches the center: on a queue, on a number (mapped to a queue or the menu),
    or neither (the menu: route it later)."""

    contact_id: ContactIdent | None = None
    queue: Ident | None = None
    number: Phone | None = None
    caller: Annotated[str, StringConstraints(max_length=64), AfterValidator(printable)] = ""
    customer_id: Ident | None = None
    menu: Annotated[dict[Ident, Name], Field(max_length=50)] = {}
    priority: Priority = 0


class ContactAccepted(CommandResult):
    contact_id: str


class RouteIn(In):
    queue: Ident
    priority: Priority | None = None


class DropIn(In):
    side: Literal["caller", "agent", "system"] = "caller"


class ScheduleIn(In):
    contact_id: ContactIdent | None = None
    queue: Ident
    due_at: Annotated[float, Field(ge=0, le=1e11)]
    caller: Annotated[
        str, StringConstraints(min_length=1, max_length=64), AfterValidator(printable)
    ]
    customer_id: Ident | None = None
    priority: Priority = 0
    preferred_agent: Ident | None = None
