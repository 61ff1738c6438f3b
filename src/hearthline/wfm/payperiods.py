"""Pay periods: weekly, fortnightly or monthly, from an anchor day, in the firm's zone.

A period is a run of whole local days; its window in real time runs from local midnight
to local midnight, so a period that contains a clock change is an hour shorter or longer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo


class Cadence(StrEnum):
    WEEKLY = "weekly"
    FORTNIGHTLY = "fortnightly"
    MONTHLY = "monthly"


@dataclass(frozen=True, slots=True)
class PayPeriod:
    first_day: date
    end_day: date  # the day after the last day

    def window(self, zone: ZoneInfo) -> tuple[datetime, datetime]:
        return _midnight(self.first_day, zone), _midnight(self.end_day, zone)

    @property
    def label(self) -> str:
        last = self.end_day - timedelta(days=1)
        return f"{self.first_day.isoformat()} to {last.isoformat()}"


@dataclass(frozen=True, slots=True)
class PayCalendar:
    cadence: Cadence
    # The first day of one period; the others follow from it. For monthly periods only
    # its day of the month matters (1-28).
    anchor: date

    def __post_init__(self) -> None:
        if self.cadence is Cadence.MONTHLY and self.anchor.day > 28:
            raise ValueError("a monthly pay period must start on day 1 to 28 of the month")

    def period_of(self, day: date) -> PayPeriod:
        if self.cadence is Cadence.MONTHLY:
            start = day.replace(day=self.anchor.day)
            if start > day:
                start = _add_months(start, -1)
            return PayPeriod(start, _add_months(start, 1))
        length = 7 if self.cadence is Cadence.WEEKLY else 14
        offset = (day - self.anchor).days % length
        start = day - timedelta(days=offset)
        return PayPeriod(start, start + timedelta(days=length))

    def following(self, period: PayPeriod) -> PayPeriod:
        return self.period_of(period.end_day)


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return day.replace(year=index // 12, month=index % 12 + 1)
