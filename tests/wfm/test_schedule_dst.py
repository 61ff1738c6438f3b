"""Shifts generated across a change of the clocks, in the firm's zone: the plan's
wall-clock rows laid on real time (46 half hours on the 23-hour day, 50 on the 25-hour
one), shifts as long as their hours, starting when the wall clock says."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from hearthline.wfm.contracts import Contract, Window, violations
from hearthline.wfm.rostering import Need, ShiftRules, assign, roster
from hearthline.wfm.wall_clock import real_intervals

PARIS = ZoneInfo("Europe/Paris")
SPRING = dt.datetime(2026, 3, 29)  # noqa: DTZ001 -- wall clock; 02:00 CET becomes 03:00 CEST
AUTUMN = dt.datetime(2026, 10, 25)  # noqa: DTZ001 -- wall clock; 03:00 CEST becomes 02:00 CET
HOUR = 3600.0


def slot(i: int) -> str:
    return f"{i // 2:02d}:{30 * (i % 2):02d}"


def test_the_23_hour_day_loses_the_two_slots_of_the_missing_hour() -> None:
    per_slot = [float(i) for i in range(48)]
    start, real = real_intervals(SPRING, 1800.0, per_slot, PARIS)
    assert start == dt.datetime(2026, 3, 29, tzinfo=PARIS).timestamp()
    assert len(real) == 46
    # Slots 02:00 and 02:30 (4 and 5) never happen; 03:00 follows 01:30.
    assert real[:6] == (0.0, 1.0, 2.0, 3.0, 6.0, 7.0)
    assert real[-1] == 47.0


def test_the_25_hour_day_needs_the_repeated_hour_twice() -> None:
    per_slot = [float(i) for i in range(48)]
    _, real = real_intervals(AUTUMN, 1800.0, per_slot, PARIS)
    assert len(real) == 50
    # 02:00 and 02:30 happen in summer time, then again in winter time.
    assert real[:8] == (0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 4.0, 5.0)
    assert real[-1] == 47.0


def test_a_wall_clock_time_with_a_zone_is_refused() -> None:
    with pytest.raises(ValueError, match="wall-clock"):
        real_intervals(SPRING.replace(tzinfo=PARIS), 1800.0, [1.0], PARIS)


@pytest.mark.parametrize(
    ("day", "intervals", "night_end"), [(SPRING, 46, "07:00"), (AUTUMN, 50, "05:00")]
)
def test_shifts_of_a_day_with_a_clock_change_are_as_long_as_their_hours(
    day: dt.datetime, intervals: int, night_end: str
) -> None:
    # Rows from 22:00 the evening before: one agent wanted through the night until
    # eight real hours have passed (07:00 on the wall when the clocks went forward,
    # 05:00 when they went back), two from 08:00 to 16:00.
    until = int(night_end[:2]) * 2
    rows = [1.0] * 4 + [1.0 if i < until else 2.0 if 16 <= i < 32 else 0.0 for i in range(48)]
    start, real = real_intervals(day - dt.timedelta(hours=2), 1800.0, rows, PARIS)
    assert start == dt.datetime(day.year, day.month, day.day - 1, 22, tzinfo=PARIS).timestamp()
    assert len(real) == intervals + 4
    assert sum(real[:-32]) == 16  # the night: 16 real half hours, whatever the wall says
    anytime = tuple(Window(d, 0, 2880) for d in range(7))
    contracts = [Contract(f"a{i}", "help", max_days_week=5, windows=anytime) for i in range(3)]
    made = roster(
        [Need("help", start, 1800.0, real)], ShiftRules(lengths_h=(8.0,)), contracts, tz=PARIS
    )
    (group,) = made.groups
    assert group.under_cover == 0.0
    walls = sorted(
        (
            dt.datetime.fromtimestamp(s.start, tz=PARIS).strftime("%H:%M"),
            dt.datetime.fromtimestamp(s.end, tz=PARIS).strftime("%H:%M"),
        )
        for s in made.shifts
    )
    # Real 8-hour shifts, each starting and ending where the wall clock says.
    assert all(s.end - s.start == 8 * HOUR for s in made.shifts)
    assert walls == [("08:00", "16:00"), ("08:00", "16:00"), ("22:00", night_end)]
    proposal = assign(made.shifts, contracts, tz=PARIS)
    assert not proposal.open
    for c in contracts:
        assert violations(c, proposal.held[c.agent], tz=PARIS) == []
