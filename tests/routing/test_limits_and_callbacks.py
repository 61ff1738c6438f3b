"""Escalation in time, queue limits and overflow, callbacks, drops, lost connections, restarts."""

from __future__ import annotations

import pytest

from hearthline.kernel.ids import ContactId
from hearthline.routing import (
    CampaignConfig,
    CenterSettings,
    Channel,
    ContactState,
    EscalationStep,
    Overflow,
    OverflowKind,
    QueueConfig,
)
from hearthline.routing import commands as cmd
from hearthline.routing import events as ev
from hearthline.routing.errors import InvalidCommand, UnknownEntity
from tests.routing.support import agent, center


def _types(events: list[ev.Event]) -> list[type[ev.Event]]:
    return [type(e) for e in events]


def test_requirement_relaxes_after_waiting_and_widens_to_more_agents() -> None:
    q = QueueConfig(
        "q1",
        "sales",
        requirement="sales>=4",
        steps=(EscalationStep(30, requirement="sales>=2"), EscalationStep(90, requirement="*")),
    )
    c = center([q], [agent("junior", sales=2), agent("trainee")])
    c.do(cmd.SignIn("junior", ready=True))
    c.do(cmd.SignIn("trainee", ready=True))
    assert c.offered(c.do(cmd.ArriveContact("c1", queue="q1"))) == []
    out = c.wait(30)
    assert _types(out)[:1] == [ev.ContactEscalated]
    assert c.offered(out) == [("c1", "junior")]
    c.do(cmd.AcceptOffer("junior", "c1"))
    c.do(cmd.ArriveContact("c2", queue="q1"))
    assert c.offered(c.wait(89)) == []
    assert c.offered(c.wait(1)) == [("c2", "trainee")]


def test_escalation_raises_priority_after_a_wait() -> None:
    q = QueueConfig("q1", "sales", steps=(EscalationStep(60, priority=3),))
    c = center([q], [agent("a1")])
    c.do(cmd.ArriveContact("old", queue="q1"))
    c.wait(60)
    c.do(cmd.ArriveContact("urgent", queue="q1", priority=2))
    assert c.router.contact("old").priority == 3
    assert c.offered(c.do(cmd.SignIn("a1", ready=True))) == [("old", "a1")]


def test_escalation_overflows_to_another_queue_keeping_the_time_waited() -> None:
    qs = [
        QueueConfig(
            "q1", "sales", steps=(EscalationStep(45, overflow=Overflow(OverflowKind.QUEUE, "q2")),)
        ),
        QueueConfig("q2", "sales", requirement="backup"),
    ]
    c = center(qs, [agent("b1", backup=1)])
    c.do(cmd.ArriveContact("c1", queue="q1"))
    c.wait(10)
    c.do(cmd.ArriveContact("c2", queue="q2"))
    out = c.wait(35)
    assert _types(out) == [ev.ContactOverflowed, ev.ContactQueued]
    assert c.router.contact("c1").queue == "q2"
    # c1 has waited longer than c2, so it stays ahead of it in q2.
    assert c.offered(c.do(cmd.SignIn("b1", ready=True))) == [("c1", "b1")]


def test_full_queue_sends_callers_to_voicemail() -> None:
    q = QueueConfig("q1", "sales", max_length=2)
    c = center([q])
    c.do(cmd.ArriveContact("c1", caller="1", queue="q1"))
    c.do(cmd.ArriveContact("c2", caller="2", queue="q1"))
    out = c.do(cmd.ArriveContact("c3", caller="3", queue="q1"))
    assert _types(out) == [ev.ContactArrived, ev.ContactOverflowed]
    assert out[1].reason == "full"  # type: ignore[attr-defined]
    assert c.router.queue("q1").waiting == 2


def test_max_wait_converts_the_caller_to_a_callback_that_keeps_its_place() -> None:
    q = QueueConfig("q1", "sales", max_wait_s=300, on_max_wait=Overflow(OverflowKind.CALLBACK))
    c = center([q], [agent("a1")])
    c.do(cmd.ArriveContact("c1", caller="+331", queue="q1"))
    c.wait(100)
    c.do(cmd.ArriveContact("c2", caller="+332", queue="q1"))
    out = c.wait(200)
    assert _types(out) == [
        ev.ContactOverflowed,
        ev.ContactConvertedToCallback,
        ev.ContactArrived,
        ev.ContactQueued,
    ]
    cb = c.router.contact("c1~cb")
    assert cb.channel is Channel.CALLBACK and cb.origin == "c1" and cb.caller == "+331"
    assert c.router.position("c1~cb") == 1  # still ahead of c2
    assert c.router.queue("q1").waiting_callers == 1


def test_caller_can_ask_for_a_callback_and_keep_their_place() -> None:
    c = center(agents=[agent("a1")])
    c.do(cmd.ArriveContact("c1", caller="+331", queue="q1"))
    c.do(cmd.ArriveContact("c2", caller="+332", queue="q1"))
    c.do(cmd.RequestCallback("c1"))
    assert c.router.position("c1~cb") == 1
    out = c.do(cmd.SignIn("a1", ready=True))
    assert c.offered(out) == [("c1~cb", "a1")]


