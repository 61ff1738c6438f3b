"""Every event type survives JSON and back, nested configuration included."""

from __future__ import annotations

import pytest

from hearthline.crm.events import (
    CRM_EVENT_TYPES,
    DispositionRecorded,
    NoteDrafted,
    NoteFinalised,
    OutcomeCorrected,
)
from hearthline.kernel.ids import AgentId, CampaignId, ClientId, ContactId, QueueId, ReasonId
from hearthline.knowledge.walks import GuidePathSaved
from hearthline.reports.imported import CallImported
from hearthline.routing import events as ev
from hearthline.routing.config import (
    AgentProfile,
    CampaignConfig,
    CenterSettings,
    Channel,
    EscalationStep,
    NotReadyReason,
    Overflow,
    OverflowKind,
    QueueConfig,
    Strategy,
    WrapUpMode,
    WrapUpPolicy,
)
from hearthline.service.domains import CODEC
from hearthline.store.codec import CodecError
from hearthline.voice.events import (
    CallAnswered,
    CallBridged,
    CallDialled,
    CallDialOutcome,
    CallEnded,
    CallRequeued,
    MenuVisited,
    RecordingPaused,
    RecordingResumed,
    RecordingStarted,
)
from hearthline.wfm import events as wev
from hearthline.wfm.adherence import Grace
from hearthline.wfm.changes import (
    Approval,
    Change,
    ChangeKind,
    ChangeRules,
    ChangeStatus,
    Move,
    PickOrder,
    Requirement,
)
from hearthline.wfm.contracts import Break, BreakRule, Contract, ContractKind, Shift, Window

EVENT_CLASSES = CODEC.classes
encode, decode = CODEC.encode, CODEC.decode

