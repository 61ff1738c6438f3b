"""A queue's overflow setting read from and written as text: one parser for every reader."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hearthline.kernel.ids import QueueId
from hearthline.routing import ConfigError, Overflow, OverflowKind

# Queue ids as scenarios and the admin pages allow them.
_QUEUE_IDS = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,30}", fullmatch=True)
_OVERFLOWS = st.one_of(
    st.sampled_from([Overflow(OverflowKind.CALLBACK), Overflow(OverflowKind.VOICEMAIL)]),
    _QUEUE_IDS.map(lambda q: Overflow(OverflowKind.QUEUE, QueueId(q))),
)


@settings(max_examples=200, deadline=None)
@given(_OVERFLOWS)
def test_an_overflow_written_as_text_reads_back_the_same(overflow: Overflow) -> None:
    assert Overflow.parse(overflow.text) == overflow


@settings(max_examples=200, deadline=None)
@given(_OVERFLOWS)
def test_an_overflow_split_into_kind_and_queue_reads_back_the_same(overflow: Overflow) -> None:
    assert Overflow.of(str(overflow.kind), overflow.queue) == overflow


def test_the_text_forms_are_the_scenario_words() -> None:
    assert Overflow.parse("queue:q2") == Overflow(OverflowKind.QUEUE, QueueId("q2"))
    assert Overflow.parse("callback").text == "callback"
    assert Overflow.parse("voicemail").text == "voicemail"
    assert Overflow(OverflowKind.QUEUE, QueueId("q2")).text == "queue:q2"


def test_an_empty_queue_column_is_no_queue() -> None:
    assert Overflow.of("voicemail", "") == Overflow(OverflowKind.VOICEMAIL)
    assert Overflow.of("callback", None) == Overflow(OverflowKind.CALLBACK)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("queue", "overflow 'queue' names no queue: write queue:ID"),
        ("queue:", "overflow 'queue:' names no queue: write queue:ID"),
        ("callback:q2", "overflow 'callback:q2': only an overflow to a queue names one"),
        ("hang-up", "unknown overflow kind 'hang-up': one of queue, callback, voicemail"),
        ("", "unknown overflow kind '': one of queue, callback, voicemail"),
    ],
)
def test_a_bad_overflow_is_refused_naming_the_problem(text: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        Overflow.parse(text)
    assert str(caught.value) == message


def test_a_kind_that_names_a_queue_it_cannot_use_is_refused() -> None:
    with pytest.raises(ConfigError, match="only that kind does"):
        Overflow.of("voicemail", "q2")
