"""Request and response bodies (Pydantic 2): the OpenAPI document is built from these.

Identifiers of configured things (clients, campaigns, queues, agents, skills, reasons)
are short and plain (letters, digits, ``._:@+-``) so they read well in URLs and logs;
free text may hold anything printable but never NUL or broken UTF-8, which the
databases could not store.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from hearthline.kernel.text import MAX_TEXT_BYTES, text_problem

IDENT_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:@+-]{0,99}$"
CONTACT_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:@+-]{0,179}$"
PHONE_PATTERN = r"^\+?[0-9][0-9 ().-]{0,39}$"


def _printable(value: str) -> str:
    # Lengths are checked in characters by the annotations; bytes by the log's own rule.
    problem = text_problem(value, limit=4 * MAX_TEXT_BYTES)
    if problem is not None:
        raise ValueError(f"the text {problem}")
    return value


Ident = Annotated[str, StringConstraints(pattern=IDENT_PATTERN)]
ContactIdent = Annotated[str, StringConstraints(pattern=CONTACT_PATTERN)]
Phone = Annotated[str, StringConstraints(pattern=PHONE_PATTERN)]
Name = Annotated[str, StringConstraints(max_length=200), AfterValidator(_printable)]
Text = Annotated[str, StringConstraints(max_length=65_536), AfterValidator(_printable)]
FieldValue = Annotated[str, StringConstraints(max_length=4096), AfterValidator(_printable)]
Seconds = Annotated[float, Field(ge=0, le=86_400 * 366)]
Priority = Annotated[int, Field(ge=-1000, le=1000)]


class In(BaseModel):
    """Base of request bodies: unknown fields and non-finite numbers are refused."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


# Results of commands -------------------------------------------------------------------------


class EventRef(Out):
    id: int
    type: str


class CommandResult(Out):
    """The events a command produced, durable in the log."""

    events: list[EventRef]
    last_event_id: int


# Accounts -----------------------------------------------------------------------------------


class RoleName(StrEnum):
    ADMIN = "admin"
    SUPERVISOR = "supervisor"
    AGENT = "agent"
    CLIENT_VIEWER = "client_viewer"


class UserOut(Out):
    id: int
    username: str
    display_name: str
    role: str
    client_id: str | None
    agent_id: str | None


class LoginIn(In):
    username: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    password: Annotated[str, StringConstraints(min_length=1, max_length=256)]


class SessionOut(Out):
    user: UserOut
    # Send it back in X-CSRF-Token with every request that changes something.
    csrf_token: str | None


class PasswordIn(In):
    current_password: Annotated[str, StringConstraints(max_length=256)]
    new_password: Annotated[str, StringConstraints(min_length=10, max_length=256)]


class UserIn(In):
    username: Ident
    password: Annotated[str, StringConstraints(min_length=10, max_length=256)]
    role: RoleName
    display_name: Name = ""
    client_id: Ident | None = None
    agent_id: Ident | None = None


class UserPatch(In):
    password: Annotated[str, StringConstraints(min_length=10, max_length=256)] | None = None
    role: RoleName | None = None
    display_name: Name | None = None
    client_id: Ident | None = None
    agent_id: Ident | None = None


class TokenScope(StrEnum):
    USER = "user"
    CHANNEL = "channel"


class TokenIn(In):
    username: Ident
    name: Name = ""
    scope: TokenScope = TokenScope.USER
    expires_in_s: Annotated[float, Field(gt=0, le=86_400 * 3660)] | None = None


class TokenOut(Out):
    id: str
    username: str
    name: str
    scope: str
    created_at: float
    expires_at: float | None


class NewTokenOut(TokenOut):
    # Shown once: only its hash is kept.
    token: str


class AuditOut(Out):
    id: int
    at: float
    username: str
    action: str
    target: str
    before: str | None
    after: str | None


# Configuration -------------------------------------------------------------------------------


class ClientIn(In):
    name: Name = ""


class ClientOut(Out):
    id: str
    name: str


class CampaignIn(In):
    client_id: Ident
    name: Name = ""
    callback_on_drop: bool = True
    callback_priority: Priority = 10
    prefer_same_agent_s: Seconds = 120.0


class CampaignOut(CampaignIn):
    id: str


class OverflowKindName(StrEnum):
    QUEUE = "queue"
    CALLBACK = "callback"
    VOICEMAIL = "voicemail"


class OverflowIn(In):
    kind: OverflowKindName
    queue: Ident | None = None


class StepIn(In):
    after_s: Seconds
    requirement: Annotated[str, StringConstraints(max_length=500)] | None = None
    priority: Priority | None = None
    overflow: OverflowIn | None = None


