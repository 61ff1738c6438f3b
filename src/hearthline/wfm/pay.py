"""Pay for time on the clock: a timesheet's spans, priced by the rules in force.

The input is what a timesheet says an agent did, as spans of real (UTC) time: working,
on a paid or unpaid break, or on leave. Each paid second is priced once:

- regular time at the hourly rate, or overtime at rate x multiplier once the day's or the
  week's paid hours pass their threshold (whichever comes first);
- on top of either, a night or weekend premium (a share of the rate) for the seconds
  that fall in the firm's night hours or on a Saturday or Sunday, in the firm's time zone;
- leave at the plain rate where the rule gives paid leave.

A shift (spans that follow each other without a gap) belongs to the day it started on,
so a night shift's overtime is counted against the evening it began, not cut in two at
midnight; weeks run Monday to Sunday over those days. Time is real elapsed time: the
night the clocks go back pays the hour it really lasted.

A pay period is a window over the same run of pieces, and its lines are rounded as the
running total is (``money.cents_between``), so cutting a run into periods anywhere gives
the same total to the cent.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from functools import lru_cache
from itertools import pairwise
from zoneinfo import ZoneInfo

from hearthline.wfm.money import cents_between, exact


class SpanKind(StrEnum):
    WORK = "work"
    PAID_BREAK = "paid_break"
    UNPAID_BREAK = "unpaid_break"
    LEAVE = "leave"


# What counts towards hours (and so towards overtime).
ON_THE_CLOCK = frozenset({SpanKind.WORK, SpanKind.PAID_BREAK})


@dataclass(frozen=True, slots=True)
class TimeSpan:
    agent: str
    start: datetime
    end: datetime
    kind: SpanKind
    reason: str = ""


@dataclass(frozen=True, slots=True)
class PayRule:
    """How an agent's time is paid from ``effective_from`` (a day, in the firm's zone)
    until the next rule of theirs takes over."""

    effective_from: date
    hourly_rate: Decimal
    daily_overtime_after_h: Decimal | None = None
    weekly_overtime_after_h: Decimal | None = None
    overtime_multiplier: Decimal = Decimal("1.5")
    night_premium: Decimal = Decimal(0)  # share of the rate, 0.25 = +25%
    night_start: time = time(22)
    night_end: time = time(6)
    weekend_premium: Decimal = Decimal(0)
    paid_leave: bool = False


def rules_in_force(
    own: Mapping[str, Sequence[PayRule]],
    by_contract: Mapping[str, Sequence[PayRule]],
    contract_kind: Mapping[str, str],
) -> dict[str, list[PayRule]]:
    """Each agent's pay rules: those of their contract's kind (full-time, part-time)
    until their own first rule takes effect, and from then on their own alone (an own
    rule overrides the contract's, whatever the contract's later rules say). An agent
    with neither is not paid by the payroll."""
    out: dict[str, list[PayRule]] = {}
    for agent in sorted(set(own) | set(contract_kind)):
        mine = sorted(own.get(agent, ()), key=lambda r: r.effective_from)
        theirs = by_contract.get(contract_kind.get(agent, ""), ())
        if mine:
            theirs = [r for r in theirs if r.effective_from < mine[0].effective_from]
        rules = sorted(theirs, key=lambda r: r.effective_from) + mine
        if rules:
            out[agent] = rules
    return out


class LineKind(StrEnum):
    REGULAR = "regular"
    OVERTIME = "overtime"
    NIGHT = "night premium"
    WEEKEND = "weekend premium"
    LEAVE = "paid leave"


@dataclass(frozen=True, slots=True)
class Piece:
    """A stretch of one span that is priced the same all through."""

    span: TimeSpan
    start: datetime
    end: datetime
    rule: PayRule
    workday: date
    overtime: bool
    night: bool
    weekend: bool

    @property
    def seconds(self) -> int:
        return int((self.end - self.start).total_seconds())

    def lines(self) -> Iterator[tuple[LineKind, Fraction]]:
        """Each line this piece adds to, with the amount per second."""
        rate, overtime, night, weekend = _per_second(self.rule)
        if self.span.kind is SpanKind.LEAVE:
            if self.rule.paid_leave:
                yield LineKind.LEAVE, rate
            return
        if self.overtime:
            yield LineKind.OVERTIME, overtime
        else:
            yield LineKind.REGULAR, rate
        if self.night and night:
            yield LineKind.NIGHT, night
        if self.weekend and weekend:
            yield LineKind.WEEKEND, weekend


@lru_cache(maxsize=4096)
def _per_second(rule: PayRule) -> tuple[Fraction, Fraction, Fraction, Fraction]:
    # The same few rules price every piece of a payroll: work their rates out once.
    rate = exact(rule.hourly_rate) / 3600
    return (
        rate,
        rate * exact(rule.overtime_multiplier),
        rate * exact(rule.night_premium),
        rate * exact(rule.weekend_premium),
    )


@dataclass(frozen=True, slots=True)
class PayLine:
    agent: str
    kind: LineKind
    rate_from: date  # the rule the line is priced by, so a mid-period raise shows as two lines
    seconds: int
    amount: Decimal
    workdays: tuple[date, ...] = field(default=())

    @property
    def hours(self) -> Decimal:
        return (Decimal(self.seconds) / 3600).quantize(Decimal("0.01"))


class PayError(ValueError):
    """Spans or rules that cannot be priced; the message names the problem."""


def pieces(
    spans: Iterable[TimeSpan], rules: Mapping[str, Sequence[PayRule]], zone: ZoneInfo
) -> list[Piece]:
    """Every paid or counted stretch of ``spans``, classified, in time order per agent."""
    out: list[Piece] = []
    by_agent: dict[str, list[TimeSpan]] = {}
    for span in spans:
        _check_span(span)
        whole = _whole_seconds(span)
        if whole.end > whole.start:
            by_agent.setdefault(span.agent, []).append(whole)
    for agent, own in sorted(by_agent.items()):
        own.sort(key=lambda s: s.start)
        _check_no_overlap(own)
        agent_rules = sorted(rules.get(agent, ()), key=lambda r: r.effective_from)
        out.extend(_agent_pieces(own, agent_rules, zone))
    return out


LineKey = tuple[str, LineKind, date]  # agent, kind, the rule's first day


@dataclass(frozen=True, slots=True)
class PayRun:
    lines: list[PayLine]
    # The exact running totals at the window's end: what a closed period carries over.
    totals: dict[LineKey, Fraction]


def pay_lines(
    run: Sequence[Piece],
    window_start: datetime,
    window_end: datetime,
    carried: Mapping[LineKey, Fraction] | None = None,
) -> PayRun:
    """The lines of the pay for ``[window_start, window_end)``.

    Each line is rounded as its running total is: ``carried`` holds the exact totals
    at the window's start (a closed period's); without it, what ``run`` itself holds
    before the window counts, so a run that starts early enough gives the same lines."""
    # Whole seconds are counted per line and multiplied by its price once: a month of
    # pieces is a few exact products, not one per piece. A line is one rule's one kind,
    # so one price; a second price for it (never from ``pieces``) is summed apart.
    price: dict[LineKey, Fraction] = {}
    counted_before: dict[LineKey, int] = {}
    counted_inside: dict[LineKey, int] = {}
    other_before: dict[LineKey, Fraction] = {}
    other_inside: dict[LineKey, Fraction] = {}
    seconds: dict[LineKey, int] = {}
    days: dict[LineKey, set[date]] = {}
    for piece in run:
        if piece.start >= window_end:
            continue
        earlier = _overlap_seconds(piece, piece.start, window_start)
        within = _overlap_seconds(piece, window_start, window_end)
        for kind, per_second in piece.lines():
            key = (piece.span.agent, kind, piece.rule.effective_from)
            known = price.setdefault(key, per_second)
            if known is per_second or known == per_second:
                counted_before[key] = counted_before.get(key, 0) + earlier
                counted_inside[key] = counted_inside.get(key, 0) + within
            else:
                other_before[key] = other_before.get(key, Fraction(0)) + per_second * earlier
                other_inside[key] = other_inside.get(key, Fraction(0)) + per_second * within
            if within:
                seconds[key] = seconds.get(key, 0) + within
                days.setdefault(key, set()).add(piece.workday)
    before = {k: price[k] * n + other_before.get(k, Fraction(0)) for k, n in counted_before.items()}
    inside = {
        k: price[k] * n + other_inside.get(k, Fraction(0))
        for k, n in counted_inside.items()
        if k in seconds
    }
    start_totals = dict(before) if carried is None else dict(carried)
    totals = dict(start_totals)
    lines = []
    for key in sorted(inside):
        start_total = start_totals.get(key, Fraction(0))
        totals[key] = start_total + inside[key]
        agent, kind, rate_from = key
        amount = cents_between(start_total, totals[key])
        lines.append(
            PayLine(agent, kind, rate_from, seconds[key], amount, tuple(sorted(days[key])))
        )
    return PayRun(lines, totals)


def _overlap_seconds(piece: Piece, start: datetime, end: datetime) -> int:
    lo, hi = max(piece.start, start), min(piece.end, end)
    return max(0, int((hi - lo).total_seconds()))


def _check_span(span: TimeSpan) -> None:
    if span.start.tzinfo is None or span.end.tzinfo is None:
        raise PayError(f"span of {span.agent} at {span.start} has no time zone")
    if span.end <= span.start:
        raise PayError(f"span of {span.agent} at {span.start} ends before it starts")


def _whole_seconds(span: TimeSpan) -> TimeSpan:
    # Pay counts whole seconds: the log's times carry fractions, and a piece shorter than
    # a second could not be priced (nor cut at an hour threshold) in whole seconds.
    start = span.start.replace(microsecond=0)
    end = span.end.replace(microsecond=0)
    return TimeSpan(span.agent, start, end, span.kind, span.reason)


def _check_no_overlap(spans: Sequence[TimeSpan]) -> None:
    # No second is paid twice: a timesheet with overlapping spans is refused, not summed.
    for before, after in pairwise(spans):
        if after.start < before.end:
            raise PayError(
                f"spans of {after.agent} overlap: {before.kind} {before.start.isoformat()}"
                f"-{before.end.isoformat()} and {after.kind} {after.start.isoformat()}"
            )


def _rule_for(rules: Sequence[PayRule], day: date, agent: str) -> PayRule:
    chosen = None
    for rule in rules:
        if rule.effective_from <= day:
            chosen = rule
    if chosen is None:
        raise PayError(f"no pay rule for {agent} on {day.isoformat()}")
    return chosen


def _agent_pieces(
    spans: Sequence[TimeSpan], rules: Sequence[PayRule], zone: ZoneInfo
) -> list[Piece]:
    out: list[Piece] = []
    day_seconds: dict[date, int] = {}
    week_seconds: dict[date, int] = {}
    workday = spans[0].start.astimezone(zone).date()
    previous_end: datetime | None = None
    for span in spans:
        if span.kind is SpanKind.UNPAID_BREAK:
            previous_end = span.end  # a break does not end the shift it sits in
            continue
        if previous_end is None or span.start != previous_end:
            workday = span.start.astimezone(zone).date()
        previous_end = span.end
        rule = _rule_for(rules, workday, span.agent)
        week = workday - timedelta(days=workday.weekday())
        for start, end in _cut_at_clock_times(span.start, span.end, rule, zone):
            out.extend(
                _count_hours(span, start, end, rule, workday, week, day_seconds, week_seconds, zone)
            )
    return out


def _count_hours(
    span: TimeSpan,
    start: datetime,
    end: datetime,
    rule: PayRule,
    workday: date,
    week: date,
    day_seconds: dict[date, int],
    week_seconds: dict[date, int],
    zone: ZoneInfo,
) -> Iterator[Piece]:
    middle = (start + (end - start) / 2).astimezone(zone)
    night = _is_night(middle.time(), rule)
    weekend = middle.weekday() >= 5
    if span.kind not in ON_THE_CLOCK:
        yield Piece(span, start, end, rule, workday, False, False, False)
        return
    day_limit = _limit(rule.daily_overtime_after_h)
    week_limit = _limit(rule.weekly_overtime_after_h)
    while start < end:
        done_day, done_week = day_seconds.get(workday, 0), week_seconds.get(week, 0)
        overtime = done_day >= day_limit or done_week >= week_limit
        length = int((end - start).total_seconds())
        if not overtime:
            length = min(length, day_limit - done_day, week_limit - done_week)
        cut = start + timedelta(seconds=length)
        day_seconds[workday] = done_day + length
        week_seconds[week] = done_week + length
        yield Piece(span, start, cut, rule, workday, overtime, night, weekend)
        start = cut


def _limit(hours: Decimal | None) -> int:
    return 10**12 if hours is None else int(hours * 3600)


def _is_night(clock: time, rule: PayRule) -> bool:
    if rule.night_start == rule.night_end:
        return False
    if rule.night_start < rule.night_end:
        return rule.night_start <= clock < rule.night_end
    return clock >= rule.night_start or clock < rule.night_end


def _cut_at_clock_times(
    start: datetime, end: datetime, rule: PayRule, zone: ZoneInfo
) -> list[tuple[datetime, datetime]]:
    """``[start, end)`` cut at local midnights and at the night's start and end, so each
    part is wholly night or day, weekday or weekend."""
    first = start.astimezone(zone).date() - timedelta(days=1)
    last = end.astimezone(zone).date() + timedelta(days=1)
    cuts = {start.astimezone(UTC), end.astimezone(UTC)}
    day = first
    while day <= last:
        for clock in (time(0), rule.night_start, rule.night_end):
            instant = _instant(day, clock, zone)
            if start < instant < end:
                cuts.add(instant)
        day += timedelta(days=1)
    ordered = sorted(cuts)
    return list(pairwise(ordered))


@lru_cache(maxsize=65536)
def _instant(day: date, clock: time, zone: ZoneInfo) -> datetime:
    # Every agent's shifts are cut at the same midnights and night hours.
    return datetime.combine(day, clock, tzinfo=zone).astimezone(UTC)
