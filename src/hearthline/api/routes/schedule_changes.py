"""Changes to schedules after picking, over HTTP: trades between agents, shifts given
back, time off and sick call-ins under ``/api/schedules/mine`` (the agent, for
themselves); the firm's rules, the changes waiting for a decision with their cover
impact, and the gaps under ``/api/schedules`` (staff).

Every change runs through the one writer with its audit record in the same transaction;
of two changes after the same shift at once one is made, the other is a 409 naming why.
"""

from __future__ import annotations

import math
import secrets
from collections.abc import Iterable
from typing import Annotated

from fastapi import APIRouter, Path, Query

from hearthline.api.deps import Admin, AgentCaller, AppContext, Ctx, Staff
from hearthline.api.errors import ERROR_RESPONSES, ApiError
from hearthline.api.principal import Principal
from hearthline.api.routes.schedules import _board, _me, _shift, shift_out
from hearthline.api.routes.supervisor import visible_agents
from hearthline.api.schemas import EventRef
from hearthline.api.schemas.common import IDENT_PATTERN
from hearthline.api.schemas.schedules import (
    AnswerIn,
    ChangeOut,
    ChangeResult,
    DecisionIn,
    GapOut,
    GiveBackIn,
    ImpactOut,
    RulesModel,
    ShiftModel,
    SickIn,
    StepOut,
    TimeOffIn,
    TradeIn,
    TwinGroupOut,
    TwinIn,
    TwinOut,
)
from hearthline.service.actions import schedules as actions
from hearthline.wfm import change_desk
from hearthline.wfm.board import Board, Open
from hearthline.wfm.changes import (
    OPEN_STATUSES,
    Approval,
    ChangeRules,
    PickOrder,
    cover,
)
from hearthline.wfm.commands import (
    AnswerTrade,
    CallInSick,
    DecideChange,
    GiveBack,
    ProposeTrade,
    RequestTimeOff,
    SetChangeRules,
    WithdrawChange,
)
from hearthline.wfm.contracts import Shift

router = APIRouter(prefix="/api/schedules", tags=["schedules"], responses=ERROR_RESPONSES)
ChangePath = Annotated[str, Path(pattern=IDENT_PATTERN)]
# The impact of a change is shown on the plan's grid, or on half hours without a plan.
STEP_S = 1800.0
MAX_IMPACT_STEPS = 31 * 48


async def _change(
    ctx: AppContext, who: Principal, command: object, *, action: str, ident: str
) -> ChangeResult:
    stored = await ctx.db(actions.change, ctx.writer, who, command, action=action, target=ident)
    status = await _board(
        ctx, lambda b: b.changes[ident].status.value if ident in b.changes else ""
    )
    return ChangeResult(
        change=ident,
        status=status or "done",
        events=[EventRef(id=s.id, type=type(s.event).__name__) for s in stored],
        last_event_id=max([ctx.writer.last_event_id, *(s.id for s in stored)]),
    )


def _new_id() -> str:
    return "ch-" + secrets.token_hex(6)


# The firm's rules ----------------------------------------------------------------------


def _rules_out(r: ChangeRules) -> RulesModel:
    return RulesModel(
        approval=r.approval.value,
        pick_order=r.pick_order.value,
        turn_minutes=r.turn_s / 60,
        reminder_minutes=r.reminder_s / 60,
    )


@router.get("/rules", response_model=RulesModel)
async def get_rules(me: Staff, ctx: Ctx) -> RulesModel:
    """When changes wait for a supervisor, the picking order, the shift reminder."""
    return await _board(ctx, lambda b: _rules_out(b.rules))


@router.put("/rules", response_model=RulesModel)
async def put_rules(body: RulesModel, me: Admin, ctx: Ctx) -> RulesModel:
    rules = ChangeRules(
        approval=Approval(body.approval),
        pick_order=PickOrder(body.pick_order),
        turn_s=body.turn_minutes * 60,
        reminder_s=body.reminder_minutes * 60,
    )
    await ctx.db(
        actions.change,
        ctx.writer,
        me,
        SetChangeRules(rules),
        action="schedules.rules",
        target="firm",
    )
    return _rules_out(rules)


# Reading changes -----------------------------------------------------------------------


