"""Score arithmetic: golden cases worked by hand, and the invariants under Hypothesis."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hearthline.quality.errors import AnswersRefused, ScorecardRefused, WrongStatus
from hearthline.quality.lifecycle import Status, Step, after
from hearthline.quality.scorecard import RANGES, Kind, Question, Scorecard, Section, check_scorecard
from hearthline.quality.scoring import score

CARD = Scorecard(
    campaign="acme-returns",
    version=1,
    sections=(
        Section(
            "Opening",
            (
                Question("greet", "Greeted by name", Kind.YES_NO, weight=1),
                Question("verify", "Verified identity", Kind.YES_NO, weight=2, critical=True),
            ),
        ),
        Section(
            "Handling",
            (
                Question("empathy", "Empathy", Kind.SCALE_1_5, weight=3, allow_na=True),
                Question("resolution", "Resolution", Kind.SCALE_0_10, weight=4),
            ),
        ),
    ),
)


def test_golden_all_best_is_100_and_mixed_answers_are_weighted_by_hand() -> None:
    assert score(CARD, {"greet": 1, "verify": 1, "empathy": 5, "resolution": 10}).value == 100
    # greet 0*1, verify 1*2, empathy (4-1)/4*3 = 2.25, resolution 7/10*4 = 2.8
    # (0 + 2 + 2.25 + 2.8) / 10 = 0.705
    assert score(CARD, {"greet": 0, "verify": 1, "empathy": 4, "resolution": 7}).value == 70.5


def test_golden_not_applicable_leaves_the_weights_of_the_rest() -> None:
    # without empathy: (1*1 + 1*2 + 0.5*4) / 7 = 5/7
    got = score(CARD, {"greet": 1, "verify": 1, "empathy": None, "resolution": 5})
    assert got.value == 71.43 and "empathy" not in got.earned


def test_golden_critical_fail_gives_zero_whatever_else() -> None:
    got = score(CARD, {"greet": 1, "verify": 0, "empathy": 5, "resolution": 10})
    assert got.value == 0 and got.critical_fail


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({"greet": 1, "verify": 1, "empathy": 5}, "'resolution' has no answer"),
        ({"greet": 1, "verify": 1, "empathy": 6, "resolution": 1}, "takes 1 to 5, not 6"),
        ({"greet": None, "verify": 1, "empathy": 5, "resolution": 1}, "not applicable"),
        ({"greet": 1, "verify": 1, "empathy": 5, "resolution": 1, "x": 1}, "no question 'x'"),
    ],
)
def test_answers_that_do_not_fit_are_refused_by_name(
    answers: dict[str, int | None], message: str
) -> None:
    with pytest.raises(AnswersRefused, match=message):
        score(CARD, answers)


def test_a_critical_scale_question_or_a_repeated_id_is_refused() -> None:
    bad = Question("r", "R", Kind.SCALE_1_5, critical=True)
    with pytest.raises(ScorecardRefused, match="only a yes/no"):
        check_scorecard(Scorecard("c", 1, (Section("s", (bad, CARD.sections[0].questions[0])),)))
    twice = CARD.sections[0].questions[0]
    with pytest.raises(ScorecardRefused, match="appears twice"):
        check_scorecard(Scorecard("c", 1, (Section("s", (twice, twice)),)))


def test_a_dispute_can_only_be_resolved_once_and_only_when_disputed() -> None:
    assert after(Status.OPEN, Step.DISPUTE) is Status.DISPUTED
    assert after(Status.DISPUTED, Step.OVERTURN) is Status.OVERTURNED
    with pytest.raises(WrongStatus, match="that is acknowledged; it must be disputed"):
        after(Status.ACKNOWLEDGED, Step.UPHOLD)


@st.composite
def cards_and_answers(draw: st.DrawFn) -> tuple[Scorecard, dict[str, int | None]]:
    n = draw(st.integers(2, 8))
    questions = []
    answers: dict[str, int | None] = {}
    for i in range(n):
        kind = draw(st.sampled_from(list(Kind)))
        critical = kind is Kind.YES_NO and i > 0 and draw(st.booleans())
        q = Question(f"q{i}", "?", kind, draw(st.integers(1, 20)), critical, draw(st.booleans()))
        questions.append(q)
        span = RANGES[kind]
        na = q.allow_na and draw(st.booleans())
        answers[q.id] = None if na else draw(st.integers(span.start, span.stop - 1))
    if all(v is None for v in answers.values()):
        answers["q0"] = RANGES[questions[0].kind].start
    return check_scorecard(Scorecard("c", 1, (Section("s", tuple(questions)),))), answers


@settings(max_examples=60)
@given(cards_and_answers())
def test_a_score_never_leaves_0_to_100(case: tuple[Scorecard, dict[str, int | None]]) -> None:
    card, answers = case
    assert 0 <= score(card, answers).value <= 100


@settings(max_examples=60)
@given(cards_and_answers())
def test_a_critical_no_always_gives_zero(case: tuple[Scorecard, dict[str, int | None]]) -> None:
    card, answers = case
    failed = any(q.critical and answers[q.id] == 0 for q in card.questions())
    got = score(card, answers)
    assert got.critical_fail is failed
    if failed:
        assert got.value == 0


@settings(max_examples=60)
@given(cards_and_answers())
def test_not_applicable_is_the_same_as_leaving_the_question_out(
    case: tuple[Scorecard, dict[str, int | None]],
) -> None:
    card, answers = case
    kept = tuple(q for q in card.questions() if answers[q.id] is not None)
    without = Scorecard("c", 1, (Section("s", kept),))
    assert score(card, answers).value == score(without, {q.id: answers[q.id] for q in kept}).value
