"""Changes after picking on the schedule board: trades, shifts given back, time off, sick
call-ins, the firm's approval rule and picking order; no change ever breaks a contract."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hearthline.wfm import events as e
from hearthline.wfm.adherence import Grace, Status
from hearthline.wfm.board import Board
from hearthline.wfm.changes import (
    OPEN_STATUSES,
    Approval,
    ChangeRules,
    ChangeStatus,
    PickOrder,
    Requirement,
)
from hearthline.wfm.commands import (
    AnswerTrade,
    CallInSick,
    ConfigureScheduling,
    DecideChange,
    GiveBack,
    PickShift,
    ProposeTrade,
    PublishShifts,
    RequestTimeOff,
    SetChangeRules,
    SetContract,
    WithdrawChange,
)
from hearthline.wfm.contracts import HOUR, Contract, Shift, violations
from hearthline.wfm.errors import ChangeRefused, NotYourTurn, ScheduleError, UnknownChange

DAY = 1_796_083_200.0  # Tuesday 1 December 2026, 00:00 UTC
NOW = DAY - 86_400


def run(board: Board, command: object, at: float = NOW) -> list[e.ScheduleEvent]:
    events = board.decide(command, at=at)  # type: ignore[arg-type]
    for event in events:
        board.apply(event)
    return events


def kinds(events: list[e.ScheduleEvent]) -> list[str]:
    return [type(x).__name__ for x in events]


def shift(ident: str, day: int, hour: float, group: str = "help") -> Shift:
    start = DAY + day * 86_400 + hour * HOUR
    return Shift(ident, group, start, start + 8 * HOUR)


def board_with(
    approval: Approval = Approval.NEVER, order: PickOrder = PickOrder.FIRST_COME, **groups: str
) -> Board:
    board = Board()
    run(board, ConfigureScheduling("UTC", Grace()))
    run(board, SetChangeRules(ChangeRules(approval=approval, pick_order=order, turn_s=HOUR)))
    for i, (a, g) in enumerate(sorted(groups.items())):
        run(board, SetContract(Contract(a, g, max_days_week=3, seniority=float(i))))
    return board


def picked(board: Board, holders: dict[str, str], *shifts: Shift) -> None:
    run(board, PublishShifts("w", shifts, closes_at=DAY - 3600))
    for s in shifts:
        if s.id in holders:
            run(board, PickShift(holders[s.id], s.id))


def test_a_swap_between_qualified_agents_is_made_at_once_under_the_cover_rule() -> None:
    board = board_with(Approval.COVER, ann="help", bob="help")
    picked(board, {"s1": "ann", "s2": "bob"}, shift("s1", 1, 9), shift("s2", 2, 9))
    assert kinds(run(board, ProposeTrade("t1", "ann", "s1", "bob", "s2"))) == ["ChangeRequested"]
    made = run(board, AnswerTrade("t1", "bob", accept=True))
    # Both shifts are still worked: the cover is the same, so no supervisor is asked.
    assert kinds(made) == ["ChangeAnswered", "ShiftsMoved"]
    assert board.holder == {"s1": "bob", "s2": "ann"}
    assert board.changes["t1"].status is ChangeStatus.DONE


def test_a_trade_with_an_agent_of_another_group_is_refused_naming_the_rule() -> None:
    board = board_with(ann="help", cat="sales")
    picked(board, {"s1": "ann"}, shift("s1", 1, 9))
    with pytest.raises(ChangeRefused, match="contract of 'cat': group: a 'help' shift"):
        run(board, ProposeTrade("t1", "ann", "s1", "cat"))
    assert "t1" not in board.changes


def test_a_trade_that_would_break_the_partners_rest_is_refused_when_accepted_too() -> None:
    board = board_with(ann="help", bob="help")
    picked(board, {"s1": "ann", "s2": "bob"}, shift("s1", 1, 9), shift("s2", 2, 9))
    run(board, ProposeTrade("t1", "ann", "s1", "bob"))
    # Meanwhile bob picks a shift that ends 10 h before s1 starts: taking s1 would leave
    # him too little rest.
    run(board, PublishShifts("w2", (shift("n", 0, 15),), closes_at=DAY))
    run(board, PickShift("bob", "n"))
    with pytest.raises(ChangeRefused, match="rest"):
        run(board, AnswerTrade("t1", "bob", accept=True))
    assert board.holder["s1"] == "ann"
    assert board.changes["t1"].status is ChangeStatus.PROPOSED


def test_two_partners_accepting_the_same_shift_get_one_winner() -> None:
    board = board_with(ann="help", bob="help", cy="help")
    picked(board, {"s1": "ann"}, shift("s1", 1, 9))
    run(board, ProposeTrade("t1", "ann", "s1", "bob"))
    run(board, ProposeTrade("t2", "ann", "s1", "cy"))
    run(board, AnswerTrade("t2", "cy", accept=True))
    with pytest.raises(ChangeRefused, match="'ann' does not hold shift 's1'"):
        run(board, AnswerTrade("t1", "bob", accept=True))
    assert board.holder["s1"] == "cy"


def test_only_the_partner_answers_a_trade_and_only_the_agent_withdraws_it() -> None:
    board = board_with(ann="help", bob="help", cy="help")
    picked(board, {"s1": "ann"}, shift("s1", 1, 9))
    run(board, ProposeTrade("t1", "ann", "s1", "bob"))
    with pytest.raises(UnknownChange):
        run(board, AnswerTrade("t1", "cy", accept=True))
    with pytest.raises(UnknownChange):
        run(board, WithdrawChange("t1", "bob"))
    assert kinds(run(board, WithdrawChange("t1", "ann"))) == ["ChangeAnswered"]
    with pytest.raises(ChangeRefused, match="withdrawn, not proposed"):
        run(board, AnswerTrade("t1", "bob", accept=True))


def test_under_the_always_rule_a_trade_waits_for_the_supervisor() -> None:
    board = board_with(Approval.ALWAYS, ann="help", bob="help")
    picked(board, {"s1": "ann"}, shift("s1", 1, 9))
    run(board, ProposeTrade("t1", "ann", "s1", "bob"))
    assert kinds(run(board, AnswerTrade("t1", "bob", accept=True))) == ["ChangeAnswered"]
    assert board.changes["t1"].status is ChangeStatus.PENDING
    assert board.holder["s1"] == "ann"
    made = run(board, DecideChange("t1", approve=True, by="sup"))
    assert kinds(made) == ["ChangeAnswered", "ShiftsMoved"]
    assert board.holder["s1"] == "bob"
    assert [h[:2] for h in board.changes["t1"].history] == [
        ("proposed", "ann"),
        ("pending", "bob"),
        ("done", "sup"),
    ]


def test_a_shift_given_back_waits_under_the_cover_rule_and_is_open_again_once_approved() -> None:
    board = board_with(Approval.COVER, ann="help", bob="help")
    picked(board, {"s1": "ann"}, shift("s1", 1, 9))
    run(board, GiveBack("g1", "ann", "s1"))
    assert board.changes["g1"].status is ChangeStatus.PENDING
    run(board, DecideChange("g1", approve=True, by="sup"))
    assert "s1" not in board.holder
    assert [(s.id, why) for s, why in board.gaps(NOW)] == [("s1", "give-back")]
    # Open again though its window has closed: anyone may pick it until it starts.
    assert [s.id for s, _ in board.open_shifts(NOW)] == ["s1"]
    run(board, PickShift("bob", "s1"))
    assert board.holder["s1"] == "bob"
    assert board.gaps(NOW) == []


def test_time_off_frees_the_shifts_it_touches_and_a_refusal_keeps_them() -> None:
    board = board_with(ann="help")
    shifts = (shift("s1", 1, 9), shift("s2", 2, 9), shift("s3", 4, 9))
    picked(board, {"s1": "ann", "s2": "ann", "s3": "ann"}, *shifts)
    run(board, RequestTimeOff("o1", "ann", DAY + 86_400, DAY + 3 * 86_400, "wedding"))
    assert board.changes["o1"].status is ChangeStatus.PENDING
    run(board, DecideChange("o1", approve=False, by="sup", note="peak week"))
    assert len(board.held["ann"]) == 3
    run(board, RequestTimeOff("o2", "ann", DAY + 86_400, DAY + 3 * 86_400))
    run(board, DecideChange("o2", approve=True, by="sup"))
    assert [s.id for s in board.held["ann"]] == ["s3"]
    assert {s.id: why for s, why in board.gaps(NOW)} == {"s1": "time-off", "s2": "time-off"}


def test_a_sick_call_in_opens_a_gap_and_adherence_excuses_the_agent() -> None:
    board = board_with(ann="help")
    s1 = shift("s1", 1, 9)
    picked(board, {"s1": "ann"}, s1)
    during = s1.start + 2 * HOUR
    before = board.adherence(["ann"], during)["ann"]
    assert before.status is Status.ABSENT
    run(board, CallInSick("ann", "s1", "flu"), at=s1.start - 600)
    found = board.adherence(["ann"], during)["ann"]
    assert (found.status, found.shift) == (Status.EXCUSED, "s1")
    assert [(s.id, why) for s, why in board.gaps(during)] == [("s1", "sick")]
    with pytest.raises(ChangeRefused, match="do not hold"):
        run(board, CallInSick("ann", "s1"))


def test_seniority_gives_the_most_senior_the_first_turn() -> None:
    # Seniority follows the name order in board_with: cy 2, bob 1, ann 0.
    board = board_with(order=PickOrder.SENIORITY, ann="help", bob="help", cy="help")
    run(board, PublishShifts("w", (shift("s1", 1, 9), shift("s2", 2, 9)), closes_at=DAY))
    with pytest.raises(NotYourTurn, match="seniority order"):
        run(board, PickShift("ann", "s1"))
    run(board, PickShift("cy", "s1"))
    with pytest.raises(NotYourTurn):
        run(board, PickShift("bob", "s2"), at=NOW + HOUR - 1)
    run(board, PickShift("bob", "s2"), at=NOW + HOUR)


def test_rotation_moves_the_first_turn_on_with_every_window() -> None:
    board = board_with(order=PickOrder.ROTATION, ann="help", bob="help", cy="help")
    firsts = []
    for w in range(4):
        run(board, PublishShifts(f"w{w}", (shift(f"s{w}", w + 1, 9),), closes_at=DAY))
        turns = board.windows[f"w{w}"].turns
        firsts.append(min(turns, key=lambda a: turns[a]))
    assert firsts == ["ann", "bob", "cy", "ann"]
    with pytest.raises(NotYourTurn):
        run(board, PickShift("ann", "s1"))
    run(board, PickShift("bob", "s1"))


def test_cover_impact_reads_the_requirement_published_with_the_shifts() -> None:
    board = board_with(ann="help")
    need = Requirement("help", DAY, 1800.0, tuple(float(i % 3) for i in range(96)))
    run(board, PublishShifts("w", (shift("s1", 1, 9),), closes_at=DAY, needs=(need,)))
    assert board.required("help", DAY + 1800 * 4) == 1.0
    assert board.required("help", DAY - 1) is None
    assert board.required("sales", DAY) is None


# Every change path, in any order, leaves every agent's schedule within the contract ----

AGENTS = ("ann", "bob", "cy", "dee")
SHIFTS = tuple(
    shift(f"s{d}-{h}", d, h, group="help" if d % 3 else "sales") for d in range(7) for h in (6, 14)
)
KINDS = ("pick", "trade", "answer", "give-back", "time-off", "decide", "withdraw", "sick")


def drawn(board: Board, kind: str, n: tuple[int, int, int, int], flag: bool) -> object:
    """A command of ``kind`` built from the board as it is, so that most of them concern
    shifts the agents really hold and changes really open: the paths are walked, not
    refused at the door."""
    a, b = AGENTS[n[0] % 4], AGENTS[(n[0] + 1 + n[1] % 3) % 4]
    mine, theirs = board.held.get(a, []), board.held.get(b, [])
    some = SHIFTS[n[2] % len(SHIFTS)].id
    held = mine[n[2] % len(mine)].id if mine else some
    open_ = [
        c
        for c in board.changes.values()
        if c.status in (ChangeStatus.PROPOSED, ChangeStatus.PENDING)
    ]
    change = open_[n[3] % len(open_)].change if open_ else None
    cid = f"c{len(board.changes)}"
    if kind == "pick":
        return PickShift(a, some)
    if kind == "trade":
        back = theirs[n[3] % len(theirs)].id if theirs and flag else None
        return ProposeTrade(cid, a, held, b, back)
    if kind == "answer" and change is not None:
        return AnswerTrade(change.id, change.partner or a, flag)
    if kind == "give-back":
        return GiveBack(cid, a, held)
    if kind == "time-off":
        start = DAY + (n[2] % 7) * 86_400
        return RequestTimeOff(cid, a, start, start + (1 + n[3] % 3) * 86_400)
    if kind == "decide" and change is not None:
        return DecideChange(change.id, flag, "sup")
    if kind == "withdraw" and change is not None:
        return WithdrawChange(change.id, change.agent)
    return CallInSick(a, held)


step = st.tuples(
    st.sampled_from(KINDS),
    st.tuples(*(st.integers(0, 50) for _ in range(4))),
    st.booleans(),
    st.floats(0, 6 * HOUR),
)


@settings(max_examples=150, deadline=None)
@given(
    approval=st.sampled_from(list(Approval)),
    first=st.permutations(list(AGENTS)),
    steps=st.lists(step, max_size=40),
)
def test_no_change_path_ever_leaves_a_contract_broken(
    approval: Approval,
    first: list[str],
    steps: list[tuple[str, tuple[int, int, int, int], bool, float]],
) -> None:
    board = Board()
    run(board, ConfigureScheduling("Europe/Paris", Grace()))
    run(board, SetChangeRules(ChangeRules(approval=approval)))
    for i, a in enumerate(AGENTS):
        group = "sales" if a == "dee" else "help"
        run(board, SetContract(Contract(a, group, max_days_week=2 + i % 2, min_rest_h=12)))
    run(board, PublishShifts("w", SHIFTS, closes_at=DAY + 86_400 * 8))
    # Everyone picks what fits, in a drawn order: the changes start from full schedules.
    for a in first:
        for s in SHIFTS:
            with contextlib.suppress(ScheduleError):
                run(board, PickShift(a, s.id))
    at = NOW
    for kind, n, flag, wait in steps:
        at += wait
        with contextlib.suppress(ScheduleError):
            run(board, drawn(board, kind, n, flag), at=at)
        for a, held in board.held.items():
            assert violations(board.contracts[a], held, tz=board.tz) == []
        # One holder per shift, and the holder's list agrees.
        for a, held in board.held.items():
            assert all(board.holder[s.id] == a for s in held)
        assert sum(len(h) for h in board.held.values()) == len(board.holder)


def _outcome(board: Board, command: object, at: float) -> object:
    """What the board decides, followed as the log's events are (its pruning included),
    or the refusal's kind and words."""
    try:
        events = board.decide(command, at=at)  # type: ignore[arg-type]
    except ScheduleError as exc:
        return type(exc).__name__, str(exc)
    for event in events:
        board.follow(event)
    return events


