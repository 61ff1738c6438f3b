"""What the telephony control plane asks the voice domain to record. Frozen."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class VoiceCommand:
    call: str


@dataclass(frozen=True, slots=True)
class AnswerCall(VoiceCommand):
    """The trunk's caller is answered and parked on the media engine, as ``contact``."""

    contact: str
    client: str
    number: str


@dataclass(frozen=True, slots=True)
class BridgeCall(VoiceCommand):
    """The caller's media now flows to and from ``agent``'s leg."""

    agent: str


@dataclass(frozen=True, slots=True)
class RequeueCall(VoiceCommand):
    """The agent's leg dropped and the caller, still on the line, waits again as
    ``contact`` (a new contact that names the dropped one)."""

    contact: str
    previous: str


@dataclass(frozen=True, slots=True)
class EndCall(VoiceCommand):
    """The call is over: ``by`` is "caller", "agent" or "system"."""

    by: str


@dataclass(frozen=True, slots=True)
class RecordMenuVisit(VoiceCommand):
    """The caller left a menu node: measured (time in menu, exits per option, hang-ups)."""

    node: str
    entered_at: float
    how: str
    timeouts: int = 0
    invalids: int = 0


@dataclass(frozen=True, slots=True)
class PauseRecording(VoiceCommand):
    """The call's agent pauses its recording (a card number read out)."""

    agent: str


@dataclass(frozen=True, slots=True)
class ResumeRecording(VoiceCommand):
    """The call's agent resumes its recording."""

    agent: str


@dataclass(frozen=True, slots=True)
class StartRecording(VoiceCommand):
    """The call's recording began (at the bridge, on the wall clock rtpengine stamps its
    packets with). What the file is assembled from goes in the log, so that a server
    killed before the call's file was written can assemble it at its next start: the
    ports facing the caller, and the legs' SDPs (the caller's first) cut to the lines
    the assembly reads. A voicemail (``kind="voicemail"``, the caller's message, the
    call not bridged) says the contact its file is filed under."""

    started_at: float
    caller_ports: tuple[int, ...]
    sdps: tuple[str, ...]
    kind: str = "call"  # or "voicemail"
    filed_under: str = ""  # a voicemail's contact (the call's own for a call)


@dataclass(frozen=True, slots=True)
class DialCall(VoiceCommand):
    """A callback contact is dialled for the agent who accepted it."""

    contact: str
    client: str
    agent: str
    number: str
    caller_id: str
    trunk: str


@dataclass(frozen=True, slots=True)
class RecordDialOutcome(VoiceCommand):
    """The dialled customer answered, was busy, did not answer, or the call failed."""

    outcome: str
    code: int = 0
