"""Date ranges in the firm's time zone, as the spans of the log's clock they cover.

    span = Span.of(dt.date(2026, 3, 1), dt.date(2026, 3, 31), ZoneInfo("Europe/London"))
    span.start, span.end          # epoch seconds: local midnight to the next one
    span.day_of(interval_start)   # the local date an interval belongs to

Days run from local midnight to local midnight, so a day on which the clocks change holds
23 or 25 hours (92 or 100 fifteen-minute intervals): zoneinfo does the arithmetic. The
statistics' intervals are aligned on the epoch; every time zone in use today is a whole
number of quarter hours from UTC, so a local day is made of whole fifteen-minute intervals.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# The longest range one report covers: a year and a day, a leap year's worth.
MAX_DAYS = 367


class Period(StrEnum):
    DAY = "day"
    WEEK = "week"  # Monday to Sunday, ISO 8601
    MONTH = "month"


class PeriodError(ValueError):
    """A range that cannot be reported on, with the reason."""


def zone(name: str) -> ZoneInfo:
    """The time zone named ``name`` (IANA, e.g. Europe/Paris); PeriodError if unknown."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise PeriodError(
            f"unknown time zone {name!r}: use an IANA name such as Europe/Paris"
        ) from None


def period_dates(period: Period, day: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last dates of the day, week or month holding ``day``."""
    if period is Period.DAY:
        return day, day
    if period is Period.WEEK:
        first = day - dt.timedelta(days=day.weekday())
        return first, first + dt.timedelta(days=6)
    first = day.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return first, following - dt.timedelta(days=1)


def midnight(day: dt.date, tz: ZoneInfo) -> float:
    """Epoch seconds of the start of ``day`` in ``tz``."""
    return dt.datetime.combine(day, dt.time(), tzinfo=tz).timestamp()


@dataclass(frozen=True, slots=True)
class Span:
    first: dt.date
    last: dt.date
    tz: ZoneInfo
    start: float
    end: float

    @classmethod
    def of(cls, first: dt.date, last: dt.date, tz: ZoneInfo) -> Span:
        """The days ``first`` to ``last``, both included."""
        if last < first:
            raise PeriodError(f"the range ends ({last}) before it starts ({first})")
        if first.year < 1970 or last.year > 9000:
            raise PeriodError("dates must be from 1970 on")
        if (last - first).days + 1 > MAX_DAYS:
            raise PeriodError(f"a report covers at most {MAX_DAYS} days")
        return cls(first, last, tz, midnight(first, tz), midnight(last + dt.timedelta(1), tz))

    def local(self, t: float) -> dt.datetime:
        return dt.datetime.fromtimestamp(t, tz=self.tz)

    def day_of(self, t: float) -> dt.date:
        return self.local(t).date()

    def label(self, t: float) -> str:
        """An interval's local start, with its offset: unambiguous when clocks go back."""
        return self.local(t).isoformat(timespec="minutes")
