"""Schedules over HTTP: settings and contracts, shifts generated from a staffing plan,
windows of open shifts, agents' picks, live adherence and timesheets.

Supervisors and administrators plan and watch (a supervisor of one client company only
its agents); agents read and pick for themselves under ``/api/schedules/mine``, with no
agent id in the path, so an agent cannot act for anyone else. Picks are decided on the
one writer in arrival order: of two agents after the last seat one gets it, the other a
409 saying it was taken.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable, Sequence
from typing import Annotated, TypeVar

from fastapi import APIRouter, Path, Query

from hearthline.api.answers import command_result
from hearthline.api.deps import Admin, AgentCaller, AppContext, Ctx, Staff
from hearthline.api.errors import ERROR_RESPONSES, ApiError, forbidden
from hearthline.api.principal import Principal
from hearthline.api.routes.supervisor import visible_agents
from hearthline.api.schemas import CommandResult
from hearthline.api.schemas.common import IDENT_PATTERN
from hearthline.api.schemas.schedules import (
    AdherenceOut,
    BreakModel,
    BreakRuleModel,
    ContractIn,
    ContractOut,
    CorrectionIn,
    CorrectionOut,
    GenerateIn,
    GraceModel,
    GroupRosterOut,
    MyWeekOut,
    PickIn,
    PublishIn,
    RosterOut,
    SettingsIn,
    SettingsOut,
    ShiftModel,
    SlotOut,
    TimesheetOut,
    WindowModel,
    WindowOut,
)
from hearthline.api.scope import access_agent
from hearthline.service.actions import schedules as actions
from hearthline.service.domains import CODEC
from hearthline.service.state import LiveState
from hearthline.store.queries import pay as pay_q
from hearthline.store.queries import schedules as q
from hearthline.wfm.adherence import ALERTS, Grace
from hearthline.wfm.board import Board, Window, zone
from hearthline.wfm.changes import Requirement
from hearthline.wfm.commands import PickShift, PublishShifts
from hearthline.wfm.contracts import HOUR, Break, BreakRule, Contract, ContractKind, Shift
from hearthline.wfm.contracts import Window as Available
from hearthline.wfm.domain import LiveSchedules
from hearthline.wfm.errors import ScheduleError
from hearthline.wfm.timeline import Timelines
from hearthline.wfm.timesheet import Correction, day_bounds, timesheet
from hearthline.wfm.wall_clock import real_intervals

router = APIRouter(prefix="/api/schedules", tags=["schedules"], responses=ERROR_RESPONSES)
AgentPath = Annotated[str, Path(pattern=IDENT_PATTERN)]
WindowPath = Annotated[str, Path(pattern=IDENT_PATTERN)]
T = TypeVar("T")
# A timesheet reads the log from this long before its day: the state the day starts in.
LOOKBACK_S = 36 * HOUR


async def _board(ctx: AppContext, read: Callable[[Board], T]) -> T:
    """Reads the schedule board on the writer thread, after the batch in progress."""

    def on_writer(state: LiveState) -> T:
        return read(state.part(LiveSchedules).board)

    return await asyncio.to_thread(ctx.writer.query, on_writer)


async def _run(ctx: AppContext, command: object) -> CommandResult:
    stored = await ctx.run(command)
    return command_result(stored, last_event_id=ctx.writer.last_event_id)


def _day(day: dt.date) -> dt.date:
    if not dt.date(1971, 1, 1) <= day <= dt.date(2200, 12, 31):
        raise ApiError(422, "invalid", f"day {day.isoformat()} is out of range (1971 to 2200)")
    return day


def _me(p: Principal) -> str:
    if p.agent_id is None:
        raise forbidden("this user is not linked to an agent")
    return p.agent_id


# Conversions ---------------------------------------------------------------------------


def _rule(b: BreakRuleModel) -> BreakRule:
    return BreakRule(
        min_shift_s=b.min_shift_h * HOUR,
        length_s=b.length_min * 60,
        paid=b.paid,
        reason=b.reason,
        earliest_s=b.earliest_h * HOUR,
        latest_s=b.latest_h * HOUR,
    )


def _rule_out(b: BreakRule) -> BreakRuleModel:
    return BreakRuleModel(
        min_shift_h=b.min_shift_s / HOUR,
        length_min=b.length_s / 60,
        paid=b.paid,
        reason=b.reason,
        earliest_h=b.earliest_s / HOUR,
        latest_h=b.latest_s / HOUR,
    )


def _contract(agent: str, body: ContractIn) -> Contract:
    try:
        return Contract(
            agent=agent,
            group=body.group,
            kind=ContractKind(body.kind),
            min_week_h=body.min_week_h,
            max_week_h=body.max_week_h,
            max_days_week=body.max_days_week,
            min_rest_h=body.min_rest_h,
            windows=tuple(Available(w.weekday, w.start_min, w.end_min) for w in body.windows),
            shift_lengths_h=tuple(sorted(set(body.shift_lengths_h))),
            breaks=tuple(_rule(b) for b in body.breaks),
            seniority=body.seniority,
        )
    except ValueError as exc:
        raise ApiError(422, "invalid", str(exc)) from None


def _contract_out(c: Contract) -> ContractOut:
    return ContractOut(
        agent=c.agent,
        group=c.group,
        kind=c.kind.value,
        min_week_h=c.min_week_h,
        max_week_h=c.max_week_h,
        max_days_week=c.max_days_week,
        min_rest_h=c.min_rest_h,
        windows=[
            WindowModel(weekday=w.weekday, start_min=w.start_min, end_min=w.end_min)
            for w in c.windows
        ],
        shift_lengths_h=list(c.shift_lengths_h),
        breaks=[_rule_out(b) for b in c.breaks],
        seniority=c.seniority,
    )


def _shift(s: ShiftModel) -> Shift:
    return Shift(
        s.id,
        s.group,
        s.start,
        s.end,
        tuple(Break(b.start, b.end, b.paid, b.reason) for b in s.breaks),
    )


def shift_out(s: Shift) -> ShiftModel:
    return ShiftModel(
        id=s.id,
        group=s.group,
        start=s.start,
        end=s.end,
        breaks=[
            BreakModel(start=b.start, end=b.end, paid=b.paid, reason=b.reason) for b in s.breaks
        ],
    )


def _slot(board: Board, s: Shift, w: Window) -> SlotOut:
    return SlotOut(
        shift=shift_out(s), window=w.id, closes_at=w.closes_at, holder=board.holder.get(s.id)
    )


def _grace(g: GraceModel) -> Grace:
    return Grace(
        sign_in_s=g.sign_in_s, absent_s=g.absent_s, sign_out_s=g.sign_out_s, break_s=g.break_s
    )


def _grace_out(g: Grace) -> GraceModel:
    return GraceModel(
        sign_in_s=g.sign_in_s, absent_s=g.absent_s, sign_out_s=g.sign_out_s, break_s=g.break_s
    )


# Settings and contracts ----------------------------------------------------------------


@router.get("/settings", response_model=SettingsOut)
async def get_settings(me: Staff, ctx: Ctx) -> SettingsOut:
    """The firm's time zone (days, weeks and availability are in it) and the graces."""
    return await _board(
        ctx, lambda b: SettingsOut(time_zone=b.time_zone, grace=_grace_out(b.grace))
    )


