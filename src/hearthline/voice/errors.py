"""Refusals of call control. Each says what was wrong; a refusal stores nothing."""

from __future__ import annotations


class VoiceError(Exception):
    """Base of every refusal by the voice domain. ``code`` is stable for programs to test."""

    code = "voice-error"


class UnknownCall(VoiceError):
    code = "unknown"


class WrongCallState(VoiceError):
    """The call is not in a state that allows the command; names expected and actual."""

    code = "conflict"
