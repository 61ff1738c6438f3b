"""Consult transfers in the core: the agent on a call asks a free colleague to talk first,
then hands the contact over or takes the caller back."""

from __future__ import annotations

import random

import pytest

from hearthline.routing import (
    AgentState,
    ContactState,
    InvalidCommand,
    QueueConfig,
    Router,
    WrapUpMode,
    WrapUpPolicy,
)
from hearthline.routing import commands as cmd
from hearthline.routing import events as ev
from hearthline.routing.errors import ConsultNotFound
from hearthline.routing.tenancy import Tenancy
from tests.routing.support import Center, agent, center

MANUAL = WrapUpPolicy(WrapUpMode.MANUAL, 120)


def _on_call(*, queue_wrap: WrapUpPolicy = MANUAL) -> Center:
    """Maria has the caller c1; Tom and Ann are ready and free."""
    c = center(
        [QueueConfig("q1", "sales", offer_timeout_s=15, wrap_up=queue_wrap)],
        [agent("maria"), agent("tom"), agent("ann")],
    )
    c.do(cmd.SignIn("maria", ready=True))
    c.do(cmd.ArriveContact("c1", caller="+441632960001", queue="q1"))
    c.do(cmd.AcceptOffer("maria", "c1"))
    c.wait(1)
    c.do(cmd.SignIn("tom", ready=True))
    c.do(cmd.SignIn("ann", ready=True))
    return c


def _types(events: list[ev.Event]) -> list[type]:
    return [type(e) for e in events]


def test_a_consult_holds_the_caller_and_rings_the_colleague_until_accepted() -> None:
    c = _on_call()
    out = c.do(cmd.StartConsult("maria", "c1", "tom"))
    assert _types(out) == [ev.ContactHeld, ev.ConsultRequested]
    asked = out[1]
    assert isinstance(asked, ev.ConsultRequested)
    assert (asked.agent, asked.asker, asked.expires_at) == ("tom", "maria", 16.0)
    view = c.router.contact("c1")
    assert view.state is ContactState.ON_HOLD
    assert (view.agent, view.consultant, view.consult_accepted) == ("maria", "tom", False)
    assert c.state("tom") == "consulting" and c.router.agent("tom").contact == "c1"
    # Tom is not offered anything while asked, though he was the longest idle.
    out = c.do(cmd.ArriveContact("c2", queue="q1"))
    assert c.offered(out) == [("c2", "ann")]
    c.wait(5)
    out = c.do(cmd.AcceptConsult("tom", "c1"))
    assert _types(out) == [ev.ConsultAccepted]
    assert c.router.contact("c1").consult_accepted
    assert c.router.agent("tom").since == 6.0  # talking from the accept
    # Accepted: the ring's time passes without a timeout.
    assert not [e for e in c.wait(30) if isinstance(e, ev.ConsultDeclined)]
    assert c.state("tom") == "consulting"


def test_a_handover_gives_the_consulted_agent_the_contact_and_the_asker_a_wrap_up() -> None:
    c = _on_call()
    c.do(cmd.StartConsult("maria", "c1", "tom"))
    c.do(cmd.AcceptConsult("tom", "c1"))
    c.wait(10)
    out = c.do(cmd.HandOverContact("maria", "c1"))
    assert _types(out) == [ev.ContactHandedOver, ev.WrapUpStarted]
    view = c.router.contact("c1")
    assert (view.state, view.agent, view.consultant) == (ContactState.CONNECTED, "tom", None)
    assert c.state("tom") == "on-contact" and c.router.agent("tom").handled_today == 1
    assert c.state("maria") == "wrap-up" and c.router.agent("maria").contact == "c1"
    # Maria's wrap-up does not complete Tom's contact; Tom's end does, after his wrap-up.
    out = c.do(cmd.FinishWrapUp("maria"))
    assert ev.ContactCompleted not in _types(out)
    out = c.do(cmd.EndContact("tom", "c1"))
    assert _types(out) == [ev.ContactEnded, ev.WrapUpStarted]
    out = c.do(cmd.FinishWrapUp("tom"))
    assert ev.ContactCompleted in _types(out)


