"""Opening hours in the firm's zone: weekdays, holidays and the changes of summer time."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hearthline.voice.hours import DAYS, HoursError, OpeningHours, Span, check_hours

LONDON = ZoneInfo("Europe/London")
WEEKDAYS = OpeningHours(
    spans=(*(Span(d, "08:00", "18:00") for d in DAYS[:5]), Span("sat", "09:00", "12:30")),
    holidays=(dt.date(2026, 12, 25),),
)


def _at(*args: int) -> float:
    return dt.datetime(*args, tzinfo=LONDON).timestamp()


def test_open_on_weekdays_in_local_time_on_both_sides_of_summer_time() -> None:
    # 2026-03-29 the clocks went forward; 2026-10-25 back. 08:00 local is open either way.
    assert WEEKDAYS.is_open(_at(2026, 3, 27, 8, 0), LONDON)  # Friday, GMT
    assert WEEKDAYS.is_open(_at(2026, 3, 30, 8, 0), LONDON)  # Monday, BST
    assert not WEEKDAYS.is_open(_at(2026, 3, 30, 7, 59), LONDON)
    assert not WEEKDAYS.is_open(_at(2026, 10, 26, 18, 0), LONDON)
    assert WEEKDAYS.is_open(_at(2026, 10, 26, 17, 59), LONDON)


def test_closed_on_sundays_and_holidays_and_saturday_afternoons() -> None:
    assert not WEEKDAYS.is_open(_at(2026, 11, 29, 10, 0), LONDON)  # Sunday
    assert not WEEKDAYS.is_open(_at(2026, 12, 25, 10, 0), LONDON)  # a Friday, a holiday
    assert WEEKDAYS.is_open(_at(2026, 11, 28, 12, 29), LONDON)
    assert not WEEKDAYS.is_open(_at(2026, 11, 28, 12, 30), LONDON)


def test_the_same_instant_is_open_in_one_zone_and_closed_in_another() -> None:
    instant = _at(2026, 12, 1, 9, 0)  # 09:00 in London is 04:00 in New York
    assert WEEKDAYS.is_open(instant, LONDON)
    assert not WEEKDAYS.is_open(instant, ZoneInfo("America/New_York"))


def test_the_open_mask_of_a_day_in_quarter_hours() -> None:
    mask = WEEKDAYS.open_mask(_at(2026, 12, 1, 0, 0), 900, 96, LONDON)
    assert mask.index(True) == 32 and sum(mask) == 40  # 08:00, ten hours


@pytest.mark.parametrize(
    ("span", "words"),
    [
        (Span("monday", "08:00", "18:00"), "a day is one of"),
        (Span("mon", "8:00", "18:00"), "HH:MM"),
        (Span("mon", "18:00", "08:00"), "closes before it opens"),
        (Span("mon", "24:30", "25:00"), "HH:MM"),
    ],
)
def test_bad_hours_are_refused_naming_the_day(span: Span, words: str) -> None:
    with pytest.raises(HoursError, match=words):
        check_hours(OpeningHours(spans=(span,)))


@given(
    at=st.floats(1.7e9, 1.9e9),
    day=st.sampled_from(DAYS),
    opens=st.integers(0, 23 * 60),
    length=st.integers(1, 60),
)
def test_open_exactly_when_the_local_clock_is_in_a_span(
    at: float, day: str, opens: int, length: int
) -> None:
    closes = min(opens + length, 24 * 60)
    span = Span(day, _hhmm(opens), _hhmm(closes))
    hours = OpeningHours(spans=(span,))
    check_hours(hours)
    local = dt.datetime.fromtimestamp(at, LONDON)
    minute = local.hour * 60 + local.minute
    expected = DAYS[local.weekday()] == day and opens <= minute < closes
    assert hours.is_open(at, LONDON) is expected


def test_overlapping_spans_are_refused_naming_both_and_touching_ones_are_not() -> None:
    lunch = (Span("tue", "13:00", "18:00"), Span("tue", "08:00", "12:00"))
    check_hours(OpeningHours(spans=(*lunch, Span("tue", "18:00", "20:00"))))
    with pytest.raises(HoursError, match="tue: 08:00-12:00 overlaps 11:30-14:00"):
        check_hours(OpeningHours(spans=(*lunch, Span("tue", "11:30", "14:00"))))
    check_hours(OpeningHours(spans=(*lunch, Span("wed", "11:30", "14:00"))))


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"
