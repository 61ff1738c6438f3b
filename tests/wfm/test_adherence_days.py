"""A shift's adherence per day of the firm, against days worked out by hand; and the
board makes the rows once a shift is over, the same live and on a replay."""

from __future__ import annotations

import datetime as dt

from tests.wfm.test_schedule_adherence import ANN, DAY, MIN, NINE, SHIFT, TZ, at

from hearthline.kernel.ids import ReasonId
from hearthline.routing import events as ev
from hearthline.routing.config import CONNECTION_LOST
from hearthline.wfm import events as we
from hearthline.wfm.adherence import Grace, adherence
from hearthline.wfm.adherence_days import AdherenceDay, shift_days
from hearthline.wfm.board import Board
from hearthline.wfm.contracts import HOUR, Shift
from hearthline.wfm.timeline import Timelines

# The same day, shift and agent as the live adherence tests.
PLANNED = 7 * HOUR + 15 * MIN


def marks(*events: object) -> Timelines:
    t = Timelines()
    for e in events:
        t.follow(e)
    return t


def signed_in(when: float) -> ev.AgentSignedIn:
    return ev.AgentSignedIn(at=when, agent=ANN)


def ready(when: float) -> ev.AgentBecameAvailable:
    return ev.AgentBecameAvailable(at=when, agent=ANN)


def nr(when: float, reason: str) -> ev.AgentWentNotReady:
    return ev.AgentWentNotReady(at=when, agent=ANN, reason=ReasonId(reason))


def signed_out(when: float) -> ev.AgentSignedOut:
    return ev.AgentSignedOut(at=when, agent=ANN)


def breaks_kept(start: float) -> list[object]:
    """Lunch and the break taken as planned, from ``start`` on."""
    return [
        nr(at(DAY, 12), "lunch"),
        ready(at(DAY, 12, 30)),
        nr(at(DAY, 15), "break"),
        ready(at(DAY, 15, 15)),
    ]


def one(rows: list[AdherenceDay]) -> AdherenceDay:
    assert len(rows) == 1
    return rows[0]


def test_a_late_start_counts_its_minutes_and_leaves_the_rest_kept() -> None:
    # Signed in at 09:12: 12 minutes late, 12 minutes of the planned work lost.
    t = marks(signed_in(NINE + 12 * MIN), ready(NINE + 12 * MIN), *breaks_kept(NINE))
    t.follow(signed_out(NINE + 8 * HOUR))
    row = one(shift_days("ann", t.marks["ann"], SHIFT, tz=TZ, grace=Grace()))
    assert row == AdherenceDay(
        "ann",
        "s1",
        "2026-12-08",
        scheduled_s=PLANNED,
        adhering_s=PLANNED - 12 * MIN,
        worked_s=8 * HOUR - 12 * MIN - 45 * MIN,
        late_starts=1,
        late_s=12 * MIN,
    )
    # The live adherence of the same shift, once it is over, says the same.
    live = adherence(t.marks["ann"], [SHIFT], NINE + 8 * HOUR + MIN)
    assert live.late_s == row.late_s
    assert live.adherence == row.adhering_s / row.scheduled_s


def test_a_start_within_the_grace_is_not_late() -> None:
    t = marks(signed_in(NINE + 4 * MIN), ready(NINE + 4 * MIN), *breaks_kept(NINE))
    row = one(shift_days("ann", t.marks["ann"], SHIFT, tz=TZ, grace=Grace()))
    assert (row.late_starts, row.late_s) == (0, 0.0)
    assert row.adhering_s == PLANNED - 4 * MIN


def test_a_long_break_loses_its_overrun_and_counts_no_late_start() -> None:
    # On time; lunch 12:00 to 12:50, 20 minutes past its planned end.
    t = marks(
        signed_in(NINE - 2 * MIN),
        ready(NINE - 2 * MIN),
        nr(at(DAY, 12), "lunch"),
        ready(at(DAY, 12, 50)),
        nr(at(DAY, 15), "break"),
        ready(at(DAY, 15, 15)),
    )
    row = one(shift_days("ann", t.marks["ann"], SHIFT, tz=TZ, grace=Grace()))
    assert row.scheduled_s == PLANNED
    assert row.adhering_s == PLANNED - 20 * MIN
    assert row.worked_s == 8 * HOUR - 50 * MIN - 15 * MIN
    assert (row.late_starts, row.early_leaves, row.absences, row.excused_s) == (0, 0, 0, 0.0)


