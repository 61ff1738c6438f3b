"""Offering, accepting, declining, ring-no-answer, wrap-up: the everyday life of a contact."""

from __future__ import annotations

import random

import pytest

from hearthline.routing import (
    AgentState,
    ContactState,
    IllegalTransition,
    InvalidCommand,
    OfferNotFound,
    QueueConfig,
    Router,
    UnknownEntity,
    WrapUpMode,
    WrapUpPolicy,
)
from hearthline.routing import commands as cmd
from hearthline.routing import events as ev
from tests.routing.support import Center, agent, center


def test_contact_goes_to_the_only_ready_agent_and_completes() -> None:
    c = center(agents=[agent("a1")])
    c.do(cmd.SignIn("a1", ready=True))
    out = c.do(cmd.ArriveContact("c1", caller="+3312345", queue="q1"))
    assert c.offered(out) == [("c1", "a1")]
    assert c.state("a1") == "reserved"
    c.wait(3)
    c.do(cmd.AcceptOffer("a1", "c1"))
    assert c.router.contact("c1").state is ContactState.CONNECTED
    c.wait(100)
    out = c.do(cmd.EndContact("a1", "c1"))
    assert [type(e) for e in out] == [ev.ContactEnded, ev.WrapUpStarted]
    assert c.state("a1") == "wrap-up"
    out = c.wait(30)
    assert [type(e) for e in out] == [ev.WrapUpEnded, ev.ContactCompleted, ev.AgentBecameAvailable]
    assert c.state("a1") == "available"
    with pytest.raises(UnknownEntity, match="it has ended: completed"):
        c.router.contact("c1")


def test_caller_waits_when_nobody_is_ready_and_is_offered_when_someone_is() -> None:
    c = center(agents=[agent("a1")])
    c.do(cmd.ArriveContact("c1", queue="q1"))
    assert c.router.contact("c1").state is ContactState.QUEUED
    c.do(cmd.SignIn("a1"))
    c.wait(10)
    out = c.do(cmd.MakeReady("a1"))
    assert c.offered(out) == [("c1", "a1")]


def test_decline_reoffers_to_another_agent_and_not_back_to_the_decliner() -> None:
    c = center(agents=[agent("a1"), agent("a2")])
    c.do(cmd.SignIn("a1", ready=True))
    c.wait(1)
    c.do(cmd.SignIn("a2", ready=True))
    out = c.do(cmd.ArriveContact("c1", queue="q1"))
    assert c.offered(out) == [("c1", "a1")]
    out = c.do(cmd.DeclineOffer("a1", "c1"))
    assert c.offered(out) == [("c1", "a2")]
    assert c.state("a1") == "available"
    out = c.do(cmd.DeclineOffer("a2", "c1"))
    assert c.offered(out) == []  # both declined: it waits for someone else
    assert c.router.contact("c1").state is ContactState.QUEUED


def test_ring_no_answer_returns_contact_to_its_place_and_agent_to_missed_offer() -> None:
    q = QueueConfig("q1", "sales", offer_timeout_s=15)
    c = center([q], [agent("a1"), agent("a2")])
    c.do(cmd.ArriveContact("c1", queue="q1"))
    c.wait(1)
    c.do(cmd.ArriveContact("c2", queue="q1"))
    c.do(cmd.SignIn("a1", ready=True))  # takes c1, the longer waiting
    assert c.router.contact("c1").agent == "a1"
    out = c.wait(15)
    assert [type(e) for e in out][:3] == [
        ev.OfferTimedOut,
        ev.AgentWentNotReady,
        ev.ContactRequeued,
    ]
    assert c.router.agent("a1").reason == "missed-offer"
    # Back at its original place: still ahead of c2 for the next agent.
    assert c.router.position("c1") == 1 and c.router.position("c2") == 2
    out = c.do(cmd.SignIn("a2", ready=True))
    assert c.offered(out) == [("c1", "a2")]


