"""Bodies of a supervisor's actions on agents and contacts."""

from __future__ import annotations

from typing import Literal

from hearthline.api.schemas.common import Ident, In, Priority


class ForceStateIn(In):
    state: Literal["ready", "not-ready"]
    reason: Ident | None = None


class PriorityIn(In):
    priority: Priority


class MoveIn(In):
    queue: Ident
