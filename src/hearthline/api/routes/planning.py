"""Workforce planning over HTTP: a staffing plan from a contact history the manager sends.

The history is the request body as CSV (the generic format or the Anonymous Bank's, see
docs/planning.md); the forecast uses only what happened before ``start``. The work is
the same as ``hearthline plan`` on the command line: forecast by backtested method, then
the fewest agents per interval that meet the targets, and the agents to schedule once
shrinkage is counted.
"""

from __future__ import annotations

import datetime as dt
import io
import math
from collections.abc import Callable
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from hearthline.api.deps import AppContext, Ctx, Staff
from hearthline.api.errors import ERROR_RESPONSES, ApiError, not_found
from hearthline.api.principal import Principal
from hearthline.api.schemas import BacktestWeekOut, ForecastChoice, PlanRowOut, StaffingPlanOut
from hearthline.api.schemas.common import IDENT_PATTERN
from hearthline.api.scope import client_visible
from hearthline.store.queries import menus as menus_q
from hearthline.voice.hours import hours_from_dict
from hearthline.wfm.forecast import (
    BASELINE,
    Forecast,
    ForecastRequest,
    MethodScore,
    ratio_to_baseline,
)
from hearthline.wfm.importers import History, read_anonymous_bank, read_generic
from hearthline.wfm.pipeline import plan_from_history
from hearthline.wfm.staffing import Targets

router = APIRouter(prefix="/api/planning", tags=["planning"], responses=ERROR_RESPONSES)
# A month of a large center's calls is a few tens of MB of CSV.
MAX_HISTORY_BYTES = 64 * 1024 * 1024
_EXAMPLES_SHOWN = 20
_CSV_BODY = {
    "requestBody": {
        "required": True,
        "description": "The contact history, as CSV (UTF-8).",
        "content": {"text/csv": {"schema": {"type": "string"}}},
    }
}


class HistoryFormat(StrEnum):
    GENERIC = "generic"
    ANONYMOUS_BANK = "anonymous-bank"


Share = Annotated[float | None, Query(gt=0, lt=1)]


@router.post("/staffing", response_model=StaffingPlanOut, openapi_extra=_CSV_BODY)
async def staffing(
    request: Request,
    me: Staff,
    ctx: Ctx,
    start: Annotated[dt.date, Query(description="the first day to plan")],
    history_format: Annotated[HistoryFormat, Query(alias="format")] = HistoryFormat.GENERIC,
    days: Annotated[int, Query(ge=1, le=28)] = 7,
    interval: Annotated[int, Query(description="minutes: 15, 30 or 60")] = 30,
    target_sl: Share = 0.8,
    answer_time: Annotated[float, Query(ge=0, le=3600)] = 20.0,
    target_asa: Annotated[float | None, Query(gt=0, le=3600)] = None,
    max_abandon: Share = None,
    max_occupancy: Annotated[float | None, Query(gt=0, le=1)] = None,
    patience: Annotated[float | None, Query(gt=0, le=86_400)] = None,
    shrinkage: Annotated[float, Query(ge=0, lt=1)] = 0.3,
    by_queue: bool = False,
    campaign: Annotated[
        str | None,
        Query(pattern=IDENT_PATTERN, description="staff only within its opening hours"),
    ] = None,
) -> StaffingPlanOut:
    """Forecast the history's volume and handle time, then staff every interval (with
    ``campaign``, none while its line is closed: its opening hours, the firm's zone)."""
    if interval not in (15, 30, 60):
        raise ApiError(422, "invalid", f"interval must be 15, 30 or 60 minutes, got {interval}")
    if target_sl is None and target_asa is None and max_abandon is None:
        raise ApiError(422, "invalid", "give a target: target_sl, target_asa or max_abandon")
    text = await _history_text(request)
    try:
        targets = Targets(
            service_level=target_sl,
            answer_time_s=answer_time,
            asa_s=target_asa,
            max_abandon=max_abandon,
            max_occupancy=max_occupancy,
            patience_s=patience,
            shrinkage=shrinkage,
        )
    except ValueError as exc:
        raise ApiError(422, "invalid", str(exc)) from None
    wanted = ForecastRequest(start=start, days=days, interval_minutes=interval)
    open_at = await _opening(ctx, me, campaign) if campaign is not None else None

    def plan() -> StaffingPlanOut:
        history = _read(text, history_format)
        planned = plan_from_history(history, wanted, targets, by_queue=by_queue, open_at=open_at)
        return _out(planned.plan.to_json(), planned.forecasts, history)

    try:
        return await ctx.db(plan)
    except ValueError as exc:  # no history before start, another format's header, the calendar
        raise ApiError(422, "invalid", str(exc)) from None


