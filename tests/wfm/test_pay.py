"""Pay for time on the clock: days worked out by hand, and what no cut may change."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hearthline.wfm.money import cents_between, parse_money, to_cents
from hearthline.wfm.pay import (
    LineKind,
    PayError,
    PayRule,
    SpanKind,
    TimeSpan,
    pay_lines,
    pieces,
)
from hearthline.wfm.payperiods import Cadence, PayCalendar

LONDON = ZoneInfo("Europe/London")


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=LONDON)


def span(start: str, end: str, kind: SpanKind = SpanKind.WORK, agent: str = "ann") -> TimeSpan:
    return TimeSpan(agent, local(start), local(end), kind)


def amounts(lines: list) -> dict[LineKind, Decimal]:  # type: ignore[type-arg]
    out: dict[LineKind, Decimal] = {}
    for line in lines:
        out[line.kind] = out.get(line.kind, Decimal(0)) + line.amount
    return out


NIGHTS = PayRule(
    date(2026, 1, 1),
    Decimal("12.00"),
    daily_overtime_after_h=Decimal(8),
    night_premium=Decimal("0.25"),
)


def test_overtime_of_a_night_shift_counts_against_the_evening_it_began() -> None:
    # 20:00 to 06:00 is ten hours of one shift: 8 regular (20:00-04:00), 2 overtime
    # (04:00-06:00) at 1.5 x 12; night premium for 22:00-06:00, 8 h x 12 x 0.25.
    run = pieces([span("2026-03-10T20:00", "2026-03-11T06:00")], {"ann": [NIGHTS]}, LONDON)
    lines = pay_lines(run, local("2026-03-01T00:00"), local("2026-04-01T00:00")).lines
    assert amounts(lines) == {
        LineKind.REGULAR: Decimal("96.00"),
        LineKind.OVERTIME: Decimal("36.00"),
        LineKind.NIGHT: Decimal("24.00"),
    }
    overtime = next(line for line in lines if line.kind is LineKind.OVERTIME)
    assert overtime.seconds == 2 * 3600
    assert overtime.workdays == (date(2026, 3, 10),)


def test_the_night_the_clocks_go_back_pays_the_hour_it_really_lasted() -> None:
    # 25 October 2026: 02:00 BST becomes 01:00 GMT. 22:00 to 06:00 local is 9 real hours:
    # 8 regular + 1 overtime at 10 an hour, and all 9 are night hours.
    rule = PayRule(
        date(2026, 1, 1),
        Decimal(10),
        daily_overtime_after_h=Decimal(8),
        night_premium=Decimal("0.25"),
    )
    run = pieces([span("2026-10-24T22:00", "2026-10-25T06:00")], {"ann": [rule]}, LONDON)
    lines = pay_lines(run, local("2026-10-01T00:00"), local("2026-11-01T00:00")).lines
    assert sum(line.seconds for line in lines if line.kind is LineKind.NIGHT) == 9 * 3600
    assert amounts(lines) == {
        LineKind.REGULAR: Decimal("80.00"),
        LineKind.OVERTIME: Decimal("15.00"),
        LineKind.NIGHT: Decimal("22.50"),
    }


def test_a_period_boundary_mid_shift_splits_the_hours_not_the_overtime() -> None:
    # Weekly periods from Monday; a Sunday 20:00 - Monday 06:00 shift is paid 4 h in the
    # first period and 6 h in the second, and its overtime (after 8 h) is the Sunday's.
    rule = PayRule(date(2026, 1, 1), Decimal(10), daily_overtime_after_h=Decimal(8))
    calendar = PayCalendar(Cadence.WEEKLY, date(2026, 3, 2))
    first = calendar.period_of(date(2026, 3, 8))
    second = calendar.following(first)
    assert first.label == "2026-03-02 to 2026-03-08"
    run = pieces([span("2026-03-08T20:00", "2026-03-09T06:00")], {"ann": [rule]}, LONDON)
    one = amounts(pay_lines(run, *first.window(LONDON)).lines)
    two = amounts(pay_lines(run, *second.window(LONDON)).lines)
    assert one == {LineKind.REGULAR: Decimal("40.00")}
    assert two == {LineKind.REGULAR: Decimal("40.00"), LineKind.OVERTIME: Decimal("30.00")}


def test_weekly_overtime_starts_after_the_weeks_threshold_and_breaks_are_as_ruled() -> None:
    rule = PayRule(
        date(2026, 1, 1),
        Decimal(10),
        weekly_overtime_after_h=Decimal(20),
        weekend_premium=Decimal("0.5"),
    )
    spans = [
        span(f"2026-03-{d:02d}T09:00", f"2026-03-{d:02d}T13:00") for d in range(2, 7)
    ]  # Monday to Friday, 4 h each: 20 h
    spans += [
        span("2026-03-07T09:00", "2026-03-07T10:00"),  # Saturday: overtime, and weekend
        span("2026-03-07T10:00", "2026-03-07T10:30", SpanKind.UNPAID_BREAK),
        span("2026-03-07T10:30", "2026-03-07T10:45", SpanKind.PAID_BREAK),
    ]
    run = pieces(spans, {"ann": [rule]}, LONDON)
    lines = amounts(pay_lines(run, local("2026-03-02T00:00"), local("2026-03-09T00:00")).lines)
    assert lines == {
        LineKind.REGULAR: Decimal("200.00"),
        LineKind.OVERTIME: Decimal("18.75"),  # 1.25 h x 15
        LineKind.WEEKEND: Decimal("6.25"),  # 1.25 h x 10 x 0.5
    }


def test_a_raise_mid_period_shows_as_two_lines() -> None:
    rules = [PayRule(date(2026, 1, 1), Decimal(10)), PayRule(date(2026, 3, 4), Decimal(11))]
    spans = [span(f"2026-03-{d:02d}T09:00", f"2026-03-{d:02d}T10:00") for d in (2, 3, 4, 5)]
    lines = pay_lines(pieces(spans, {"ann": rules}, LONDON), *_march()).lines
    assert [(line.rate_from, line.seconds, line.amount) for line in lines] == [
        (date(2026, 1, 1), 7200, Decimal("20.00")),
        (date(2026, 3, 4), 7200, Decimal("22.00")),
    ]


def test_leave_is_paid_only_where_the_rule_gives_it() -> None:
    spans = [span("2026-03-02T09:00", "2026-03-02T17:00", SpanKind.LEAVE)]
    paid = PayRule(date(2026, 1, 1), Decimal(10), paid_leave=True)
    unpaid = PayRule(date(2026, 1, 1), Decimal(10))
    assert amounts(pay_lines(pieces(spans, {"ann": [paid]}, LONDON), *_march()).lines) == {
        LineKind.LEAVE: Decimal("80.00")
    }
    assert pay_lines(pieces(spans, {"ann": [unpaid]}, LONDON), *_march()).lines == []


def test_overlapping_spans_are_refused_with_both_named() -> None:
    spans = [
        span("2026-03-02T09:00", "2026-03-02T12:00"),
        span("2026-03-02T11:00", "2026-03-02T13:00", SpanKind.PAID_BREAK),
    ]
    with pytest.raises(PayError, match="overlap: work 2026-03-02T09:00"):
        pieces(spans, {"ann": [NIGHTS]}, LONDON)


def test_time_with_no_rule_in_force_is_refused() -> None:
    with pytest.raises(PayError, match="no pay rule for ann on 2025-12-31"):
        pieces([span("2025-12-31T09:00", "2025-12-31T10:00")], {"ann": [NIGHTS]}, LONDON)


def test_money_rounds_halves_away_from_zero_and_reads_input_strictly() -> None:
    assert to_cents(Fraction(1, 200)) == Decimal("0.01")
    assert to_cents(Fraction(-1, 200)) == Decimal("-0.01")
    assert to_cents(Fraction(1, 300)) == Decimal("0.00")
    assert cents_between(Fraction(1, 300), Fraction(2, 300)) == Decimal("0.01")
    assert parse_money(" 12.5 ") == Decimal("12.5")
    for bad, message in (
        ("x", "must be a number"),
        ("-1", "zero or more"),
        ("1.00001", "four decimals"),
        ("NaN", "zero or more"),
    ):
        with pytest.raises(ValueError, match=message):
            parse_money(bad)


def _march() -> tuple[datetime, datetime]:
    return local("2026-03-01T00:00"), local("2026-04-01T00:00")


# -- what no cut may change -----------------------------------------------------------

BASE = datetime(2026, 3, 20, tzinfo=UTC)  # the clocks change on 29 March and 25 October


@st.composite
def timesheets(draw: st.DrawFn) -> list[TimeSpan]:
    """Non-overlapping spans for two agents over about a month, across a clock change."""
    out = []
    for agent in ("ann", "bob"):
        at = BASE + timedelta(minutes=draw(st.integers(0, 600)))
        for _ in range(draw(st.integers(1, 14))):
            at += timedelta(minutes=draw(st.integers(0, 2000)))
            length = timedelta(minutes=draw(st.integers(1, 700)), seconds=draw(st.integers(0, 59)))
            kind = draw(st.sampled_from(list(SpanKind)))
            out.append(TimeSpan(agent, at, at + length, kind))
            at += length
    return out


rules_st = st.builds(
    PayRule,
    effective_from=st.just(date(2026, 1, 1)),
    hourly_rate=st.decimals("7.00", "40.00", places=4),
    daily_overtime_after_h=st.none() | st.decimals("4", "12", places=2),
    weekly_overtime_after_h=st.none() | st.decimals("10", "48", places=2),
    overtime_multiplier=st.decimals("1", "2.5", places=2),
    night_premium=st.decimals("0", "0.5", places=2),
    weekend_premium=st.decimals("0", "1", places=2),
    paid_leave=st.booleans(),
)


@settings(max_examples=60, deadline=None)
@given(timesheets(), rules_st, st.integers(1, 40 * 24 * 60))
def test_cutting_a_run_into_periods_anywhere_gives_the_same_total(
    spans: list[TimeSpan], rule: PayRule, cut_minutes: int
) -> None:
    run = pieces(spans, {"ann": [rule], "bob": [rule]}, LONDON)
    start, end = BASE - timedelta(days=1), BASE + timedelta(days=60)
    cut = start + timedelta(minutes=cut_minutes)
    whole = pay_lines(run, start, end).lines
    first = pay_lines(run, start, cut)
    parts = first.lines + pay_lines(run, cut, end).lines
    key = lambda line: (line.agent, line.kind, line.rate_from)  # noqa: E731
    assert _sum_by(whole, key) == _sum_by(parts, key)
    # A closed first period carries its exact totals; the second, priced from a run that
    # starts at the cut, adds up to the same whole.
    later = [p for p in run if p.end > cut]
    carried = first.lines + pay_lines(later, cut, end, carried=first.totals).lines
    assert _sum_by(whole, key) == _sum_by(carried, key)


@settings(max_examples=60, deadline=None)
@given(timesheets(), rules_st)
def test_every_second_on_the_clock_is_paid_exactly_once(
    spans: list[TimeSpan], rule: PayRule
) -> None:
    run = pieces(spans, {"ann": [rule], "bob": [rule]}, LONDON)
    lines = pay_lines(run, BASE - timedelta(days=1), BASE + timedelta(days=60)).lines
    for agent in ("ann", "bob"):
        on_clock = sum(
            int((s.end - s.start).total_seconds())
            for s in spans
            if s.agent == agent and s.kind in (SpanKind.WORK, SpanKind.PAID_BREAK)
        )
        paid = sum(
            line.seconds
            for line in lines
            if line.agent == agent and line.kind in (LineKind.REGULAR, LineKind.OVERTIME)
        )
        assert paid == on_clock
        for premium in (LineKind.NIGHT, LineKind.WEEKEND):
            assert (
                sum(ln.seconds for ln in lines if ln.agent == agent and ln.kind is premium) <= paid
            )
    assert all(line.amount >= 0 for line in lines)


def _sum_by(lines, key):  # type: ignore[no-untyped-def]
    out: dict[object, tuple[int, Decimal]] = {}
    for line in lines:
        seconds, amount = out.get(key(line), (0, Decimal(0)))
        out[key(line)] = (seconds + line.seconds, amount + line.amount)
    return out


def test_fractions_of_a_second_from_the_log_are_dropped_not_looped_over() -> None:
    start = local("2026-03-02T09:00")
    spans = [
        TimeSpan(
            "ann",
            start + timedelta(microseconds=300),
            start + timedelta(seconds=1, microseconds=900),
            SpanKind.WORK,
        ),
        TimeSpan(
            "ann",
            start + timedelta(seconds=2, microseconds=100),
            start + timedelta(seconds=2, microseconds=800),
            SpanKind.WORK,
        ),
    ]
    lines = pay_lines(pieces(spans, {"ann": [NIGHTS]}, LONDON), *_march()).lines
    assert [(line.kind, line.seconds) for line in lines] == [(LineKind.REGULAR, 1)]