def test_scheduled_callback_joins_the_queue_at_its_time() -> None:
    c = center(agents=[agent("a1")])
    c.do(cmd.ScheduleCallback("cb1", queue="q1", due_at=3600, caller="+33", preferred_agent="a1"))
    assert c.router.contact("cb1").state is ContactState.SCHEDULED
    c.do(cmd.SignIn("a1", ready=True))
    assert c.offered(c.wait(3599)) == []
    assert c.offered(c.wait(1)) == [("cb1", "a1")]


def test_dropped_call_creates_a_priority_callback_for_the_same_agent() -> None:
    camp = CampaignConfig("sales", "acme", callback_priority=10, prefer_same_agent_s=120)
    c = center(campaigns=[camp], agents=[agent("a1"), agent("a2")])
    c.do(cmd.SignIn("a1", ready=True))
    c.do(cmd.ArriveContact("c1", caller="+331", queue="q1"))
    c.do(cmd.AcceptOffer("a1", "c1"))
    c.do(cmd.ArriveContact("c2", caller="+332", queue="q1"))
    out = c.do(cmd.DropContact("c1", side="caller"))
    assert _types(out)[0] is ev.ContactDropped
    cb = c.router.contact("c1~cb")
    assert cb.priority == 10 and cb.preferred_agent == "a1"
    # a2 comes free first, but the callback waits for a1, who had the customer.
    assert c.offered(c.do(cmd.SignIn("a2", ready=True))) == [("c2", "a2")]
    assert c.offered(c.do(cmd.FinishWrapUp("a1"))) == [("c1~cb", "a1")]


def test_lost_connection_holds_the_call_then_drops_it_without_blaming_the_agent() -> None:
    c = center(agents=[agent("a1")])
    c.do(cmd.ConfigureCenter(CenterSettings(connection_grace_s=20)))
    c.do(cmd.SignIn("a1", ready=True))
    c.do(cmd.ArriveContact("c1", caller="+331", queue="q1"))
    c.do(cmd.AcceptOffer("a1", "c1"))
    c.do(cmd.ReportConnectionLost("a1"))
    assert c.router.contact("c1").state is ContactState.CONNECTED  # held for the grace period
    out = c.wait(20)
    drops = [e for e in out if isinstance(e, ev.ContactDropped)]
    assert drops and drops[0].side == "agent"
    assert c.router.agent("a1").reason == "connection-lost"
    assert c.router.contact("c1~cb").preferred_agent == "a1"


def test_agent_back_within_grace_keeps_the_call() -> None:
    c = center(agents=[agent("a1")])
    c.do(cmd.SignIn("a1", ready=True))
    c.do(cmd.ArriveContact("c1", caller="+331", queue="q1"))
    c.do(cmd.AcceptOffer("a1", "c1"))
    c.do(cmd.ReportConnectionLost("a1"))
    c.wait(30)
    c.do(cmd.ReportReconnected("a1"))
    assert c.wait(120) == []
    assert c.router.contact("c1").state is ContactState.CONNECTED


def test_lost_connection_while_ringing_returns_the_contact_and_stops_offers() -> None:
    c = center(agents=[agent("a1"), agent("a2")])
    c.do(cmd.SignIn("a1", ready=True))
    c.do(cmd.ArriveContact("c1", queue="q1"))
    out = c.do(cmd.ReportConnectionLost("a1"))
    assert ev.OfferRescinded in _types(out)
    assert c.router.agent("a1").reason == "connection-lost"
    assert c.offered(c.do(cmd.SignIn("a2", ready=True))) == [("c1", "a2")]


def test_restart_drops_live_calls_keeps_callbacks_and_parks_agents() -> None:
    c = center(agents=[agent("a1"), agent("a2"), agent("a3")])
    c.do(cmd.SignIn("a1", ready=True))
    c.do(cmd.ArriveContact("talking", caller="+331", queue="q1"))
    c.do(cmd.AcceptOffer("a1", "talking"))
    c.do(cmd.SignIn("a2", ready=True))
    c.do(cmd.ArriveContact("done", caller="+332", queue="q1"))
    c.do(cmd.AcceptOffer("a2", "done"))
    c.do(cmd.EndContact("a2", "done"))
    c.do(cmd.ArriveContact("waiting", caller="+333", queue="q1"))
    c.do(cmd.ScheduleCallback("later", queue="q1", due_at=9999, caller="+334"))
    out = c.do(cmd.RecoverAfterRestart())
    dropped = {e.contact for e in out if isinstance(e, ev.ContactDropped)}
    assert dropped == {"talking", "waiting"}
    assert all(e.side == "system" for e in out if isinstance(e, ev.ContactDropped))
    assert {e.contact for e in out if isinstance(e, ev.ContactCompleted)} == {"done"}
    assert c.router.contact("later").state is ContactState.SCHEDULED
    assert c.router.contact("talking~cb").state is ContactState.QUEUED
    for name in ("a1", "a2"):
        view = c.router.agent(name)
        assert view.reason == "system-restart" and not view.connected
    assert c.state("a3") == "offline"
    c.do(cmd.ReportReconnected("a1"))
    out = c.do(cmd.MakeReady("a1"))
    assert c.offered(out) == [("talking~cb", "a1")]


