"""Changes after picking, decided on the one writer: trades, shifts given back, time
off, sick call-ins, and a supervisor's decision on those that wait for one.

Every change is checked again when it is made (a trade accepted, a change approved), not
only when asked for: the shifts must still be held by whom the change says and not yet
started, and every agent who receives a shift must keep their contract with it
(``contracts.violations`` on their whole new schedule, the one check). Losing a shift
can break no limit, so a change never leaves a contract broken.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hearthline.wfm import events as e
from hearthline.wfm.changes import (
    ID,
    OPEN_STATUSES,
    Approval,
    Change,
    ChangeKind,
    ChangeStatus,
    Move,
    cover_changes,
)
from hearthline.wfm.commands import (
    AnswerTrade,
    CallInSick,
    DecideChange,
    GiveBack,
    ProposeTrade,
    RequestTimeOff,
    ScheduleCommand,
    SetChangeRules,
    WithdrawChange,
)
from hearthline.wfm.contracts import Shift, violations
from hearthline.wfm.errors import ChangeRefused, ScheduleInvalid, UnknownChange

if TYPE_CHECKING:
    from hearthline.wfm.board import Board, Open

CHANGE_COMMANDS = (
    SetChangeRules,
    ProposeTrade,
    AnswerTrade,
    GiveBack,
    RequestTimeOff,
    DecideChange,
    WithdrawChange,
    CallInSick,
)
# Open requests an agent may have at once: a bound on what one agent can make the
# writer hold.
MAX_OPEN_PER_AGENT = 50
MAX_TIME_OFF_S = 31 * 86_400.0
# Cover is compared on the grid agents are planned on.
COVER_STEP_S = 900.0


def decide(board: Board, c: ScheduleCommand, at: float) -> list[e.ScheduleEvent]:
    if isinstance(c, SetChangeRules):
        r = c.rules
        if not 60 <= r.turn_s <= 7 * 86_400 or not 0 <= r.reminder_s <= 86_400:
            raise ScheduleInvalid("a turn lasts 1 min to 7 days; a reminder 0 to 24 h ahead")
        return [e.ChangeRulesSet(at=at, rules=r)]
    if isinstance(c, ProposeTrade):
        return _propose(board, c, at)
    if isinstance(c, AnswerTrade):
        return _answer(board, c, at)
    if isinstance(c, GiveBack):
        _new(board, c.id, c.agent)
        _own(board, c.agent, c.shift, at)
        change = Change(c.id, ChangeKind.GIVE_BACK, c.agent, shift=c.shift)
        return _put(board, change, at)
    if isinstance(c, RequestTimeOff):
        _new(board, c.id, c.agent)
        if not c.start < c.end or c.end - c.start > MAX_TIME_OFF_S:
            raise ScheduleInvalid("time off runs from start to a later end, 31 days at most")
        if c.end <= at:
            raise ScheduleInvalid("time off must end in the future")
        change = Change(
            c.id, ChangeKind.TIME_OFF, c.agent, start=c.start, end=c.end, reason=c.reason[:500]
        )
        return [e.ChangeRequested(at=at, agent=c.agent, change=change, status=ChangeStatus.PENDING)]
    if isinstance(c, DecideChange):
        found = _waiting(board, c.id, ChangeStatus.PENDING)
        if not c.approve:
            return [_said(found, ChangeStatus.REFUSED, c.by, at, c.note)]
        return _make(board, found, at, by=c.by, note=c.note)
    if isinstance(c, WithdrawChange):
        mine = board.changes.get(c.id)
        if mine is None:
            old = board.settled.get(c.id)  # pruned once settled: refused as before
            if old is None or old.agent != c.agent:
                raise UnknownChange(f"no change {c.id[:100]!r} of yours")
            raise ChangeRefused(f"change {c.id!r} is {old.status.value} already")
        if mine.change.agent != c.agent:
            raise UnknownChange(f"no change {c.id[:100]!r} of yours")
        if mine.status not in OPEN_STATUSES:
            raise ChangeRefused(f"change {c.id!r} is {mine.status.value} already")
        return [_said(mine, ChangeStatus.WITHDRAWN, c.agent, at)]
    if isinstance(c, CallInSick):
        shift = board.shifts.get(c.shift)
        if shift is None or board.holder.get(c.shift) != c.agent:
            raise ChangeRefused(f"you do not hold shift {c.shift[:100]!r}")
        if shift.end <= at:
            raise ChangeRefused(f"shift {c.shift!r} is over")
        return [e.SickCalled(at=at, agent=c.agent, shift=c.shift, note=c.note[:500])]
    raise ScheduleInvalid(f"not a schedule change: {type(c).__name__}")


def _new(board: Board, ident: str, agent: str) -> None:
    if not ID.match(ident):
        raise ScheduleInvalid("a change id is 1-100 letters, digits and ._:@+-")
    if ident in board.changes or ident in board.settled:
        raise ScheduleInvalid(f"change {ident!r} exists already")
    mine = sum(
        1 for o in board.changes.values() if o.status in OPEN_STATUSES and o.change.agent == agent
    )
    if mine >= MAX_OPEN_PER_AGENT:
        raise ChangeRefused(f"{MAX_OPEN_PER_AGENT} open requests at most; withdraw one first")


def _own(board: Board, agent: str, shift_id: str, at: float) -> Shift:
    shift = board.shifts.get(shift_id)
    if shift is None or board.holder.get(shift_id) != agent:
        raise ChangeRefused(f"{agent!r} does not hold shift {shift_id[:100]!r}")
    if shift.start <= at:
        raise ChangeRefused(f"shift {shift_id!r} has started")
    return shift


def _propose(board: Board, c: ProposeTrade, at: float) -> list[e.ScheduleEvent]:
    _new(board, c.id, c.agent)
    if c.partner == c.agent:
        raise ScheduleInvalid("a trade is with another agent")
    if c.partner not in board.contracts:
        raise ChangeRefused(f"agent {c.partner[:100]!r} has no contract to work shifts under")
    change = Change(
        c.id,
        ChangeKind.TRADE,
        c.agent,
        shift=c.shift,
        partner=c.partner,
        partner_shift=c.partner_shift,
    )
    # Refused now if it could not be made now; checked again when the partner accepts.
    _checked_moves(board, change, at)
    return [e.ChangeRequested(at=at, agent=c.agent, change=change, status=ChangeStatus.PROPOSED)]


def _answer(board: Board, c: AnswerTrade, at: float) -> list[e.ScheduleEvent]:
    known = board.changes.get(c.id)
    partner = known.change.partner if known is not None else None
    if known is None and c.id in board.settled:
        partner = board.settled[c.id].partner  # pruned once settled: refused as before
    if partner != c.agent:
        raise UnknownChange(f"no trade {c.id[:100]!r} offered to you")
    found = _waiting(board, c.id, ChangeStatus.PROPOSED)
    if not c.accept:
        return [_said(found, ChangeStatus.DECLINED, c.agent, at)]
    moves = _checked_moves(board, found.change, at)
    if _needs_approval(board, moves):
        return [_said(found, ChangeStatus.PENDING, c.agent, at)]
    return _make(board, found, at, by=c.agent, moves=moves)


def _put(board: Board, change: Change, at: float) -> list[e.ScheduleEvent]:
    moves = _checked_moves(board, change, at)
    waits = _needs_approval(board, moves)
    status = ChangeStatus.PENDING if waits else ChangeStatus.DONE
    asked = e.ChangeRequested(at=at, agent=change.agent, change=change, status=status)
    if waits:
        return [asked]
    return [
        asked,
        e.ShiftsMoved(
            at=at, agent=change.agent, change=change.id, moves=moves, why=change.kind.value
        ),
    ]


def _make(
    board: Board,
    found: Open,
    at: float,
    *,
    by: str,
    note: str = "",
    moves: tuple[Move, ...] | None = None,
) -> list[e.ScheduleEvent]:
    moves = moves if moves is not None else _checked_moves(board, found.change, at)
    change = found.change
    return [
        _said(found, ChangeStatus.DONE, by, at, note),
        e.ShiftsMoved(
            at=at, agent=change.agent, change=change.id, moves=moves, why=change.kind.value
        ),
    ]


def _said(
    found: Open, status: ChangeStatus, by: str, at: float, note: str = ""
) -> e.ChangeAnswered:
    return e.ChangeAnswered(
        at=at,
        agent=found.change.agent,
        change=found.change.id,
        status=status,
        by=by,
        note=note[:500],
    )


def _waiting(board: Board, ident: str, status: ChangeStatus) -> Open:
    found = board.changes.get(ident)
    if found is None:
        old = board.settled.get(ident)  # pruned once settled: never the status asked for
        if old is None:
            raise UnknownChange(f"no change {ident[:100]!r}")
        raise ChangeRefused(f"change {ident!r} is {old.status.value}, not {status.value}")
    if found.status is not status:
        raise ChangeRefused(f"change {ident!r} is {found.status.value}, not {status.value}")
    return found


def moves_of(board: Board, change: Change, at: float) -> tuple[Move, ...]:
    """The shifts the change would move now."""
    if change.kind is ChangeKind.TRADE:
        assert change.shift is not None
        assert change.partner is not None
        out = [Move(change.shift, change.agent, change.partner)]
        if change.partner_shift is not None:
            out.append(Move(change.partner_shift, change.partner, change.agent))
        return tuple(out)
    if change.kind is ChangeKind.GIVE_BACK:
        assert change.shift is not None
        return (Move(change.shift, change.agent, None),)
    assert change.start is not None
    assert change.end is not None
    # Time off frees the shifts it touches that have not started; one in progress is
    # the agent's to finish or to call in sick for.
    return tuple(
        Move(s.id, change.agent, None)
        for s in sorted(board.held.get(change.agent, []), key=lambda s: s.start)
        if s.start < change.end and s.end > change.start and s.start > at
    )


def _checked_moves(board: Board, change: Change, at: float) -> tuple[Move, ...]:
    moves = moves_of(board, change, at)
    for m in moves:
        _own(board, m.source, m.shift, at)
    for agent, after in _after(board, moves).items():
        contract = board.contracts.get(agent)
        if contract is None:
            raise ChangeRefused(f"agent {agent!r} has no contract to work shifts under")
        broken = violations(contract, after, tz=board.tz)
        if broken:
            raise ChangeRefused(
                f"the change would break the contract of {agent!r}: "
                + "; ".join(sorted({f"{v.rule}: {v.message}" for v in broken}))
            )
    return moves


def _after(board: Board, moves: tuple[Move, ...]) -> dict[str, list[Shift]]:
    """The new schedule of every agent who receives a shift."""
    leaving = {m.shift for m in moves}
    out: dict[str, list[Shift]] = {}
    for m in moves:
        if m.to is None:
            continue
        if m.to not in out:
            out[m.to] = [s for s in board.held.get(m.to, []) if s.id not in leaving]
        out[m.to].append(board.shifts[m.shift])
    return out


def _needs_approval(board: Board, moves: tuple[Move, ...]) -> bool:
    rule = board.rules.approval
    if rule is Approval.ALWAYS:
        return True
    if rule is Approval.NEVER:
        return False
    before = [board.shifts[m.shift] for m in moves]
    after = [board.shifts[m.shift] for m in moves if m.to is not None]
    return cover_changes(before, after, step_s=COVER_STEP_S)


def apply(board: Board, event: e.ScheduleEvent) -> None:
    from hearthline.wfm.board import Open

    if isinstance(event, e.ChangeRulesSet):
        board.rules = event.rules
    elif isinstance(event, e.ChangeRequested):
        board.changes[event.change.id] = Open(
            event.change,
            event.status,
            event.at,
            [(event.status.value, event.change.agent, "", event.at)],
        )
        if event.status not in OPEN_STATUSES:
            board.settle(event.change.id, event.at)
    elif isinstance(event, e.ChangeAnswered):
        found = board.changes[event.change]
        found.status = event.status
        found.history.append((event.status.value, event.by, event.note, event.at))
        if event.status not in OPEN_STATUSES:
            board.settle(event.change, event.at)
    elif isinstance(event, e.ShiftsMoved):
        for m in event.moves:
            _release(board, m.source, m.shift)
            if m.to is None:
                board.gap_why[m.shift] = event.why
            else:
                board.holder[m.shift] = m.to
                board.held.setdefault(m.to, []).append(board.shifts[m.shift])
                board.gap_why.pop(m.shift, None)
    elif isinstance(event, e.SickCalled):
        _release(board, event.agent, event.shift)
        board.gap_why[event.shift] = "sick"
        board.sick.setdefault(event.agent, []).append(board.shifts[event.shift])


def _release(board: Board, agent: str, shift: str) -> None:
    board.holder.pop(shift, None)
    board.held[agent] = [s for s in board.held.get(agent, []) if s.id != shift]
