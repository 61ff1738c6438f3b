"""Bodies of menu flows, opening hours, prompts, announcements and the menus' figures.

Shapes and sizes are checked here; what makes a flow usable (every node reachable, no
loop a silent caller cannot leave, every leaf routed) is ``voice.menus.check_flow``'s,
whose refusals name the node."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import Field, StringConstraints

from hearthline.api.schemas.common import Ident, In, Name, Priority

Short = Annotated[str, StringConstraints(max_length=64)]
Key = Annotated[str, StringConstraints(max_length=2)]


class NodeIn(In):
    id: Short
    kind: Short
    prompt: Short = ""
    options: dict[Key, Short] = Field(default_factory=dict, max_length=12)
    timeout_s: float = Field(5.0, ge=0, le=3600)
    retries: int = Field(2, ge=0, le=100)
    invalid_prompt: Short = ""
    fallback: Short | None = None
    sets: dict[Short, Short] = Field(default_factory=dict, max_length=8)
    lookup: Short = "account"
    min_digits: int = Field(4, ge=0, le=100)
    max_digits: int = Field(12, ge=0, le=100)
    next: Short | None = None
    queue: Ident | None = None
    priority: Priority = 0


class FlowIn(In):
    client_id: Ident
    start: Short
    operator: Ident | None = None
    closed: Short | None = None
    hours: Ident | None = Field(None, description="the campaign whose opening hours apply")
    nodes: list[NodeIn] = Field(max_length=200)


class FlowOut(FlowIn):
    number: str
    updated_at: float


class SpanIn(In):
    day: Annotated[str, StringConstraints(max_length=9)]
    opens: Annotated[str, StringConstraints(max_length=5)]
    closes: Annotated[str, StringConstraints(max_length=5)]


class HoursIn(In):
    spans: list[SpanIn] = Field(max_length=56)
    holidays: list[dt.date] = Field(default_factory=list, max_length=400)


class HoursOut(HoursIn):
    campaign_id: str
    open_now: bool
    zone: str = Field(description="the firm's time zone, in which the hours are read")


class PromptOut(In):
    client_id: str
    name: str
    seconds: float
    updated_at: float


class DefaultPromptOut(In):
    name: str
    text: str


class SpeakIn(In):
    text: Annotated[Name, StringConstraints(min_length=1, max_length=200)]


class AnnouncementIn(In):
    client_id: Ident
    queue_id: Ident | None = None
    text: Annotated[Name, StringConstraints(min_length=1, max_length=200)]
    prompt: Short = Field("", description="an uploaded prompt; none: the text, spoken")
    active: bool = False


class SwitchIn(In):
    active: bool


class AnnouncementOut(In):
    id: int
    client_id: str
    queue_id: str | None
    text: str
    prompt: str
    active: bool
    updated_at: float
    updated_by: str


class MenuNodeFigure(In):
    number: str
    node: str
    visits: int
    mean_s: float
    seconds: float
    hangups: int
    zero_outs: int
    timeouts: int
    invalids: int
    exits: dict[str, int]


class MenuLine(In):
    """A menu's wallboard line: callers in it now, and today's callers, their mean time in
    it, hang-ups and zero-outs."""

    number: str
    client_id: str
    in_menu: int
    callers: int
    mean_s: float
    hangups: int
    zero_outs: int


class PromptIn(In):
    # base64 of at most 2 MiB of WAV
    wav_base64: Annotated[str, StringConstraints(max_length=2_800_000)]
