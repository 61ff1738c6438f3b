"""What evaluations add up to: calibration spreads and trends over time."""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

WEEK_S = 7 * 86_400.0


@dataclass(frozen=True, slots=True)
class Scored:
    """An evaluation as the analyses need it: earned shares are 0-1 per question."""

    evaluator: str
    agent: str
    team: str
    at: float
    score: float
    earned: Mapping[str, float]


@dataclass(frozen=True, slots=True)
class Spread:
    question: str  # "" for the total score
    evaluations: int
    low: float
    high: float
    mean: float
    stdev: float


def _spread(question: str, values: list[float]) -> Spread:
    return Spread(
        question=question,
        evaluations=len(values),
        low=round(min(values), 2),
        high=round(max(values), 2),
        mean=round(statistics.fmean(values), 2),
        stdev=round(statistics.pstdev(values), 2),
    )


def calibration(scored: Iterable[Scored]) -> list[Spread]:
    """How far evaluators of one contact stand apart: the total score first, then each
    question they answered, on 0-100 (a question marked not applicable is left out)."""
    items = list(scored)
    if not items:
        return []
    by_question: dict[str, list[float]] = defaultdict(list)
    for s in items:
        for q, earned in s.earned.items():
            by_question[q].append(100 * earned)
    return [_spread("", [s.score for s in items])] + [
        _spread(q, v) for q, v in sorted(by_question.items())
    ]


@dataclass(frozen=True, slots=True)
class Point:
    period_start: float
    who: str
    question: str  # "" for the total score
    evaluations: int
    mean: float


def trends(
    scored: Iterable[Scored],
    *,
    by: Callable[[Scored], str],
    origin: float,
    period_s: float = WEEK_S,
    question: str | None = None,
) -> list[Point]:
    """The mean score (or one question's, 0-100) per group and per period of
    ``period_s`` counted from ``origin``, periods in order."""
    groups: dict[tuple[float, str], list[float]] = defaultdict(list)
    for s in scored:
        start = origin + (s.at - origin) // period_s * period_s
        if question is None:
            groups[(start, by(s))].append(s.score)
        elif question in s.earned:
            groups[(start, by(s))].append(100 * s.earned[question])
    return [
        Point(start, who, question or "", len(v), round(statistics.fmean(v), 2))
        for (start, who), v in sorted(groups.items())
    ]
