"""The menu figures' projection as a domain of the one write path (see ``kernel.domain``).

It decides nothing: it follows every event, and the service writes the rows that
changed to ``menu_interval_stats`` now and then (``service/domains.py``). A domain of
its own, beside the statistics (``reports.domain``), so a snapshot taken before it
existed is replayed rather than read without it.
"""

from __future__ import annotations

from hearthline.kernel.domain import Domain, DomainEvent, Live, Setup, load_pickled
from hearthline.reports.menus import MenuProjection


class LiveMenuReports(Live):
    def __init__(self, menus: MenuProjection) -> None:
        self.menus = menus

    def follow(self, event: DomainEvent) -> None:
        self.menus.apply(event)

    @classmethod
    def load(cls, blob: bytes, setup: Setup) -> Live | None:
        live = load_pickled(blob, setup)
        # Intervals of another length cannot go on from here: replay the log instead.
        if not isinstance(live, LiveMenuReports) or live.menus.interval_s != setup.interval_s:
            return None
        return live


DOMAIN = Domain(
    name="menu_reports",
    package="hearthline.reports",
    commands=(),
    events=(),
    refusals=(),
    start=lambda setup: LiveMenuReports(MenuProjection(interval_s=setup.interval_s)),
    load=LiveMenuReports.load,
)
