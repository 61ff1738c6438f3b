"""Scorecard templates: sections of weighted questions, some of them critical.

A template belongs to a campaign and is never edited in place: a change is a new
version, and every evaluation names the version it was made with, so an old score
still reads against the questions it answered.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum

from hearthline.quality.errors import ScorecardRefused

MAX_QUESTIONS = 200
MAX_WEIGHT = 1000


class Kind(StrEnum):
    YES_NO = "yes_no"
    SCALE_1_5 = "scale_1_5"
    SCALE_0_10 = "scale_0_10"


# The answers each kind takes, lowest (worst) to highest (best).
RANGES: Mapping[Kind, range] = {
    Kind.YES_NO: range(2),
    Kind.SCALE_1_5: range(1, 6),
    Kind.SCALE_0_10: range(11),
}


@dataclass(frozen=True, slots=True)
class Question:
    id: str
    text: str
    kind: Kind
    weight: int = 1
    # A critical item answered "no" fails the whole evaluation: a score of 0.
    critical: bool = False
    allow_na: bool = False


@dataclass(frozen=True, slots=True)
class Section:
    title: str
    questions: tuple[Question, ...]


@dataclass(frozen=True, slots=True)
class Scorecard:
    campaign: str
    version: int
    sections: tuple[Section, ...]

    def questions(self) -> Iterator[Question]:
        for section in self.sections:
            yield from section.questions

    def question(self, ident: str) -> Question | None:
        return next((q for q in self.questions() if q.id == ident), None)


def check_scorecard(card: Scorecard) -> Scorecard:
    """``card`` if it can be scored; otherwise a refusal naming the first problem."""
    questions = list(card.questions())
    if not questions:
        raise ScorecardRefused("a scorecard needs at least one question")
    if len(questions) > MAX_QUESTIONS:
        raise ScorecardRefused(f"a scorecard holds at most {MAX_QUESTIONS} questions")
    seen: set[str] = set()
    for section in card.sections:
        if not section.questions:
            raise ScorecardRefused(f"section {section.title!r} has no questions")
    for q in questions:
        if q.id in seen:
            raise ScorecardRefused(f"question id {q.id!r} appears twice")
        seen.add(q.id)
        if not 1 <= q.weight <= MAX_WEIGHT:
            raise ScorecardRefused(
                f"question {q.id!r}: weight {q.weight} is not between 1 and {MAX_WEIGHT}"
            )
        if q.critical and q.kind is not Kind.YES_NO:
            raise ScorecardRefused(
                f"question {q.id!r}: only a yes/no question can be critical, not {q.kind}"
            )
    if all(q.critical for q in questions):
        raise ScorecardRefused("a scorecard needs at least one question that is not critical")
    return card
