"""A contact's own skill requirement (a menu's "French speakers"): met on top of its
queue's, through escalation, callbacks, a queue's reconfiguration and a replay."""

from __future__ import annotations

import random

import pytest

from hearthline.routing import ConfigError, EscalationStep, ManualClock, QueueConfig, Router
from hearthline.routing import commands as cmd
from hearthline.routing.errors import InvalidCommand
from hearthline.routing.events import ContactArrived
from tests.routing.support import agent, center

QUEUE = QueueConfig("q1", "sales", requirement="sales>=1")


def test_the_contact_goes_to_the_agent_with_its_skill_though_another_waited_longer() -> None:
    c = center([QUEUE], [agent("ann", sales=2), agent("bob", sales=1, french=2)])
    c.do(cmd.SignIn("ann", ready=True))
    c.clock.advance(5)
    c.do(cmd.SignIn("bob", ready=True))
    out = c.do(cmd.ArriveContact("k1", queue="q1", requirement="french"))
    assert c.offered(out) == [("k1", "bob")]
    out = c.do(cmd.ArriveContact("k2", queue="q1"))
    assert c.offered(out) == [("k2", "ann")]  # without one, the longest idle as before


def test_no_agent_with_the_skill_means_it_waits_and_is_offered_to_the_first_who_comes() -> None:
    c = center([QUEUE], [agent("ann", sales=2), agent("bob", sales=1, french=2)])
    c.do(cmd.SignIn("ann", ready=True))
    out = c.do(cmd.ArriveContact("k1", queue="q1", requirement="french>=2"))
    assert c.offered(out) == []
    assert c.router.contact("k1").state == "queued"
    assert c.router.agent("ann").state == "available"  # never offered it
    out = c.do(cmd.SignIn("bob", ready=True))
    assert c.offered(out) == [("k1", "bob")]


def test_a_free_agent_takes_the_waiting_contact_it_may_take_and_leaves_the_other() -> None:
    c = center([QUEUE], [agent("ann", sales=2), agent("bob", sales=1, french=2)])
    c.do(cmd.ArriveContact("k1", queue="q1", requirement="french"))
    c.clock.advance(1)
    c.do(cmd.ArriveContact("k2", queue="q1"))
    assert c.offered(c.do(cmd.SignIn("ann", ready=True))) == [("k2", "ann")]
    assert c.offered(c.do(cmd.SignIn("bob", ready=True))) == [("k1", "bob")]


def test_the_queue_requirement_still_holds_beside_the_contact_one() -> None:
    c = center([QUEUE], [agent("cat", french=3)])
    c.do(cmd.SignIn("cat", ready=True))
    assert c.offered(c.do(cmd.ArriveContact("k1", queue="q1", requirement="french"))) == []


def test_escalation_relaxes_the_queue_requirement_but_not_the_contact_one() -> None:
    q = QueueConfig(
        "q1", "sales", requirement="sales>=3", steps=(EscalationStep(60, requirement="sales>=1"),)
    )
    c = center([q], [agent("ann", sales=1), agent("bob", sales=1, french=1)])
    c.do(cmd.SignIn("ann", ready=True))
    c.do(cmd.SignIn("bob", ready=True))
    assert c.offered(c.do(cmd.ArriveContact("k1", queue="q1", requirement="french"))) == []
    assert c.offered(c.wait(60)) == [("k1", "bob")]


def test_a_callback_keeps_the_requirement_and_its_place() -> None:
    c = center([QUEUE], [agent("ann", sales=2), agent("bob", sales=1, french=2)])
    c.do(cmd.ArriveContact("k1", caller="+331", queue="q1", requirement="french"))
    out = c.do(cmd.RequestCallback("k1"))
    [callback] = [e for e in out if isinstance(e, ContactArrived)]
    assert callback.requirement == "french"
    assert c.offered(c.do(cmd.SignIn("ann", ready=True))) == []
    assert c.offered(c.do(cmd.SignIn("bob", ready=True))) == [(callback.contact, "bob")]


def test_a_reconfigured_queue_keeps_its_waiting_contacts_requirement() -> None:
    c = center([QUEUE], [agent("ann", sales=2), agent("bob", sales=1, french=2)])
    c.do(cmd.ArriveContact("k1", queue="q1", requirement="french"))
    changed = QueueConfig("q1", "sales", requirement="sales>=1", offer_timeout_s=30.0)
    c.do(cmd.ConfigureQueue(changed))
    assert c.offered(c.do(cmd.SignIn("ann", ready=True))) == []
    assert c.offered(c.do(cmd.SignIn("bob", ready=True))) == [("k1", "bob")]


def test_a_replayed_log_rebuilds_the_buckets_and_decides_the_same() -> None:
    c = center([QUEUE], [agent("ann", sales=2), agent("bob", sales=1, french=2)])
    c.do(cmd.SignIn("ann", ready=True))
    c.do(cmd.ArriveContact("k1", queue="q1", requirement="french"))
    replayed = Router.replay(c.log, clock=ManualClock(c.clock.now()), rng=random.Random(1))
    assert replayed.snapshot() == c.router.snapshot()
    out = replayed.handle(cmd.SignIn("bob", ready=True))
    assert [(e.contact, e.agent) for e in out if type(e).__name__ == "ContactOffered"] == [
        ("k1", "bob")
    ]


def test_star_or_blank_is_no_requirement_of_its_own() -> None:
    c = center([QUEUE], [agent("ann", sales=2)])
    c.do(cmd.SignIn("ann", ready=True))
    out = c.do(cmd.ArriveContact("k1", queue="q1", requirement=" * "))
    [arrived] = [e for e in out if isinstance(e, ContactArrived)]
    assert arrived.requirement is None
    assert c.offered(out) == [("k1", "ann")]


@pytest.mark.parametrize(
    ("text", "error", "message"),
    [
        ("french >=", ConfigError, "expected a level after '>=' at the end"),
        ("x" * 201, InvalidCommand, "at most 200 characters"),
    ],
)
def test_a_bad_requirement_is_refused_saying_why_and_nothing_happens(
    text: str, error: type[Exception], message: str
) -> None:
    c = center([QUEUE], [agent("ann", sales=2)])
    with pytest.raises(error, match=message):
        c.do(cmd.ArriveContact("k1", queue="q1", requirement=text))
    assert c.router.live_contacts() == []
