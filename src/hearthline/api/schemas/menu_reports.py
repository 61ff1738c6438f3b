"""The reports' menu figures."""

from __future__ import annotations

from hearthline.api.schemas.common import Out
from hearthline.api.schemas.reports import RangeOut


class MenuRowOut(Out):
    # The group's dimensions (client, menu: the dialled number, node; interval as its
    # local start with the offset, day as the local date) and their values.
    key: dict[str, str]
    interval_start: float | None
    figures: dict[str, float | None]
    # How the stays in the group's node were left, per way ("option:1", "hangup", ...);
    # empty unless grouped by node (a way is a node's own).
    exits: dict[str, int]


class MenuReportOut(RangeOut):
    rows: list[MenuRowOut]