class StrategyName(StrEnum):
    LONGEST_IDLE = "longest-idle"
    HIGHEST_SKILL = "highest-skill"
    FEWEST_CONTACTS = "fewest-contacts"
    ROUND_ROBIN = "round-robin"
    RANDOM = "random"


class WrapUpModeName(StrEnum):
    TIMED = "timed"
    MANUAL = "manual"


class QueueIn(In):
    campaign_id: Ident
    name: Name = ""
    requirement: Annotated[str, StringConstraints(max_length=500)] = "*"
    steps: Annotated[list[StepIn], Field(max_length=20)] = []
    strategy: StrategyName = StrategyName.LONGEST_IDLE
    rank_skill: Ident | None = None
    offer_timeout_s: Annotated[float, Field(gt=0, le=3600)] = 20.0
    wrap_up_mode: WrapUpModeName = WrapUpModeName.TIMED
    wrap_up_s: Seconds = 30.0
    max_length: Annotated[int, Field(ge=0, le=1_000_000)] | None = None
    on_full: OverflowIn = OverflowIn(kind=OverflowKindName.VOICEMAIL)
    max_wait_s: Seconds | None = None
    on_max_wait: OverflowIn = OverflowIn(kind=OverflowKindName.CALLBACK)
    service_target_s: Seconds = 20.0
    expected_handle_s: Annotated[float, Field(gt=0, le=86_400)] = 180.0


class QueueOut(QueueIn):
    id: str


class SkillIn(In):
    name: Name = ""


class SkillOut(Out):
    id: str
    name: str


class AgentIn(In):
    name: Name = ""
    skills: Annotated[dict[Ident, Annotated[int, Field(ge=0, le=100)]], Field(max_length=200)] = {}
    campaigns: Annotated[list[Ident], Field(max_length=200)] = []


class AgentOut(Out):
    id: str
    name: str
    skills: dict[str, int]
    campaigns: list[str]


class ReasonIn(In):
    id: Ident
    label: Name


class ReasonsIn(In):
    reasons: Annotated[list[ReasonIn], Field(max_length=100)]


class ReasonOut(Out):
    id: str
    label: str
    system: bool


class DispositionIn(In):
    id: Ident
    label: Name = ""
    counts_as_sale: bool = False
    counts_as_save: bool = False


class FieldKindName(StrEnum):
    TEXT = "text"
    NUMBER = "number"
    BOOLEAN = "boolean"
    DATE = "date"
    CHOICE = "choice"


class FormFieldIn(In):
    name: Ident
    kind: FieldKindName = FieldKindName.TEXT
    label: Name = ""
    required: bool = False
    choices: Annotated[list[Name], Field(max_length=200)] = []


class FormsIn(In):
    name: Name = ""
    dispositions: Annotated[list[DispositionIn], Field(max_length=200)] = []
    fields: Annotated[list[FormFieldIn], Field(max_length=200)] = []


class FormsOut(FormsIn):
    campaign_id: str
    script: str | None = None


class ScriptIn(In):
    """The text agents see beside a campaign's form."""

    body: Text


class PlanRowOut(Out):
    """One interval of a staffing plan: the forecast, and the agents it needs."""

    queue: str
    start: str
    calls: float
    aht_s: float
    traffic_erlangs: float
    agents: int
    scheduled: int
    service_level: float
    asa_s: float | None
    occupancy: float
    p_abandon: float


class ForecastChoice(Out):
    """The forecasting method a queue's backtest chose, and its error (WAPE)."""

    queue: str
    method: str
    wape_day: float | None
    wape_interval: float | None
    history_first_day: str
    history_last_day: str


class StaffingPlanOut(Out):
    interval_minutes: int
    targets: dict[str, float | None]
    forecasts: list[ForecastChoice]
    rows: list[PlanRowOut]
    rows_read: int
    bad_rows: int
    bad_row_examples: list[str]


class QueueSummary(Out):
    """What any reader of a queue's work needs: its name, line, client and targets."""

    id: str
    name: str
    campaign_id: str
    client_id: str
    service_target_s: float
    offer_timeout_s: float


class SettingsIn(In):
    connection_grace_s: Seconds = 60.0
    direct_transfer_wait_s: Seconds = 30.0


class NumberIn(In):
    queue_id: Ident | None = None
    label: Name = ""


class NumberOut(NumberIn):
    number: str


# Live state ----------------------------------------------------------------------------------


class AgentLive(Out):
    id: str
    name: str = ""
    state: str
    since: float
    reason: str | None
    contact: str | None
    pending_reason: str | None
    connected: bool
    handled_today: int


class ContactLive(Out):
    id: str
    state: str
    since: float
    channel: str
    caller: str
    customer: str | None
    queue: str | None
    priority: int
    waiting_since: float
    agent: str | None
    preferred_agent: str | None
    origin: str | None
    position: int | None = None
    estimated_wait_s: float | None = None


