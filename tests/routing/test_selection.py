"""Who gets what: priorities, first come first served, strategies, several queues."""

from __future__ import annotations

import pytest

from hearthline.routing import QueueConfig, Strategy
from hearthline.routing import commands as cmd
from tests.routing.support import agent, center


def _ready_in_order(c, names: list[str]) -> None:  # type: ignore[no-untyped-def]
    for name in names:
        c.do(cmd.SignIn(name, ready=True))
        c.wait(1)


def test_higher_priority_first_then_first_come_first_served() -> None:
    c = center(agents=[agent("a1")])
    c.do(cmd.ArriveContact("low-early", queue="q1"))
    c.wait(1)
    c.do(cmd.ArriveContact("high-late", queue="q1", priority=5))
    c.wait(1)
    c.do(cmd.ArriveContact("low-late", queue="q1"))
    order = []
    c.do(cmd.SignIn("a1"))
    for _ in range(3):
        out = c.do(cmd.MakeReady("a1"))
        ((contact, _agent),) = c.offered(out)
        order.append(contact)
        c.do(cmd.AcceptOffer("a1", contact))
        c.do(cmd.EndContact("a1", contact))
        c.do(cmd.MakeNotReady("a1", "break"))  # pending; applies at wrap-up's end
        c.do(cmd.FinishWrapUp("a1"))
    assert order == ["high-late", "low-early", "low-late"]


def test_equal_arrival_times_are_ordered_by_arrival_sequence() -> None:
    c = center(agents=[agent("a1")])
    for i in range(5):
        c.do(cmd.ArriveContact(f"c{i}", queue="q1"))
    assert [c.router.position(f"c{i}") for i in range(5)] == [1, 2, 3, 4, 5]


def test_agent_serving_several_queues_takes_the_most_deserving_across_them() -> None:
    qs = [QueueConfig(f"q{i}", "sales") for i in range(1, 4)]
    c = center(qs, [agent("a1")])
    c.do(cmd.ArriveContact("in-q3-first", queue="q3"))
    c.wait(1)
    c.do(cmd.ArriveContact("in-q1-second", queue="q1"))
    c.wait(1)
    c.do(cmd.ArriveContact("in-q2-urgent", queue="q2", priority=1))
    out = c.do(cmd.SignIn("a1", ready=True))
    assert c.offered(out) == [("in-q2-urgent", "a1")]
    c.do(cmd.DeclineOffer("a1", "in-q2-urgent"))  # then the oldest of equal priority
    assert c.router.contact("in-q3-first").agent == "a1"


@pytest.mark.parametrize(
    ("strategy", "expected"),
    [
        (Strategy.LONGEST_IDLE, "a1"),  # ready first
        (Strategy.HIGHEST_SKILL, "a3"),  # sales level 5
        (Strategy.FEWEST_CONTACTS, "a2"),  # handled none today
    ],
)
def test_queue_strategy_picks_among_free_agents(strategy: Strategy, expected: str) -> None:
    q = QueueConfig("q1", "sales", requirement="sales", strategy=strategy)
    agents = [agent("a1", sales=2), agent("a2", sales=1), agent("a3", sales=5)]
    c = center([q], agents)
    # a1 and a3 each handle one contact; a2 handles none.
    for name in ("a1", "a3"):
        c.do(cmd.SignIn(name, ready=True))
        ((contact, who),) = c.offered(c.do(cmd.ArriveContact(f"warm-{name}", queue="q1")))
        assert who == name
        c.do(cmd.AcceptOffer(name, contact))
        c.do(cmd.EndContact(name, contact))
        c.do(cmd.MakeNotReady(name, "break"))
        c.do(cmd.FinishWrapUp(name))
    c.do(cmd.SignIn("a2"))
    for name in ("a1", "a2", "a3"):
        c.do(cmd.MakeReady(name))
        c.wait(1)
    out = c.do(cmd.ArriveContact("c1", queue="q1"))
    assert c.offered(out) == [("c1", expected)]


def test_round_robin_goes_around_the_agents() -> None:
    q = QueueConfig("q1", "sales", strategy=Strategy.ROUND_ROBIN)
    c = center([q], [agent("a1"), agent("a2"), agent("a3")])
    _ready_in_order(c, ["a3", "a1", "a2"])
    got = []
    for i in range(6):
        ((contact, who),) = c.offered(c.do(cmd.ArriveContact(f"c{i}", queue="q1")))
        got.append(who)
        c.do(cmd.AcceptOffer(who, contact))
        c.do(cmd.CallerHangUp(contact))
        c.do(cmd.FinishWrapUp(who))
    assert got == ["a1", "a2", "a3", "a1", "a2", "a3"]


def test_random_strategy_is_repeatable_with_a_seed_and_spreads_work() -> None:
    def run(seed: int) -> list[str]:
        q = QueueConfig("q1", "sales", strategy=Strategy.RANDOM)
        c = center([q], [agent(f"a{i}") for i in range(5)], seed=seed)
        _ready_in_order(c, [f"a{i}" for i in range(5)])
        got = []
        for i in range(40):
            ((contact, who),) = c.offered(c.do(cmd.ArriveContact(f"c{i}", queue="q1")))
            got.append(who)
            c.do(cmd.AcceptOffer(who, contact))
            c.do(cmd.CallerHangUp(contact))
            c.do(cmd.FinishWrapUp(who))
        return got

    first = run(7)
    assert first == run(7)
    assert first != run(8)
    assert len(set(first)) == 5


def test_agents_must_be_certified_for_the_campaign() -> None:
    qs = [QueueConfig("q1", "sales"), QueueConfig("r1", "returns")]
    c = center(qs, [agent("a1", campaigns=["returns"])])
    c.do(cmd.SignIn("a1", ready=True))
    assert c.offered(c.do(cmd.ArriveContact("c1", queue="q1"))) == []
    assert c.offered(c.do(cmd.ArriveContact("c2", queue="r1"))) == [("c2", "a1")]


def test_skill_change_takes_effect_for_a_free_agent() -> None:
    q = QueueConfig("q1", "sales", requirement="french>=2")
    c = center([q], [agent("a1", french=1)])
    c.do(cmd.SignIn("a1", ready=True))
    assert c.offered(c.do(cmd.ArriveContact("c1", queue="q1"))) == []
    out = c.do(cmd.ConfigureAgent(agent("a1", french=3)))
    assert c.offered(out) == [("c1", "a1")]


def test_position_and_estimated_wait_follow_the_live_queue() -> None:
    q = QueueConfig("q1", "sales", expected_handle_s=120)
    c = center([q], [agent("a1"), agent("a2")])
    for name in ("a1", "a2"):
        c.do(cmd.SignIn(name, ready=True))
        c.do(cmd.ArriveContact(f"busy-{name}", queue="q1"))
    for i in range(4):
        c.do(cmd.ArriveContact(f"c{i}", queue="q1"))
    assert c.router.position("c3") == 4
    # Four ahead-or-equal, two agents, two minutes each.
    assert c.router.estimated_wait("c3") == pytest.approx(4 * 120 / 2)
    assert c.router.queue("q1").waiting == 6