def test_accept_after_the_offer_expired_is_refused_and_changes_nothing() -> None:
    c = center([QueueConfig("q1", "sales", offer_timeout_s=10)], [agent("a1")])
    c.do(cmd.SignIn("a1", ready=True))
    c.do(cmd.ArriveContact("c1", queue="q1"))
    c.clock.advance(11)
    with pytest.raises(OfferNotFound, match="it is queued \\(the offer expired"):
        c.do(cmd.AcceptOffer("a1", "c1"))
    # The expiry itself happened, and its events wait in the outbox for the caller.
    leftover = c.router.take_events()
    assert [type(e) for e in leftover][:1] == [ev.OfferTimedOut]
    before = c.router.snapshot()
    with pytest.raises(OfferNotFound):
        c.do(cmd.AcceptOffer("a1", "c1"))
    assert c.router.snapshot() == before


def test_manual_wrap_up_waits_for_the_agent_up_to_its_maximum() -> None:
    q = QueueConfig("q1", "sales", wrap_up=WrapUpPolicy(WrapUpMode.MANUAL, 120))
    c = center([q], [agent("a1")])
    c.do(cmd.SignIn("a1", ready=True))
    c.do(cmd.ArriveContact("c1", queue="q1"))
    c.do(cmd.AcceptOffer("a1", "c1"))
    c.do(cmd.CallerHangUp("c1"))
    c.wait(60)
    assert c.state("a1") == "wrap-up"
    out = c.do(cmd.FinishWrapUp("a1"))
    assert isinstance(out[0], ev.WrapUpEnded) and not out[0].timed_out
    c.do(cmd.ArriveContact("c2", queue="q1"))
    c.do(cmd.AcceptOffer("a1", "c2"))
    c.do(cmd.EndContact("a1", "c2"))
    out = c.wait(120)
    assert isinstance(out[0], ev.WrapUpEnded) and out[0].timed_out


def test_zero_second_timed_wrap_up_makes_the_agent_ready_at_once() -> None:
    q = QueueConfig("q1", "sales", wrap_up=WrapUpPolicy(WrapUpMode.TIMED, 0))
    c = center([q], [agent("a1")])
    c.do(cmd.SignIn("a1", ready=True))
    c.do(cmd.ArriveContact("c1", queue="q1"))
    c.do(cmd.ArriveContact("c2", queue="q1"))
    c.do(cmd.AcceptOffer("a1", "c1"))
    out = c.do(cmd.EndContact("a1", "c1"))
    assert c.offered(out) == [("c2", "a1")]


def test_break_asked_during_a_call_starts_when_wrap_up_ends() -> None:
    c = center(agents=[agent("a1")])
    c.do(cmd.SignIn("a1", ready=True))
    c.do(cmd.ArriveContact("c1", queue="q1"))
    c.do(cmd.AcceptOffer("a1", "c1"))
    c.do(cmd.MakeNotReady("a1", "lunch"))
    assert c.router.agent("a1").pending_reason == "lunch"
    c.do(cmd.ArriveContact("c2", queue="q1"))
    c.do(cmd.EndContact("a1", "c1"))
    out = c.do(cmd.FinishWrapUp("a1"))
    assert c.state("a1") == "not-ready" and c.router.agent("a1").reason == "lunch"
    assert c.offered(out) == []


def test_not_ready_after_the_contact_chosen_while_ringing_keeps_the_offer() -> None:
    c = center(agents=[agent("a1")])
    c.do(cmd.SignIn("a1", ready=True))
    c.do(cmd.ArriveContact("c1", queue="q1"))
    out = c.do(cmd.MakeNotReady("a1", "lunch", after_contact=True))
    assert [type(e) for e in out] == [ev.AgentNotReadyRequested]
    assert c.state("a1") == "reserved" and c.router.agent("a1").pending_reason == "lunch"
    c.do(cmd.AcceptOffer("a1", "c1"))
    c.do(cmd.ArriveContact("c2", queue="q1"))
    c.do(cmd.EndContact("a1", "c1"))
    out = c.do(cmd.FinishWrapUp("a1"))
    assert c.state("a1") == "not-ready" and c.router.agent("a1").reason == "lunch"
    assert c.offered(out) == []
    assert not any(isinstance(e, ev.OfferDeclined) for e in c.log)


