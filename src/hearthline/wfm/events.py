"""Schedule events: what happened, in the past tense, frozen; stored in the log."""

from __future__ import annotations

from dataclasses import dataclass

from hearthline.wfm.adherence import Grace
from hearthline.wfm.changes import Change, ChangeRules, ChangeStatus, Move, Requirement
from hearthline.wfm.contracts import Contract, Shift


@dataclass(frozen=True, slots=True)
class ScheduleEvent:
    at: float


@dataclass(frozen=True, slots=True)
class SchedulingConfigured(ScheduleEvent):
    time_zone: str
    grace: Grace


@dataclass(frozen=True, slots=True)
class ContractSet(ScheduleEvent):
    agent: str
    contract: Contract


@dataclass(frozen=True, slots=True)
class ShiftsPublished(ScheduleEvent):
    window: str
    shifts: tuple[Shift, ...]
    closes_at: float
    needs: tuple[Requirement, ...] = ()
    # The firm's picking order when the window opened, and the agents' turns in it.
    order: str = "first-come"
    turns: tuple[tuple[str, int], ...] = ()
    turn_s: float = 0.0


@dataclass(frozen=True, slots=True)
class ShiftPicked(ScheduleEvent):
    agent: str
    shift: str
    window: str


@dataclass(frozen=True, slots=True)
class PickingClosed(ScheduleEvent):
    """The window's picks are binding; ``unfilled`` shifts go back to the planner."""

    window: str
    unfilled: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ChangeRulesSet(ScheduleEvent):
    rules: ChangeRules


@dataclass(frozen=True, slots=True)
class ChangeRequested(ScheduleEvent):
    """A trade proposed to its partner, or a change put to a supervisor (``status``)."""

    agent: str
    change: Change
    status: ChangeStatus


@dataclass(frozen=True, slots=True)
class ChangeAnswered(ScheduleEvent):
    """What became of a change: ``status`` pending (the partner accepted, a supervisor
    decides), declined, refused or withdrawn; ``by`` who said so."""

    agent: str
    change: str
    status: ChangeStatus
    by: str
    note: str = ""


@dataclass(frozen=True, slots=True)
class ShiftsMoved(ScheduleEvent):
    """A change made: each shift to its new holder, or open again (a gap)."""

    agent: str
    change: str
    moves: tuple[Move, ...]
    why: str


@dataclass(frozen=True, slots=True)
class SickCalled(ScheduleEvent):
    """The agent will not work ``shift``: it is open again, a gap the planner sees, and
    adherence excuses the agent for it."""

    agent: str
    shift: str
    note: str = ""


SCHEDULE_EVENT_TYPES: tuple[type[ScheduleEvent], ...] = (
    SchedulingConfigured,
    ContractSet,
    ShiftsPublished,
    ShiftPicked,
    PickingClosed,
    ChangeRulesSet,
    ChangeRequested,
    ChangeAnswered,
    ShiftsMoved,
    SickCalled,
)