def test_a_return_by_either_agent_frees_the_colleague_and_resumes_the_caller() -> None:
    for who in ("maria", "tom"):
        c = _on_call()
        c.do(cmd.StartConsult("maria", "c1", "tom"))
        c.do(cmd.AcceptConsult("tom", "c1"))
        out = c.do(cmd.EndConsult(who, "c1"))
        assert _types(out)[:3] == [ev.ConsultEnded, ev.ContactResumed, ev.AgentBecameAvailable]
        ended = out[0]
        assert isinstance(ended, ev.ConsultEnded)
        assert ended.side == ("asker" if who == "maria" else "consulted")
        view = c.router.contact("c1")
        assert (view.state, view.agent, view.consultant) == (ContactState.CONNECTED, "maria", None)
        assert c.state("tom") == "available" and c.state("maria") == "on-contact"
        # No wrap-up for Tom: the contact was never his.
        assert not [e for e in c.log if isinstance(e, ev.WrapUpStarted)]


def test_a_declined_or_unanswered_consult_leaves_the_caller_held_with_the_asker() -> None:
    c = _on_call()
    c.do(cmd.StartConsult("maria", "c1", "tom"))
    out = c.do(cmd.DeclineConsult("tom", "c1"))
    assert _types(out) == [ev.ConsultDeclined, ev.AgentBecameAvailable]
    assert c.router.contact("c1").state is ContactState.ON_HOLD
    assert c.state("tom") == "available"
    # Asked again, Tom does not answer within the queue's offer time: missed, a system
    # reason that never counts against him.
    c.do(cmd.StartConsult("maria", "c1", "tom"))
    out = c.wait(15)
    assert _types(out) == [ev.ConsultDeclined, ev.AgentWentNotReady]
    assert out[0].timed_out  # type: ignore[attr-defined]
    assert c.router.agent("tom").reason == "missed-offer"
    out = c.do(cmd.ResumeContact("maria", "c1"))
    assert _types(out) == [ev.ContactResumed]


def test_the_caller_hanging_up_during_a_consult_releases_both_agents_properly() -> None:
    c = _on_call()
    c.do(cmd.StartConsult("maria", "c1", "tom"))
    c.do(cmd.AcceptConsult("tom", "c1"))
    out = c.do(cmd.CallerHangUp("c1"))
    assert _types(out) == [
        ev.ConsultEnded,
        ev.AgentBecameAvailable,
        ev.ContactEnded,
        ev.WrapUpStarted,
    ]
    assert out[0].side == "caller"  # type: ignore[attr-defined]
    assert c.state("tom") == "available"  # not into a wrap-up for a call never his
    assert c.state("maria") == "wrap-up"


def test_refusals_name_the_problem_and_change_nothing() -> None:
    c = _on_call()
    before = c.router.snapshot()
    with pytest.raises(InvalidCommand, match="cannot consult yourself"):
        c.do(cmd.StartConsult("maria", "c1", "maria"))
    c.do(cmd.MakeNotReady("ann", "break"))
    before = c.router.snapshot()
    with pytest.raises(InvalidCommand, match="'ann': they are not-ready; only an agent ready"):
        c.do(cmd.StartConsult("maria", "c1", "ann"))
    with pytest.raises(ConsultNotFound, match="no consult is in progress"):
        c.do(cmd.HandOverContact("maria", "c1"))
    with pytest.raises(ConsultNotFound, match="'tom' is in no consult"):
        c.do(cmd.EndConsult("tom", "c1"))
    with pytest.raises(ConsultNotFound, match="not asked to consult"):
        c.do(cmd.AcceptConsult("tom", "c1"))
    assert c.router.snapshot() == before
    c.do(cmd.StartConsult("maria", "c1", "tom"))
    with pytest.raises(InvalidCommand, match="in a consult with agent 'tom' already"):
        c.do(cmd.StartConsult("maria", "c1", "ann"))
    with pytest.raises(ConsultNotFound, match="still ringing"):
        c.do(cmd.HandOverContact("maria", "c1"))
    with pytest.raises(InvalidCommand, match="ringing: decline it instead"):
        c.do(cmd.EndConsult("tom", "c1"))
    with pytest.raises(InvalidCommand, match="end the consult or hand the contact over"):
        c.do(cmd.ResumeContact("maria", "c1"))
    with pytest.raises(Exception, match="sign out"):
        c.do(cmd.SignOut("tom"))


