"""Pay: an agent's own pay so far this period, the firm's payroll (JSON or the CSV a
payroll system imports), and closing a pay period."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from hearthline.api.deps import Admin, AgentCaller, AppContext, Ctx
from hearthline.api.errors import ERROR_RESPONSES, ApiError
from hearthline.api.pay import PeriodPay, period_pay
from hearthline.api.routes.billing import CSV_RESPONSE
from hearthline.api.schemas import (
    AdjustmentOut,
    AgentPayOut,
    BonusLineOut,
    ClosedPeriodOut,
    ClosePeriodIn,
    PayLineOut,
)
from hearthline.service.actions import pay as actions
from hearthline.service.actions.pay import check_closing_order
from hearthline.store.queries import config as config_q
from hearthline.store.queries import pay as pay_q
from hearthline.store.queries.pay import ClosedPeriod
from hearthline.wfm.pay import PayError
from hearthline.wfm.payroll import AgentPay, payroll_csv

router = APIRouter(prefix="/api", tags=["pay"], responses=ERROR_RESPONSES)
DayQuery = Annotated[
    date | None,
    Query(
        description="a day of the pay period; default today",
        ge=date(2000, 1, 1),
        le=date(2099, 12, 31),
    ),
]


@router.get("/agent/pay", response_model=AgentPayOut)
async def my_pay(me: AgentCaller, ctx: Ctx, day: DayQuery = None) -> AgentPayOut:
    """My pay so far this period: hours by kind and rate, bonuses, adjustments, each
    line naming the days, contacts or closed period behind it."""
    assert me.agent_id is not None
    pay = await _pay(ctx, [me.agent_id], day)
    if not pay.rows:
        raise ApiError(404, "not-found", "no pay rule is set for you yet; ask an administrator")
    return _out(pay.rows[0], pay)


@router.get(
    "/admin/payroll", response_model=list[AgentPayOut], tags=["admin"], responses=CSV_RESPONSE
)
async def payroll(
    me: Admin, ctx: Ctx, day: DayQuery = None, format: Literal["json", "csv"] = "json"
) -> list[AgentPayOut] | Response:
    """Every agent with a pay rule, for the pay period containing ``day``; a closed
    period as it was paid."""
    agents = [a.id for a in await ctx.db(config_q.agents, ctx.engine)]
    pay = await _pay(ctx, agents, day)
    if format == "csv":
        last = pay.period.end_day - timedelta(days=1)
        return Response(
            payroll_csv(pay.rows, pay.currency),
            media_type="text/csv",
            headers={
                "Content-Disposition": f'attachment; filename="payroll-{pay.period.first_day}'
                f'-{last}.csv"'
            },
        )
    return [_out(row, pay) for row in pay.rows]


@router.get("/admin/payroll/periods", response_model=list[ClosedPeriodOut], tags=["admin"])
async def closed_periods(me: Admin, ctx: Ctx) -> list[ClosedPeriodOut]:
    """The closed pay periods, newest first."""
    closed = await ctx.db(pay_q.closed_periods, ctx.engine)
    totals = await ctx.db(pay_q.closed_totals, ctx.engine)
    return [
        _closed_out(done, *totals.get(done.period.first_day, (0, Decimal("0.00"))))
        for done in reversed(closed)
    ]


@router.post(
    "/admin/payroll/close", response_model=ClosedPeriodOut, status_code=201, tags=["admin"]
)
async def close_period(body: ClosePeriodIn, me: Admin, ctx: Ctx) -> ClosedPeriodOut:
    """Closes the pay period containing ``day``: what it pays now is kept as paid, and
    a later correction of one of its days is paid as an adjustment in the next open
    period. Periods close once, in order, and only once they have ended."""
    at = ctx.now()
    zone = await ctx.firm_zone()
    settings = await ctx.db(pay_q.pay_settings, ctx.engine)
    period = settings.calendar.period_of(body.day)
    # The cheap refusals before reading a period's worth of log; the closing checks
    # again in its own transaction.
    check_closing_order(await ctx.db(pay_q.closed_periods, ctx.engine), period)
    ends = period.window(zone)[1]
    if ends.timestamp() > at:
        raise ApiError(
            409,
            "conflict",
            f"pay period {period.label} has not ended yet: it ends {ends.astimezone(zone)}",
        )
    agents = [a.id for a in await ctx.db(config_q.agents, ctx.engine)]
    pay = await _pay(ctx, agents, body.day)
    if pay.ledger is None:  # another closing won while this one was reading
        raise ApiError(409, "conflict", f"pay period {pay.period.label} was closed meanwhile")
    done = await ctx.db(
        actions.close_pay_period,
        ctx.engine,
        me,
        at=at,
        period=pay.period,
        rows=pay.rows,
        ledger=pay.ledger,
        currency=pay.currency,
    )
    total = sum((row.total for row in pay.rows), Decimal("0.00"))
    return _closed_out(done, len(pay.rows), total)


async def _pay(ctx: AppContext, agents: Sequence[str], day: date | None) -> PeriodPay:
    zone = await ctx.firm_zone()
    when = day or datetime.fromtimestamp(ctx.now(), zone).date()
    try:
        return await ctx.db(period_pay, ctx.engine, zone, when, agents, now=ctx.now())
    except PayError as exc:
        raise ApiError(409, "pay-refused", str(exc)) from None


def _closed_out(done: ClosedPeriod, agents: int, total: Decimal) -> ClosedPeriodOut:
    return ClosedPeriodOut(
        first_day=done.period.first_day,
        last_day=done.period.end_day - timedelta(days=1),
        closed_at=done.closed_at,
        closed_by=done.closed_by,
        currency=done.currency,
        agents=agents,
        total=total,
    )


def _out(pay: AgentPay, period: PeriodPay) -> AgentPayOut:
    return AgentPayOut(
        agent_id=pay.agent,
        first_day=pay.period.first_day,
        last_day=pay.period.end_day - timedelta(days=1),
        currency=period.currency,
        closed=period.closed is not None,
        time=[
            PayLineOut(
                kind=str(ln.kind),
                rate_from=ln.rate_from,
                hours=ln.hours,
                amount=ln.amount,
                workdays=list(ln.workdays),
            )
            for ln in pay.time
        ],
        bonuses=[
            BonusLineOut(
                kind=str(b.kind),
                campaign=b.campaign,
                amount=b.amount,
                contacts=list(b.contacts),
                note=b.note,
            )
            for b in pay.bonuses
        ],
        adjustments=[
            AdjustmentOut(of_period=a.of_period, kind=a.kind, amount=a.amount)
            for a in pay.adjustments
        ],
        total=pay.total,
    )