@router.put("/settings", response_model=SettingsOut)
async def put_settings(body: SettingsIn, me: Admin, ctx: Ctx) -> SettingsOut:
    try:
        zone(body.time_zone)
    except ScheduleError as exc:
        raise ApiError(422, "invalid", str(exc)) from None
    grace = _grace(body.grace)
    await ctx.db(actions.put_settings, ctx.writer, me, time_zone=body.time_zone, grace=grace)
    return SettingsOut(time_zone=body.time_zone, grace=body.grace)


@router.get("/contracts", response_model=list[ContractOut])
async def contracts(me: Staff, ctx: Ctx) -> list[ContractOut]:
    """The contracts of the agents the caller may see."""
    agents = set(visible_agents(ctx, me))
    found = await _board(ctx, lambda b: [c for a, c in sorted(b.contracts.items()) if a in agents])
    return [_contract_out(c) for c in found]


@router.put("/contracts/{agent}", response_model=ContractOut)
async def put_contract(agent: AgentPath, body: ContractIn, me: Staff, ctx: Ctx) -> ContractOut:
    """Sets an agent's contract; shifts they hold already are not taken away."""
    access_agent(ctx.directory, me, agent)
    contract = _contract(agent, body)
    await ctx.db(actions.put_contract, ctx.writer, me, contract)
    return _contract_out(contract)


