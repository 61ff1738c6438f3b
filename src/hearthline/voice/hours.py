"""Opening hours of a campaign: weekly spans of local time, and holidays, in the firm's
time zone. Local times are compared as the wall clock shows them, so a line that opens
at 08:00 opens at 08:00 on both sides of a change to or from summer time."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from hearthline.voice.errors import VoiceError

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$|^24:00$")


class HoursError(VoiceError):
    code = "invalid-hours"


@dataclass(frozen=True, slots=True)
class Span:
    day: str  # mon .. sun
    opens: str  # "08:00"
    closes: str  # "18:00"; "24:00" is midnight at the end of the day


@dataclass(frozen=True, slots=True)
class OpeningHours:
    spans: tuple[Span, ...]
    holidays: tuple[dt.date, ...] = ()

    def is_open(self, at: float, tz: ZoneInfo) -> bool:
        local = dt.datetime.fromtimestamp(at, tz)
        if local.date() in self.holidays:
            return False
        day, minute = DAYS[local.weekday()], local.hour * 60 + local.minute
        return any(
            s.day == day and _minutes(s.opens) <= minute < _minutes(s.closes) for s in self.spans
        )

    def open_mask(self, start: float, step_s: float, count: int, tz: ZoneInfo) -> list[bool]:
        """Whether the line is open at the start of each of ``count`` intervals."""
        return [self.is_open(start + i * step_s, tz) for i in range(count)]


def check_hours(hours: OpeningHours) -> None:
    """Raises HoursError naming the span or holiday at fault."""
    if len(hours.spans) > 7 * 8:
        raise HoursError("at most 8 spans a day")
    if len(hours.holidays) > 400:
        raise HoursError("at most 400 holidays")
    for span in hours.spans:
        if span.day not in DAYS:
            raise HoursError(f"a day is one of {', '.join(DAYS)}, not {span.day!r}")
        for value in (span.opens, span.closes):
            if not _HHMM.match(value):
                raise HoursError(f"{span.day}: a time is HH:MM (00:00 to 24:00), not {value!r}")
        if _minutes(span.opens) >= _minutes(span.closes):
            raise HoursError(f"{span.day}: {span.opens}-{span.closes} closes before it opens")
    # Overlapping spans would be harmless to is_open, but they are a typing mistake whose
    # intent (a break, a longer day) only the editor knows: say which two.
    for day in DAYS:
        spans = sorted((s for s in hours.spans if s.day == day), key=lambda s: _minutes(s.opens))
        for before, after in itertools.pairwise(spans):
            if _minutes(after.opens) < _minutes(before.closes):
                raise HoursError(
                    f"{day}: {before.opens}-{before.closes} overlaps {after.opens}-{after.closes}"
                )


def _minutes(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)


def hours_from_dict(data: dict[str, object]) -> OpeningHours:
    """Hours as stored (``{"spans": [{"day", "opens", "closes"}], "holidays": [iso]}``)."""
    spans = data.get("spans", [])
    holidays = data.get("holidays", [])
    if not isinstance(spans, list) or not isinstance(holidays, list):
        raise HoursError("hours hold a list of spans and a list of holidays")
    return OpeningHours(
        spans=tuple(Span(str(s["day"]), str(s["opens"]), str(s["closes"])) for s in spans),
        holidays=tuple(dt.date.fromisoformat(str(h)) for h in holidays),
    )