async def _opening(
    ctx: AppContext, me: Principal, campaign: str
) -> Callable[[dt.datetime], bool] | None:
    """The campaign's opening hours as "is this local start open?"; None if it has none."""
    client = ctx.directory.campaign_client.get(campaign)
    if client is None or not client_visible(ctx.directory, me, client):
        raise not_found("campaign", campaign)
    stored = await ctx.db(menus_q.hours, ctx.engine, campaign)
    if stored is None:
        return None
    hours, zone = hours_from_dict(stored), await ctx.firm_zone()
    return lambda local: hours.is_open(local.replace(tzinfo=zone).timestamp(), zone)


async def _history_text(request: Request) -> str:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > MAX_HISTORY_BYTES:
        raise _too_large()
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_HISTORY_BYTES:
            raise _too_large()
        chunks.append(chunk)
    if size == 0:
        raise ApiError(422, "invalid", "send the contact history as the request body (CSV)")
    try:
        return b"".join(chunks).decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ApiError(
            422, "invalid", f"the history is not UTF-8 text (byte {exc.start})"
        ) from None


def _too_large() -> ApiError:
    return ApiError(413, "too-large", f"the history may be at most {MAX_HISTORY_BYTES} bytes")


def _read(text: str, fmt: HistoryFormat) -> History:
    lines = io.StringIO(text, newline="")
    if fmt is HistoryFormat.ANONYMOUS_BANK:
        return read_anonymous_bank(lines, source="the upload")
    return read_generic(lines, source="the upload")


def _finite(x: float) -> float | None:
    return x if math.isfinite(x) else None


def _weeks(score: MethodScore | None, naive: MethodScore | None) -> list[BacktestWeekOut]:
    if score is None or naive is None:
        return []
    return [
        BacktestWeekOut(
            first_day=own.first_day.isoformat(),
            days=own.days,
            wape_day=_finite(own.wape_day),
            wape_interval=_finite(own.wape_interval),
            naive_wape_day=_finite(base.wape_day),
            naive_wape_interval=_finite(base.wape_interval),
        )
        for own, base in zip(score.weeks, naive.weeks, strict=True)
    ]


def _out(plan: dict[str, Any], forecasts: list[Forecast], history: History) -> StaffingPlanOut:
    choices = []
    for f in forecasts:
        score = next((s for s in f.scores if s.method == f.method), None)
        naive = next((s for s in f.scores if s.method == BASELINE), None)
        vs_day, vs_interval = ratio_to_baseline(f.scores, f.method)
        choices.append(
            ForecastChoice(
                queue=f.queue or "all",
                method=f.method,
                wape_day=_finite(score.wape_day) if score else None,
                wape_interval=_finite(score.wape_interval) if score else None,
                vs_naive_day=_finite(vs_day),
                vs_naive_interval=_finite(vs_interval),
                weeks=_weeks(score, naive),
                history_first_day=f.history_first_day.isoformat(),
                history_last_day=f.history_last_day.isoformat(),
            )
        )
    return StaffingPlanOut(
        interval_minutes=plan["interval_minutes"],
        targets=plan["targets"],
        forecasts=choices,
        rows=[PlanRowOut(**r) for r in plan["rows"]],
        agent_hours=plan["agent_hours"],
        total_agent_hours=plan["total_agent_hours"],
        rows_read=history.rows_read,
        bad_rows=len(history.bad_rows),
        bad_row_examples=[f"line {b.line}: {b.reason}" for b in history.bad_rows[:_EXAMPLES_SHOWN]],
    )