def _wrapping_up(c_id: str = "c1") -> Center:
    """a1 took a call from q1 (timed wrap-up, 30 s) and hung up."""
    c = center(agents=[agent("a1")])
    c.do(cmd.SignIn("a1", ready=True))
    c.do(cmd.ArriveContact(c_id, queue="q1"))
    c.do(cmd.AcceptOffer("a1", c_id))
    c.do(cmd.EndContact("a1", c_id))
    assert c.state("a1") == "wrap-up"
    return c


def test_the_centers_hold_turns_a_timed_wrap_up_into_not_ready_and_ready_lifts_it() -> None:
    c = _wrapping_up()
    out = c.do(cmd.HoldAfterContact("a1", "unread-bulletins"))
    assert [type(e) for e in out] == [ev.AgentNotReadyRequested]
    c.do(cmd.ArriveContact("c2", queue="q1"))
    c.wait(31.0)  # the wrap-up times out: held, so not offered c2
    assert c.state("a1") == "not-ready" and c.router.agent("a1").reason == "unread-bulletins"
    # The agent's own Ready (the server admits it once the bulletins are acknowledged).
    out = c.do(cmd.MakeReady("a1"))
    assert c.offered(out) == [("c2", "a1")]

    c = _wrapping_up()
    c.do(cmd.HoldAfterContact("a1", "unread-bulletins"))
    out = c.do(cmd.FinishWrapUp("a1"))  # finishing the notes is not choosing ready
    assert c.state("a1") == "not-ready"
    c = _wrapping_up()
    c.do(cmd.HoldAfterContact("a1", "unread-bulletins"))
    out = c.do(cmd.MakeReady("a1"))  # Ready during the wrap-up overrules the hold
    assert c.state("a1") == "available"


def test_the_center_holds_only_for_its_own_reasons_and_never_overrides_the_agents() -> None:
    c = _wrapping_up()
    with pytest.raises(InvalidCommand, match="'lunch' is one a person chooses"):
        c.do(cmd.HoldAfterContact("a1", "lunch"))
    c.do(cmd.MakeNotReady("a1", "lunch"))  # chosen during the wrap-up: kept
    assert c.do(cmd.HoldAfterContact("a1", "unread-bulletins")) == []
    c.wait(31.0)
    assert c.router.agent("a1").reason == "lunch"
    assert c.do(cmd.HoldAfterContact("a1", "unread-bulletins")) == []  # not ready already
    c.do(cmd.MakeReady("a1"))
    out = c.do(cmd.HoldAfterContact("a1", "unread-bulletins"))  # ready and idle: at once
    assert [type(e) for e in out] == [ev.AgentWentNotReady]
    c.do(cmd.SignOut("a1"))
    assert c.do(cmd.HoldAfterContact("a1", "unread-bulletins")) == []


def test_not_ready_now_while_ringing_withdraws_the_offer_without_a_decline() -> None:
    c = center(agents=[agent("a1")])
    c.do(cmd.SignIn("a1", ready=True))
    c.do(cmd.ArriveContact("c1", queue="q1"))
    out = c.do(cmd.MakeNotReady("a1", "lunch"))
    assert [type(e) for e in out][:2] == [ev.OfferRescinded, ev.AgentWentNotReady]
    assert c.state("a1") == "not-ready"


