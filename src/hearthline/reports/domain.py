"""The statistics projection as a domain of the one write path (see ``kernel.domain``).

It follows every event, and the service writes what changed to the read-model tables now
and then (``service/domains.py``). The one command it decides records past calls brought
in as history (``reports.imported``).
"""

from __future__ import annotations

from collections.abc import Sequence

from hearthline.kernel.domain import Domain, DomainEvent, Live, Setup, load_pickled
from hearthline.reports.imported import CallImported, HistoryError, RecordCalls, check_call
from hearthline.reports.stats import StatsProjection


class LiveReports(Live):
    def __init__(self, stats: StatsProjection) -> None:
        self.stats = stats

    def decide(self, command: object) -> Sequence[DomainEvent]:
        if not isinstance(command, RecordCalls):
            raise HistoryError(f"not a reports command: {type(command).__name__}")
        return [check_call(call) for call in command.calls]

    def follow(self, event: DomainEvent) -> None:
        self.stats.apply(event)

    @classmethod
    def load(cls, blob: bytes, setup: Setup) -> Live | None:
        live = load_pickled(blob, setup)
        # Intervals of another length cannot go on from here: replay the log instead.
        if not isinstance(live, LiveReports) or live.stats.interval_s != setup.interval_s:
            return None
        return live


DOMAIN = Domain(
    name="reports",
    package="hearthline.reports",
    commands=(RecordCalls,),
    events=(CallImported,),
    refusals=(HistoryError,),
    start=lambda setup: LiveReports(StatsProjection(interval_s=setup.interval_s)),
    load=LiveReports.load,
)
