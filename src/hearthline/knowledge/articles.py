"""Articles: a client company's procedures in Markdown, with an owner, dates to review and
to retire them, and an audience (campaigns and skills) within that client."""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from hearthline.kernel.text import text_problem
from hearthline.knowledge.errors import KnowledgeError
from hearthline.knowledge.search import HIT_END, HIT_START

MAX_TITLE = 300
MAX_BODY = 60_000
MAX_TAGS = 30
_TAG = re.compile(r"^[\w][\w .:+-]{0,59}$")


class Status(StrEnum):
    CURRENT = "current"
    REVIEW_DUE = "review-due"
    EXPIRED = "expired"
    ARCHIVED = "archived"


@dataclass(frozen=True, slots=True)
class ArticleDraft:
    """What an editor sends: checked by ``check_draft`` before anything is stored."""

    client: str
    title: str
    body: str
    campaigns: tuple[str, ...] = ()
    skills: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    owner: str = ""
    review_at: float | None = None
    expires_at: float | None = None
    note: str = ""


@dataclass(frozen=True, slots=True)
class Audience:
    """Who an article is for within its client: no campaigns means all of the client's,
    no skills means any agent."""

    campaigns: frozenset[str] = field(default_factory=frozenset)
    skills: frozenset[str] = field(default_factory=frozenset)

    def reaches(self, *, campaigns: Collection[str], skills: Collection[str]) -> bool:
        if self.campaigns and not self.campaigns.intersection(campaigns):
            return False
        return not self.skills or bool(self.skills.intersection(skills))


def clean_text(text: str) -> str:
    """Stored text never holds the highlight marks (see ``search.HIT_START``)."""
    return text.replace(HIT_START, "").replace(HIT_END, "")


def check_draft(
    draft: ArticleDraft, *, campaign_clients: Mapping[str, str], skills: Collection[str]
) -> ArticleDraft:
    """The draft with its text cleaned, or a refusal naming the first problem."""
    title = clean_text(draft.title).strip()
    if not title:
        raise KnowledgeError("title is empty")
    _text("title", title, MAX_TITLE)
    body = clean_text(draft.body)
    _text("body", body, MAX_BODY)
    _text("note", draft.note, 1000)
    _text("owner", draft.owner, 200)
    for campaign in draft.campaigns:
        if campaign_clients.get(campaign) != draft.client:
            raise KnowledgeError(f"campaign {campaign!r} is not a campaign of {draft.client!r}")
    for skill in draft.skills:
        if skill not in skills:
            raise KnowledgeError(f"skill {skill!r} does not exist")
    if len(draft.tags) > MAX_TAGS:
        raise KnowledgeError(f"at most {MAX_TAGS} tags")
    for tag in draft.tags:
        if not _TAG.match(tag):
            raise KnowledgeError(f"tag {tag[:80]!r}: letters, digits, spaces and . : + - only")
    if (
        draft.review_at is not None
        and draft.expires_at is not None
        and draft.expires_at < draft.review_at
    ):
        raise KnowledgeError("expires_at is before review_at")
    return ArticleDraft(
        client=draft.client,
        title=title,
        body=body,
        campaigns=tuple(sorted(set(draft.campaigns))),
        skills=tuple(sorted(set(draft.skills))),
        tags=tuple(dict.fromkeys(t.strip() for t in draft.tags)),
        owner=draft.owner.strip(),
        review_at=draft.review_at,
        expires_at=draft.expires_at,
        note=draft.note.strip(),
    )


def status(
    *, archived: bool, review_at: float | None, expires_at: float | None, now: float
) -> Status:
    if archived:
        return Status.ARCHIVED
    if expires_at is not None and expires_at <= now:
        return Status.EXPIRED
    if review_at is not None and review_at <= now:
        return Status.REVIEW_DUE
    return Status.CURRENT


def _text(name: str, text: str, limit: int) -> None:
    problem = text_problem(text, limit=limit)
    if problem is not None:
        raise KnowledgeError(f"{name} {problem}")
