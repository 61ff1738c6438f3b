"""Schedule commands, in the imperative, frozen."""

from __future__ import annotations

from dataclasses import dataclass

from hearthline.wfm.adherence import Grace
from hearthline.wfm.changes import ChangeRules, Requirement
from hearthline.wfm.contracts import Contract, Shift


@dataclass(frozen=True, slots=True)
class ScheduleCommand:
    pass


@dataclass(frozen=True, slots=True)
class ConfigureScheduling(ScheduleCommand):
    """The firm's time zone (IANA name) and the adherence graces; issued by the service
    with the table write."""

    time_zone: str
    grace: Grace


@dataclass(frozen=True, slots=True)
class SetContract(ScheduleCommand):
    """Issued by the service with the table write."""

    contract: Contract


@dataclass(frozen=True, slots=True)
class PublishShifts(ScheduleCommand):
    """Open shifts that agents pick until ``closes_at`` (first come, first served)."""

    window: str
    shifts: tuple[Shift, ...]
    closes_at: float
    # The staffing plan the shifts were made for: changes show their cover impact on it.
    needs: tuple[Requirement, ...] = ()


@dataclass(frozen=True, slots=True)
class PickShift(ScheduleCommand):
    agent: str
    shift: str


@dataclass(frozen=True, slots=True)
class SetChangeRules(ScheduleCommand):
    rules: ChangeRules


@dataclass(frozen=True, slots=True)
class ProposeTrade(ScheduleCommand):
    """``agent`` offers ``shift`` to ``partner``, for ``partner_shift`` or for nothing."""

    id: str
    agent: str
    shift: str
    partner: str
    partner_shift: str | None = None


@dataclass(frozen=True, slots=True)
class AnswerTrade(ScheduleCommand):
    id: str
    agent: str
    accept: bool


@dataclass(frozen=True, slots=True)
class GiveBack(ScheduleCommand):
    id: str
    agent: str
    shift: str


@dataclass(frozen=True, slots=True)
class RequestTimeOff(ScheduleCommand):
    id: str
    agent: str
    start: float
    end: float
    reason: str = ""


@dataclass(frozen=True, slots=True)
class DecideChange(ScheduleCommand):
    """A supervisor approves or refuses a change waiting for them."""

    id: str
    approve: bool
    by: str
    note: str = ""


@dataclass(frozen=True, slots=True)
class WithdrawChange(ScheduleCommand):
    id: str
    agent: str


@dataclass(frozen=True, slots=True)
class CallInSick(ScheduleCommand):
    agent: str
    shift: str
    note: str = ""
