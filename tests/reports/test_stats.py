"""The stats projection, fed by a real routing core on a manual clock."""

from __future__ import annotations

import random

import pytest

from hearthline.kernel.ids import AgentId, CampaignId, ClientId, ContactId, QueueId, ReasonId
from hearthline.reports.stats import StatsProjection
from hearthline.routing import AgentProfile, CampaignConfig, ManualClock, QueueConfig, Router
from hearthline.routing import commands as cmd
from hearthline.routing.config import RoutingConfig, WrapUpMode, WrapUpPolicy
from hearthline.routing.events import Event

Q, A = QueueId("q1"), AgentId("a1")


def _day() -> tuple[StatsProjection, ManualClock, Router]:
    clock = ManualClock(0.0)
    router = Router(clock=clock, rng=random.Random(1))
    stats = StatsProjection(interval_s=900)
    config = RoutingConfig(
        campaigns=(CampaignConfig(CampaignId("c1"), ClientId("acme")),),
        queues=(
            QueueConfig(
                Q,
                CampaignId("c1"),
                service_target_s=20,
                wrap_up=WrapUpPolicy(WrapUpMode.MANUAL, 600),
            ),
        ),
        agents=(AgentProfile.of("a1", campaigns=["c1"]),),
    )
    stats.apply_all(router.configure(config))
    return stats, clock, router


def _run(stats: StatsProjection, router: Router, command: cmd.Command) -> list[Event]:
    events = router.handle(command)
    stats.apply_all(events)
    return events


def test_one_answered_call_and_one_abandoned_call() -> None:
    stats, clock, router = _day()
    _run(stats, router, cmd.SignIn(A))
    clock.set(100)
    _run(stats, router, cmd.MakeNotReady(A, ReasonId("break")))
    clock.set(400)
    _run(stats, router, cmd.MakeReady(A))
    _run(stats, router, cmd.ArriveContact(ContactId("k1"), caller="+1", queue=Q))
    clock.set(410)
    _run(stats, router, cmd.AcceptOffer(A, ContactId("k1")))
    clock.set(500)
    _run(stats, router, cmd.HoldContact(A, ContactId("k1")))
    clock.set(530)
    _run(stats, router, cmd.ResumeContact(A, ContactId("k1")))
    clock.set(1000)  # the call crosses into the second interval
    _run(stats, router, cmd.EndContact(A, ContactId("k1")))
    clock.set(1030)
    _run(stats, router, cmd.ArriveContact(ContactId("k2"), caller="+2", queue=Q))
    clock.set(1060)
    _run(stats, router, cmd.CallerHangUp(ContactId("k2")))
    clock.set(1100)
    _run(stats, router, cmd.FinishWrapUp(A))

    first = stats.queue_row(Q, 0.0)
    assert first is not None
    assert (first.offered, first.answered, first.answered_in_target) == (1, 1, 1)
    assert first.wait_answered_s == 10.0
    assert (first.talk_s, first.hold_s, first.wrap_s) == (560.0, 30.0, 100.0)
    second = stats.queue_row(Q, 900.0)
    assert second is not None
    assert (second.offered, second.abandoned, second.abandoned_in_target) == (1, 1, 0)
    assert second.service_level == 0.0

    rows = {r.start: r for r in stats.agent_rows(until=1200)}
    assert rows[0.0].not_ready_s == {"break": 300.0}
    assert rows[0.0].system_not_ready_s == {"signed-in": 100.0}
    assert rows[0.0].talk_s == pytest.approx(900 - 410 - 30)
    assert rows[900.0].talk_s == 100.0
    assert rows[900.0].wrap_s == 100.0
    assert rows[900.0].available_s == 100.0  # open span counted up to `until`
    assert rows[0.0].signed_in_s == 900.0
    assert stats.agent_rows()[-1].available_s == 0.0  # without `until`, not yet


def test_one_agents_rows_now_count_the_break_in_progress() -> None:
    stats, clock, router = _day()
    _run(stats, router, cmd.SignIn(A, ready=True))
    clock.set(100)
    _run(stats, router, cmd.MakeNotReady(A, ReasonId("break")))
    whole, added = stats.agent_rows_now(A, since=0.0, until=1300.0)
    assert added == []
    assert [(r.start, r.not_ready_s) for r in whole] == [
        (0.0, {"break": 800.0}),
        (900.0, {"break": 400.0}),
    ]
    # Only the agent's rows from `since`; the projection itself is not changed.
    assert [r.start for r in stats.agent_rows_now(A, since=900.0, until=1300.0)[0]] == [900.0]
    assert stats.agent_rows_now(AgentId("nobody"), since=0.0, until=1300.0) == ([], [])
    assert [r.not_ready_s for r in stats.agent_rows()] == [{}]


def test_a_dropped_call_is_kept_apart_from_the_agents_work() -> None:
    stats, clock, router = _day()
    _run(stats, router, cmd.SignIn(A, ready=True))
    _run(stats, router, cmd.ArriveContact(ContactId("k1"), caller="+1", queue=Q))
    _run(stats, router, cmd.AcceptOffer(A, ContactId("k1")))
    clock.set(50)
    _run(stats, router, cmd.RecoverAfterRestart())
    agent = stats.agent_rows(until=60)[0]
    assert (agent.handled, agent.dropped) == (0, 1)
    assert agent.system_not_ready_s == {"system-restart": 10.0}
    queue = stats.queue_rows()[0]
    assert queue.dropped == 1 and queue.offered == 2  # the callback is offered anew
    assert queue.callbacks_offered == 1


