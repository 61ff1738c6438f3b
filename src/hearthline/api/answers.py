"""Stored events as the answer to a command."""

from __future__ import annotations

from collections.abc import Sequence

from hearthline.api.schemas import CommandResult, EventRef
from hearthline.kernel.envelope import Envelope


def command_result(stored: Sequence[Envelope], *, last_event_id: int) -> CommandResult:
    return CommandResult(
        events=[EventRef(id=s.id, type=type(s.event).__name__) for s in stored],
        last_event_id=max([last_event_id, *(s.id for s in stored)]),
    )
