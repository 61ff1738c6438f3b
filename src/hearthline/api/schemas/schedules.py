"""Bodies of schedules: settings, contracts, generated and published shifts, picks,
adherence and timesheets. Times are UTC seconds, as everywhere in the API."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from hearthline.api.schemas.common import EventRef, Ident, In, Out, Text

At = Annotated[float, Field(ge=0, le=10_000_000_000)]
Hours = Annotated[float, Field(ge=0, le=168)]
Grace = Annotated[float, Field(ge=0, le=86_400)]


class GraceModel(In):
    """How long each slip is allowed before it is an alert, in seconds."""

    sign_in_s: Grace = 300.0
    absent_s: Grace = 1800.0
    sign_out_s: Grace = 300.0
    break_s: Grace = 120.0


class SettingsIn(In):
    time_zone: Annotated[str, StringConstraints(min_length=1, max_length=64)] = "UTC"
    grace: GraceModel = GraceModel()


class SettingsOut(Out):
    time_zone: str
    grace: GraceModel


class BreakRuleModel(In):
    """Shifts of at least ``min_shift_h`` get a break of ``length_min`` minutes, starting
    ``earliest_h`` after the start at the soonest and ending ``latest_h`` before the end."""

    min_shift_h: Annotated[float, Field(ge=0, le=16)]
    length_min: Annotated[float, Field(gt=0, le=240)]
    paid: bool
    reason: Ident = "break"
    earliest_h: Annotated[float, Field(ge=0, le=16)] = 2.0
    latest_h: Annotated[float, Field(ge=0, le=16)] = 1.0


class WindowModel(In):
    """Available on ``weekday`` (0 Monday) from ``start_min`` to ``end_min`` minutes after
    local midnight; an end past 1440 runs into the next day."""

    weekday: Annotated[int, Field(ge=0, le=6)]
    start_min: Annotated[int, Field(ge=0, le=2880)]
    end_min: Annotated[int, Field(ge=0, le=2880)]


class ContractIn(In):
    group: Ident
    kind: Literal["full-time", "part-time"] = "full-time"
    min_week_h: Hours = 0.0
    max_week_h: Hours = 40.0
    max_days_week: Annotated[int, Field(ge=1, le=7)] = 5
    min_rest_h: Annotated[float, Field(ge=0, le=48)] = 11.0
    windows: Annotated[list[WindowModel], Field(min_length=1, max_length=50)] = [
        WindowModel(weekday=d, start_min=0, end_min=1440) for d in range(7)
    ]
    shift_lengths_h: Annotated[
        list[Annotated[float, Field(ge=1, le=16)]], Field(min_length=1, max_length=10)
    ] = [8.0]
    breaks: Annotated[list[BreakRuleModel], Field(max_length=5)] = []
    # Years of service or any rank: higher picks first when the firm picks by seniority.
    seniority: Annotated[float, Field(ge=0, le=1000)] = 0.0


class ContractOut(Out):
    agent: str
    group: str
    kind: str
    min_week_h: float
    max_week_h: float
    max_days_week: int
    min_rest_h: float
    windows: list[WindowModel]
    shift_lengths_h: list[float]
    breaks: list[BreakRuleModel]
    seniority: float


class BreakModel(In):
    start: At
    end: At
    paid: bool
    reason: Ident = "break"


class ShiftModel(In):
    id: Ident
    group: Ident
    start: At
    end: At
    breaks: Annotated[list[BreakModel], Field(max_length=10)] = []


class NeedIn(In):
    group: Ident
    required: Annotated[
        list[Annotated[float, Field(ge=0, le=100_000)]], Field(min_length=1, max_length=5376)
    ]


DEFAULT_BREAKS = [
    BreakRuleModel(min_shift_h=6, length_min=30, paid=False, reason="lunch"),
    BreakRuleModel(min_shift_h=4, length_min=15, paid=True, reason="break", earliest_h=1.0),
]


class GenerateIn(In):
    """Required agents per interval and skill group (a staffing plan), from ``start``
    (UTC seconds) or ``local_start`` (the firm's wall clock, as a staffing plan's rows)."""

    start: At | None = None
    local_start: dt.datetime | None = None
    interval_minutes: Literal[15, 30, 60] = 30
    needs: Annotated[list[NeedIn], Field(min_length=1, max_length=20)]
    lengths_h: Annotated[
        list[Annotated[float, Field(ge=1, le=16)]], Field(min_length=1, max_length=6)
    ] = [4.0, 6.0, 8.0]
    breaks: Annotated[list[BreakRuleModel], Field(max_length=5)] = DEFAULT_BREAKS
    time_limit_s: Annotated[float, Field(gt=0, le=60)] = 10.0


class GroupRosterOut(Out):
    group: str
    required: list[float]
    cover: list[float]
    under_cover: float
    lp_under_cover: float
    # The solver's proven lower bound on under-cover (its MIP dual bound), >= the LP's.
    mip_bound: float
    paid_hours: float
    shifts: int
    status: str
    mip_gap: float


class RosterOut(Out):
    time_zone: str
    interval_minutes: int
    start: float
    groups: list[GroupRosterOut]
    shifts: list[ShiftModel]
    under_cover: float
    lp_under_cover: float
    mip_bound: float
    # Under-cover above the LP bound, as a share of all the agent-intervals required.
    gap: float
    seconds: float
    # A proposal within every contract: shift ids per agent; the rest no one could take.
    proposal: dict[str, list[str]]
    unassigned: list[str]


class PublishNeedIn(In):
    """What the staffing plan required per interval of ``group`` from ``start``."""

    group: Ident
    start: At
    interval_minutes: Literal[15, 30, 60] = 30
    required: Annotated[
        list[Annotated[float, Field(ge=0, le=100_000)]], Field(min_length=1, max_length=5000)
    ]


class PublishIn(In):
    window: Ident
    closes_at: At
    shifts: Annotated[list[ShiftModel], Field(min_length=1, max_length=20_000)]
    # The requirement the shifts were made for: changes show their cover impact on it.
    needs: Annotated[list[PublishNeedIn], Field(max_length=20)] = []


class SlotOut(Out):
    shift: ShiftModel
    window: str
    closes_at: float
    holder: str | None


class WindowOut(Out):
    id: str
    closes_at: float
    closed: bool
    slots: list[SlotOut]
    unfilled: list[str]


class PickIn(In):
    shift: Ident


class MyWeekOut(Out):
    week_start: dt.date
    time_zone: str
    shifts: list[ShiftModel]
    open: list[SlotOut]
    contract: ContractOut | None
    paid_hours: float
    # How long before a shift the page reminds me of it (the firm's rule).
    reminder_minutes: float
    # Agents of my skill group, whom I may offer a trade.
    colleagues: list[str]
    # My next shift from now on, whatever the week shown (for the reminder).
    next_shift: ShiftModel | None


class AdherenceOut(Out):
    agent: str
    status: str
    alert: bool
    since: float | None
    shift: str | None
    late_s: float
    adherence: float | None


class CorrectionIn(In):
    """What the agent was doing from ``start`` to ``end``: ``working``, ``off-clock`` or a
    not-ready reason; ``reason`` says why the log is corrected."""

    day: dt.date
    start: At
    end: At
    state: Ident
    reason: Annotated[Text, StringConstraints(min_length=1, max_length=1000)]


class CorrectionOut(Out):
    id: int
    start: float
    end: float
    state: str
    reason: str
    by: str


class TimesheetOut(Out):
    agent: str
    day: dt.date
    first_in: float | None
    last_out: float | None
    on_clock_s: float
    paid_s: float
    unpaid_s: float
    system_s: float
    breaks_s: dict[str, float]
    corrections: list[CorrectionOut]


class RulesModel(In):
    """The firm's rules for changes after picking and for the picking order."""

    approval: Literal["always", "never", "cover"] = "cover"
    pick_order: Literal["first-come", "seniority", "rotation"] = "first-come"
    turn_minutes: Annotated[float, Field(ge=1, le=10_080)] = 60.0
    reminder_minutes: Annotated[float, Field(ge=0, le=1440)] = 15.0