def test_hold_and_resume_and_transfer_to_a_queue() -> None:
    qs = [QueueConfig("q1", "sales"), QueueConfig("q2", "sales", requirement="billing")]
    c = center(qs, [agent("a1"), agent("b1", billing=2)])
    c.do(cmd.SignIn("a1", ready=True))
    c.do(cmd.ArriveContact("c1", queue="q1"))  # b1 is not signed in yet
    c.do(cmd.AcceptOffer("a1", "c1"))
    c.do(cmd.HoldContact("a1", "c1"))
    assert c.router.contact("c1").state is ContactState.ON_HOLD
    with pytest.raises(IllegalTransition, match="expected it to be connected, found it on-hold"):
        c.do(cmd.HoldContact("a1", "c1"))
    c.do(cmd.ResumeContact("a1", "c1"))
    c.do(cmd.SignIn("b1", ready=True))
    out = c.do(cmd.TransferContact("a1", "c1", to_queue="q2"))
    assert c.offered(out) == [("c1", "b1")]
    assert c.state("a1") == "wrap-up"
    c.do(cmd.AcceptOffer("b1", "c1"))
    c.do(cmd.FinishWrapUp("a1"))
    # a1's wrap-up ends its own leg only; the contact goes on with b1.
    assert c.router.contact("c1").state is ContactState.CONNECTED


def test_transfer_to_a_named_agent_waits_for_them_then_falls_to_the_queue() -> None:
    c = center(agents=[agent("a1"), agent("a2"), agent("a3")])
    for a in ("a1", "a2", "a3"):
        c.do(cmd.SignIn(a))
    c.do(cmd.MakeReady("a1"))
    c.do(cmd.ArriveContact("c1", queue="q1"))
    c.do(cmd.AcceptOffer("a1", "c1"))
    c.do(cmd.ArriveContact("c0", queue="q1"))  # waits: nobody else is ready
    out = c.do(cmd.TransferContact("a1", "c1", to_agent="a2"))
    assert c.offered(out) == []
    assert c.router.contact("c1").preferred_agent == "a2"
    out = c.do(cmd.MakeReady("a3"))
    assert c.offered(out) == [("c0", "a3")]  # c1 waits for a2 by name
    out = c.wait(30)  # direct_transfer_wait_s: now anyone may take it
    assert any(isinstance(e, ev.ContactPreferenceExpired) for e in out)
    assert c.router.contact("c1").preferred_agent is None


@pytest.mark.parametrize(
    ("command", "error", "message"),
    [
        (cmd.SignIn("nobody"), UnknownEntity, "unknown agent 'nobody'"),
        (cmd.AcceptOffer("a1", "ghost"), OfferNotFound, "no such contact"),
        (cmd.EndContact("a1", "ghost"), UnknownEntity, "unknown contact 'ghost'"),
        (cmd.MakeNotReady("a1", "nap"), InvalidCommand, "unknown not-ready reason 'nap'"),
        (cmd.ArriveContact("c1", queue="nope"), UnknownEntity, "unknown queue 'nope'"),
        (cmd.ArriveContact("bad~id", queue="q1"), InvalidCommand, "without '~'"),
        (cmd.SignOut("a2"), IllegalTransition, "found it offline"),
        (cmd.FinishWrapUp("a1"), IllegalTransition, "expected it to be wrap-up"),
        (cmd.DropContact("c9", side="moon"), InvalidCommand, "caller, agent or system"),
    ],
)
def test_refused_commands_name_the_problem_and_change_nothing(
    command: cmd.Command, error: type[Exception], message: str
) -> None:
    c = center(agents=[agent("a1"), agent("a2")])
    c.do(cmd.SignIn("a1", ready=True))
    c.do(cmd.ArriveContact("c9", queue="q1"))
    before = c.router.snapshot()
    with pytest.raises(error, match=message):
        c.do(command)
    assert c.router.snapshot() == before


def test_a_contact_id_cannot_be_used_twice() -> None:
    c = center(agents=[agent("a1")])
    c.do(cmd.ArriveContact("c1", queue="q1"))
    with pytest.raises(InvalidCommand, match="exists already"):
        c.do(cmd.ArriveContact("c1", queue="q1"))
    c.do(cmd.CallerHangUp("c1"))
    with pytest.raises(InvalidCommand, match="exists already"):
        c.do(cmd.ArriveContact("c1", queue="q1"))


