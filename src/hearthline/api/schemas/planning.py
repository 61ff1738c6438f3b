"""Bodies of staffing plans made from an uploaded history."""

from __future__ import annotations

from hearthline.api.schemas.common import Out


class PlanRowOut(Out):
    """One interval of a staffing plan: the forecast, and the agents it needs."""

    queue: str
    start: str
    calls: float
    aht_s: float
    traffic_erlangs: float
    agents: int
    scheduled: int
    service_level: float
    asa_s: float | None
    occupancy: float
    p_abandon: float


class ForecastChoice(Out):
    """The forecasting method a queue's backtest chose, and its error (WAPE)."""

    queue: str
    method: str
    wape_day: float | None
    wape_interval: float | None
    history_first_day: str
    history_last_day: str


class StaffingPlanOut(Out):
    interval_minutes: int
    targets: dict[str, float | None]
    forecasts: list[ForecastChoice]
    rows: list[PlanRowOut]
    # Agent-hours to schedule per queue and in all, as `hearthline plan` prints them.
    agent_hours: dict[str, float]
    total_agent_hours: float
    rows_read: int
    bad_rows: int
    bad_row_examples: list[str]


class QueueSummary(Out):
    """What any reader of a queue's work needs: its name, line, client and targets."""

    id: str
    name: str
    campaign_id: str
    client_id: str
    service_target_s: float
    offer_timeout_s: float
