"""The statistics projection as a domain of the one write path (see ``kernel.domain``).

It decides nothing: it follows every event, and the service writes what changed to the
read-model tables now and then (``service/domains.py``).
"""

from __future__ import annotations

from hearthline.kernel.domain import Domain, DomainEvent, Live, Setup, load_pickled
from hearthline.reports.stats import StatsProjection
from hearthline.routing import events as ev


class LiveReports(Live):
    def __init__(self, stats: StatsProjection) -> None:
        self.stats = stats

    def follow(self, event: DomainEvent) -> None:
        if isinstance(event, ev.Event):
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
    commands=(),
    events=(),
    refusals=(),
    start=lambda setup: LiveReports(StatsProjection(interval_s=setup.interval_s)),
    load=LiveReports.load,
)