A, K, Q = AgentId("a1"), ContactId("k1"), QueueId("q1")
QUEUE = QueueConfig(
    id=Q,
    campaign=CampaignId("c1"),
    name="Sales ünïcode",
    requirement="en>=2 & (sales>=1 | returns>=3)",
    steps=(
        EscalationStep(after_s=30, requirement="en>=1", priority=5),
        EscalationStep(after_s=90, overflow=Overflow(OverflowKind.QUEUE, QueueId("q2"))),
    ),
    strategy=Strategy.HIGHEST_SKILL,
    rank_skill="sales",
    offer_timeout_s=12.5,
    wrap_up=WrapUpPolicy(WrapUpMode.MANUAL, 60),
    max_length=40,
    on_full=Overflow(OverflowKind.CALLBACK),
    max_wait_s=600,
    service_target_s=15,
)
SAMPLES: list[object] = [
    ev.CenterConfigured(at=1.0, settings=CenterSettings(connection_grace_s=45)),
    ev.CampaignConfigured(at=1.0, campaign=CampaignConfig(CampaignId("c1"), ClientId("acme"))),
    ev.QueueConfigured(at=1.0, queue=QUEUE),
    ev.AgentConfigured(
        at=1.0, profile=AgentProfile.of("a1", {"en": 3, "sales": 1}, ["c1", "c2"], name="Zoë")
    ),
    ev.ReasonsConfigured(
        at=1.0,
        reasons=(
            NotReadyReason(ReasonId("break"), "Break"),
            NotReadyReason(ReasonId("x"), "X", True),
        ),
    ),
    ev.DayStarted(at=2.0),
    ev.AgentSignedIn(at=2.0, agent=A),
    ev.AgentSignedOut(at=2.0, agent=A),
    ev.AgentRetired(at=2.5, agent=A),
    ev.AgentBecameAvailable(at=2.0, agent=A),
    ev.AgentWentNotReady(at=2.0, agent=A, reason=ReasonId("break")),
    ev.AgentNotReadyRequested(at=2.0, agent=A, reason=ReasonId("lunch")),
    ev.AgentConnectionLost(at=2.0, agent=A),
    ev.AgentReconnected(at=2.0, agent=A),
    ev.ContactArrived(
        at=3.0,
        contact=K,
        channel=Channel.CHAT,
        caller="+33 1 23",
        customer=None,
        campaign=CampaignId("c1"),
        data=(("menu", "2"), ("lang", "fr")),
        origin=ContactId("k0"),
        requirement="french>=2",
    ),
    ev.ContactQueued(
        at=3.0,
        contact=K,
        queue=Q,
        priority=2,
        waiting_since=2.5,
        seq=7,
        preferred_agent=A,
        prefer_until=33.0,
    ),
    ev.ContactScheduled(at=3.0, contact=K, queue=Q, due_at=99.0, priority=1, preferred_agent=None),
    ev.ContactEscalated(at=3.0, contact=K, step=1, priority=5),
    ev.ContactPreferenceExpired(at=3.0, contact=K),
    ev.ContactReprioritised(at=3.0, contact=K, priority=-3),
    ev.ContactOffered(at=3.0, contact=K, agent=A, expires_at=23.0),
    ev.OfferAccepted(at=3.0, contact=K, agent=A),
    ev.OfferDeclined(at=3.0, contact=K, agent=A),
    ev.OfferTimedOut(at=3.0, contact=K, agent=A),
    ev.OfferRescinded(at=3.0, contact=K, agent=A),
    ev.ContactRequeued(at=3.0, contact=K),
    ev.ContactHeld(at=3.0, contact=K),
    ev.ContactResumed(at=3.0, contact=K),
    ev.ContactTransferred(at=3.0, contact=K, agent=A, to_queue=Q, to_agent=AgentId("a2")),
    ev.ConsultRequested(at=3.0, contact=K, agent=AgentId("a2"), asker=A, expires_at=23.0),
    ev.ConsultAccepted(at=3.0, contact=K, agent=AgentId("a2"), asker=A),
    ev.ConsultDeclined(at=3.0, contact=K, agent=AgentId("a2"), asker=A, timed_out=True),
    ev.ConsultEnded(at=3.0, contact=K, agent=AgentId("a2"), asker=A, side="consulted"),
    ev.ContactHandedOver(at=3.0, contact=K, agent=AgentId("a2"), asker=A),
    ev.ContactEnded(at=3.0, contact=K, agent=A, by="caller"),
    ev.WrapUpStarted(at=3.0, agent=A, contact=K, ends_at=None),
    ev.WrapUpEnded(at=3.0, agent=A, contact=K, timed_out=True),
    ev.ContactCompleted(at=3.0, contact=K),
    ev.ContactAbandoned(at=3.0, contact=K),
    ev.ContactDropped(at=3.0, contact=K, side="system"),
    ev.ContactOverflowed(
        at=3.0, contact=K, queue=Q, destination=Overflow(OverflowKind.QUEUE, Q), reason="full"
    ),
    ev.ContactConvertedToCallback(at=3.0, contact=K, callback=ContactId("k1~cb")),
    NoteDrafted(
        at=4.0, contact=K, agent=A, revision=1, text="émoji 🎧\nline", fields=(("a", "1"),)
    ),
    NoteFinalised(at=4.0, contact=K, agent=A, revision=2, text="", fields=()),
    DispositionRecorded(
        at=4.0,
        contact=K,
        agent=A,
        campaign="c1",
        disposition="sale",
        counts_as_sale=True,
        counts_as_save=False,
    ),
    OutcomeCorrected(
        at=9.5,
        contact=K,
        agent=A,
        campaign="c1",
        disposition="no-sale",
        counts_as_sale=False,
        counts_as_save=False,
        was="sale",
        was_sale=True,
        was_save=False,
        recorded_at=4.0,
        by="sup-acme",
        reason="the customer returned the product — refund № 7",
    ),
    CallImported(
        at=5.0,
        contact="bank-1",
        client="bank",
        campaign="bank",
        queue="bank-ps",
        caller="123",
        outcome="answered",
        wait_s=12.0,
        agent="MICHAL",
        talk_s=180.0,
    ),
    wev.SchedulingConfigured(at=5.0, time_zone="Europe/Paris", grace=Grace(sign_in_s=120)),
    wev.ContractSet(
        at=5.0,
        agent="a1",
        contract=Contract(
            "a1",
            "help",
            kind=ContractKind.PART_TIME,
            windows=(Window(0, 480, 1200),),
            shift_lengths_h=(4.0, 6.0),
            breaks=(BreakRule(6 * 3600, 1800, paid=False, reason="lunch"),),
        ),
    ),
    wev.ShiftsPublished(
        at=5.0,
        window="w1",
        shifts=(Shift("s1", "help", 100.0, 21700.0, (Break(7300.0, 9100.0, False, "lunch"),)),),
        closes_at=99.0,
        needs=(Requirement("help", 0.0, 1800.0, (1.5, 2.0)),),
        order="rotation",
        turns=(("a1", 0), ("a2", 1)),
        turn_s=3600.0,
    ),
    wev.ShiftPicked(at=6.0, agent="a1", shift="s1", window="w1"),
    wev.PickingClosed(at=99.0, window="w1", unfilled=("s2",)),
    wev.ChangeRulesSet(
        at=7.0, rules=ChangeRules(Approval.ALWAYS, PickOrder.SENIORITY, 600.0, 300.0)
    ),
    wev.ChangeRequested(
        at=8.0,
        agent="a1",
        change=Change("c1", ChangeKind.TRADE, "a1", "s1", "a2", "s2", None, None, "a wedding"),
        status=ChangeStatus.PROPOSED,
    ),
    wev.ChangeAnswered(
        at=9.0, agent="a2", change="c1", status=ChangeStatus.PENDING, by="a2", note="fine"
    ),
    wev.ShiftsMoved(
        at=10.0,
        agent="sup",
        change="c1",
        moves=(Move("s1", "a1", "a2"), Move("s2", "a2", None)),
        why="trade",
    ),
    wev.SickCalled(at=11.0, agent="a1", shift="s3", note="flu"),
    CallAnswered(at=5.0, call="c-1@trunk", contact=K, client="acme", number="+15550100"),
    CallBridged(at=5.0, call="c-1@trunk", contact=K, client="acme", agent=A),
    CallDialled(
        at=5.0,
        call="d-1",
        contact=K,
        client="acme",
        agent="a1",
        number="+441632960001",
        caller_id="+15550100",
        trunk="carrier",
    ),
    CallDialOutcome(
        at=6.0, call="d-1", contact=K, client="acme", agent="a1", outcome="busy", code=486
    ),
    CallRequeued(at=5.0, call="c-1@trunk", contact=K, client="acme", previous="k0"),
    CallEnded(at=5.0, call="c-1@trunk", contact=K, client="acme", agent=None, by="caller"),
    RecordingPaused(at=3.0, call="c-1@trunk", contact=K, client="acme", agent="a1"),
    RecordingResumed(at=4.0, call="c-1@trunk", contact=K, client="acme", agent="a1"),
    RecordingStarted(
        at=2.0,
        call="c-1@trunk",
        contact=K,
        client="acme",
        started_at=2.0,
        caller_ports=(30010,),
        sdps=("m=audio 9 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000", "m=audio 9"),
    ),
    MenuVisited(
        at=9.0,
        call="c-1@trunk",
        contact=K,
        client="acme",
        number="+15550100",
        node="main",
        entered_at=4.5,
        how="option:2",
        timeouts=1,
        invalids=2,
    ),
    GuidePathSaved(
        at=6.0,
        contact=K,
        agent=A,
        campaign="c1",
        version=2,
        path=(("greet", "Damaged 📦"), ("photo", "Sent")),
        step="refund",
    ),
]