def test_time_in_state_is_known() -> None:
    c = center(agents=[agent("a1")])
    c.wait(5)
    c.do(cmd.SignIn("a1"))
    c.wait(7)
    c.do(cmd.MakeNotReady("a1", "break"))
    view = c.router.agent("a1")
    assert view.state is AgentState.NOT_READY and view.since == 12 and view.reason == "break"


def test_replaying_a_long_log_keeps_only_live_timers() -> None:
    c = center(agents=[agent("a1")])
    c.do(cmd.SignIn("a1", ready=True))
    for i in range(300):
        c.do(cmd.ArriveContact(f"c{i}", queue="q1"))
        c.do(cmd.AcceptOffer("a1", f"c{i}"))
        c.do(cmd.EndContact("a1", f"c{i}"))
        c.wait(30)
    replayed = Router.replay(c.log, clock=c.clock, rng=random.Random(1))
    assert replayed.snapshot() == c.router.snapshot()
    # Every offer and wrap-up set a timer; none of those is live any more.
    assert len(replayed.agenda) <= len(c.router.agenda) + 1
    assert len(replayed.dump_state()) < 2 * len(c.router.dump_state())


def test_a_retired_agent_takes_no_work_until_configured_again() -> None:
    c = center(agents=[agent("a1"), agent("a2")])
    c.do(cmd.SignIn("a1", ready=True))
    with pytest.raises(IllegalTransition, match="retire"):
        c.do(cmd.RetireAgent("a1"))  # signed in: sign out first
    c.do(cmd.SignOut("a1"))
    assert [type(e) for e in c.do(cmd.RetireAgent("a1"))] == [ev.AgentRetired]
    assert c.state("a1") == "retired"
    assert c.router.queue("q1").agents_staffed == 0
    with pytest.raises(IllegalTransition, match="retired"):
        c.do(cmd.SignIn("a1", ready=True))
    with pytest.raises(InvalidCommand, match="retired"):
        c.do(cmd.ScheduleCallback("k1", "q1", due_at=30.0, caller="+1", preferred_agent="a1"))
    c.do(cmd.SignIn("a2", ready=True))
    c.do(cmd.ArriveContact("c1", caller="+1", queue="q1"))
    c.do(cmd.AcceptOffer("a2", "c1"))
    with pytest.raises(InvalidCommand, match="retired"):
        c.do(cmd.TransferContact("a2", "c1", to_agent="a1"))
    # A restart leaves a retired agent where they are.
    c.do(cmd.RecoverAfterRestart())
    assert c.state("a1") == "retired"

    # Configured again (re-hired): off the books no longer, and routed to at once.
    c.do(cmd.ConfigureAgent(agent("a1")))
    assert c.state("a1") == "offline"
    c.do(cmd.SignIn("a1", ready=True))
    out = c.do(cmd.ArriveContact("c2", caller="+1", queue="q1"))
    assert c.offered(out) == [("c2", "a1")]
    replayed = Router.replay(c.log, clock=c.clock, rng=random.Random(1))
    assert replayed.snapshot() == c.router.snapshot()


@pytest.mark.parametrize("reason", ["system-restart", "connection-lost", "missed-offer"])
def test_an_agent_cannot_choose_a_reason_the_center_sets_itself(reason: str) -> None:
    c = center(agents=[agent("a1", sales=3)])
    c.do(cmd.SignIn("a1", ready=True))
    with pytest.raises(InvalidCommand, match=f"{reason}' is set by the center itself.*break"):
        c.do(cmd.MakeNotReady("a1", reason))
    assert c.state("a1") == "available"
    c.do(cmd.MakeNotReady("a1", "break"))
    assert c.router.agent("a1").reason == "break"
