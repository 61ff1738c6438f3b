"""Call guides (as edited and as followed) and the agent's procedures for offline use."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field, StringConstraints

from hearthline.api.schemas.common import In, Out, printable

StepId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,59}$")]
Label = Annotated[str, StringConstraints(min_length=1, max_length=120), AfterValidator(printable)]
StepText = Annotated[str, StringConstraints(max_length=8000), AfterValidator(printable)]


class AnswerIn(In):
    label: Label
    # The step this answer leads to.
    next: StepId


class StepIn(In):
    id: StepId
    # Markdown, rendered like an article's body.
    text: StepText
    # None: the step is an end.
    answers: Annotated[list[AnswerIn], Field(max_length=12)] = []


class GuideIn(In):
    # The first step is where every call starts.
    steps: Annotated[list[StepIn], Field(min_length=1, max_length=200)]


class AnswerOut(Out):
    label: str
    next: str


class StepOut(Out):
    id: str
    text: str
    # Sanitized HTML of the text (nh3 allow-list): safe to insert as markup.
    html: str
    answers: list[AnswerOut]
    end: bool


class GuideOut(Out):
    campaign_id: str
    client_id: str
    # 0: no guide saved; the campaign's plain script as one step.
    version: int
    start: str
    steps: list[StepOut]
    created_at: float | None
    created_by: str


class Taken(In):
    step: StepId
    answer: Label


class PathIn(In):
    # The guide version the call follows (from the guide read when it began).
    version: Annotated[int, Field(ge=0, le=2**31 - 1)]
    path: Annotated[list[Taken], Field(max_length=500)]


class TakenOut(Out):
    step: str
    answer: str


class GuideWalk(Out):
    """A contact's guide and where the call is on it: restored from the log."""

    contact_id: str
    guide: GuideOut
    path: list[TakenOut]
    step: str
    saved_at: float | None


class Procedure(Out):
    """An article or a call guide as the desk keeps it for offline reading."""

    kind: str  # "article" or "guide"
    id: str
    client_id: str
    title: str
    tags: list[str]
    # Sanitized HTML (nh3 allow-list) and the plain text the offline index is built from.
    html: str
    plain: str
    version: int
    updated_at: float | None


class Procedures(Out):
    agent_id: str
    # The server's clock when the set was read: the "procedures as of" time.
    as_of: float
    etag: str
    items: list[Procedure]
