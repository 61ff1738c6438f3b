"""The schedule board on the writer: publishing, picking in arrival order, closing."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hearthline.kernel.ids import AgentId, ReasonId
from hearthline.routing import events as ev
from hearthline.wfm import events as e
from hearthline.wfm.adherence import Grace
from hearthline.wfm.board import Board
from hearthline.wfm.commands import ConfigureScheduling, PickShift, PublishShifts, SetContract
from hearthline.wfm.contracts import HOUR, Contract, Shift, violations
from hearthline.wfm.errors import PickRefused, ScheduleError, ScheduleInvalid, ShiftTaken

DAY = 1_796_083_200.0  # Tuesday 1 December 2026, 00:00 UTC


def run(board: Board, command: object, at: float = DAY - 86_400) -> list[e.ScheduleEvent]:
    events = board.decide(command, at=at)  # type: ignore[arg-type]
    for event in events:
        board.apply(event)
    return events


def shift(ident: str, day: int, hour: float, length_h: float = 8.0) -> Shift:
    start = DAY + day * 86_400 + hour * HOUR
    return Shift(ident, "help", start, start + length_h * HOUR)


def board_with(*agents: str, max_days: int = 5) -> Board:
    board = Board()
    run(board, ConfigureScheduling("Europe/Paris", Grace()))
    for a in agents:
        run(
            board,
            SetContract(Contract(a, "help", max_days_week=max_days, shift_lengths_h=(4.0, 8.0))),
        )
    return board


def test_the_second_agent_after_a_seat_is_refused_and_closing_reports_the_unfilled() -> None:
    board = board_with("ann", "bob")
    run(board, PublishShifts("w", (shift("s1", 1, 9), shift("s2", 2, 9)), closes_at=DAY))
    assert [type(x) for x in run(board, PickShift("ann", "s1"))] == [e.ShiftPicked]
    with pytest.raises(ShiftTaken, match="taken by another agent"):
        run(board, PickShift("bob", "s1"))
    assert board.next_close() == DAY
    assert board.due(DAY - 1) == []
    closed = board.due(DAY)
    assert closed == [e.PickingClosed(at=DAY, window="w", unfilled=("s2",))]
    board.apply(closed[0])
    with pytest.raises(PickRefused, match="closed"):
        run(board, PickShift("bob", "s2"), at=DAY + 1)
    assert board.next_close() is None


@pytest.mark.parametrize(
    ("window", "shifts", "closes", "message"),
    [
        ("bad id!", (shift("a", 1, 9),), DAY, "window id"),
        ("w", (), DAY, "publish 1 to"),
        ("w", (shift("a", 1, 9), shift("a", 2, 9)), DAY, "published already"),
        ("w", (shift("a", 1, 9),), DAY - 86_400, "close in the future"),
        ("w", (Shift("a", "help", DAY, DAY - 1),), DAY, "start before end"),
    ],
)
def test_bad_windows_are_refused_with_the_reason(
    window: str, shifts: tuple[Shift, ...], closes: float, message: str
) -> None:
    with pytest.raises(ScheduleInvalid, match=message):
        run(board_with(), PublishShifts(window, shifts, closes))


def test_an_unknown_time_zone_is_refused() -> None:
    with pytest.raises(ScheduleInvalid, match="unknown time zone"):
        run(Board(), ConfigureScheduling("Europe", Grace()))


@settings(max_examples=40, deadline=None)
@given(
    picks=st.lists(
        st.tuples(
            st.sampled_from(["ann", "bob", "cat"]),
            st.integers(0, 11),
        ),
        max_size=40,
    ),
    max_days=st.integers(1, 5),
)
def test_whatever_agents_pick_no_shift_has_two_holders_and_no_contract_is_broken(
    picks: list[tuple[str, int]], max_days: int
) -> None:
    board = board_with("ann", "bob", "cat", max_days=max_days)
    shifts = tuple(
        shift(f"s{i}", i // 2, 6 + 10 * (i % 2), 4.0 if i % 3 else 8.0) for i in range(12)
    )
    run(board, PublishShifts("w", shifts, closes_at=DAY + 30 * 86_400))
    for agent, i in picks:
        with contextlib.suppress(ScheduleError):  # refusals store nothing
            run(board, PickShift(agent, f"s{i}"))
    holders = [a for held in board.held.values() for a in held]
    assert len(holders) == len({s.id for s in holders})
    for agent, contract in board.contracts.items():
        assert violations(contract, board.held.get(agent, []), tz=board.tz) == []


def test_marks_older_than_two_days_are_dropped_and_the_state_they_left_is_kept() -> None:
    board = Board()
    ann = AgentId("ann")
    board.observe(ev.AgentSignedIn(at=DAY, agent=ann))
    board.observe(ev.AgentWentNotReady(at=DAY + 60, agent=ann, reason=ReasonId("break")))
    board.observe(ev.AgentBecameAvailable(at=DAY + 120, agent=ann))
    board.observe(ev.AgentSignedIn(at=DAY + 4 * 86_400, agent=AgentId("bob")))
    marks = board.timelines.marks["ann"]
    assert len(marks) == 1
    assert marks[0].at == DAY + 120
    assert marks[0].signed_in