def test_changed_rows_are_handed_out_once() -> None:
    stats, _, router = _day()
    _run(stats, router, cmd.ArriveContact(ContactId("k1"), caller="+1", queue=Q))
    queues, _ = stats.take_changed()
    assert [(r.queue, r.start) for r in queues] == [(Q, 0.0)]
    assert stats.take_changed() == ([], [])


def test_a_bad_interval_is_refused() -> None:
    with pytest.raises(ValueError, match="interval_s"):
        StatsProjection(interval_s=0)


def test_a_transfer_counts_for_the_agent_and_queue_that_passed_it_on() -> None:
    clock = ManualClock(0.0)
    router = Router(clock=clock, rng=random.Random(1))
    stats = StatsProjection(interval_s=900)
    q2, a2 = QueueId("q2"), AgentId("a2")
    config = RoutingConfig(
        campaigns=(CampaignConfig(CampaignId("c1"), ClientId("acme")),),
        queues=(QueueConfig(Q, CampaignId("c1")), QueueConfig(q2, CampaignId("c1"))),
        agents=(
            AgentProfile.of("a1", campaigns=["c1"]),
            AgentProfile.of("a2", campaigns=["c1"]),
        ),
    )
    stats.apply_all(router.configure(config))
    _run(stats, router, cmd.SignIn(A, ready=True))
    _run(stats, router, cmd.ArriveContact(ContactId("k1"), caller="+1", queue=Q))
    clock.set(10)
    _run(stats, router, cmd.AcceptOffer(A, ContactId("k1")))
    _run(stats, router, cmd.SignIn(a2, ready=True))
    clock.set(100)
    _run(stats, router, cmd.TransferContact(A, ContactId("k1"), to_queue=q2))
    clock.set(110)
    _run(stats, router, cmd.AcceptOffer(a2, ContactId("k1")))
    clock.set(200)
    _run(stats, router, cmd.EndContact(a2, ContactId("k1")))

    first, second = stats.queue_row(Q, 0.0), stats.queue_row(q2, 0.0)
    assert first is not None and second is not None
    assert (first.offered, first.answered, first.transferred_out) == (1, 1, 1)
    assert first.talk_s == 90.0  # the first leg ends at the transfer
    assert (second.offered, second.answered, second.transferred_out) == (1, 1, 0)
    assert second.talk_s == 90.0
    rows = {r.agent: r for r in stats.agent_rows(until=300)}
    assert (rows[A].transferred, rows[A].handled) == (1, 0)
    assert (rows[a2].transferred, rows[a2].handled) == (0, 1)


def test_consult_time_is_the_colleagues_work_and_a_handover_the_askers_transfer() -> None:
    clock = ManualClock(0.0)
    router = Router(clock=clock, rng=random.Random(1))
    stats = StatsProjection(interval_s=900)
    a2 = AgentId("a2")
    config = RoutingConfig(
        campaigns=(CampaignConfig(CampaignId("c1"), ClientId("acme")),),
        queues=(QueueConfig(Q, CampaignId("c1")),),
        agents=(
            AgentProfile.of("a1", campaigns=["c1"]),
            AgentProfile.of("a2", campaigns=["c1"]),
        ),
    )
    stats.apply_all(router.configure(config))
    k1 = ContactId("k1")
    _run(stats, router, cmd.SignIn(A, ready=True))
    _run(stats, router, cmd.ArriveContact(k1, caller="+1", queue=Q))
    _run(stats, router, cmd.AcceptOffer(A, k1))
    _run(stats, router, cmd.SignIn(a2, ready=True))
    clock.set(100)
    _run(stats, router, cmd.StartConsult(A, k1, a2))
    clock.set(110)
    _run(stats, router, cmd.AcceptConsult(a2, k1))
    clock.set(170)
    _run(stats, router, cmd.EndConsult(a2, k1))  # a return: a2 ready again
    clock.set(200)
    _run(stats, router, cmd.StartConsult(A, k1, a2))
    clock.set(205)
    _run(stats, router, cmd.AcceptConsult(a2, k1))
    clock.set(250)
    _run(stats, router, cmd.HandOverContact(A, k1))
    clock.set(400)
    _run(stats, router, cmd.EndContact(a2, k1))

    rows = {r.agent: r for r in stats.agent_rows(until=400)}
    # The colleague: ringing, then consulting as talk (busy, never idle), then the call.
    assert rows[a2].reserved_s == 15.0
    assert rows[a2].talk_s == 60.0 + 45.0 + 150.0
    assert rows[a2].available_s == 100.0 + 30.0
    assert (rows[a2].answered, rows[a2].handled, rows[a2].offers) == (0, 1, 0)
    # The asker: the caller held while they consulted, then the handover as a transfer.
    assert rows[A].hold_s == 70.0 + 50.0 and rows[A].talk_s == 100.0 + 30.0
    assert (rows[A].transferred, rows[A].handled) == (1, 0)
    queue = stats.queue_row(Q, 0.0)
    assert queue is not None
    assert (queue.answered, queue.handled, queue.transferred_out) == (1, 1, 0)
    assert (queue.talk_s, queue.hold_s) == (100.0 + 30.0 + 150.0, 70.0 + 50.0)
