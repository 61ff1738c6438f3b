"""Simulated agents' behaviour, seen in the core's events."""

from __future__ import annotations

from random import Random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hearthline.kernel.clock import ManualClock
from hearthline.routing import events as ev
from hearthline.routing.events import Event
from hearthline.routing.router import Router
from hearthline.sim import parse_scenario, simulate
from hearthline.sim.build import build
from hearthline.sim.engine import Engine
from hearthline.sim.run import dispatcher
from hearthline.sim.world import World

BASE = """
[simulation]
start = "08:00"
hours = 2
drain_minutes = 120

[behaviour]
{behaviour}

[[queues]]
id = "q"
arrivals = {{ per_hour = 300 }}
handle_time = {{ kind = "exponential", mean_s = 120 }}
{queue}

[[agents]]
count = 15
{agents}
"""


def _run(*, behaviour: str = "", queue: str = "", agents: str = "") -> tuple[list[Event], dict]:
    trace: list[Event] = []
    scenario = parse_scenario(BASE.format(behaviour=behaviour, queue=queue, agents=agents))
    results = simulate(scenario, trace=trace)
    assert results.run["refused_commands"] == 0, results.run["refusals"]
    return trace, results.run


def _of(trace: list[Event], kind: type[Event]) -> list[Event]:
    return [e for e in trace if type(e) is kind]


def test_missed_offers_time_out_and_the_agent_comes_back() -> None:
    trace, _ = _run(
        behaviour='miss_probability = 0.2\nready_after_miss = { kind = "constant", value_s = 7 }'
    )
    timed_out = _of(trace, ev.OfferTimedOut)
    assert timed_out
    missed = [e for e in _of(trace, ev.AgentWentNotReady) if e.reason == "missed-offer"]
    assert len(missed) == len(timed_out)
    back = {(e.agent, e.at) for e in _of(trace, ev.AgentBecameAvailable)}
    assert all((m.agent, m.at + 7) in back for m in missed)


def test_long_connection_drops_cut_calls_and_the_center_calls_back() -> None:
    trace, _ = _run(
        behaviour='drops_per_hour = 3\ndrop_length = { kind = "constant", value_s = 90 }'
    )
    lost = _of(trace, ev.AgentConnectionLost)
    # Agents still away when the day's last call ends never come back within the run.
    assert 0 <= len(lost) - len(_of(trace, ev.AgentReconnected)) <= 15
    assert lost
    cut = [e for e in _of(trace, ev.ContactDropped) if e.side == "agent"]
    assert cut  # 90 s away is longer than the 60 s grace
    callbacks = [e for e in _of(trace, ev.ContactArrived) if e.origin is not None]
    assert {c.origin for c in callbacks} == {e.contact for e in cut}


def test_patience_makes_callers_hang_up_only_while_waiting() -> None:
    trace, _ = _run(queue='patience = { kind = "constant", value_s = 5 }', agents="")
    abandoned = {e.contact for e in _of(trace, ev.ContactAbandoned)}
    answered = {e.contact for e in _of(trace, ev.OfferAccepted)}
    assert abandoned
    assert not abandoned & answered
    queued = {e.contact: e.at for e in _of(trace, ev.ContactQueued)}
    assert all(e.at - queued[e.contact] == 5 for e in _of(trace, ev.ContactAbandoned))


def test_shift_end_waits_for_the_call_in_hand() -> None:
    trace, run = _run(agents='shift = { start = "08:00", end = "09:00" }')
    outs = _of(trace, ev.AgentSignedOut)
    assert len(outs) == 15
    assert all(e.at >= 9 * 3600 for e in outs)
    assert any(e.at > 9 * 3600 for e in outs)  # someone finished a call first
    assert run["unfinished_contacts"] > 0  # nobody left to answer after nine


def test_a_requirement_every_caller_brings_keeps_its_agents_to_other_calls() -> None:
    # The demo with real calls: simulated callers require "!phone", so the one agent with
    # the phone skill (the person at the desk) is never offered one of them.
    text = BASE.format(behaviour="", queue="", agents="") + (
        '\n[[agents]]\ncount = 1\nprefix = "desk"\nskills = { phone = 1 }\n'
    )
    built = build(parse_scenario(text))
    to_desk = {}
    for requirement in (None, "!phone"):
        clock = ManualClock(built.start)
        router = Router(clock=clock, rng=Random(1))
        trace: list[Event] = []
        engine = Engine(center=router, clock=clock, sink=lambda events: None)
        world = World(built, engine=engine, rng=Random(1), requirement=requirement)
        engine.sink = dispatcher(world.handlers(), trace=trace)
        engine.sink(router.configure(built.routing))
        world.start()
        engine.run(built.end)
        offers = _of(trace, ev.ContactOffered)
        assert world.calls > 400 and len(offers) > 400
        to_desk[requirement] = [e for e in offers if str(e.agent).startswith("desk")]
    assert to_desk[None], "without the requirement the desk takes calls too"
    assert to_desk["!phone"] == [], "the desk was offered a simulated caller"


def test_a_break_due_during_another_or_a_call_is_taken_in_full() -> None:
    # The second break falls due five minutes into the first (and, for agents on a call
    # at 08:30, before the first has begun): every agent owes twenty minutes and takes
    # them, one break after the other, not fifteen with the first cut short.
    breaks = (
        'breaks = [{ at = "08:30", minutes = 10, reason = "break" }, '
        '{ at = "08:35", minutes = 10, reason = "break" }]'
    )
    scenario = parse_scenario(BASE.format(behaviour="", queue="", agents=breaks))
    results = simulate(scenario)
    assert results.run["refused_commands"] == 0, results.run["refusals"]
    assert len(results.agents) == 15
    for agent in results.agents:
        assert agent.break_s == pytest.approx(1200.0, abs=1e-6), agent


@settings(max_examples=12, deadline=None)
@given(plan=st.lists(st.tuples(st.integers(10, 60), st.integers(1, 10)), min_size=1, max_size=4))
def test_every_break_is_taken_in_full_however_they_overlap(
    plan: list[tuple[int, int]],
) -> None:
    # Breaks at minutes 10-60 of the day, one to ten minutes each, overlapping or not:
    # each agent takes all their minutes (the day and its drain leave room for them).
    breaks = ", ".join(
        f'{{ at = "08:{at:02d}", minutes = {minutes}, reason = "break" }}'
        if at < 60
        else f'{{ at = "09:00", minutes = {minutes}, reason = "break" }}'
        for at, minutes in plan
    )
    scenario = parse_scenario(BASE.format(behaviour="", queue="", agents=f"breaks = [{breaks}]"))
    results = simulate(scenario)
    assert results.run["refused_commands"] == 0, results.run["refusals"]
    owed = 60.0 * sum(minutes for _, minutes in plan)
    for agent in results.agents:
        assert agent.break_s == pytest.approx(owed, abs=1e-6), agent
