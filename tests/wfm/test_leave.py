"""Approved time off as leave in pay: the scheduled time it took off, worked out by hand."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from hearthline.wfm.changes import Change, ChangeKind, ChangeStatus, Move
from hearthline.wfm.contracts import Break, Shift
from hearthline.wfm.events import ChangeRequested, ShiftsMoved, ShiftsPublished
from hearthline.wfm.leave import leave_spans, off_the_clock
from hearthline.wfm.pay import (
    LineKind,
    PayRule,
    SpanKind,
    TimeSpan,
    pay_lines,
    pieces,
    rules_in_force,
)

PARIS = ZoneInfo("Europe/Paris")


def t(text: str) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=PARIS).timestamp()


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=PARIS)


# Monday and Tuesday 09:00-17:00, each with an unpaid lunch 12:00-13:00 and a paid coffee
# break; Wednesday's shift is another agent's. Ann asks for Monday 00:00 to Tuesday 12:00.
SHIFTS = (
    Shift(
        "mon",
        "help",
        t("2026-09-14T09:00"),
        t("2026-09-14T17:00"),
        (
            Break(t("2026-09-14T12:00"), t("2026-09-14T13:00"), paid=False, reason="lunch"),
            Break(t("2026-09-14T15:00"), t("2026-09-14T15:15"), paid=True),
        ),
    ),
    Shift(
        "tue",
        "help",
        t("2026-09-15T09:00"),
        t("2026-09-15T17:00"),
        (Break(t("2026-09-15T12:00"), t("2026-09-15T13:00"), paid=False, reason="lunch"),),
    ),
    Shift("wed", "help", t("2026-09-16T09:00"), t("2026-09-16T17:00")),
)
OFF = Change(
    "off-1",
    ChangeKind.TIME_OFF,
    "ann",
    start=t("2026-09-14T00:00"),
    end=t("2026-09-15T12:00"),
    reason="family",
)
LOG = (
    ShiftsPublished(at=t("2026-09-01T09:00"), window="w", shifts=SHIFTS, closes_at=0.0),
    ChangeRequested(at=t("2026-09-02T09:00"), agent="ann", change=OFF, status=ChangeStatus.PENDING),
    # A request never approved frees nothing and is no leave.
    ChangeRequested(
        at=t("2026-09-02T10:00"),
        agent="bob",
        change=Change("off-2", ChangeKind.TIME_OFF, "bob", start=0.0, end=t("2026-09-30T00:00")),
        status=ChangeStatus.PENDING,
    ),
    ShiftsMoved(
        at=t("2026-09-03T09:00"),
        agent="ann",
        change="off-1",
        moves=(Move("mon", "ann", None), Move("tue", "ann", None)),
        why="time-off",
    ),
    # A shift given back is no leave either.
    ShiftsMoved(
        at=t("2026-09-03T10:00"),
        agent="bob",
        change="gb-1",
        moves=(Move("wed", "bob", None),),
        why="give-back",
    ),
)
SEPTEMBER = (local("2026-09-01T00:00"), local("2026-10-01T00:00"))


def _pay(rule: PayRule, spans: list[TimeSpan]) -> dict[LineKind, tuple[int, Decimal]]:
    lines = pay_lines(pieces(spans, {"ann": [rule], "bob": [rule]}, PARIS), *SEPTEMBER).lines
    return {line.kind: (line.seconds, line.amount) for line in lines}


def test_approved_time_off_pays_the_shift_time_it_took_off_less_unpaid_breaks() -> None:
    leave = leave_spans(LOG, {"ann", "bob"}, t("2026-09-01T00:00"), t("2026-10-01T00:00"))
    # Monday 09:00-12:00 and 13:00-17:00 (the paid coffee break stays leave): 7 h.
    # Tuesday 09:00-12:00, where the time off ends: 3 h. 10 h in all, at 12.50: 125.00.
    assert [(s.agent, s.start, s.end, s.kind) for s in leave] == [
        ("ann", local("2026-09-14T09:00"), local("2026-09-14T12:00"), SpanKind.LEAVE),
        ("ann", local("2026-09-14T13:00"), local("2026-09-14T17:00"), SpanKind.LEAVE),
        ("ann", local("2026-09-15T09:00"), local("2026-09-15T12:00"), SpanKind.LEAVE),
    ]
    paid = PayRule(date(2026, 1, 1), Decimal("12.50"), paid_leave=True)
    assert _pay(paid, leave) == {LineKind.LEAVE: (36_000, Decimal("125.00"))}
    # Without paid leave in the rule the time off is unpaid: no line at all.
    assert _pay(PayRule(date(2026, 1, 1), Decimal("12.50")), leave) == {}


def test_time_worked_during_leave_is_paid_as_work_and_not_as_leave_too() -> None:
    leave = leave_spans(LOG, {"ann"}, t("2026-09-01T00:00"), t("2026-10-01T00:00"))
    # Ann came in on Monday 14:00-16:30 after all.
    worked = [TimeSpan("ann", local("2026-09-14T14:00"), local("2026-09-14T16:30"), SpanKind.WORK)]
    spans = worked + off_the_clock(leave, worked)
    paid = PayRule(date(2026, 1, 1), Decimal("12.50"), paid_leave=True)
    # Leave 10 h - 2.5 h = 7.5 h (93.75); work 2.5 h (31.25); 10 h paid, once each.
    assert _pay(paid, spans) == {
        LineKind.REGULAR: (9_000, Decimal("31.25")),
        LineKind.LEAVE: (27_000, Decimal("93.75")),
    }


def test_leave_is_cut_at_the_window_it_is_read_for() -> None:
    leave = leave_spans(LOG, {"ann"}, t("2026-09-14T10:00"), t("2026-09-15T10:00"))
    assert [(s.start, s.end) for s in leave] == [
        (local("2026-09-14T10:00"), local("2026-09-14T12:00")),
        (local("2026-09-14T13:00"), local("2026-09-14T17:00")),
        (local("2026-09-15T09:00"), local("2026-09-15T10:00")),
    ]


def test_an_agents_own_rules_override_their_contract_kinds_from_their_first_day() -> None:
    own = {"ann": [PayRule(date(2026, 6, 1), Decimal(15))]}
    full = [
        PayRule(date(2026, 1, 1), Decimal(11), paid_leave=True),
        PayRule(date(2026, 9, 1), Decimal(12), paid_leave=True),
    ]
    kinds = {"ann": "full-time", "bob": "full-time", "cy": "part-time"}
    # Ann: the full-time rule until her own takes effect in June, hers alone after (the
    # September raise of full-time contracts is not hers). Bob: the full-time rules.
    # Cy's kind has no rule and Cy none of their own: not paid by the payroll.
    assert rules_in_force(own, {"full-time": full}, kinds) == {
        "ann": [full[0], own["ann"][0]],
        "bob": full,
    }
