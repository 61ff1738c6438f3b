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


class BacktestWeekOut(Out):
    """One backtest week: the chosen method's WAPE and seasonal naive's, per day and per
    interval (null where the week had no calls)."""

    first_day: str
    days: int
    wape_day: float | None
    wape_interval: float | None
    naive_wape_day: float | None
    naive_wape_interval: float | None


class ForecastChoice(Out):
    """The forecasting method a queue's backtest chose, its error (WAPE, averaged over the
    backtest weeks), the same over seasonal naive's, and the weeks themselves."""

    queue: str
    method: str
    wape_day: float | None
    wape_interval: float | None
    vs_naive_day: float | None
    vs_naive_interval: float | None
    weeks: list[BacktestWeekOut]
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