# Generating and publishing -------------------------------------------------------------


@router.post("/generate", response_model=RosterOut)
async def generate(body: GenerateIn, me: Staff, ctx: Ctx) -> RosterOut:
    """Shifts that cover the required agents best, then cheapest (HiGHS), with the LP
    bound on under-cover, and a proposal of who could work them within their contracts.
    Nothing is stored: publish the shifts as a window for agents to pick."""
    from hearthline.wfm.rostering import Need, ShiftRules, assign, roster  # the solver loads on use

    step = body.interval_minutes * 60.0
    groups = [n.group for n in body.needs]
    if len(set(groups)) != len(groups):
        raise ApiError(422, "invalid", "each skill group may appear once in needs")
    for h in body.lengths_h:
        if abs(h * HOUR / step - round(h * HOUR / step)) > 1e-9:
            raise ApiError(422, "invalid", f"a {h:g} h shift is not a whole number of intervals")
    if (body.start is None) == (body.local_start is None):
        raise ApiError(422, "invalid", "give start (UTC seconds) or local_start, not both")
    agents = set(visible_agents(ctx, me))
    tz_name, mine = await _board(
        ctx, lambda b: (b.time_zone, [c for a, c in b.contracts.items() if a in agents])
    )
    if body.local_start is not None:
        if not dt.date(1971, 1, 1) <= body.local_start.date() <= dt.date(2200, 1, 1):
            raise ApiError(422, "invalid", "local_start is out of range (1971 to 2200)")
        # Wall-clock rows (a staffing plan's): each real interval takes the requirement of
        # the row its wall-clock start falls in, across a change of the clocks too.
        first = body.local_start.replace(tzinfo=None)
        laid = [real_intervals(first, step, n.required, zone(tz_name)) for n in body.needs]
        start = laid[0][0]
        needs = [Need(n.group, s, step, r) for n, (s, r) in zip(body.needs, laid, strict=True)]
    else:
        assert body.start is not None
        start = body.start
        needs = [Need(n.group, start, step, tuple(n.required)) for n in body.needs]
    rules = ShiftRules(
        lengths_h=tuple(sorted(set(body.lengths_h))),
        breaks=tuple(_rule(b) for b in body.breaks),
        # The budget is the request's, shared by its groups.
        time_limit_s=body.time_limit_s / len(needs),
    )

    def solve() -> RosterOut:
        tz = zone(tz_name)
        made = roster(needs, rules, mine, tz=tz)
        proposal = assign(made.shifts, mine, tz=tz)
        return RosterOut(
            time_zone=tz_name,
            interval_minutes=body.interval_minutes,
            start=start,
            groups=[
                GroupRosterOut(
                    group=g.group,
                    required=list(g.required),
                    cover=list(g.cover),
                    under_cover=g.under_cover,
                    lp_under_cover=g.lp_under_cover,
                    mip_bound=g.mip_bound,
                    paid_hours=g.paid_hours,
                    shifts=len(g.shifts),
                    status=g.status,
                    mip_gap=g.mip_gap,
                )
                for g in made.groups
            ],
            shifts=[shift_out(s) for s in made.shifts],
            under_cover=made.under_cover,
            lp_under_cover=made.lp_under_cover,
            mip_bound=made.mip_bound,
            gap=made.gap,
            seconds=made.seconds,
            proposal={a: [s.id for s in held] for a, held in proposal.held.items() if held},
            unassigned=[s.id for s in proposal.open],
        )

    return await ctx.db(solve)