def test_a_connection_drop_is_kept_apart_and_never_counts_against_the_agent() -> None:
    # Connection lost 10:00 to 10:40 (the center's), then an early sign-out at 16:00.
    t = marks(
        signed_in(NINE),
        ready(NINE),
        ev.AgentConnectionLost(at=at(DAY, 10), agent=ANN),
        nr(at(DAY, 10), CONNECTION_LOST),
        ev.AgentReconnected(at=at(DAY, 10, 40), agent=ANN),
        ready(at(DAY, 10, 40)),
        *breaks_kept(NINE),
        signed_out(at(DAY, 16)),
    )
    row = one(shift_days("ann", t.marks["ann"], SHIFT, tz=TZ, grace=Grace()))
    assert row.excused_s == 40 * MIN
    # Kept: all but the last hour (16:00 to 17:00), the drop included.
    assert row.adhering_s == PLANNED - HOUR
    assert row.worked_s == 7 * HOUR - 45 * MIN
    assert (row.early_leaves, row.early_s) == (1, HOUR)
    assert row.late_starts == 0


def test_a_sign_out_while_disconnected_is_not_an_early_leave() -> None:
    t = marks(
        signed_in(NINE),
        ready(NINE),
        ev.AgentConnectionLost(at=at(DAY, 16), agent=ANN),
        signed_out(at(DAY, 16, 10)),
    )
    row = one(shift_days("ann", t.marks["ann"], SHIFT, tz=TZ, grace=Grace()))
    assert (row.early_leaves, row.early_s) == (0, 0.0)
    assert row.excused_s == 10 * MIN


def test_never_signed_in_is_an_absence_not_a_late_start() -> None:
    row = one(shift_days("ann", [], SHIFT, tz=TZ, grace=Grace()))
    assert (row.absences, row.late_starts, row.adhering_s, row.worked_s) == (1, 0, 0.0, 0.0)
    assert row.scheduled_s == PLANNED


def test_a_night_across_the_change_to_summer_time_is_cut_at_local_midnight() -> None:
    # 2026-03-29, Paris: 02:00 becomes 03:00. A night from 22:00 on the 28th, 8 real hours,
    # ends at 07:00 on the wall: 2 h on the 28th, 6 h on the 29th (a 23-hour day).
    night_day = dt.date(2026, 3, 28)
    start = at(night_day, 22)
    night = Shift("n1", "help", start, start + 8 * HOUR)
    assert night.end == at(dt.date(2026, 3, 29), 7)
    t = marks(signed_in(start + 20 * MIN), ready(start + 20 * MIN), signed_out(night.end))
    first, second = shift_days("ann", t.marks["ann"], night, tz=TZ, grace=Grace())
    assert first == AdherenceDay(
        "ann",
        "n1",
        "2026-03-28",
        scheduled_s=2 * HOUR,
        adhering_s=2 * HOUR - 20 * MIN,
        worked_s=2 * HOUR - 20 * MIN,
        late_starts=1,
        late_s=20 * MIN,
    )
    assert second == AdherenceDay(
        "ann", "n1", "2026-03-29", scheduled_s=6 * HOUR, adhering_s=6 * HOUR, worked_s=6 * HOUR
    )


def test_the_board_makes_the_rows_once_the_shift_is_over_and_a_replay_makes_the_same() -> None:
    log: list[object] = [
        we.SchedulingConfigured(at=NINE - 2 * HOUR, time_zone="Europe/Paris", grace=Grace()),
        we.ShiftsPublished(at=NINE - 2 * HOUR, window="w", shifts=(SHIFT,), closes_at=NINE),
        we.ShiftPicked(at=NINE - HOUR, agent=ANN, shift="s1", window="w"),
        signed_in(NINE + 12 * MIN),
        ready(NINE + 12 * MIN),
        *breaks_kept(NINE),
        signed_out(NINE + 8 * HOUR),
    ]
    board = Board()
    for e in log:
        board.follow(e)
    # The log has not yet gone past the shift's end: nothing is final.
    assert board.take_adherence(all_rows=False) == []
    board.follow(ready(NINE + 8 * HOUR + 1))  # any later event (another agent's)
    rows = board.take_adherence(all_rows=False)
    assert [(r.day, r.late_s, r.adhering_s) for r in rows] == [
        ("2026-12-08", 12 * MIN, PLANNED - 12 * MIN)
    ]
    assert board.take_adherence(all_rows=False) == []
    assert board.take_adherence(all_rows=True) == rows
    replayed = Board()
    for e in [*log, ready(NINE + 8 * HOUR + 1)]:
        replayed.follow(e)
    assert replayed.take_adherence(all_rows=True) == rows


def test_a_shift_picked_after_it_ended_is_still_worked_out_once() -> None:
    board = Board()
    late = NINE + 9 * HOUR
    for e in (
        we.ShiftsPublished(at=late, window="w", shifts=(SHIFT,), closes_at=late + HOUR),
        ready(late + 1),  # the log is past the shift's end before anyone holds it
        we.ShiftPicked(at=late + 2, agent=ANN, shift="s1", window="w"),
        ready(late + 3),
        ready(late + 4),
    ):
        board.follow(e)
    rows = board.take_adherence(all_rows=True)
    assert [(r.agent, r.shift, r.absences, r.scheduled_s) for r in rows] == [
        ("ann", "s1", 1, PLANNED)
    ]
