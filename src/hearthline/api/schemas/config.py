"""Bodies of the configuration: client companies, campaigns, queues, skills, agents,
reasons, forms, scripts, settings, numbers."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import Field, StringConstraints

from hearthline.api.schemas.common import Ident, In, Name, Out, Priority, Seconds, Text


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
    # On a change: what the administrator should know, e.g. that no agent can serve it yet.
    warnings: list[str] = []


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


class ImportProblem(Out):
    """A bad row of an agents file: its line (the header is line 1) and what is wrong."""

    line: int
    agent_id: str | None
    reason: str


class ImportReport(Out):
    """What an agents file holds, or did: the agents it creates and changes, and every
    bad row. A dry run changes nothing; an import applies every row or none."""

    dry_run: bool
    applied: bool
    rows: int
    created: list[str]
    updated: list[str]
    problems: list[ImportProblem]


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


class SettingsIn(In):
    connection_grace_s: Seconds = 60.0
    direct_transfer_wait_s: Seconds = 30.0
    # Supervisors and administrators must sign in with a second factor; None: unchanged.
    require_two_factor: bool | None = None
    # The agent's desk shows a supervisor listening in (whisper and barge always show);
    # None: unchanged.
    show_listen_in: bool | None = None


class NumberIn(In):
    queue_id: Ident | None = None
    label: Name = ""


class NumberOut(NumberIn):
    number: str