@router.post("/windows", response_model=CommandResult)
async def publish(body: PublishIn, me: Staff, ctx: Ctx) -> CommandResult:
    """Publishes shifts as open shifts that agents pick until ``closes_at``; then the
    picks are binding and the shifts left are reported unfilled."""
    if not me.firm_wide:
        raise forbidden("open shifts are published firm-wide, by firm-wide staff")
    shifts = tuple(_shift(s) for s in body.shifts)
    needs = tuple(
        Requirement(n.group, n.start, n.interval_minutes * 60.0, tuple(n.required))
        for n in body.needs
    )
    return await _run(ctx, PublishShifts(body.window, shifts, body.closes_at, needs))


# Agents work for several client companies: a window holds all of the firm's shifts, so
# a supervisor of one client company sees none.
@router.get("/windows", response_model=list[WindowOut])
async def windows(me: Staff, ctx: Ctx) -> list[WindowOut]:
    if not me.firm_wide:
        return []
    return await _board(ctx, lambda b: [_window_out(b, w) for w in b.windows.values()])


@router.get("/windows/{window}", response_model=WindowOut)
async def window(window: WindowPath, me: Staff, ctx: Ctx) -> WindowOut:
    """The window's shifts and who holds them; ``unfilled``: those no one holds."""
    found = await _board(
        ctx, lambda b: _window_out(b, b.windows[window]) if window in b.windows else None
    )
    if found is None or not me.firm_wide:
        raise ApiError(404, "not-found", f"no window {window!r}")
    return found


def _window_out(b: Board, w: Window) -> WindowOut:
    slots = [_slot(b, b.shifts[s], w) for s in w.shifts]
    return WindowOut(
        id=w.id,
        closes_at=w.closes_at,
        closed=w.closed,
        slots=slots,
        unfilled=[s.shift.id for s in slots if s.holder is None],
    )


# Adherence and timesheets --------------------------------------------------------------


@router.get("/adherence", response_model=list[AdherenceOut])
async def adherence(me: Staff, ctx: Ctx) -> list[AdherenceOut]:
    """Each visible agent's adherence now: status (with ``alert`` for late, absent,
    early-out and break-long), since when, the shift, minutes late, the share kept."""
    agents = visible_agents(ctx, me)
    now = ctx.now()
    # Copied on the writer, computed off it: the writer does not wait on the arithmetic.
    inputs = await _board(ctx, lambda b: b.inputs(agents, now))
    found = await ctx.db(inputs.adherence, now)
    return [
        AdherenceOut(
            agent=a,
            status=x.status.value,
            alert=x.status in ALERTS,
            since=x.since,
            shift=x.shift,
            late_s=x.late_s,
            adherence=x.adherence,
        )
        for a, x in found.items()
    ]


@router.get("/timesheets", response_model=list[TimesheetOut])
async def timesheets(
    me: Staff,
    ctx: Ctx,
    day: Annotated[dt.date, Query(description="the firm's calendar day")],
    agent: Annotated[str | None, Query(pattern=IDENT_PATTERN)] = None,
) -> list[TimesheetOut]:
    """Time on the clock per agent for ``day``, from the log, with the corrections."""
    if agent is not None:
        access_agent(ctx.directory, me, agent)
    agents = [agent] if agent is not None else visible_agents(ctx, me)
    return await _sheets(ctx, agents, _day(day))


@router.post("/timesheets/{agent}/corrections", response_model=TimesheetOut)
async def correct(agent: AgentPath, body: CorrectionIn, me: Staff, ctx: Ctx) -> TimesheetOut:
    """Corrects what the log says for a span of the agent's day, with a reason; audited.
    The log is unchanged; the sheet shows the correction beside it."""
    access_agent(ctx.directory, me, agent)
    tz = await ctx.firm_zone()
    start, end = day_bounds(_day(body.day), tz)
    if not (start <= body.start < body.end <= end):
        raise ApiError(
            422,
            "invalid",
            f"the span must lie within {body.day.isoformat()} in {tz.key}, start before end",
        )
    fix = Correction(body.start, body.end, body.state, body.reason, me.username)
    await ctx.db(
        actions.correct_timesheet,
        ctx.engine,
        me,
        at=ctx.now(),
        agent=agent,
        day=body.day,
        correction=fix,
    )
    return (await _sheets(ctx, [agent], body.day))[0]


