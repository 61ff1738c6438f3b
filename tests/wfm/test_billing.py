"""Client billing: statements worked out by hand, from contacts the routing core ran."""

from __future__ import annotations

from decimal import Decimal

from tests.routing.support import agent, center

from hearthline.crm.events import DispositionRecorded
from hearthline.kernel.envelope import Envelope
from hearthline.routing import QueueConfig
from hearthline.routing import commands as cmd
from hearthline.routing.config import WrapUpMode, WrapUpPolicy
from hearthline.routing.tenancy import Tenancy
from hearthline.wfm.billing import BillableContact, RateCard, billable_contacts, statement

CARD = RateCard(
    "acme",
    per_productive_hour=Decimal("30.00"),
    per_handled_call=Decimal("0.50"),
    per_talk_minute=Decimal("0.10"),
    per_sale=Decimal("2.00"),
    monthly_minimum=Decimal("0"),
)


def test_a_statement_by_hand() -> None:
    contacts = [
        BillableContact("c1", "acme", 10.0, talk_s=300, hold_s=60, wrap_s=240, sale=True),
        BillableContact("c2", "acme", 20.0, talk_s=90, hold_s=0, wrap_s=30),
        BillableContact("x1", "other", 15.0, talk_s=999, sale=True),
    ]
    bill = statement(CARD, contacts)
    got = [(ln.description, ln.quantity, ln.amount, ln.contacts) for ln in bill.lines]
    # productive 720 s = 0.2 h x 30 = 6.00; 2 calls x 0.50; talk 390 s = 6.5 min x 0.10.
    assert got == [
        ("productive hours", Decimal("0.2000"), Decimal("6.00"), ("c1", "c2")),
        ("handled calls", Decimal("2.0000"), Decimal("1.00"), ("c1", "c2")),
        ("talk minutes", Decimal("6.5000"), Decimal("0.65"), ("c1", "c2")),
        ("sales", Decimal("1.0000"), Decimal("2.00"), ("c1",)),
    ]
    assert bill.total == Decimal("9.65")


def test_a_monthly_minimum_tops_up_a_quiet_month() -> None:
    card = RateCard("acme", per_handled_call=Decimal("1.00"), monthly_minimum=Decimal("50"))
    bill = statement(card, [BillableContact("c1", "acme", 0.0)])
    assert [(ln.description, ln.amount) for ln in bill.lines] == [
        ("handled calls", Decimal("1.00")),
        ("minimum charge", Decimal("49")),
    ]
    assert bill.total == Decimal("50.00")


def test_billable_time_is_read_from_what_the_routing_core_did() -> None:
    c = center(
        [QueueConfig("q1", "sales", wrap_up=WrapUpPolicy(WrapUpMode.MANUAL, 120))],
        [agent("a1")],
    )
    c.do(cmd.SignIn("a1", ready=True))
    c.do(cmd.ArriveContact("k1", caller="555", queue="q1"))
    c.wait(5)
    c.do(cmd.AcceptOffer("a1", "k1"))
    c.wait(100)
    c.do(cmd.HoldContact("a1", "k1"))
    c.wait(20)
    c.do(cmd.ResumeContact("a1", "k1"))
    c.wait(80)
    c.do(cmd.EndContact("a1", "k1"))
    c.wait(45)
    c.do(cmd.FinishWrapUp("a1"))
    tenancy = Tenancy()
    envelopes = [
        Envelope(i, e, *(tenancy.concerns(e) or (None, None))) for i, e in enumerate(c.log, 1)
    ]
    envelopes.append(
        Envelope(
            len(envelopes) + 1,
            DispositionRecorded(c.clock.now(), "k1", "a1", "sales", "sold", True, False),
            "acme",
            "a1",
        )
    )
    [billed] = billable_contacts(envelopes)
    assert (billed.contact, billed.client) == ("k1", "acme")
    assert (billed.talk_s, billed.hold_s, billed.wrap_s, billed.sale) == (180, 20, 45, True)
