"""Refusals of schedule changes. Each says what was wrong; a refusal stores nothing."""

from __future__ import annotations


class ScheduleError(Exception):
    """Base of every refusal by the schedules. ``code`` is stable for programs to test."""

    code = "schedule-error"


class UnknownShift(ScheduleError):
    code = "not-found"


class ShiftTaken(ScheduleError):
    code = "taken"


class PickRefused(ScheduleError):
    """The window is closed, the agent has no contract, or the shift breaks it."""

    code = "refused"


class ScheduleInvalid(ScheduleError):
    code = "invalid"


class UnknownChange(ScheduleError):
    code = "not-found"


class ChangeRefused(ScheduleError):
    """A trade, give-back, time off or sick call that cannot be made (not yours, not
    open any more, breaks a contract); nothing changes."""

    code = "refused"


class NotYourTurn(ScheduleError):
    code = "not-your-turn"
