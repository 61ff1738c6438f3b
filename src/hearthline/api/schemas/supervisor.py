"""Bodies of a supervisor's actions on agents and contacts."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, StringConstraints

from hearthline.api.schemas.common import Ident, In, Priority, printable


class ForceStateIn(In):
    state: Literal["ready", "not-ready"]
    reason: Ident | None = None


class PriorityIn(In):
    priority: Priority


class MoveIn(In):
    queue: Ident


class OutcomeCorrectionIn(In):
    """A finished contact's outcome as it should be, and why (kept in the log)."""

    disposition: Ident
    reason: Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=1, max_length=500),
        AfterValidator(printable),
    ]
