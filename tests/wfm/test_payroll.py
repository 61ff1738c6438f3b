"""Payroll: a late correction becomes an adjustment in the next period; the CSV export."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from hearthline.wfm.bonus import BonusKind, BonusLine
from hearthline.wfm.pay import PayLine, PayRule, SpanKind, TimeSpan, pay_lines, pieces
from hearthline.wfm.payperiods import Cadence, PayCalendar, PayPeriod
from hearthline.wfm.payroll import CSV_COLUMNS, adjustments, payroll, payroll_csv, still_due

ZONE = ZoneInfo("Europe/Madrid")
RULE = {"ann": [PayRule(date(2026, 1, 1), Decimal("10.00"))]}
CALENDAR = PayCalendar(Cadence.FORTNIGHTLY, date(2026, 3, 2))


def work(day: int, start: int, end: int) -> TimeSpan:
    return TimeSpan(
        "ann",
        datetime(2026, 3, day, start, tzinfo=ZONE),
        datetime(2026, 3, day, end, tzinfo=ZONE),
        SpanKind.WORK,
    )


def test_a_correction_after_closing_is_paid_as_an_adjustment_in_the_next_period() -> None:
    closed = CALENDAR.period_of(date(2026, 3, 5))
    following = CALENDAR.following(closed)
    assert (closed.label, following.first_day) == ("2026-03-02 to 2026-03-15", date(2026, 3, 16))
    paid = pay_lines(pieces([work(5, 9, 13)], RULE, ZONE), *closed.window(ZONE)).lines
    # A supervisor later finds the agent worked until 14:00 that day.
    now = pay_lines(pieces([work(5, 9, 14)], RULE, ZONE), *closed.window(ZONE)).lines
    [adjustment] = adjustments(paid, now, closed)
    assert (adjustment.kind, adjustment.amount, adjustment.of_period) == (
        "regular",
        Decimal("10.00"),
        "2026-03-02 to 2026-03-15",
    )
    current = pay_lines(pieces([work(17, 9, 11)], RULE, ZONE), *following.window(ZONE)).lines
    bonus = BonusLine("ann", "sales", BonusKind.SALE, ("c1", "c2"), Decimal("8.00"))
    [pay] = payroll(following, current, [bonus], [adjustment])
    assert pay.total == Decimal("38.00")

    rows = list(csv.reader(io.StringIO(payroll_csv([pay], "EUR"))))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert rows[1:] == [
        [
            "2026-03-16",
            "2026-03-29",
            "ann",
            "regular",
            "2026-01-01",
            "2.00",
            "20.00",
            "EUR",
            "2026-03-17",
        ],
        ["2026-03-16", "2026-03-29", "ann", "sale bonus (sales)", "", "", "8.00", "EUR", "c1 c2"],
        [
            "2026-03-16",
            "2026-03-29",
            "ann",
            "adjustment: regular",
            "",
            "",
            "10.00",
            "EUR",
            "2026-03-02 to 2026-03-15",
        ],
        ["2026-03-16", "2026-03-29", "ann", "total", "", "", "38.00", "EUR", ""],
    ]


def test_monthly_periods_follow_the_anchor_day() -> None:
    monthly = PayCalendar(Cadence.MONTHLY, date(2026, 1, 25))
    period = monthly.period_of(date(2026, 3, 10))
    assert (period.first_day, period.end_day) == (date(2026, 2, 25), date(2026, 3, 25))
    december = monthly.period_of(date(2026, 12, 31))
    assert (december.first_day, december.end_day) == (date(2026, 12, 25), date(2027, 1, 25))


# -- closing then correcting ----------------------------------------------------------

OVERTIME = {"ann": [PayRule(date(2026, 1, 1), Decimal("12.3456"), Decimal(8))]}
Shift = tuple[int, int, int]  # day of March, start hour, length in hours
shifts = st.lists(
    st.tuples(st.integers(2, 15), st.integers(0, 14), st.integers(1, 9)),
    max_size=6,
    unique_by=lambda s: s[0],
)


def _lines(version: list[Shift], period: PayPeriod) -> list[PayLine]:
    spans = [work(day, start, start + length) for day, start, length in version]
    return pay_lines(pieces(spans, OVERTIME, ZONE), *period.window(ZONE)).lines


def _by_kind(amounts: list[tuple[str, Decimal]]) -> dict[str, Decimal]:
    out: dict[str, Decimal] = {}
    for kind, amount in amounts:
        out[kind] = out.get(kind, Decimal(0)) + amount
    return {k: v for k, v in out.items() if v}


@settings(max_examples=60, deadline=None)
@given(first=shifts, second=shifts, third=shifts)
def test_closing_then_correcting_pays_each_second_once(
    first: list[Shift], second: list[Shift], third: list[Shift]
) -> None:
    """A period closed with one timesheet, corrected after its closing and again after
    the next period's: what was paid for it plus its adjustments is what its final
    timesheet pays, kind by kind, to the cent; nothing twice, nothing lost."""
    closed = CALENDAR.period_of(date(2026, 3, 5))
    paid = _lines(first, closed)
    # Corrected before the next period closes: adjusted in it.
    in_next = still_due(paid, [], _lines(second, closed), closed)
    # Corrected again after that: adjusted in the one after, counting the first adjustment.
    in_third = still_due(paid, in_next, _lines(third, closed), closed)
    total = _by_kind(
        [(str(ln.kind), ln.amount) for ln in paid]
        + [(a.kind, a.amount) for a in in_next + in_third]
    )
    assert total == _by_kind([(str(ln.kind), ln.amount) for ln in _lines(third, closed)])
    assert all(a.of_period == closed.label for a in in_next + in_third)
    # A timesheet left as it was adjusted adds nothing more.
    assert still_due(paid, in_next, _lines(second, closed), closed) == []
