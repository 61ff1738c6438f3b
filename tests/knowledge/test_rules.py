"""The pure rules, with Hypothesis: queries carry no operators, marks never change the
text, rendered Markdown never carries script, the audience and bulletin rules."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hearthline.knowledge import bulletins as kb
from hearthline.knowledge import search as ks
from hearthline.knowledge.articles import Audience, Status, status
from hearthline.knowledge.errors import KnowledgeError
from hearthline.knowledge.render import to_html

HOSTILE_BITS = st.sampled_from(
    [
        "<script>alert(1)</script>",
        "[x](javascript:alert(1))",
        "<img src=x onerror=alert(1)>",
        '![a](x" onerror="alert(1))',
        "<a href='javascript:alert(1)'>x</a>",
        "[y](JaVaScRiPt:alert(1))",
        "<svg onload=alert(1)>",
        "<iframe src=//evil>",
        '"',
        "NEAR(",
        "*",
        ":",
        "{title}",
    ]
)
TEXT = st.lists(st.one_of(st.text(max_size=20), HOSTILE_BITS), max_size=8).map(" ".join)


@given(TEXT)
def test_queries_are_quoted_words_only(typed: str) -> None:
    query = ks.parse(typed)
    for term in query.all_terms():
        assert re.fullmatch(r"[^\W_]+", term)
    for mode in ks.Mode:
        expression = ks.fts5_match(query, mode)
        outside = re.sub(r'"[^"]*"', "", expression).replace("{title tags} :", "")
        assert set(outside.replace("OR", "").replace("AND", "")) <= set(" ()*")
        lexemes = re.sub(r"'[^']*'", "", ks.tsquery(query, mode))
        assert set(lexemes) <= set(" ()|&:*AB")


@given(TEXT, TEXT, st.one_of(st.none(), st.integers(min_value=1, max_value=30)))
def test_marks_only_add_marks(text: str, typed: str, window: int | None) -> None:
    marked = ks.mark(text, ks.parse(typed), window=window)
    plain = "".join(piece for piece, _ in ks.segments(marked))
    if window is None:
        assert plain == text.strip()
    else:
        assert plain.replace("… ", "").replace(" …", "").strip() in text


@given(TEXT)
def test_rendered_markdown_never_carries_script(markdown: str) -> None:
    html = to_html(markdown).lower()
    assert "<script" not in html and "<iframe" not in html and "<svg" not in html
    assert not re.search(r"<[^>]*\son\w+\s*=", html)
    assert not re.search(r"<[^>]*href\s*=\s*[\"']?\s*javascript:", html)


@given(st.text(max_size=12), st.text(max_size=12))
def test_distance_is_symmetric_and_zero_only_for_equal_words(a: str, b: str) -> None:
    d = ks.distance(a, b, 20)
    assert d == ks.distance(b, a, 20)
    assert (d == 0) == (a == b)


def test_typos_correct_to_near_words_only() -> None:
    vocabulary = ["refund", "damaged", "delivery", "exchange", "router"]
    assert ks.corrections("refnud", vocabulary) == ["refund"]
    assert ks.corrections("delivrey", vocabulary) == ["delivery"]
    assert ks.corrections("refund", vocabulary) == []
    assert ks.corrections("zebra", vocabulary) == []
    assert ks.corrections("abc", vocabulary) == []  # too short to guess


@given(
    st.frozensets(st.sampled_from("abc")),
    st.frozensets(st.sampled_from("xyz")),
    st.frozensets(st.sampled_from("abc")),
    st.frozensets(st.sampled_from("xyz")),
)
def test_an_empty_audience_part_means_everyone(
    campaigns: frozenset[str], skills: frozenset[str], mine: frozenset[str], have: frozenset[str]
) -> None:
    reaches = Audience(campaigns, skills).reaches(campaigns=mine, skills=have)
    assert reaches == (
        (not campaigns or bool(campaigns & mine)) and (not skills or bool(skills & have))
    )


def test_status_and_bulletin_progress() -> None:
    assert status(archived=False, review_at=5, expires_at=10, now=7) is Status.REVIEW_DUE
    assert status(archived=False, review_at=5, expires_at=10, now=10) is Status.EXPIRED
    assert status(archived=True, review_at=None, expires_at=None, now=0) is Status.ARCHIVED
    assert kb.progress(read_at=None, acked_at=None, answered=False) is kb.Progress.UNREAD
    assert kb.progress(read_at=1, acked_at=2, answered=True) is kb.Progress.ANSWERED
    assert kb.overdue(acked_at=None, due_at=10, now=11)
    assert not kb.overdue(acked_at=9, due_at=10, now=11)
    with pytest.raises(KnowledgeError, match="check question"):
        kb.check_acknowledgement(question="Limit?", answer="  ")
    reason = kb.ready_refusal(["A", "B", "C", "D"])
    assert reason is not None and "'A', 'B', 'C' and 1 more" in reason
    assert kb.ready_refusal([]) is None
