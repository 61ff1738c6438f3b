"""Adherence and timesheets from the log, against days computed by hand."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from hearthline.kernel.ids import AgentId, ReasonId
from hearthline.routing import events as ev
from hearthline.routing.config import CONNECTION_LOST, SYSTEM_RESTART
from hearthline.wfm.adherence import Grace, Status, adherence
from hearthline.wfm.contracts import HOUR, Break, Shift
from hearthline.wfm.timeline import Timelines
from hearthline.wfm.timesheet import OFF_CLOCK, WORKING, Correction, timesheet

TZ = ZoneInfo("Europe/Paris")
ANN = AgentId("ann")
MIN = 60.0


def at(day: dt.date, hh: int, mm: int = 0) -> float:
    return dt.datetime.combine(day, dt.time(hh, mm), tzinfo=TZ).timestamp()


DAY = dt.date(2026, 12, 8)
NINE = at(DAY, 9)
# 09:00-17:00, lunch 12:00-12:30 unpaid, break 15:00-15:15 paid.
SHIFT = Shift(
    "s1",
    "help",
    NINE,
    NINE + 8 * HOUR,
    (
        Break(at(DAY, 12), at(DAY, 12, 30), paid=False, reason="lunch"),
        Break(at(DAY, 15), at(DAY, 15, 15), paid=True, reason="break"),
    ),
)


def timelines(*events: object) -> Timelines:
    t = Timelines()
    for e in events:
        t.follow(e)
    return t


def nr(when: float, reason: str) -> ev.AgentWentNotReady:
    return ev.AgentWentNotReady(at=when, agent=ANN, reason=ReasonId(reason))


def ready(when: float) -> ev.AgentBecameAvailable:
    return ev.AgentBecameAvailable(at=when, agent=ANN)


def status(t: Timelines, now: float) -> tuple[Status, float | None]:
    a = adherence(t.marks.get("ann", []), [SHIFT], now, Grace())
    return a.status, a.since


def test_not_signed_in_is_late_after_the_grace_then_absent() -> None:
    t = timelines()
    assert status(t, NINE + 4 * MIN) == (Status.ADHERING, NINE)
    assert status(t, NINE + 6 * MIN) == (Status.LATE, NINE + 5 * MIN)
    assert status(t, NINE + 31 * MIN) == (Status.ABSENT, NINE + 30 * MIN)


def test_a_late_sign_in_is_remembered_for_the_shift() -> None:
    t = timelines(ev.AgentSignedIn(at=NINE + 12 * MIN, agent=ANN), ready(NINE + 13 * MIN))
    a = adherence(t.marks["ann"], [SHIFT], NINE + HOUR)
    assert a.status is Status.ADHERING
    assert a.late_s == 12 * MIN
    # 60 minutes planned; 13 of them not ready to work (12 off, 1 'signed in' counts as kept).
    assert a.adherence is not None
    assert abs(a.adherence - 48 / 60) < 1e-9


def test_a_lunch_that_runs_long_is_an_alert_after_its_grace() -> None:
    t = timelines(
        ev.AgentSignedIn(at=NINE, agent=ANN),
        ready(NINE),
        nr(at(DAY, 12, 1), "lunch"),
    )
    assert status(t, at(DAY, 12, 31))[0] is Status.ADHERING
    assert status(t, at(DAY, 12, 33)) == (Status.BREAK_LONG, at(DAY, 12, 32))


def test_an_unplanned_break_is_an_alert_after_the_grace() -> None:
    t = timelines(ev.AgentSignedIn(at=NINE, agent=ANN), ready(NINE), nr(at(DAY, 10), "break"))
    assert status(t, at(DAY, 10, 1))[0] is Status.ADHERING
    assert status(t, at(DAY, 10, 3)) == (Status.BREAK_LONG, at(DAY, 10, 2))


def test_signing_out_early_is_an_alert_and_within_the_grace_is_not() -> None:
    early = timelines(
        ev.AgentSignedIn(at=NINE, agent=ANN), ev.AgentSignedOut(at=at(DAY, 16), agent=ANN)
    )
    assert status(early, at(DAY, 16, 1)) == (Status.EARLY_OUT, at(DAY, 16))
    fine = timelines(
        ev.AgentSignedIn(at=NINE, agent=ANN), ev.AgentSignedOut(at=at(DAY, 16, 57), agent=ANN)
    )
    assert status(fine, at(DAY, 16, 58))[0] is Status.OFF


def test_a_lost_connection_is_excused_and_kept_time() -> None:
    t = timelines(
        ev.AgentSignedIn(at=NINE, agent=ANN),
        ready(NINE),
        ev.AgentConnectionLost(at=at(DAY, 10), agent=ANN),
        nr(at(DAY, 10), CONNECTION_LOST),
    )
    a = adherence(t.marks["ann"], [SHIFT], at(DAY, 10, 40))
    assert a.status is Status.EXCUSED
    assert a.adherence == 1.0
    t.follow(ev.AgentReconnected(at=at(DAY, 10, 45), agent=ANN))
    t.follow(ready(at(DAY, 10, 46)))
    assert status(t, at(DAY, 10, 50))[0] is Status.ADHERING


def test_a_restart_excuses_the_time_since_the_server_last_recorded_anything() -> None:
    t = timelines(
        ev.AgentSignedIn(at=NINE, agent=ANN),
        ready(NINE),
        nr(at(DAY, 10), "break"),
        ev.DayStarted(at=at(DAY, 10, 1)),  # the last thing recorded before the crash
        # Back at 10:40: the restart's own events.
        ev.AgentConnectionLost(at=at(DAY, 10, 40), agent=ANN),
        nr(at(DAY, 10, 40), SYSTEM_RESTART),
    )
    marks = t.marks["ann"]
    assert marks[-1].at == at(DAY, 10, 1)
    assert marks[-1].excused
    a = adherence(marks, [SHIFT], at(DAY, 10, 41))
    assert a.status is Status.EXCUSED
    # 101 minutes planned: one on the agent's own break, the rest excused or working.
    assert a.adherence is not None
    assert abs(a.adherence - 100 / 101) < 1e-9
    sheet = timesheet("ann", marks, DAY, tz=TZ)
    # Still signed in at midnight: from 10:01 on, the restart's time, paid.
    assert sheet.system_s == at(DAY + dt.timedelta(days=1), 0) - at(DAY, 10, 1)
    assert sheet.breaks_s == {"break": MIN}


def test_a_days_timesheet_by_hand() -> None:
    t = timelines(
        ev.AgentSignedIn(at=at(DAY, 8, 55), agent=ANN),
        ready(at(DAY, 9)),
        nr(at(DAY, 12), "lunch"),
        ready(at(DAY, 12, 35)),
        nr(at(DAY, 15), "break"),
        ev.AgentConnectionLost(at=at(DAY, 15, 10), agent=ANN),
        ev.AgentReconnected(at=at(DAY, 15, 12), agent=ANN),
        ready(at(DAY, 15, 20)),
        ev.AgentSignedOut(at=at(DAY, 17, 2), agent=ANN),
    )
    sheet = timesheet("ann", t.marks["ann"], DAY, tz=TZ)
    assert sheet.first_in == at(DAY, 8, 55)
    assert sheet.last_out == at(DAY, 17, 2)
    assert sheet.on_clock_s == 8 * HOUR + 7 * MIN
    assert sheet.breaks_s == {"lunch": 35 * MIN, "break": 18 * MIN}
    assert sheet.system_s == 2 * MIN
    assert sheet.unpaid_s == 35 * MIN
    assert sheet.paid_s == 8 * HOUR + 7 * MIN - 35 * MIN


def test_a_night_across_midnight_counts_in_each_day() -> None:
    t = timelines(
        ev.AgentSignedIn(at=at(DAY, 22), agent=ANN),
        ready(at(DAY, 22)),
        ev.AgentSignedOut(at=at(DAY + dt.timedelta(days=1), 6), agent=ANN),
    )
    first = timesheet("ann", t.marks["ann"], DAY, tz=TZ)
    second = timesheet("ann", t.marks["ann"], DAY + dt.timedelta(days=1), tz=TZ)
    assert (first.on_clock_s, second.on_clock_s) == (2 * HOUR, 6 * HOUR)
    assert second.first_in == at(DAY + dt.timedelta(days=1), 0)


def test_the_night_the_clocks_go_back_is_nine_hours_on_the_clock() -> None:
    # 25 October 2026 in Paris: 03:00 summer time is 02:00 winter time.
    sat, sun = dt.date(2026, 10, 24), dt.date(2026, 10, 25)
    t = timelines(
        ev.AgentSignedIn(at=at(sat, 22), agent=ANN),
        ready(at(sat, 22)),
        ev.AgentSignedOut(at=at(sun, 6), agent=ANN),
    )
    assert timesheet("ann", t.marks["ann"], sat, tz=TZ).on_clock_s == 2 * HOUR
    assert timesheet("ann", t.marks["ann"], sun, tz=TZ).on_clock_s == 7 * HOUR


def test_a_spring_forward_day_has_23_hours() -> None:
    day = dt.date(2026, 3, 29)
    t = timelines(
        ev.AgentSignedIn(at=at(day, 0), agent=ANN), ev.AgentSignedOut(at=at(day, 23, 59), agent=ANN)
    )
    assert timesheet("ann", t.marks["ann"], day, tz=TZ).on_clock_s == 23 * HOUR - MIN


def test_corrections_replace_the_span_they_name_and_travel_with_the_sheet() -> None:
    t = timelines(
        ev.AgentSignedIn(at=at(DAY, 9, 20), agent=ANN),
        ready(at(DAY, 9, 20)),
        nr(at(DAY, 12), "break"),
        ready(at(DAY, 12, 30)),
        ev.AgentSignedOut(at=at(DAY, 17), agent=ANN),
    )
    fixes = (
        Correction(at(DAY, 9), at(DAY, 9, 20), WORKING, "home internet down, confirmed by phone"),
        Correction(at(DAY, 12), at(DAY, 12, 30), "lunch", "it was lunch"),
        Correction(at(DAY, 16, 30), at(DAY, 17), OFF_CLOCK, "left for the dentist"),
    )
    sheet = timesheet("ann", t.marks["ann"], DAY, tz=TZ, corrections=fixes)
    assert sheet.on_clock_s == 7.5 * HOUR
    assert sheet.breaks_s == {"lunch": 30 * MIN}
    assert sheet.paid_s == 7 * HOUR
    assert sheet.corrections == fixes
    assert timesheet("ann", t.marks["ann"], DAY, tz=TZ).on_clock_s == 7 * HOUR + 40 * MIN
