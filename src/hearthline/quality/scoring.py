"""The score of an evaluation, 0-100.

Each answered question earns the share of its range it reached (yes 1, no 0; 4 on 1-5
is 3/4), weighted by its weight over the weights of the questions answered: a question
marked not applicable leaves the sum, so the rest keep their weights relative to each
other. A critical item answered "no" fails the evaluation outright: 0.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

from hearthline.quality.errors import AnswersRefused
from hearthline.quality.scorecard import RANGES, Question, Scorecard

# A question id -> the answer given, or None for "not applicable".
Answers = Mapping[str, int | None]


@dataclass(frozen=True, slots=True)
class Score:
    value: float  # 0-100, to two decimals
    critical_fail: bool
    # Each answered question's share of its range, 0-1; not-applicable ones are absent.
    earned: Mapping[str, float]


def check_answers(card: Scorecard, answers: Answers) -> None:
    """Every question answered within its range (or marked not applicable where the
    question allows it) and no answer to a question the card does not have."""
    known = {q.id for q in card.questions()}
    extra = sorted(set(answers) - known)
    if extra:
        raise AnswersRefused(f"no question {extra[0]!r} in version {card.version} of the card")
    for q in card.questions():
        if q.id not in answers:
            raise AnswersRefused(f"question {q.id!r} has no answer")
        value = answers[q.id]
        if value is None:
            if not q.allow_na:
                raise AnswersRefused(f"question {q.id!r} may not be marked not applicable")
            continue
        span = RANGES[q.kind]
        if isinstance(value, bool) or value not in span:
            raise AnswersRefused(
                f"question {q.id!r} ({q.kind}) takes {span.start} to {span.stop - 1}, not {value!r}"
            )
    if all(answers[q.id] is None for q in card.questions()):
        raise AnswersRefused("every question is marked not applicable: nothing to score")


def share(q: Question, value: int) -> Fraction:
    span = RANGES[q.kind]
    return Fraction(value - span.start, span.stop - 1 - span.start)


def score(card: Scorecard, answers: Answers) -> Score:
    """The score of checked ``answers`` (see ``check_answers``)."""
    check_answers(card, answers)
    answered = [(q, v) for q in card.questions() if (v := answers[q.id]) is not None]
    earned = {q.id: share(q, v) for q, v in answered}
    failed = any(q.critical and v == 0 for q, v in answered)
    total = sum(q.weight for q, _ in answered)
    value = (
        Fraction(0) if failed else 100 * sum(q.weight * earned[q.id] for q, _ in answered) / total
    )
    return Score(
        value=round(float(value), 2),
        critical_fail=failed,
        earned={k: float(v) for k, v in earned.items()},
    )
