"""Contracts: the one check, and no generated or picked schedule that breaks it."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from hearthline.wfm.contracts import (
    HOUR,
    Break,
    BreakRule,
    Contract,
    Shift,
    Window,
    fits,
    shortfalls,
    violations,
)
from hearthline.wfm.rostering import Capacity, Need, ShiftRules, assign, roster, roster_group

TZ = ZoneInfo("Europe/Paris")
MONDAY = dt.datetime(2026, 12, 7, tzinfo=TZ).timestamp()
LUNCH = BreakRule(6 * HOUR, 1800, paid=False, reason="lunch")


def shift(day: int, hour: float, length_h: float, ident: str = "", group: str = "help") -> Shift:
    start = MONDAY + day * 86400 + hour * HOUR
    breaks: tuple[Break, ...] = ()
    if length_h >= 6:
        breaks = (Break(start + 3 * HOUR, start + 3.5 * HOUR, paid=False, reason="lunch"),)
    return Shift(ident or f"s{day}-{hour}", group, start, start + length_h * HOUR, breaks)


def contract(**kw: object) -> Contract:
    base: dict[str, object] = {
        "agent": "ann",
        "group": "help",
        "max_week_h": 20.0,
        "max_days_week": 3,
        "min_rest_h": 11.0,
        "shift_lengths_h": (4.0, 8.0),
        "breaks": (LUNCH,),
        "windows": tuple(Window(d, 8 * 60, 20 * 60) for d in range(5)),
    }
    base.update(kw)
    return Contract(**base)  # type: ignore[arg-type]


def rules_broken(c: Contract, shifts: list[Shift]) -> set[str]:
    return {v.rule for v in violations(c, shifts, tz=TZ)}


def test_a_schedule_within_every_limit_has_no_violation() -> None:
    assert rules_broken(contract(), [shift(0, 9, 8), shift(1, 9, 4)]) == set()


def test_a_night_shift_runs_on_from_a_window_to_midnight_into_the_next_days() -> None:
    def night(windows: tuple[Window, ...]) -> set[str]:
        return rules_broken(contract(windows=windows), [shift(0, 20, 8)])  # Mon 20:00-04:00

    evenings = tuple(Window(d, 18 * 60, 24 * 60) for d in range(7))
    mornings = tuple(Window(d, 0, 6 * 60) for d in range(7))
    assert night(evenings + mornings) == set()
    assert night(evenings) == {"availability"}  # no window after midnight
    assert night(mornings) == {"availability"}
    assert night(evenings[:1] + mornings[2:]) == {"availability"}  # Tuesday's is missing
    # Ending at midnight needs no window on the next day; one running past it, none either.
    late = rules_broken(contract(windows=evenings[:1]), [shift(0, 20, 4)])
    assert late == set()
    assert night((Window(0, 18 * 60, 30 * 60),)) == set()  # Mon 18:00 to Tue 06:00
    assert night((Window(0, 18 * 60, 26 * 60), Window(1, 2 * 60, 6 * 60))) == set()
    assert night((Window(0, 18 * 60, 26 * 60), Window(1, 3 * 60, 6 * 60))) == {"availability"}


def test_each_limit_is_named_when_broken() -> None:
    c = contract()
    assert rules_broken(c, [shift(0, 9, 6)]) == {"length"}
    assert rules_broken(c, [shift(0, 6, 4)]) == {"availability"}
    assert rules_broken(c, [shift(5, 9, 4)]) == {"availability"}  # Saturday
    assert rules_broken(contract(min_rest_h=14), [shift(0, 15, 4), shift(1, 8, 4)]) == {"rest"}
    assert rules_broken(c, [shift(0, 9, 8), shift(1, 9, 8), shift(2, 9, 8)]) == {"week-hours"}
    four = [shift(d, 9, 4, f"d{d}") for d in range(4)]
    assert rules_broken(c, four) == {"week-days"}
    no_lunch = Shift("x", "help", MONDAY + 9 * HOUR, MONDAY + 17 * HOUR)
    assert rules_broken(c, [no_lunch]) == {"breaks"}
    assert rules_broken(c, [shift(0, 9, 4, group="sales")]) == {"group"}


def test_a_new_week_starts_on_monday_in_the_firms_time_zone() -> None:
    c = contract(max_days_week=1, windows=tuple(Window(d, 0, 1440) for d in range(7)))
    # Sunday then Monday: two weeks, one day each.
    assert rules_broken(c, [shift(6, 8, 4), shift(7, 8, 4)]) == set()
    assert rules_broken(c, [shift(5, 8, 4), shift(6, 8, 4)]) == {"week-days"}


def test_a_shift_across_the_change_to_winter_time_is_as_long_as_the_clock_says() -> None:
    c = contract(shift_lengths_h=(8.0,), windows=tuple(Window(d, 0, 2880) for d in range(7)))
    # 25 October 2026: at 03:00 summer time the clocks go back to 02:00.
    start = dt.datetime(2026, 10, 24, 22, 0, tzinfo=TZ).timestamp()
    eight = Shift(
        "night",
        "help",
        start,
        start + 8 * HOUR,
        (Break(start + 3 * HOUR, start + 3.5 * HOUR, False, "lunch"),),
    )
    assert rules_broken(c, [eight]) == set()
    # Ending at 06:00 on the wall clock is nine hours of work that night: not allowed.
    wall = dt.datetime(2026, 10, 25, 6, 0, tzinfo=TZ).timestamp()
    assert wall - start == 9 * HOUR
    assert rules_broken(c, [Shift("n2", "help", start, wall, eight.breaks)]) == {"length"}


def test_minimum_hours_are_a_shortfall_not_a_broken_limit() -> None:
    c = contract(min_week_h=16.0)
    week = dt.date(2026, 12, 7)
    assert violations(c, [shift(0, 9, 4)], tz=TZ) == []
    assert shortfalls(c, [shift(0, 9, 4)], tz=TZ, weeks=[week]) == {week: 12.0}


# Generated and picked schedules --------------------------------------------------------

windows_st = st.lists(
    st.builds(
        lambda d, a, n: Window(d, a * 60, min(a * 60 + n * 60, 2880)),
        st.integers(0, 6),
        st.integers(0, 20),
        st.integers(4, 14),
    ),
    min_size=1,
    max_size=7,
)
contract_st = st.builds(
    lambda i, hmax, days, rest, w, lengths: Contract(
        agent=f"a{i}",
        group="help",
        max_week_h=hmax,
        max_days_week=days,
        min_rest_h=rest,
        windows=tuple(w),
        shift_lengths_h=tuple(sorted(set(lengths))),
        breaks=(LUNCH,),
    ),
    st.integers(0, 999),
    st.sampled_from([8.0, 16.0, 24.0, 40.0]),
    st.integers(1, 6),
    st.sampled_from([0.0, 8.0, 11.0, 14.0]),
    windows_st,
    st.lists(st.sampled_from([4.0, 6.0, 8.0]), min_size=1, max_size=3),
)
shift_st = st.builds(
    lambda d, h, n, i: shift(d, h / 2, n, f"s{i}-{d}-{h}"),
    st.integers(0, 13),
    st.integers(0, 40),
    st.sampled_from([4.0, 6.0, 8.0]),
    st.integers(0, 3),
)


@settings(max_examples=60, deadline=None)
@given(
    contracts=st.lists(contract_st, min_size=1, max_size=4, unique_by=lambda c: c.agent),
    shifts=st.lists(shift_st, max_size=25, unique_by=lambda s: s.id),
)
def test_an_assigned_schedule_never_breaks_a_contract(
    contracts: list[Contract], shifts: list[Shift]
) -> None:
    done = assign(shifts, contracts, tz=TZ)
    for c in contracts:
        assert violations(c, done.held[c.agent], tz=TZ) == []
    placed = [s.id for held in done.held.values() for s in held] + [s.id for s in done.open]
    assert sorted(placed) == sorted(s.id for s in shifts)


@settings(max_examples=60, deadline=None)
@given(c=contract_st, picks=st.lists(shift_st, max_size=20, unique_by=lambda s: s.id))
def test_picks_taken_only_when_they_fit_keep_the_contract(c: Contract, picks: list[Shift]) -> None:
    held: list[Shift] = []
    for s in picks:
        if not fits(c, held, s, tz=TZ):
            held.append(s)
    assert violations(c, held, tz=TZ) == []


def test_the_solver_covers_a_small_day_within_capacity_and_reports_its_bound() -> None:
    start = dt.datetime(2026, 12, 7, 8, tzinfo=TZ).timestamp()
    required = (2, 3, 3, 4, 4, 4, 3, 3, 3, 4, 4, 3, 3, 2, 2, 2, 1, 1, 1, 1)
    need = Need("help", start, 1800, tuple(float(r) for r in required))
    rules = ShiftRules(lengths_h=(4.0, 8.0), breaks=(LUNCH,))
    c = [contract(agent=f"a{i}", max_days_week=5, max_week_h=40) for i in range(6)]
    got = roster_group(need, rules, Capacity.of(c), tz=TZ)
    assert got.status == "Optimal"
    # Six agents can cover this day in full; the bound agrees.
    assert got.under_cover == 0.0
    assert got.lp_under_cover == 0.0
    for t, r in enumerate(required):
        assert got.cover[t] >= r
    assert len(got.shifts) <= 6
    done = assign(got.shifts, c, tz=TZ)
    for k in c:
        assert violations(k, done.held[k.agent], tz=TZ) == []


def test_too_few_agents_leave_under_cover_no_lower_than_the_lp_bound() -> None:
    start = dt.datetime(2026, 12, 7, 8, tzinfo=TZ).timestamp()
    need = Need("help", start, 1800, (5.0,) * 16)
    rules = ShiftRules(lengths_h=(8.0,), breaks=(LUNCH,))
    got = roster_group(need, rules, Capacity.uniform(2, week_hours=80, week_shifts=10), tz=TZ)
    assert len(got.shifts) == 2
    # Two 8-hour shifts with a half-hour lunch each: 15 agent-intervals of 80 covered.
    assert got.under_cover == 80 - 2 * 15
    assert got.lp_under_cover <= got.under_cover


def test_the_bound_is_the_solvers_own_where_the_lp_is_too_weak() -> None:
    # Hours for one and a half 8-hour shifts: the relaxation works one and a half and
    # misses nothing, a schedule can only work one whole shift and misses half of 1.5.
    start = dt.datetime(2026, 12, 7, 8, tzinfo=TZ).timestamp()
    need = Need("help", start, 1800, (1.5,) * 16)
    rules = ShiftRules(lengths_h=(8.0,))
    got = roster_group(need, rules, Capacity.uniform(2, week_shifts=5, week_hours=12), tz=TZ)
    assert len(got.shifts) == 1
    assert got.under_cover == 16 * 0.5
    assert got.lp_under_cover == 0.0
    # Proven by the MIP's dual bound: no schedule does better.
    assert got.status == "Optimal"
    assert got.mip_bound == got.under_cover


def test_a_request_covers_each_group_first_and_reports_each_groups_bounds() -> None:
    # "help" has agents enough; "tech" two agents with 12 hours a week between them for
    # 1.5 agents all day: the relaxation works 1.5 shifts of 8 hours, a schedule one, 8
    # agent-intervals short, which the solver proves.
    start = dt.datetime(2026, 12, 7, 8, tzinfo=TZ).timestamp()
    needs = [
        Need("help", start, 1800, (1.0,) * 8 + (2.0,) * 8),
        Need("tech", start, 1800, (1.5,) * 16),
    ]
    people = [contract(agent=f"h{i}", max_week_h=40, breaks=()) for i in range(3)] + [
        contract(agent=f"t{i}", group="tech", max_week_h=h, shift_lengths_h=(8.0,), breaks=())
        for i, h in enumerate((8.0, 4.0))
    ]
    made = roster(needs, ShiftRules(lengths_h=(4.0, 8.0)), people, tz=TZ)
    help_, tech = made.groups
    assert (help_.under_cover, help_.lp_under_cover, help_.mip_bound) == (0.0, 0.0, 0.0)
    assert tech.lp_under_cover == 0.0 < tech.mip_bound == tech.under_cover == 8.0
    assert made.mip_bound == 8.0 and made.under_cover == 8.0
    assert all(g.status == "Optimal" for g in made.groups)
    done = assign(made.shifts, people, tz=TZ)
    assert done.open == ()
    for k in people:
        assert violations(k, done.held[k.agent], tz=TZ) == []