def test_a_lost_connection_or_a_restart_ends_the_consult() -> None:
    c = _on_call()
    c.do(cmd.StartConsult("maria", "c1", "tom"))
    c.do(cmd.AcceptConsult("tom", "c1"))
    out = c.do(cmd.ReportConnectionLost("tom"))
    assert _types(out) == [
        ev.AgentConnectionLost,
        ev.ConsultEnded,
        ev.ContactResumed,
        ev.AgentWentNotReady,
    ]
    assert c.router.agent("tom").reason == "connection-lost"
    assert c.router.contact("c1").state is ContactState.CONNECTED
    c.do(cmd.StartConsult("maria", "c1", "ann"))
    out = c.do(cmd.RecoverAfterRestart())
    ended = [e for e in out if isinstance(e, ev.ConsultEnded)]
    assert [(e.agent, e.side) for e in ended] == [("ann", "system")]
    assert c.state("ann") == "not-ready"


def test_the_asker_hanging_up_or_transferring_ends_the_consult_first() -> None:
    c = _on_call()
    c.do(cmd.StartConsult("maria", "c1", "tom"))
    c.do(cmd.AcceptConsult("tom", "c1"))
    out = c.do(cmd.EndContact("maria", "c1"))
    assert _types(out)[:2] == [ev.ConsultEnded, ev.AgentBecameAvailable]
    assert ev.ContactResumed not in _types(out)
    assert c.state("tom") == "available"


def test_a_break_asked_for_while_consulting_starts_when_the_consult_ends() -> None:
    c = _on_call()
    c.do(cmd.StartConsult("maria", "c1", "tom"))
    c.do(cmd.AcceptConsult("tom", "c1"))
    out = c.do(cmd.MakeNotReady("tom", "break"))
    assert _types(out) == [ev.AgentNotReadyRequested]
    out = c.do(cmd.EndConsult("maria", "c1"))
    assert _types(out)[-1] is ev.AgentWentNotReady
    assert c.router.agent("tom").reason == "break"


def test_consults_replay_and_concern_the_consulted_agent() -> None:
    c = _on_call()
    c.do(cmd.StartConsult("maria", "c1", "tom"))
    c.do(cmd.AcceptConsult("tom", "c1"))
    replayed = Router.replay(c.log, clock=c.clock, rng=random.Random(1))
    assert replayed.snapshot() == c.router.snapshot()
    c.do(cmd.HandOverContact("maria", "c1"))
    replayed = Router.replay(c.log, clock=c.clock, rng=random.Random(1))
    assert replayed.snapshot() == c.router.snapshot()
    tenancy = Tenancy()
    concerns = {type(e): tenancy.concerns(e) for e in c.log}
    assert concerns[ev.ConsultRequested] == ("acme", "tom")
    assert concerns[ev.ContactHandedOver] == ("acme", "tom")
    # Tom has the contact now: his notes on it are his to write.
    assert tenancy.had_contact("c1", "tom")
    assert c.router.agent("tom").state is AgentState.ON_CONTACT


def test_a_restart_keeping_the_call_ends_its_consult_and_keeps_the_asker_on_it() -> None:
    c = _on_call()
    c.do(cmd.StartConsult("maria", "c1", "tom"))
    c.do(cmd.AcceptConsult("tom", "c1"))
    out = c.do(cmd.RecoverAfterRestart(keep=("c1",)))
    ended = [e for e in out if isinstance(e, ev.ConsultEnded)]
    assert [(e.agent, e.side) for e in ended] == [("tom", "system")]
    assert c.state("tom") == "not-ready" and c.router.agent("tom").contact is None
    # The caller stays held with Maria, whose page must come back within the grace.
    view = c.router.contact("c1")
    assert (view.state, view.agent, view.consultant) == (ContactState.ON_HOLD, "maria", None)
    assert c.state("maria") == "on-contact"


def test_a_consulted_agent_still_counts_as_staffed_for_the_queue_and_its_wait() -> None:
    """Asked or talking, the colleague is at work and free again soon: the queue's staffed
    agents and a waiting caller's expected wait count them, as they count an agent on a
    contact or in a wrap-up."""
    c = _on_call()
    assert c.router.queue("q1").agents_staffed == 3
    c.do(cmd.StartConsult("maria", "c1", "tom"))
    c.do(cmd.AcceptConsult("tom", "c1"))
    c.do(cmd.ArriveContact("c2", queue="q1"))  # rings Ann
    c.do(cmd.ArriveContact("c3", queue="q1"))  # waits
    view = c.router.queue("q1")
    assert (view.agents_staffed, view.agents_available) == (3, 0)
    wait = c.router.estimated_wait("c3")
    assert wait is not None
    assert wait == pytest.approx(c.router.queue("q1").handle_time_s / 3)
