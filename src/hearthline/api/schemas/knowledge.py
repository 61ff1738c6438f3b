"""Articles, search hits, bulletins, receipts and questions."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field, StringConstraints

from hearthline.api.schemas.common import Ident, In, Out, printable

Title = Annotated[str, StringConstraints(min_length=1, max_length=300), AfterValidator(printable)]
Body = Annotated[str, StringConstraints(max_length=60_000), AfterValidator(printable)]
Short = Annotated[str, StringConstraints(max_length=2000), AfterValidator(printable)]
Tag = Annotated[str, StringConstraints(min_length=1, max_length=60), AfterValidator(printable)]
# Dates as the clock's seconds (UTC epoch), up to the year 2286.
When = Annotated[float, Field(ge=0, le=1e10)]


class ArticleIn(In):
    client_id: Ident
    title: Title
    body: Body = ""
    campaigns: Annotated[list[Ident], Field(max_length=100)] = []
    skills: Annotated[list[Ident], Field(max_length=100)] = []
    tags: Annotated[list[Tag], Field(max_length=30)] = []
    owner: Annotated[str, StringConstraints(max_length=200), AfterValidator(printable)] = ""
    review_at: When | None = None
    expires_at: When | None = None
    # What changed and why, kept with the version.
    note: Short = ""
    # The version this edit started from: a save over someone else's newer one is refused.
    version: Annotated[int, Field(ge=1, le=2**31 - 1)] | None = None


class ArchiveIn(In):
    archived: bool


class ArticleSummary(Out):
    id: int
    client_id: str
    title: str
    tags: list[str]
    campaigns: list[str]
    skills: list[str]
    owner: str
    review_at: float | None
    expires_at: float | None
    archived: bool
    status: str
    version: int
    updated_at: float
    updated_by: str


class ArticleOut(ArticleSummary):
    body: str
    # Sanitized HTML (nh3 allow-list): safe to insert into a page as markup.
    html: str
    created_at: float
    bulletin_id: int | None


class VersionOut(Out):
    version: int
    title: str
    body: str
    changed_by: str
    changed_at: float
    note: str


class Piece(Out):
    """A piece of highlighted text: ``hit`` marks a matched word. Pages set it as text."""

    text: str
    hit: bool


class SearchHit(Out):
    article: ArticleSummary
    title: list[Piece]
    snippet: list[Piece]


class BulletinIn(In):
    # None: from the firm, to agents of every client company (administrators only).
    client_id: Ident | None = None
    title: Title
    body: Annotated[str, StringConstraints(max_length=20_000), AfterValidator(printable)] = ""
    due_at: When
    mandatory: bool = False
    question: Annotated[str, StringConstraints(max_length=1000), AfterValidator(printable)] = ""
    campaigns: Annotated[list[Ident], Field(max_length=100)] = []
    skills: Annotated[list[Ident], Field(max_length=100)] = []


class BulletinOut(Out):
    id: int
    client_id: str | None
    title: str
    body: str
    html: str
    question: str
    mandatory: bool
    due_at: float
    campaigns: list[str]
    skills: list[str]
    published_by: str
    published_at: float


class MyBulletin(BulletinOut):
    read_at: float | None
    acked_at: float | None
    answer: str | None
    overdue: bool


class PublishedOut(BulletinOut):
    agents: int


class ReceiptOut(Out):
    agent_id: str
    agent_name: str
    progress: str
    read_at: float | None
    acked_at: float | None
    answer: str | None
    overdue: bool


class ReceiptsOut(Out):
    bulletin: BulletinOut
    counts: dict[str, int]
    receipts: list[ReceiptOut]


class AcknowledgeIn(In):
    answer: Short = ""


class QuestionIn(In):
    text: Annotated[
        str, StringConstraints(min_length=1, max_length=2000), AfterValidator(printable)
    ]


class QuestionOut(Out):
    id: int
    bulletin_id: int
    agent_id: str
    text: str
    asked_at: float
    answer: str | None
    answered_by: str | None
    answered_at: float | None


class ToArticleIn(In):
    client_id: Ident


class KnowledgeSettings(In):
    ack_before_ready: bool