def _starting_by_scan(board: Board, start: float, end: float) -> list[tuple[str, Shift]]:
    """``Board.starting`` as it was: every held shift of every agent looked at."""
    found = [(a, s) for a, held in board.held.items() for s in held if start <= s.start < end]
    return sorted(found, key=lambda p: (p[1].start, p[1].id))


@settings(max_examples=150, deadline=None)
@given(
    approval=st.sampled_from(list(Approval)),
    first=st.permutations(list(AGENTS)),
    steps=st.lists(st.tuples(step, st.integers(0, 3)), max_size=40),
)
def test_pruning_settled_changes_and_the_start_index_keep_every_decision_the_same(
    approval: Approval,
    first: list[str],
    steps: list[tuple[tuple[str, tuple[int, int, int, int], bool, float], int]],
) -> None:
    """Two boards follow the same log: one prunes a change as soon as the log moves past
    its settling, the other never does. Every command gets the same events or the same
    refusal in the same words (a settled change asked again included), and the shifts
    starting in any window, read from the index, are those a scan of every held shift
    finds."""
    kept, pruned = Board(), Board()
    kept.keep_settled_s, pruned.keep_settled_s = float("inf"), 0.0
    at = NOW

    def both(command: object) -> None:
        expected = _outcome(kept, command, at)
        assert _outcome(pruned, command, at) == expected, command

    both(ConfigureScheduling("Europe/Paris", Grace()))
    both(SetChangeRules(ChangeRules(approval=approval)))
    for i, a in enumerate(AGENTS):
        group = "sales" if a == "dee" else "help"
        both(SetContract(Contract(a, group, max_days_week=2 + i % 2, min_rest_h=12)))
    both(PublishShifts("w", SHIFTS, closes_at=DAY + 86_400 * 8))
    for a in first:
        for s in SHIFTS:
            both(PickShift(a, s.id))
    for (kind, n, flag, wait), again in steps:
        at += wait
        command = drawn(kept, kind, n, flag)
        settled = [o.change for o in kept.changes.values() if o.status not in OPEN_STATUSES]
        if again and settled:  # a change settled (maybe pruned) asked about once more
            old = settled[n[3] % len(settled)]
            command = (
                WithdrawChange(old.id, old.agent),
                AnswerTrade(old.id, old.partner or old.agent, flag),
                DecideChange(old.id, flag, "sup"),
                GiveBack(old.id, old.agent, SHIFTS[n[2] % len(SHIFTS)].id),  # its id taken
            )[again % 4]
        both(command)
        for start in (at, DAY + (n[2] % 7) * 86_400):
            for hours in (1, 8, 30):
                end = start + hours * HOUR
                assert pruned.starting(start, end) == _starting_by_scan(kept, start, end)
                assert kept.starting(start, end) == _starting_by_scan(kept, start, end)
    assert pruned.held == kept.held and pruned.holder == kept.holder
    # Pruned: no change settled before the log's latest time is kept whole.
    assert set(pruned.changes) | set(pruned.settled) == set(kept.changes)
    assert not set(pruned.changes) & set(pruned.settled)
    for o in pruned.changes.values():
        assert o.status in OPEN_STATUSES or o.history[-1][3] >= pruned._log_at
    for ident, s in pruned.settled.items():
        assert (s.status, s.agent) == (kept.changes[ident].status, kept.changes[ident].change.agent)


def test_a_change_settled_a_month_ago_leaves_the_board_and_is_refused_in_the_same_words() -> None:
    board = board_with(Approval.NEVER, ann="help", bob="help")
    s1 = shift("s1", 40, 8)
    picked(board, {"s1": "ann"}, s1)
    given_back = board.decide(GiveBack("g1", "ann", "s1"), at=NOW)
    for event in given_back:
        board.follow(event)
    assert kinds(given_back) == ["ChangeRequested", "ShiftsMoved"]
    asked_again = WithdrawChange("g1", "ann")
    with pytest.raises(ChangeRefused) as before:
        board.decide(asked_again, at=NOW)
    # The log's time moves past the month kept: the change is pruned to what refusals need.
    board.follow(e.ChangeRulesSet(at=NOW + 36 * 86_400, rules=board.rules))
    assert "g1" not in board.changes and board.settled["g1"].status is ChangeStatus.DONE
    with pytest.raises(ChangeRefused) as after:
        board.decide(asked_again, at=NOW + 36 * 86_400)
    assert str(after.value) == str(before.value) == "change 'g1' is done already"
    with pytest.raises(ScheduleError, match="exists already"):
        board.decide(GiveBack("g1", "bob", "s1"), at=NOW + 36 * 86_400)
