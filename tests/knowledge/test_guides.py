"""Call guides as a pure model: what a valid guide is, and walks over random guides."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hearthline.knowledge.guides import (
    Answer,
    Guide,
    GuideInvalid,
    PathInvalid,
    Step,
    answer,
    back,
    check,
    from_script,
    guide,
    replay,
)
from hearthline.store.queries.guides import dump_steps, load_steps


@st.composite
def valid_guides(draw: st.DrawFn) -> Guide:
    """Random guides that are valid by construction: each step after the first is reached
    from an earlier one, each non-end step has a way forward, and extra answers go
    anywhere (loops included)."""
    n = draw(st.integers(min_value=1, max_value=12))
    ids = [f"s{i}" for i in range(n)]
    answers: list[list[Answer]] = [[] for _ in range(n)]
    for i in range(1, n):
        parent = draw(st.integers(min_value=0, max_value=i - 1))
        answers[parent].append(Answer(f"to {i} from {parent}", ids[i]))
    ends = {n - 1} | {i for i in range(n) if not answers[i] and draw(st.booleans())}
    for i in range(n):
        if i in ends:
            answers[i] = []
            continue
        if not any(ids.index(a.next) > i for a in answers[i]):
            forward = draw(st.integers(min_value=i + 1, max_value=n - 1))
            answers[i].append(Answer(f"on to {forward}", ids[forward]))
        for k in draw(st.lists(st.integers(min_value=0, max_value=n - 1), max_size=3)):
            label = f"jump {k}"
            if all(a.label != label for a in answers[i]):
                answers[i].append(Answer(label, ids[k]))
    # An end that some forward step would skip must still be reachable: keep only the
    # guides whose random ends are all reached (the check below is the oracle of that).
    steps = [Step(ids[i], f"Say **{i}**", tuple(answers[i])) for i in range(n)]
    made = Guide(tuple(steps))
    try:
        check(made)
    except GuideInvalid:
        # Only an unreached end step can fail here; drop it and the guide is valid.
        made = Guide(tuple(s for s in steps if s.answers or s.id in _reached(made)))
        check(made)
    return made


def _reached(g: Guide) -> set[str]:
    seen, todo = {g.start}, [g.start]
    while todo:
        for a in g.step(todo.pop()).answers:
            if a.next not in seen:
                seen.add(a.next)
                todo.append(a.next)
    return seen


@settings(max_examples=300, deadline=None)
@given(valid_guides(), st.lists(st.integers(min_value=0, max_value=20), max_size=40), st.data())
def test_every_walk_ends_at_an_end_or_stays_on_a_step_and_its_path_replays(
    g: Guide, choices: list[int], data: st.DataObject
) -> None:
    path: tuple[tuple[str, str], ...] = ()
    ids = {s.id for s in g.steps}
    for choice in choices:
        at = replay(g, path)
        assert at in ids
        step = g.step(at)
        if step.is_end:
            break
        if choice == 0 and path:  # now and then the agent goes back
            previous = replay(g, back(path))
            path = back(path)
            assert replay(g, path) == previous
            continue
        label = step.answers[choice % len(step.answers)].label
        path = answer(g, path, label)
    at = replay(g, path)
    assert at in ids
    # Saved as it is stored (the guide's JSON, the path through the log's JSON), the path
    # replays to the same step; and from any step an end is still ahead.
    stored = load_steps(dump_steps(g))
    assert stored == g
    saved = tuple((step, label) for step, label in json.loads(json.dumps(path)))
    assert replay(stored, saved) == at
    assert any(g.step(s).is_end for s in _reachable_from(g, at))


def _reachable_from(g: Guide, start: str) -> set[str]:
    seen, todo = {start}, [start]
    while todo:
        for a in g.step(todo.pop()).answers:
            if a.next not in seen:
                seen.add(a.next)
                todo.append(a.next)
    return seen


@settings(max_examples=200, deadline=None)
@given(valid_guides(), st.data())
def test_cutting_every_way_into_a_step_is_refused_naming_it(g: Guide, data: st.DataObject) -> None:
    if len(g.steps) < 2:
        return
    victim = data.draw(st.sampled_from([s.id for s in g.steps[1:]]))
    cut = tuple(
        Step(s.id, s.text, tuple(a for a in s.answers if a.next != victim) or ()) for s in g.steps
    )
    with pytest.raises(GuideInvalid) as refused:
        check(Guide(cut))
    assert refused.value.step is not None
    assert refused.value.step in str(refused.value)


def test_a_branch_to_a_missing_step_is_refused_naming_the_step() -> None:
    with pytest.raises(GuideInvalid, match=r"'ask'.*'refund'.*does not exist") as refused:
        guide(
            [
                Step("ask", "Damaged?", (Answer("yes", "refund"), Answer("no", "end"))),
                Step("end", "Bye"),
            ]
        )
    assert refused.value.step == "ask"


def test_an_unreachable_step_is_refused_naming_it() -> None:
    with pytest.raises(GuideInvalid, match="'orphan' cannot be reached") as refused:
        guide([Step("a", "Hi", (Answer("ok", "b"),)), Step("b", "Bye"), Step("orphan", "Lost")])
    assert refused.value.step == "orphan"


def test_a_guide_without_an_end_is_refused() -> None:
    with pytest.raises(GuideInvalid, match="no end"):
        guide([Step("a", "Hi", (Answer("ok", "b"),)), Step("b", "Again", (Answer("ok", "a"),))])


def test_a_loop_with_no_way_out_is_refused_naming_a_step_in_it() -> None:
    steps = [
        Step("a", "Hi", (Answer("sell", "b"), Answer("done", "end"))),
        Step("b", "Offer", (Answer("again", "c"),)),
        Step("c", "Offer more", (Answer("again", "b"),)),
        Step("end", "Bye"),
    ]
    with pytest.raises(GuideInvalid, match="never leads to an end") as refused:
        guide(steps)
    assert refused.value.step in {"b", "c"}


def test_duplicate_steps_and_answers_and_empty_text_are_refused() -> None:
    with pytest.raises(GuideInvalid, match="'a' appears twice"):
        guide([Step("a", "Hi"), Step("a", "Bye")])
    with pytest.raises(GuideInvalid, match="answer 'ok' appears twice"):
        guide([Step("a", "Hi", (Answer("ok", "b"), Answer("ok", "b"))), Step("b", "Bye")])
    with pytest.raises(GuideInvalid, match="'b': text is empty"):
        guide([Step("a", "Hi", (Answer("ok", "b"),)), Step("b", "  ")])
    with pytest.raises(GuideInvalid, match="at least one step"):
        guide([])


def test_a_path_the_guide_cannot_have_taken_is_refused() -> None:
    g = guide([Step("a", "Hi", (Answer("ok", "b"),)), Step("b", "Bye")])
    assert replay(g, (("a", "ok"),)) == "b"
    with pytest.raises(PathInvalid, match="no answer 'nope'"):
        replay(g, (("a", "nope"),))
    with pytest.raises(PathInvalid, match="reaches step 'a', not 'b'"):
        replay(g, (("b", "ok"),))
    with pytest.raises(PathInvalid, match="is an end"):
        replay(g, (("a", "ok"), ("b", "ok")))


def test_a_plain_script_becomes_a_one_step_guide_that_is_its_own_end() -> None:
    g = from_script("Thank you for calling.\nAsk for the order number.")
    check(g)
    assert g.start == "script" and g.step("script").is_end
    assert "order number" in g.step("script").text


def test_the_demo_firm_has_a_branching_guide_for_every_campaign() -> None:
    from hearthline.demo.firm import SCRIPTS
    from hearthline.demo.guides import GUIDES

    assert set(GUIDES) == set(SCRIPTS)
    for made in GUIDES.values():
        check(made)
        assert any(len(s.answers) > 1 for s in made.steps)  # it branches