class QueueLive(Out):
    id: str
    waiting: int
    waiting_callers: int
    oldest_waiting_since: float | None
    agents_available: int
    agents_staffed: int
    handle_time_s: float


class AgentDesk(Out):
    """What an agent's desktop shows: their state, their contact, its form."""

    agent: AgentLive
    contact: ContactLive | None
    campaign_id: str | None
    forms: FormsOut | None
    # The last event of the log this desk reflects: a page that has already applied a
    # later event from its stream knows this read is older than what it shows.
    as_of: int = 0


# Agents' actions -----------------------------------------------------------------------------


class SignInIn(In):
    ready: bool = False


class NotReadyIn(In):
    reason: Ident


class TransferIn(In):
    queue: Ident | None = None
    agent: Ident | None = None


class DraftIn(In):
    revision: Annotated[int, Field(ge=1, le=2**31)]
    text: Text = ""
    fields: Annotated[dict[Ident, FieldValue], Field(max_length=200)] = {}


class FinishIn(In):
    disposition: Ident
    text: Text = ""
    fields: Annotated[dict[Ident, FieldValue], Field(max_length=200)] = {}


class HelpIn(In):
    text: Annotated[
        str, StringConstraints(min_length=1, max_length=2000), AfterValidator(_printable)
    ]


class HelpOut(Out):
    id: int
    agent_id: str
    contact_id: str | None
    text: str
    created_at: float
    open: bool
    answer: str | None
    answered_by: str | None
    answered_at: float | None


class AnswerIn(In):
    text: Annotated[
        str, StringConstraints(min_length=1, max_length=2000), AfterValidator(_printable)
    ]


class MyDayOut(Out):
    since: float
    answered: int
    handled: int
    dropped: int
    average_handle_s: float | None
    talk_s: float
    hold_s: float
    wrap_s: float
    outcomes: dict[str, int]
    sales: int
    saves: int
    sale_rate: float | None
    save_rate: float | None
    # The agent's own breaks; reasons the center set (restart, lost connection) apart.
    not_ready_s: dict[str, float]
    system_not_ready_s: dict[str, float]


# Supervisors ----------------------------------------------------------------------------------


class ForceStateIn(In):
    state: Literal["ready", "not-ready"]
    reason: Ident | None = None


class PriorityIn(In):
    priority: Priority


class MoveIn(In):
    queue: Ident


# Channels --------------------------------------------------------------------------------------


class ContactIn(In):
    """A caller reaches the center: on a queue, on a number (mapped to a queue or the menu),
    or neither (the menu: route it later)."""

    contact_id: ContactIdent | None = None
    queue: Ident | None = None
    number: Phone | None = None
    caller: Annotated[str, StringConstraints(max_length=64), AfterValidator(_printable)] = ""
    customer_id: Ident | None = None
    menu: Annotated[dict[Ident, Name], Field(max_length=50)] = {}
    priority: Priority = 0


class ContactAccepted(CommandResult):
    contact_id: str


class RouteIn(In):
    queue: Ident
    priority: Priority | None = None


class DropIn(In):
    side: Literal["caller", "agent", "system"] = "caller"


class ScheduleIn(In):
    contact_id: ContactIdent | None = None
    queue: Ident
    due_at: Annotated[float, Field(ge=0, le=1e11)]
    caller: Annotated[
        str, StringConstraints(min_length=1, max_length=64), AfterValidator(_printable)
    ]
    customer_id: Ident | None = None
    priority: Priority = 0
    preferred_agent: Ident | None = None


# Customers -------------------------------------------------------------------------------------


class CustomerIn(In):
    client_id: Ident
    name: Name = ""
    phone: Phone | Literal[""] = ""
    email: Name = ""


class CustomerOut(Out):
    id: str
    client_id: str
    name: str
    phone: str
    email: str
    created_at: float


class LinkIn(In):
    contact_id: ContactIdent


class ContactRecord(Out):
    """One past (or live) contact, as the log tells it."""

    contact_id: str
    arrived_at: float | None
    caller: str
    queue: str | None
    agents: list[str]
    ended_as: str | None
    ended_at: float | None
    disposition: str | None
    note: str | None
    fields: dict[str, str]


class ContactDetail(ContactRecord):
    events: list[dict[str, object]]


# Reports ----------------------------------------------------------------------------------------


class QueueStatsRow(Out):
    queue_id: str
    interval_start: float
    client_id: str | None
    figures: dict[str, float]


class AgentStatsRow(Out):
    agent_id: str
    interval_start: float
    figures: dict[str, float]
    not_ready_s: dict[str, float]
    system_not_ready_s: dict[str, float]


class Health(Out):
    status: str
    last_event_id: int
    streams: int
