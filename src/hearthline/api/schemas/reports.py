"""Report rows, and the health check."""

from __future__ import annotations

from typing import Any

from hearthline.api.schemas.common import Out
from hearthline.reports.periods import Span


class QueueStatsRow(Out):
    queue_id: str
    interval_start: float
    client_id: str | None
    figures: dict[str, float]


class AgentStatsRow(Out):
    agent_id: str
    interval_start: float
    figures: dict[str, float]
    not_ready_s: dict[str, float]
    system_not_ready_s: dict[str, float]


class FigureOut(Out):
    name: str
    label: str
    unit: str
    definition: str


class ReportRowOut(Out):
    # The group's dimensions (client, campaign, queue, agent; interval as its local start
    # with the offset, day as the local date) and their values.
    key: dict[str, str]
    interval_start: float | None
    figures: dict[str, float | None]


class RangeOut(Out):
    """What a report answer says of itself: its range in the firm's zone and its grouping."""

    time_zone: str
    first: str
    last: str
    start: float
    end: float
    group: list[str]

    @staticmethod
    def of(span: Span, by: tuple[str, ...]) -> dict[str, Any]:
        """The fields for ``span`` grouped ``by``, to spread into a report answer."""
        return {
            "time_zone": span.tz.key,
            "first": span.first.isoformat(),
            "last": span.last.isoformat(),
            "start": span.start,
            "end": span.end,
            "group": list(by),
        }


class ReportOut(RangeOut):
    rows: list[ReportRowOut]


class Health(Out):
    status: str
    last_event_id: int
    streams: int
    # The server's clock, which every time it sends is on: epoch seconds, and how many of
    # its seconds pass in a real one (1; more in a demonstration's accelerated day).
    now: float
    clock_rate: float
