"""The envelope an event travels in once it is in the log.

The writer seals each event in an envelope as it stores it: the event's id in the log
(gap-free, rising; streams resume after one), and whom the event concerns, worked out
once, on the writer, by the domains: the client company whose work it is (None for
firm-wide events) and the one agent who sees it (the agent it is about, or who has its
contact). Everything downstream, the log's columns, the live streams, the history,
reads these fields rather than working them out again.
"""

from __future__ import annotations

from typing import NamedTuple

from hearthline.kernel.domain import DomainEvent


# A named tuple, not a frozen dataclass: one is built for every event the writer stores,
# and a tuple builds in half the time.
class Envelope(NamedTuple):
    id: int
    event: DomainEvent
    client: str | None = None
    agent: str | None = None
