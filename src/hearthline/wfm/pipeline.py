"""From a contact history to a staffing plan: forecast, then staff every interval.

The one path behind ``hearthline plan`` and the planning endpoint, so the command line
and the server plan a day alike. Reading the history (a file, an upload) and showing
the plan (text, CSV, JSON) stay with each caller.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from hearthline.wfm.forecast import Forecast, ForecastRequest, forecast_history
from hearthline.wfm.importers import History
from hearthline.wfm.plan import StaffingPlan, build_plan
from hearthline.wfm.staffing import Targets


@dataclass(frozen=True)
class PlannedHistory:
    """The forecasts a plan was staffed from (one, or one per queue) and the plan."""

    forecasts: list[Forecast]
    plan: StaffingPlan


def plan_from_history(
    history: History,
    request: ForecastRequest,
    targets: Targets,
    *,
    by_queue: bool = False,
    open_at: Callable[[dt.datetime], bool] | None = None,
) -> PlannedHistory:
    """Forecasts ``request`` from ``history`` and staffs it to ``targets``.

    ``by_queue`` forecasts each queue of the history on its own (only ``request.queue``
    when it names one); otherwise one forecast covers the request's queue, or all queues
    together. ``open_at``: the line's opening hours (closed intervals get no agents).
    Raises ValueError for a history or request that cannot be planned.
    """
    if by_queue:
        queues = history.queues() if request.queue is None else [request.queue]
        forecasts = [forecast_history(history, request.for_queue(q)) for q in queues]
    else:
        forecasts = [forecast_history(history, request)]
    return PlannedHistory(forecasts=forecasts, plan=build_plan(forecasts, targets, open_at=open_at))
