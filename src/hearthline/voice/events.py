"""What happened to a call's legs, in the past tense. Frozen; appended to the event log.

Each event names the client company (and the agent, once there is one), so whom it
concerns needs no tenancy code of its own.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class VoiceEvent:
    at: float
    call: str
    contact: str
    client: str


@dataclass(frozen=True, slots=True)
class CallAnswered(VoiceEvent):
    number: str


@dataclass(frozen=True, slots=True)
class CallBridged(VoiceEvent):
    agent: str


@dataclass(frozen=True, slots=True)
class CallRequeued(VoiceEvent):
    previous: str


@dataclass(frozen=True, slots=True)
class CallEnded(VoiceEvent):
    agent: str | None
    by: str


@dataclass(frozen=True, slots=True)
class MenuVisited(VoiceEvent):
    """A stay in one menu node, from ``entered_at`` to ``at``; ``how`` it was left:
    "option:<digit>", "zero-out", "found", "timeout", "invalid", "hangup", or a leaf's kind."""

    number: str
    node: str
    entered_at: float
    how: str
    timeouts: int
    invalids: int


@dataclass(frozen=True, slots=True)
class RecordingPaused(VoiceEvent):
    """The agent paused the call's recording: the file is silent from ``at``."""

    agent: str


@dataclass(frozen=True, slots=True)
class RecordingResumed(VoiceEvent):
    agent: str


@dataclass(frozen=True, slots=True)
class RecordingStarted(VoiceEvent):
    """The call is being recorded from ``started_at`` (the file's time 0); how to tell
    its legs apart in rtpengine's pcaps (docs/voice.md, "Recording"); for a voicemail,
    the contact its file goes under."""

    started_at: float
    caller_ports: tuple[int, ...]
    sdps: tuple[str, ...]
    kind: str = "call"  # or "voicemail" (mono, the caller alone)
    filed_under: str = ""  # a voicemail's contact; empty for a call (its own contact)


@dataclass(frozen=True, slots=True)
class CallDialled(VoiceEvent):
    """A callback dialled out for ``agent``: ``number`` through ``trunk``, presenting
    ``caller_id`` (the center's number the customer first called)."""

    agent: str
    number: str
    caller_id: str
    trunk: str


@dataclass(frozen=True, slots=True)
class CallDialOutcome(VoiceEvent):
    """How a dial-out ended its ringing: "answered" (the call goes on as an answered
    call), "busy", "no-answer" or "failed"; ``code`` the SIP status (0: none came)."""

    agent: str
    outcome: str
    code: int


VOICE_EVENT_TYPES: tuple[type[VoiceEvent], ...] = (
    CallAnswered,
    CallDialled,
    CallDialOutcome,
    CallBridged,
    CallRequeued,
    CallEnded,
    MenuVisited,
    RecordingPaused,
    RecordingResumed,
    RecordingStarted,
)