def _impact(b: Board, o: Open, now: float) -> list[ImpactOut]:
    """Required against scheduled per interval, with the agents as they are and without
    what the change moves: what a supervisor weighs before approving."""
    if o.status not in OPEN_STATUSES:
        return []
    moves = change_desk.moves_of(b, o.change, now)
    moved = [b.shifts[m.shift] for m in moves if m.shift in b.shifts]
    out = []
    for group in sorted({s.group for s in moved}):
        mine = [s for s in moved if s.group == group]
        step = next((n.step_s for n in reversed(b.needs) if n.group == group), STEP_S)
        start = min(s.start for s in mine) // step * step
        n = min(MAX_IMPACT_STEPS, math.ceil((max(s.end for s in mine) - start) / step))
        held = [s for s in b.shifts.values() if s.id in b.holder and s.group == group]
        away = {m.shift for m in moves if m.to is None}
        scheduled = cover(held, group, start, step, n)
        without = cover([s for s in held if s.id not in away], group, start, step, n)
        out.append(
            ImpactOut(
                group=group,
                start=start,
                interval_minutes=int(step // 60),
                required=[b.required(group, start + i * step) for i in range(n)],
                scheduled=scheduled,
                without=without,
            )
        )
    return out


def _change_out(b: Board, o: Open, now: float) -> ChangeOut:
    c = o.change

    def shift(ident: str | None) -> ShiftModel | None:
        return shift_out(b.shifts[ident]) if ident is not None and ident in b.shifts else None

    return ChangeOut(
        id=c.id,
        kind=c.kind.value,
        status=o.status.value,
        agent=c.agent,
        shift=shift(c.shift),
        partner=c.partner,
        partner_shift=shift(c.partner_shift),
        start=c.start,
        end=c.end,
        reason=c.reason,
        at=o.at,
        history=[StepOut(status=s, by=by, note=n, at=t) for s, by, n, t in o.history],
        impact=_impact(b, o, now),
    )


def _involved(o: Open) -> Iterable[str]:
    yield o.change.agent
    if o.change.partner is not None:
        yield o.change.partner


@router.get("/changes", response_model=list[ChangeOut])
async def changes(
    me: Staff,
    ctx: Ctx,
    status: Annotated[
        str | None, Query(pattern=r"^(proposed|pending|done|declined|refused|withdrawn)$")
    ] = None,
) -> list[ChangeOut]:
    """The changes of the agents the caller may see (every agent of a trade), newest
    first; those waiting carry their cover impact."""
    agents = set(visible_agents(ctx, me))
    now = ctx.now()

    def read(b: Board) -> list[ChangeOut]:
        found = [
            o
            for o in b.changes.values()
            if all(a in agents for a in _involved(o))
            and (status is None or o.status.value == status)
        ]
        found.sort(key=lambda o: (-o.at, o.change.id))
        return [_change_out(b, o, now) for o in found[:500]]

    return await _board(ctx, read)


@router.get("/changes/{change}", response_model=ChangeOut)
async def change(change: ChangePath, me: Staff, ctx: Ctx) -> ChangeOut:
    return await _board(ctx, lambda b: _change_out(b, _visible(ctx, me, b, change), ctx.now()))


def _visible(ctx: AppContext, me: Principal, b: Board, ident: str) -> Open:
    found = b.changes.get(ident)
    if found is None or not all(a in set(visible_agents(ctx, me)) for a in _involved(found)):
        raise ApiError(404, "not-found", f"no change {ident!r}")
    return found


@router.post("/changes/{change}/decision", response_model=ChangeResult)
async def decide(change: ChangePath, body: DecisionIn, me: Staff, ctx: Ctx) -> ChangeResult:
    """Approves or refuses a change waiting for a supervisor; an approval is checked
    again (still held, not started, within every contract) and refused if it no longer
    fits."""
    await _board(ctx, lambda b: _visible(ctx, me, b, change))
    command = DecideChange(change, body.approve, me.username, body.note)
    return await _change(ctx, me, command, action="schedule.change.decide", ident=change)


@router.get("/gaps", response_model=list[GapOut])
async def gaps(me: Staff, ctx: Ctx) -> list[GapOut]:
    """Shifts no one holds and that are not over: unfilled when their window closed, or
    open again after a change (``give-back``, ``time-off``, ``sick``). Open shifts are
    the firm's, so a supervisor of one client company sees none, as with windows."""
    if not me.firm_wide:
        return []
    now = ctx.now()
    return await _board(
        ctx, lambda b: [GapOut(shift=shift_out(s), why=why) for s, why in b.gaps(now)]
    )


# The agent's own -----------------------------------------------------------------------


@router.get("/mine/changes", response_model=list[ChangeOut])
async def my_changes(me: AgentCaller, ctx: Ctx) -> list[ChangeOut]:
    """My requests and the trades offered to me, newest first."""
    agent = _me(me)
    now = ctx.now()

    def read(b: Board) -> list[ChangeOut]:
        found = [o for o in b.changes.values() if agent in _involved(o)]
        found.sort(key=lambda o: (-o.at, o.change.id))
        return [_change_out(b, o, now) for o in found[:200]]

    return await _board(ctx, read)


@router.post("/mine/trades", response_model=ChangeResult)
async def propose_trade(body: TradeIn, me: AgentCaller, ctx: Ctx) -> ChangeResult:
    """Offers my shift to another agent of my skill group, for one of theirs or for
    nothing; refused now if it would break either contract."""
    ident = _new_id()
    command = ProposeTrade(ident, _me(me), body.shift, body.partner, body.partner_shift)
    return await _change(ctx, me, command, action="schedule.trade.propose", ident=ident)


@router.post("/mine/trades/{change}/answer", response_model=ChangeResult)
async def answer_trade(
    change: ChangePath, body: AnswerIn, me: AgentCaller, ctx: Ctx
) -> ChangeResult:
    """Accepts or declines a trade offered to me. Accepted, it is made at once, or waits
    for a supervisor when the firm's rule says so."""
    command = AnswerTrade(change, _me(me), body.accept)
    return await _change(ctx, me, command, action="schedule.trade.answer", ident=change)


@router.post("/mine/give-backs", response_model=ChangeResult)
async def give_back(body: GiveBackIn, me: AgentCaller, ctx: Ctx) -> ChangeResult:
    """Gives back a shift I hold that has not started: open again for anyone to pick."""
    ident = _new_id()
    command = GiveBack(ident, _me(me), body.shift)
    return await _change(ctx, me, command, action="schedule.give-back", ident=ident)


@router.post("/mine/time-off", response_model=ChangeResult)
async def time_off(body: TimeOffIn, me: AgentCaller, ctx: Ctx) -> ChangeResult:
    """Asks for time off; a supervisor decides, seeing the cover it would cost."""
    ident = _new_id()
    command = RequestTimeOff(ident, _me(me), body.start, body.end, body.reason)
    return await _change(ctx, me, command, action="schedule.time-off", ident=ident)


@router.post("/mine/changes/{change}/withdraw", response_model=ChangeResult)
async def withdraw(change: ChangePath, me: AgentCaller, ctx: Ctx) -> ChangeResult:
    command = WithdrawChange(change, _me(me))
    return await _change(ctx, me, command, action="schedule.change.withdraw", ident=change)


@router.post("/mine/sick", response_model=ChangeResult)
async def call_in_sick(body: SickIn, me: AgentCaller, ctx: Ctx) -> ChangeResult:
    """Calls in sick for a shift I hold (in progress or to come): it is open again, the
    planner sees the gap, and adherence excuses me for it."""
    command = CallInSick(_me(me), body.shift, body.note)
    result = await _change(ctx, me, command, action="schedule.sick", ident=body.shift)
    return result.model_copy(update={"change": "", "status": "done"})


# The schedule in the simulator ---------------------------------------------------------

# Calls simulated in one request, all runs together (about a second per 25,000 on this
# machine): a day of a few hundred agents, twice.
MAX_TWIN_CALLS = 60_000


@router.post("/twin", response_model=TwinOut)
async def twin(body: TwinIn, me: Staff, ctx: Ctx) -> TwinOut:
    """Runs a schedule in the simulator on a forecast day: the service level per
    interval its named agents, shifts and breaks would give, before it is published."""
    from hearthline.sim.schedule_twin import Demand, run_schedule  # the simulator loads on use

    if (body.window is None) == (not body.shifts):
        raise ApiError(422, "invalid", "give shifts (with who works them) or a window, not both")
    if sum(sum(d.calls) for d in body.demand) * body.runs > MAX_TWIN_CALLS:
        raise ApiError(
            422, "invalid", f"at most {MAX_TWIN_CALLS} calls simulated, all runs together"
        )
    if len({d.group for d in body.demand}) != len(body.demand):
        raise ApiError(422, "invalid", "each skill group may appear once in demand")
    if body.window is not None:
        if not me.firm_wide:
            raise ApiError(404, "not-found", f"no window {body.window!r}")
        ident = body.window

        def published(b: Board) -> list[tuple[str | None, Shift]] | None:
            w = b.windows.get(ident)
            return None if w is None else [(b.holder.get(s), b.shifts[s]) for s in w.shifts]

        found = await _board(ctx, published)
        if found is None:
            raise ApiError(404, "not-found", f"no window {ident!r}")
        rostered = found
    else:
        shifts = {s.id: _shift(s) for s in body.shifts}
        named = {s: a for a, ids in body.assigned.items() for s in ids}
        unknown = sorted(set(named) - set(shifts))
        if unknown:
            raise ApiError(422, "invalid", f"assigned shifts not given: {', '.join(unknown[:5])}")
        rostered = [(named.get(i), s) for i, s in shifts.items()]
    roster = [(a or f"open:{s.id}", s) for a, s in rostered]
    demands = [
        Demand(
            d.group,
            d.start,
            d.interval_minutes * 60.0,
            tuple(d.calls),
            d.aht_s,
            d.patience_s,
            d.target_s,
        )
        for d in body.demand
    ]
    levels = await ctx.db(run_schedule, demands, roster, seeds=tuple(range(1, body.runs + 1)))
    return TwinOut(
        groups=[
            TwinGroupOut(
                group=g.group,
                start=g.start,
                interval_minutes=int(g.step_s // 60),
                offered=list(g.offered),
                service_level=list(g.service_level),
                agents=list(g.agents),
                day_service_level=g.day_service_level,
                abandon_rate=g.abandon_rate,
            )
            for g in levels
        ],
        agents=len({a for a, _ in roster}),
        unnamed=sum(1 for a, _ in rostered if a is None),
    )