def test_a_voicemail_is_called_back_once_preferring_the_agent_named() -> None:
    camp = CampaignConfig("sales", "acme", prefer_same_agent_s=120)
    c = center(campaigns=[camp], agents=[agent("a1"), agent("a2")])
    # The caller left a message and hung up: their contact is over.
    c.do(cmd.ArriveContact("c1", caller="+331", queue="q1"))
    c.do(cmd.CallerHangUp("c1"))
    c.do(cmd.SignIn("a1", ready=True))
    c.do(cmd.SignIn("a2"))
    out = c.do(cmd.CallBackVoicemail("c1", "q1", "+331", preferred_agent="a2"))
    [arrived] = [e for e in out if isinstance(e, ev.ContactArrived)]
    assert (arrived.contact, arrived.channel, arrived.origin, arrived.caller) == (
        "c1~vm", Channel.CALLBACK, "c1", "+331",
    )  # fmt: skip
    # a2 is rung first: a1, ready, is not offered it while a2's preference lasts.
    assert c.offered(out) == []
    assert c.offered(c.do(cmd.MakeReady("a2"))) == [("c1~vm", "a2")]
    with pytest.raises(InvalidCommand, match="callback already"):
        c.do(cmd.CallBackVoicemail("c1", "q1", "+331"))


def test_a_voicemail_callback_is_refused_while_a_leafs_callback_is_owed_or_with_no_number() -> None:
    c = center(agents=[agent("a1")])
    c.do(cmd.ArriveContact("c1", caller="+331", queue="q1"))
    c.do(cmd.RequestCallback("c1"))  # a menu leaf's: the message is filed under c1~cb
    with pytest.raises(InvalidCommand, match=r"not over yet \(queued\)"):
        c.do(cmd.CallBackVoicemail("c1~cb", "q1", "+331"))
    with pytest.raises(InvalidCommand, match="number to call"):
        c.do(cmd.CallBackVoicemail("c2", "q1", ""))
    with pytest.raises(UnknownEntity):
        c.do(cmd.CallBackVoicemail("c2", "nowhere", "+332"))
    # Refused, nothing was made: the same callback, asked properly, is made now.
    out = c.do(cmd.CallBackVoicemail("c2", "q1", "+332"))
    assert [e.contact for e in out if isinstance(e, ev.ContactQueued)] == ["c2~vm"]


def test_a_restart_that_keeps_calls_leaves_their_contacts_live() -> None:
    """Real calls outliving the server (docs/voice.md, "Restarts"): a connected one stays
    with its agent, who is disconnected until back (the grace period runs), a queued one
    waits on, one that rang an agent is queued again; the rest drop as always."""
    c = center(agents=[agent("a1"), agent("a2"), agent("a3")])
    c.do(cmd.SignIn("a1", ready=True))
    c.do(cmd.ArriveContact("talking", caller="+331", queue="q1"))
    c.do(cmd.AcceptOffer("a1", "talking"))
    c.do(cmd.SignIn("a2", ready=True))
    c.do(cmd.ArriveContact("ringing", caller="+332", queue="q1"))
    c.do(cmd.ArriveContact("waiting", caller="+333", queue="q1"))
    c.do(cmd.ArriveContact("other", queue="q1"))  # no number: no callback owed for it
    assert c.router.contact("ringing").agent == "a2"
    keep = ("talking", "ringing", "waiting")
    out = c.do(cmd.RecoverAfterRestart(keep=tuple(map(ContactId, keep))))
    assert {e.contact for e in out if isinstance(e, ev.ContactDropped)} == {"other"}
    assert c.router.contact("talking").state is ContactState.CONNECTED
    assert c.router.contact("talking").agent == "a1"
    assert c.router.contact("ringing").state is ContactState.QUEUED
    assert c.router.contact("waiting").state is ContactState.QUEUED
    talking = c.router.agent("a1")
    assert talking.state.value == "on-contact" and not talking.connected
    assert c.router.agent("a2").reason == "system-restart"
    # Back within the grace period: the call goes on; ready again, a2 takes the next.
    c.do(cmd.ReportReconnected("a1"))
    assert not [e for e in c.wait(120) if isinstance(e, ev.ContactDropped)]
    c.do(cmd.ReportReconnected("a2"))
    assert c.offered(c.do(cmd.MakeReady("a2"))) == [("ringing", "a2")]


def test_a_kept_call_whose_agent_never_comes_back_drops_after_the_grace_period() -> None:
    c = center(agents=[agent("a1")])
    c.do(cmd.SignIn("a1", ready=True))
    c.do(cmd.ArriveContact("talking", caller="+331", queue="q1"))
    c.do(cmd.AcceptOffer("a1", "talking"))
    c.do(cmd.RecoverAfterRestart(keep=(ContactId("talking"),)))
    dropped = [e for e in c.wait(120) if isinstance(e, ev.ContactDropped)]
    assert [(e.contact, e.side) for e in dropped] == [("talking", "agent")]
