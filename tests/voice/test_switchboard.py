"""The voice domain alone: the legs' state machine, and its invariants under any order of
commands."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hearthline.voice.calls import LegState, Switchboard
from hearthline.voice.commands import (
    AnswerCall,
    BridgeCall,
    DialCall,
    EndCall,
    RecordDialOutcome,
    RequeueCall,
    VoiceCommand,
)
from hearthline.voice.errors import UnknownCall, VoiceError, WrongCallState
from hearthline.voice.events import (
    CallAnswered,
    CallBridged,
    CallDialled,
    CallDialOutcome,
    CallEnded,
    CallRequeued,
)


def run(board: Switchboard, command: VoiceCommand, at: float = 1.0) -> list[object]:
    events = board.decide(command, at=at)
    for event in events:
        board.apply(event)
    return list(events)


def test_a_call_is_answered_bridged_to_an_agent_and_ended_by_them() -> None:
    board = Switchboard()
    assert run(board, AnswerCall("c1", contact="k1", client="acme", number="+1555")) == [
        CallAnswered(1.0, "c1", "k1", "acme", "+1555")
    ]
    assert run(board, BridgeCall("c1", agent="a1"), 2.0) == [
        CallBridged(2.0, "c1", "k1", "acme", "a1")
    ]
    assert board.calls["c1"].state is LegState.BRIDGED
    assert run(board, EndCall("c1", by="agent"), 3.0) == [
        CallEnded(3.0, "c1", "k1", "acme", "a1", "agent")
    ]
    assert board.calls == {} and board.by_contact == {}


def test_a_call_goes_to_a_second_agent_after_the_first_leg() -> None:
    board = Switchboard()
    run(board, AnswerCall("c1", contact="k1", client="acme", number="+1555"))
    run(board, BridgeCall("c1", agent="a1"))
    run(board, BridgeCall("c1", agent="a2"))
    assert board.call_of_contact("k1") is not None
    assert board.calls["c1"].agent == "a2"


@pytest.mark.parametrize(
    ("command", "error", "words"),
    [
        (BridgeCall("nope", agent="a1"), UnknownCall, "no live call 'nope'"),
        (EndCall("nope", by="caller"), UnknownCall, "no live call"),
        (
            AnswerCall("c1", contact="k2", client="acme", number="1"),
            WrongCallState,
            "answered already",
        ),
        (
            AnswerCall("c2", contact="k1", client="acme", number="1"),
            WrongCallState,
            "has a call already",
        ),
        (EndCall("c1", by="the cat"), VoiceError, "not 'the cat'"),
    ],
)
def test_refusals_name_the_problem_and_change_nothing(
    command: VoiceCommand, error: type[Exception], words: str
) -> None:
    board = Switchboard()
    run(board, AnswerCall("c1", contact="k1", client="acme", number="+1555"))
    before = dict(board.calls)
    with pytest.raises(error, match=words):
        board.decide(command, at=2.0)
    assert board.calls == before


def test_a_requeued_call_waits_again_as_the_new_contact() -> None:
    board = Switchboard()
    run(board, AnswerCall("c1", contact="k1", client="acme", number="+1555"))
    run(board, BridgeCall("c1", agent="a1"))
    assert run(board, RequeueCall("c1", contact="k2", previous="k1")) == [
        CallRequeued(1.0, "c1", "k2", "acme", "k1")
    ]
    assert board.call_of_contact("k1") is None
    again = board.call_of_contact("k2")
    assert again is not None and again.state is LegState.ANSWERED and again.agent is None


def test_bridging_twice_to_the_same_agent_is_refused() -> None:
    board = Switchboard()
    run(board, AnswerCall("c1", contact="k1", client="acme", number="+1555"))
    run(board, BridgeCall("c1", agent="a1"))
    with pytest.raises(WrongCallState, match="bridged to 'a1' already"):
        board.decide(BridgeCall("c1", agent="a1"), at=2.0)


_calls = st.sampled_from(["c1", "c2", "c3"])
_commands = st.one_of(
    st.builds(
        AnswerCall,
        _calls,
        contact=st.sampled_from(["k1", "k2", "k3"]),
        client=st.just("acme"),
        number=st.just("+1555"),
    ),
    st.builds(BridgeCall, _calls, agent=st.sampled_from(["a1", "a2"])),
    st.builds(
        RequeueCall, _calls, contact=st.sampled_from(["k4", "k5"]), previous=st.just("ignored")
    ),
    st.builds(EndCall, _calls, by=st.sampled_from(["caller", "agent", "system", "x"])),
    st.builds(
        DialCall,
        _calls,
        contact=st.sampled_from(["k1", "k6"]),
        client=st.just("acme"),
        agent=st.sampled_from(["a1", "a2", ""]),
        number=st.just("+4420"),
        caller_id=st.just("+1555"),
        trunk=st.just("carrier"),
    ),
    st.builds(
        RecordDialOutcome,
        _calls,
        outcome=st.sampled_from(["answered", "busy", "no-answer", "failed", "x"]),
        code=st.sampled_from([0, 200, 486, 900]),
    ),
)


@given(st.lists(_commands, max_size=40))
def test_any_order_of_commands_keeps_every_call_consistent(commands: list[VoiceCommand]) -> None:
    board = Switchboard()
    ended: list[str] = []
    answered: list[str] = []  # begun: answered, or dialled out
    dialled: set[str] = set()
    for command in commands:
        try:
            events = run(board, command)
        except VoiceError:
            continue
        for event in events:
            if isinstance(event, (CallAnswered, CallDialled)):
                answered.append(event.call)
            if isinstance(event, CallDialled):
                dialled.add(event.call)
                assert event.agent, "a dial-out names its agent"
            if isinstance(event, (CallAnswered, CallRequeued)):
                dialled.discard(event.call)  # a caller's call, or waiting for an agent again
            if isinstance(event, CallDialOutcome) and event.outcome != "answered":
                ended.append(event.call)  # busy, no answer, failed: over
            if isinstance(event, CallEnded):
                ended.append(event.call)
    # Every call ends at most once per answer, and what is live is answered and not ended.
    for call in set(answered):
        assert ended.count(call) <= answered.count(call)
        live = answered.count(call) - ended.count(call)
        assert (call in board.calls) == (live == 1)
    assert {c.contact: c.call for c in board.calls.values()} == board.by_contact
    for call in board.calls.values():
        if call.state is LegState.BRIDGED or call.call in dialled:
            assert call.agent is not None  # a dial-out's agent from the start
        else:
            assert call.agent is None


def test_a_dialled_call_is_bridged_only_once_answered_and_gone_on_any_other_outcome() -> None:
    board = Switchboard()
    dial = DialCall("c1", contact="k1", client="acme", agent="a1", number="+4420",
                    caller_id="+1555", trunk="carrier")  # fmt: skip
    [dialled] = run(board, dial)
    assert isinstance(dialled, CallDialled) and board.calls["c1"].state is LegState.DIALLING
    with pytest.raises(WrongCallState, match="not been answered"):
        run(board, BridgeCall("c1", agent="a1"))
    with pytest.raises(VoiceError, match="not 'maybe'"):
        run(board, RecordDialOutcome("c1", "maybe"))
    run(board, RecordDialOutcome("c1", "answered", 200))
    assert board.calls["c1"].state is LegState.ANSWERED
    with pytest.raises(WrongCallState, match="not being dialled"):
        run(board, RecordDialOutcome("c1", "busy", 486))
    run(board, BridgeCall("c1", agent="a1"))
    run(board, EndCall("c1", by="caller"))
    run(board, dial)  # dialled again (Dial again): a new attempt on the same Call-ID is allowed
    [busy] = run(board, RecordDialOutcome("c1", "busy", 486))
    assert isinstance(busy, CallDialOutcome) and (busy.agent, busy.code) == ("a1", 486)
    assert board.calls == {} and board.by_contact == {}


def test_only_the_calls_agent_pauses_and_resumes_its_recording_while_bridged() -> None:
    from hearthline.voice.commands import PauseRecording, ResumeRecording
    from hearthline.voice.events import RecordingPaused, RecordingResumed

    board = Switchboard()
    run(board, AnswerCall("c1", contact="k1", client="acme", number="+1555"))
    with pytest.raises(WrongCallState, match="not with agent 'a1'"):
        board.decide(PauseRecording("c1", agent="a1"), at=1.5)  # nobody answered yet
    run(board, BridgeCall("c1", agent="a1"))
    with pytest.raises(WrongCallState, match="not with agent 'a2'"):
        board.decide(PauseRecording("c1", agent="a2"), at=1.5)
    assert run(board, PauseRecording("c1", agent="a1"), 2.0) == [
        RecordingPaused(2.0, "c1", "k1", "acme", "a1")
    ]
    assert run(board, ResumeRecording("c1", agent="a1"), 3.0) == [
        RecordingResumed(3.0, "c1", "k1", "acme", "a1")
    ]
    assert board.calls["c1"].state is LegState.BRIDGED  # the legs are as they were


def test_a_recordings_start_is_logged_only_for_a_bridged_call_and_bounded() -> None:
    from hearthline.voice.commands import StartRecording
    from hearthline.voice.errors import VoiceError
    from hearthline.voice.events import RecordingStarted

    sdps = ("c=IN IP4 127.0.0.1\r\nm=audio 40000 RTP/AVP 0", "m=audio 9 UDP/TLS/RTP/SAVPF 111")
    start = StartRecording("c1", started_at=1.9, caller_ports=(30010,), sdps=sdps)
    board = Switchboard()
    run(board, AnswerCall("c1", contact="k1", client="acme", number="+1555"))
    with pytest.raises(WrongCallState, match="not bridged"):
        board.decide(start, at=1.5)
    run(board, BridgeCall("c1", agent="a1"))
    assert run(board, start, 2.0) == [
        RecordingStarted(2.0, "c1", "k1", "acme", 1.9, (30010,), sdps)
    ]
    for bad in (
        StartRecording("c1", started_at=2.0, caller_ports=(), sdps=()),
        StartRecording("c1", started_at=2.0, caller_ports=(70000,), sdps=sdps),
        StartRecording("c1", started_at=2.0, caller_ports=(1,), sdps=("m=audio " + "9" * 5000,)),
    ):
        with pytest.raises(VoiceError, match="a few ports and the legs' audio lines"):
            board.decide(bad, at=2.5)
    assert board.calls["c1"].state is LegState.BRIDGED
