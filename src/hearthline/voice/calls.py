"""The legs of every live call, as a state machine per call.

    answered --bridge--> bridged --end--> (gone)
        ^  \\---------------end-------------/
        +------requeue (the agent's leg dropped)

    dialling --outcome "answered"--> answered   (a callback dialled out)
        \\-----outcome busy, no-answer, failed; end------> (gone)

A bridged call may be bridged again (to the next agent after a transfer or a dropped
agent leg). Ended calls are forgotten: the log keeps their history.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace

from hearthline.voice.commands import (
    AnswerCall,
    BridgeCall,
    DialCall,
    EndCall,
    PauseRecording,
    RecordDialOutcome,
    RecordMenuVisit,
    RequeueCall,
    ResumeRecording,
    StartRecording,
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
    MenuVisited,
    RecordingPaused,
    RecordingResumed,
    RecordingStarted,
    VoiceEvent,
)

_BY = frozenset({"caller", "agent", "system"})
DIAL_OUTCOMES = frozenset({"answered", "busy", "no-answer", "failed"})
# A recording's legs: an SDP cut to its audio lines is short; a few ports, a few legs.
_MAX_SDP, _MAX_LEGS = 4096, 8
_MAX_CONTACT = 210  # a contact id and the core's suffix (``~cb``)


class LegState(enum.Enum):
    DIALLING = "dialling"
    ANSWERED = "answered"
    BRIDGED = "bridged"


@dataclass(frozen=True, slots=True)
class Call:
    call: str
    contact: str
    client: str
    state: LegState
    agent: str | None = None
    number: str = ""


class Switchboard:
    def __init__(self) -> None:
        self.calls: dict[str, Call] = {}
        self.by_contact: dict[str, str] = {}

    def call_of_contact(self, contact: str) -> Call | None:
        call = self.by_contact.get(contact)
        return self.calls.get(call) if call is not None else None

    def decide(self, command: VoiceCommand, *, at: float) -> list[VoiceEvent]:
        if isinstance(command, AnswerCall):
            if command.call in self.calls:
                raise WrongCallState(f"call {command.call!r} is answered already")
            if command.contact in self.by_contact:
                raise WrongCallState(f"contact {command.contact!r} has a call already")
            c = command
            return [CallAnswered(at, c.call, c.contact, c.client, c.number)]
        if isinstance(command, DialCall):
            d = command
            if d.call in self.calls:
                raise WrongCallState(f"call {d.call!r} exists already")
            if d.contact in self.by_contact:
                raise WrongCallState(f"contact {d.contact!r} has a call already")
            if (
                not (d.number and d.agent and d.client)
                or max(map(len, (d.number, d.caller_id, d.trunk))) > 64
            ):
                raise VoiceError(
                    "a dial-out names its client, agent and number (64 characters at most)"
                )
            return [
                CallDialled(
                    at, d.call, d.contact, d.client, d.agent, d.number, d.caller_id, d.trunk
                )
            ]
        call = self._live(command.call)
        if isinstance(command, RecordDialOutcome):
            if call.state is not LegState.DIALLING:
                raise WrongCallState(f"call {call.call!r} is not being dialled")
            if command.outcome not in DIAL_OUTCOMES:
                raise VoiceError(
                    f"a dial-out ends {sorted(DIAL_OUTCOMES)}, not {command.outcome!r}"
                )
            if not 0 <= command.code < 700:
                raise VoiceError(f"{command.code} is not a SIP status")
            agent = call.agent or ""
            return [
                CallDialOutcome(at, call.call, call.contact, call.client, agent,
                                command.outcome, command.code)
            ]  # fmt: skip
        if isinstance(command, BridgeCall):
            if call.state is LegState.DIALLING:
                raise WrongCallState(f"call {call.call!r} has not been answered yet")
            if call.agent == command.agent and call.state is LegState.BRIDGED:
                raise WrongCallState(f"call {call.call!r} is bridged to {call.agent!r} already")
            return [CallBridged(at, call.call, call.contact, call.client, command.agent)]
        if isinstance(command, RequeueCall):
            if command.contact in self.by_contact:
                raise WrongCallState(f"contact {command.contact!r} has a call already")
            return [CallRequeued(at, call.call, command.contact, call.client, call.contact)]
        if isinstance(command, RecordMenuVisit):
            v = command
            # getattr: a call kept in a snapshot taken before calls knew their number
            number = getattr(call, "number", "")
            if call.state is not LegState.ANSWERED:
                raise WrongCallState(f"call {call.call!r} is with an agent, not in the menu")
            if not (v.entered_at <= at and v.how and len(v.how) <= 32 and len(v.node) <= 40):
                raise VoiceError("a menu visit names its node and how it was left, in order")
            return [
                MenuVisited(at, call.call, call.contact, call.client, number, v.node,
                            v.entered_at, v.how, v.timeouts, v.invalids)
            ]  # fmt: skip
        if isinstance(command, (PauseRecording, ResumeRecording)):
            # Whether the call is recorded at all is the recorder's (telephony) to know.
            if call.state is not LegState.BRIDGED or call.agent != command.agent:
                raise WrongCallState(f"call {call.call!r} is not with agent {command.agent!r}")
            kind = RecordingPaused if isinstance(command, PauseRecording) else RecordingResumed
            return [kind(at, call.call, call.contact, call.client, command.agent)]
        if isinstance(command, StartRecording):
            r = command
            if r.kind not in ("call", "voicemail"):
                raise VoiceError(f"a recording is a call or a voicemail, not {r.kind[:40]!r}")
            if r.kind == "voicemail" and not 0 < len(r.filed_under) <= _MAX_CONTACT:
                raise VoiceError("a voicemail names the contact it is filed under")
            if r.kind == "call" and call.state is not LegState.BRIDGED:
                raise WrongCallState(f"call {call.call!r} is not bridged: nothing to record")
            if not (
                0 < len(r.sdps) <= _MAX_LEGS
                and len(r.caller_ports) <= _MAX_LEGS
                and all(len(sdp) <= _MAX_SDP for sdp in r.sdps)
                and all(0 < port < 65536 for port in r.caller_ports)
            ):
                raise VoiceError("a recording names a few ports and the legs' audio lines")
            return [
                RecordingStarted(at, call.call, call.contact, call.client, r.started_at,
                                 r.caller_ports, r.sdps, r.kind,
                                 r.filed_under if r.kind == "voicemail" else "")
            ]  # fmt: skip
        if isinstance(command, EndCall):
            if command.by not in _BY:
                raise VoiceError(f"a call is ended by one of {sorted(_BY)}, not {command.by!r}")
            return [CallEnded(at, call.call, call.contact, call.client, call.agent, command.by)]
        raise VoiceError(f"unknown voice command {type(command).__name__}")

    def _live(self, call: str) -> Call:
        found = self.calls.get(call)
        if found is None:
            raise UnknownCall(f"no live call {call!r}")
        return found

    def apply(self, event: VoiceEvent) -> None:
        if isinstance(event, CallAnswered):
            self.calls[event.call] = Call(
                event.call, event.contact, event.client, LegState.ANSWERED, number=event.number
            )
            self.by_contact[event.contact] = event.call
        elif isinstance(event, CallDialled):
            self.calls[event.call] = Call(
                event.call, event.contact, event.client, LegState.DIALLING,
                agent=event.agent, number=event.caller_id,
            )  # fmt: skip
            self.by_contact[event.contact] = event.call
        elif isinstance(event, CallDialOutcome):
            if event.outcome == "answered":
                call = self.calls[event.call]
                self.calls[event.call] = replace(call, state=LegState.ANSWERED)
            else:
                self.calls.pop(event.call, None)
                self.by_contact.pop(event.contact, None)
        elif isinstance(event, CallBridged):
            call = self.calls[event.call]
            self.calls[event.call] = replace(call, state=LegState.BRIDGED, agent=event.agent)
        elif isinstance(event, CallRequeued):
            self.by_contact.pop(event.previous, None)
            self.by_contact[event.contact] = event.call
            call = self.calls[event.call]
            self.calls[event.call] = replace(
                call, contact=event.contact, state=LegState.ANSWERED, agent=None
            )
        elif isinstance(event, CallEnded):
            self.calls.pop(event.call, None)
            self.by_contact.pop(event.contact, None)
