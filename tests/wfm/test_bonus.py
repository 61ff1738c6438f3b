"""Sales and save bonuses, settled period by period, with claw-backs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from hearthline.wfm.bonus import (
    BonusKind,
    BonusLedger,
    BonusLine,
    BonusRule,
    BonusTier,
    OutcomeRecord,
    Window,
)

START = datetime(2026, 3, 2, tzinfo=UTC)
WEEK = timedelta(days=7)
RULE = BonusRule(
    "sales",
    tiers=(BonusTier(2, Decimal("5.00")), BonusTier(4, Decimal("8.00"))),
    per_save=Decimal("3.00"),
)


def week(n: int) -> Window:
    return Window(START + n * WEEK, START + (n + 1) * WEEK)


def sale(
    contact: str, hours: float, *, agent: str = "ann", sold: bool = True, save: bool = False
) -> OutcomeRecord:
    return OutcomeRecord(contact, agent, "sales", START + timedelta(hours=hours), sold, save)


def test_tiers_pay_the_sales_after_each_threshold() -> None:
    # Sales 1-2 earn nothing, 3-4 earn 5 each, 5 and 6 earn 8: 26.
    records = [sale(f"c{i}", i) for i in range(1, 7)]
    lines = BonusLedger().settle(records, {"sales": RULE}, week(0))
    assert lines == [
        BonusLine("ann", "sales", BonusKind.SALE, ("c3", "c4", "c5", "c6"), Decimal("26.00"))
    ]


def test_a_sale_reversed_in_a_later_period_is_clawed_back_there_as_its_own_line() -> None:
    records = [sale(f"c{i}", i) for i in range(1, 4)]
    ledger = BonusLedger()
    first = ledger.settle(records, {"sales": RULE}, week(0))
    assert [(ln.kind, ln.amount) for ln in first] == [(BonusKind.SALE, Decimal("5.00"))]
    records.append(sale("c3", 24 * 8, sold=False))  # reversed in the second week
    second = ledger.settle(records, {"sales": RULE}, week(1))
    assert second == [BonusLine("ann", "sales", BonusKind.CLAWBACK, ("c3",), Decimal("-5.00"))]
    assert ledger.settle(records, {"sales": RULE}, week(2)) == []


def test_a_sale_recorded_and_reversed_in_one_period_earns_nothing() -> None:
    records = [sale(f"c{i}", i) for i in range(1, 4)] + [sale("c3", 5, sold=False)]
    assert BonusLedger().settle(records, {"sales": RULE}, week(0)) == []


def test_saves_pay_per_save_and_the_quality_gate_holds_back_the_period() -> None:
    records = [sale("c1", 1, sold=False, save=True), sale("c2", 2, sold=False, save=True)]
    paid = BonusLedger().settle(records, {"sales": RULE}, week(0))
    assert paid == [BonusLine("ann", "sales", BonusKind.SAVE, ("c1", "c2"), Decimal("6.00"))]
    gated = BonusRule("sales", per_save=Decimal(3), min_quality=Decimal(80))
    held = BonusLedger().settle(records, {"sales": gated}, week(0), {"ann": Decimal("79.5")})
    assert held == [
        BonusLine(
            "ann",
            "sales",
            BonusKind.WITHHELD,
            ("c1", "c2"),
            Decimal(0),
            "6.00 withheld: mean quality score 79.5 is below 80",
        )
    ]
    [none] = BonusLedger().settle(records, {"sales": gated}, week(0), {})
    assert none.amount == 0 and none.note == (
        "6.00 withheld: no quality evaluation in the period (at least 80 needed)"
    )
    assert BonusLedger().settle(records, {"sales": gated}, week(0), {"ann": Decimal(80)}) == paid


def test_a_ledger_resumed_from_its_state_settles_the_next_period_as_one_that_ran_on() -> None:
    first = [sale(f"c{i}", i) for i in range(1, 6)]
    later = [sale("c4", 170, sold=False), sale("c9", 171)]
    running = BonusLedger()
    running.settle(first, {"sales": RULE}, week(0))
    expected = running.settle(first + later, {"sales": RULE}, week(1))
    closed = BonusLedger()
    closed.settle(first, {"sales": RULE}, week(0))
    # Only what was recorded since the close is read again.
    resumed = BonusLedger.resumed(closed.state())
    assert resumed.settle(later, {"sales": RULE}, week(1)) == expected
    assert any(line.kind is BonusKind.CLAWBACK for line in expected)


# -- never both paid and clawed back --------------------------------------------------

records_st = st.lists(
    st.builds(
        OutcomeRecord,
        contact=st.sampled_from([f"c{i}" for i in range(8)]),
        agent=st.sampled_from(["ann", "bob"]),
        campaign=st.just("sales"),
        at=st.integers(0, 4 * 7 * 24).map(lambda h: START + timedelta(hours=h)),
        sale=st.booleans(),
        save=st.booleans(),
    ),
    max_size=30,
)


@settings(max_examples=150, deadline=None)
@given(records_st)
def test_a_bonus_is_never_paid_and_clawed_back_in_the_same_period(
    records: list[OutcomeRecord],
) -> None:
    ledger = BonusLedger()
    net: dict[str, Decimal] = {}
    for n in range(4):
        lines = ledger.settle(records, {"sales": RULE}, week(n))
        # A contact may move from one agent's bonus to another's in one period (its
        # outcome re-recorded by someone else); one agent's bonus for it may not both
        # be paid and clawed back.
        paid = {
            (ln.agent, c) for ln in lines if ln.kind is not BonusKind.CLAWBACK for c in ln.contacts
        }
        taken = {
            (ln.agent, c) for ln in lines if ln.kind is BonusKind.CLAWBACK for c in ln.contacts
        }
        assert not paid & taken
        for line in lines:
            net[line.agent] = net.get(line.agent, Decimal(0)) + line.amount
    # After the last period, what each agent keeps is what their standing outcomes earn:
    # never negative, and nothing for a contact whose latest outcome is neither.
    assert all(amount >= 0 for amount in net.values())


@settings(max_examples=150, deadline=None)
@given(records_st)
def test_a_ledger_resumed_at_each_closing_pays_what_one_running_on_pays(
    records: list[OutcomeRecord],
) -> None:
    """Each period closed keeps the ledger's state; the next resumes from it with only
    the outcomes recorded since its start, and settles exactly as the full history does."""
    running = BonusLedger()
    state = BonusLedger().state()
    for n in range(4):
        expected = running.settle(records, {"sales": RULE}, week(n))
        since = [r for r in records if r.at >= week(n).start]
        resumed = BonusLedger.resumed(state)
        assert resumed.settle(since, {"sales": RULE}, week(n)) == expected
        state = resumed.state()
    assert state == running.state()
