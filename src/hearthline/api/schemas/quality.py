"""Quality: scorecard templates, evaluations, disputes, coaching, trends, calibration,
samples."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from hearthline.api.schemas.common import ContactIdent, Ident, In, Name, Out, Text
from hearthline.api.schemas.customers import ContactDetail
from hearthline.quality.scorecard import MAX_QUESTIONS, MAX_WEIGHT, Kind

Comment = Annotated[str, Field(max_length=4000)]
# A yes/no answer is 1 or 0; a scale answer its value; null marks "not applicable".
Answer = Annotated[int, Field(ge=0, le=10)] | None


class QuestionIn(In):
    id: Ident
    text: Name
    kind: Kind
    weight: Annotated[int, Field(ge=1, le=MAX_WEIGHT)] = 1
    critical: bool = False
    allow_na: bool = False


class SectionIn(In):
    title: Name
    questions: Annotated[list[QuestionIn], Field(min_length=1, max_length=MAX_QUESTIONS)]


class TemplateIn(In):
    sections: Annotated[list[SectionIn], Field(min_length=1, max_length=50)]


class QuestionOut(Out):
    id: str
    text: str
    kind: Kind
    weight: int
    critical: bool
    allow_na: bool


class SectionOut(Out):
    title: str
    questions: list[QuestionOut]


class TemplateOut(Out):
    campaign_id: str
    version: int
    sections: list[SectionOut]
    created_at: float
    created_by: str


class EvaluationIn(In):
    contact_id: ContactIdent
    # The agent scored; by default the last agent who had the contact.
    agent_id: Ident | None = None
    answers: Annotated[dict[Ident, Answer], Field(max_length=MAX_QUESTIONS)]
    comments: Text = ""
    calibration: bool = False


class CommentIn(In):
    comment: Annotated[Text, Field(max_length=4000)] = ""


class ResolveIn(In):
    decision: Literal["uphold", "overturn"]
    comment: Annotated[Text, Field(min_length=1, max_length=4000)]


class CoachingIn(In):
    text: Annotated[Text, Field(min_length=1, max_length=8000)]


class CoachingOut(Out):
    id: int
    evaluation_id: int
    author: str
    text: str
    at: float


class EvaluationOut(Out):
    id: int
    contact_id: str
    agent_id: str
    client_id: str
    campaign_id: str
    version: int
    evaluator: str
    answers: dict[str, int | None]
    comments: str
    score: float
    critical_fail: bool
    calibration: bool
    at: float
    status: str
    agent_comment: str | None
    responded_at: float | None
    resolution: str | None
    resolved_by: str | None
    resolved_at: float | None


class EvaluationDetail(EvaluationOut):
    template: TemplateOut
    coaching: list[CoachingOut]


class EvaluationContext(Out):
    """What an evaluator sees: the contact's story and the scorecard to fill in."""

    contact: ContactDetail
    template: TemplateOut
    agents: list[str]
    evaluations: list[EvaluationOut]


class SpreadOut(Out):
    question: str
    evaluations: int
    low: float
    high: float
    mean: float
    stdev: float


class CalibrationOut(Out):
    contact_id: str
    evaluators: list[str]
    spreads: list[SpreadOut]


class TrendPointOut(Out):
    period_start: float
    who: str
    question: str
    evaluations: int
    mean: float


class SampledOut(Out):
    contact_id: str
    queue: str
    outcome: str
    at: float


class AgentSampleOut(Out):
    agent_id: str
    handled: int
    sample: list[SampledOut]


class SampleOut(Out):
    week: str
    quota: int
    seed: int
    agents: list[AgentSampleOut]