def test_the_samples_cover_every_event_type() -> None:
    assert {type(s).__name__ for s in SAMPLES} == set(EVENT_CLASSES)
    assert set(CRM_EVENT_TYPES) <= set(EVENT_CLASSES)


@pytest.mark.parametrize("event", SAMPLES, ids=lambda e: type(e).__name__)
def test_every_event_round_trips_to_an_equal_event(event: ev.Event) -> None:
    back = decode(type(event).__name__, encode(event))
    assert back == event
    assert type(back) is type(event)


def test_nested_config_comes_back_with_its_own_types() -> None:
    back = decode("QueueConfigured", encode(SAMPLES[2]))  # type: ignore[arg-type]
    assert isinstance(back, ev.QueueConfigured)
    assert back.queue.steps[1].overflow == Overflow(OverflowKind.QUEUE, QueueId("q2"))
    assert back.queue.strategy is Strategy.HIGHEST_SKILL
    assert isinstance(back.queue.steps, tuple)


@pytest.mark.parametrize(
    ("type_", "payload", "message"),
    [
        ("NoSuchEvent", "{}", "unknown event type"),
        ("ContactHeld", "{not json", "does not decode"),
        ("ContactHeld", '{"at": 1.0}', "does not decode"),
        (
            "ContactOverflowed",
            '{"at":1,"contact":"k","queue":"q","destination":{"kind":"queue"},"reason":"full"}',
            "names the queue",
        ),
    ],
)
def test_a_bad_stored_payload_is_a_clear_codec_error(
    type_: str, payload: str, message: str
) -> None:
    with pytest.raises(CodecError, match=message):
        decode(type_, payload)