class TradeIn(In):
    """Offers my ``shift`` to ``partner``, for their ``partner_shift`` or for nothing."""

    shift: Ident
    partner: Ident
    partner_shift: Ident | None = None


class AnswerIn(In):
    accept: bool


class GiveBackIn(In):
    shift: Ident


class TimeOffIn(In):
    start: At
    end: At
    reason: Annotated[str, StringConstraints(max_length=500)] = ""


class SickIn(In):
    shift: Ident
    note: Annotated[str, StringConstraints(max_length=500)] = ""


class DecisionIn(In):
    approve: bool
    note: Annotated[str, StringConstraints(max_length=500)] = ""


class ChangeResult(Out):
    change: str
    status: str
    events: list[EventRef]
    last_event_id: int


class StepOut(Out):
    """An entry of a change's history: who moved it to ``status``."""

    status: str
    by: str
    note: str
    at: float


class ImpactOut(Out):
    """Agents required and scheduled per interval of ``group``, with and without the change."""

    group: str
    start: float
    interval_minutes: int
    required: list[float | None]
    scheduled: list[float]
    without: list[float]


class ChangeOut(Out):
    id: str
    kind: str
    status: str
    agent: str
    shift: ShiftModel | None
    partner: str | None
    partner_shift: ShiftModel | None
    start: float | None
    end: float | None
    reason: str
    at: float
    history: list[StepOut]
    # What the change would do to cover (while it waits for a decision).
    impact: list[ImpactOut]


class GapOut(Out):
    shift: ShiftModel
    why: str


class DemandIn(In):
    """A group's forecast: calls per interval from ``start``, their mean handle time, the
    callers' mean patience (none: they wait) and the service level's target answer time."""

    group: Ident
    start: At
    interval_minutes: Literal[15, 30, 60] = 30
    calls: Annotated[
        list[Annotated[float, Field(ge=0, le=10_000)]], Field(min_length=1, max_length=5376)
    ]
    aht_s: Annotated[float, Field(gt=0, le=7200)] = 300.0
    patience_s: Annotated[float, Field(gt=0, le=7200)] | None = None
    target_s: Annotated[float, Field(gt=0, le=3600)] = 20.0


class TwinIn(In):
    """A schedule to run before it is published: the shifts with who works them (the
    proposal of ``generate``; a shift no one is named for is run by a stand-in), or a
    published window's shifts with their holders."""

    window: Ident | None = None
    shifts: Annotated[list[ShiftModel], Field(max_length=5000)] = []
    assigned: Annotated[dict[Ident, list[Ident]], Field(max_length=5000)] = {}
    demand: Annotated[list[DemandIn], Field(min_length=1, max_length=20)]
    runs: Annotated[int, Field(ge=1, le=5)] = 2


class TwinGroupOut(Out):
    group: str
    start: float
    interval_minutes: int
    offered: list[float]
    service_level: list[float | None]
    agents: list[float]
    day_service_level: float | None
    abandon_rate: float | None


class TwinOut(Out):
    groups: list[TwinGroupOut]
    agents: int
    # Shifts run by a stand-in: no one is named for them.
    unnamed: int