async def _sheets(ctx: AppContext, agents: Sequence[str], day: dt.date) -> list[TimesheetOut]:
    tz = await ctx.firm_zone()
    start, end = day_bounds(day, tz)
    now = ctx.now()

    def read() -> list[TimesheetOut]:
        read_events = q.state_events(
            ctx.engine, CODEC, agents=agents, start=start - LOOKBACK_S, end=end
        )
        lines = Timelines()
        lines.replay(read_events)
        fixes = q.corrections(ctx.engine, agents=agents, day=day.isoformat())
        # The firm's unpaid reasons are a pay setting: the sheet and the pay agree.
        unpaid = pay_q.pay_settings(ctx.engine).unpaid_reasons
        out = []
        for a in agents:
            sheet = timesheet(
                a,
                lines.marks.get(a, []),
                day,
                tz=tz,
                corrections=[c for _, c in fixes[a]],
                until=now,
                unpaid_reasons=unpaid,
            )
            out.append(
                TimesheetOut(
                    agent=a,
                    day=day,
                    first_in=sheet.first_in,
                    last_out=sheet.last_out,
                    on_clock_s=sheet.on_clock_s,
                    paid_s=sheet.paid_s,
                    unpaid_s=sheet.unpaid_s,
                    system_s=sheet.system_s,
                    breaks_s=sheet.breaks_s,
                    corrections=[
                        CorrectionOut(
                            id=i, start=c.start, end=c.end, state=c.state, reason=c.reason, by=c.by
                        )
                        for i, c in fixes[a]
                    ],
                )
            )
        return out

    return await ctx.db(read)


# The agent's own -----------------------------------------------------------------------


@router.get("/mine/week", response_model=MyWeekOut)
async def my_week(
    me: AgentCaller,
    ctx: Ctx,
    week: Annotated[dt.date | None, Query(description="a day of the week wanted")] = None,
) -> MyWeekOut:
    """My shifts of the week (Monday to Sunday in the firm's time zone), my contract, and
    the open shifts I could pick."""
    agent = _me(me)
    now = ctx.now()
    if week is not None:
        _day(week)

    def read(b: Board) -> MyWeekOut:
        day = week or dt.datetime.fromtimestamp(now, tz=b.tz).date()
        monday = day - dt.timedelta(days=day.weekday())
        start, _ = day_bounds(monday, b.tz)
        _, end = day_bounds(monday + dt.timedelta(days=6), b.tz)
        mine = b.shifts_of(agent, start, end)
        contract = b.contracts.get(agent)
        return MyWeekOut(
            week_start=monday,
            time_zone=b.time_zone,
            shifts=[shift_out(s) for s in mine],
            open=[
                _slot(b, s, w)
                for s, w in b.open_shifts(now)
                if contract is None or s.group == contract.group
            ],
            contract=_contract_out(contract) if contract is not None else None,
            paid_hours=sum(s.paid_s for s in mine) / HOUR,
            reminder_minutes=b.rules.reminder_s / 60,
            colleagues=sorted(
                a
                for a, c in b.contracts.items()
                if contract is not None and c.group == contract.group and a != agent
            ),
            next_shift=next(
                (shift_out(s) for s in b.shifts_of(agent, now, now + 14 * 86_400) if s.end > now),
                None,
            ),
        )

    return await _board(ctx, read)


@router.post("/mine/picks", response_model=CommandResult)
async def pick(body: PickIn, me: AgentCaller, ctx: Ctx) -> CommandResult:
    """Takes an open shift, if it fits my contract and no one has taken it (409 if so)."""
    return await _run(ctx, PickShift(_me(me), body.shift))


@router.get("/mine/timesheet", response_model=TimesheetOut)
async def my_timesheet(me: AgentCaller, ctx: Ctx, day: Annotated[dt.date, Query()]) -> TimesheetOut:
    return (await _sheets(ctx, [_me(me)], _day(day)))[0]
