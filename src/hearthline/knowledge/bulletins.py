"""Bulletins: a policy change sent to the agents of an audience, each of whom reads it,
acknowledges it and, if it asks one, answers its check question by the due date."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from hearthline.kernel.text import text_problem
from hearthline.knowledge.articles import clean_text
from hearthline.knowledge.errors import KnowledgeError

MAX_TITLE = 300
MAX_BODY = 20_000


class Progress(StrEnum):
    """Where one agent is with one bulletin, as the supervisor sees it."""

    UNREAD = "unread"
    READ = "read"
    ACKNOWLEDGED = "acknowledged"
    ANSWERED = "answered"


@dataclass(frozen=True, slots=True)
class BulletinDraft:
    # None: from the firm itself, to agents of every client (administrators only).
    client: str | None
    title: str
    body: str
    due_at: float
    mandatory: bool = False
    question: str = ""
    campaigns: tuple[str, ...] = ()
    skills: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class AgentProfile:
    """What the audience is matched on."""

    agent: str
    clients: frozenset[str]
    campaigns: frozenset[str]
    skills: frozenset[str]


def check_draft(
    draft: BulletinDraft,
    *,
    now: float,
    campaign_clients: Mapping[str, str],
    skills: Collection[str],
) -> BulletinDraft:
    title = clean_text(draft.title).strip()
    if not title:
        raise KnowledgeError("title is empty")
    for name, text, limit in (
        ("title", title, MAX_TITLE),
        ("body", draft.body, MAX_BODY),
        ("question", draft.question, 1000),
    ):
        problem = text_problem(text, limit=limit)
        if problem is not None:
            raise KnowledgeError(f"{name} {problem}")
    if draft.due_at <= now:
        raise KnowledgeError("due_at is in the past: give a due date after now")
    for campaign in draft.campaigns:
        owner = campaign_clients.get(campaign)
        if owner is None or (draft.client is not None and owner != draft.client):
            raise KnowledgeError(f"campaign {campaign!r} is not a campaign of the audience")
    for skill in draft.skills:
        if skill not in skills:
            raise KnowledgeError(f"skill {skill!r} does not exist")
    return BulletinDraft(
        client=draft.client,
        title=title,
        body=clean_text(draft.body),
        due_at=draft.due_at,
        mandatory=draft.mandatory,
        question=clean_text(draft.question).strip(),
        campaigns=tuple(sorted(set(draft.campaigns))),
        skills=tuple(sorted(set(draft.skills))),
    )


def recipients(draft: BulletinDraft, agents: Iterable[AgentProfile]) -> list[str]:
    """The agents the bulletin goes to: of its client (any, from the firm), on one of its
    campaigns if it names some, with one of its skills if it names some."""
    out = []
    for a in agents:
        if draft.client is not None and draft.client not in a.clients:
            continue
        if draft.campaigns and not a.campaigns.intersection(draft.campaigns):
            continue
        if draft.skills and not a.skills.intersection(draft.skills):
            continue
        out.append(a.agent)
    return sorted(out)


def progress(*, read_at: float | None, acked_at: float | None, answered: bool) -> Progress:
    if answered:
        return Progress.ANSWERED
    if acked_at is not None:
        return Progress.ACKNOWLEDGED
    return Progress.READ if read_at is not None else Progress.UNREAD


def overdue(*, acked_at: float | None, due_at: float, now: float) -> bool:
    """Not acknowledged by the due date (an acknowledgement after it still counts as late
    only while it is missing: the supervisor chases who has not done it)."""
    return acked_at is None and now > due_at


def check_acknowledgement(*, question: str, answer: str) -> str:
    """The answer to store; a bulletin with a check question needs one."""
    answer = clean_text(answer).strip()
    if question and not answer:
        raise KnowledgeError("this bulletin asks a check question: answer it to acknowledge")
    problem = text_problem(answer, limit=2000)
    if problem is not None:
        raise KnowledgeError(f"answer {problem}")
    return answer


def ready_refusal(unacknowledged_titles: list[str]) -> str | None:
    """Why an agent may not go ready while mandatory bulletins wait, or None."""
    if not unacknowledged_titles:
        return None
    shown = ", ".join(repr(t) for t in unacknowledged_titles[:3])
    more = len(unacknowledged_titles) - 3
    tail = f" and {more} more" if more > 0 else ""
    return (
        f"acknowledge the mandatory bulletins first: {shown}{tail} "
        "(the firm requires it before going ready)"
    )
