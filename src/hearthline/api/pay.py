"""A pay period's payroll: read as it was stored once the period is closed, otherwise
from the log: each agent's timesheet (their state events and the supervisors'
corrections, as ``wfm.timesheet`` reads them) and approved time off (``wfm.leave``)
priced by their pay rules, the bonuses
their recorded outcomes earn, and, in the period after the last closed one, the
adjustments late corrections to closed periods call for.

Bonuses are settled period by period, so a claw-back lands in the period its reversal is
found (``wfm.bonus``; a reversal is an ``OutcomeCorrected`` in the log): from the last
closed period's ledger when there is one, otherwise from the pay calendar's anchor.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from hearthline.crm.events import DispositionRecorded, OutcomeCorrected
from hearthline.service.domains import CODEC
from hearthline.store.queries import pay as pay_q
from hearthline.store.queries import schedules as schedules_q
from hearthline.store.queries.bind import Engine
from hearthline.store.queries.pay import ClosedPeriod, PaySettings
from hearthline.wfm.bonus import BonusLedger, BonusLine, OutcomeRecord, Window
from hearthline.wfm.leave import leave_spans, off_the_clock
from hearthline.wfm.pay import PayLine, PayRule, pay_lines, pieces
from hearthline.wfm.payperiods import PayPeriod
from hearthline.wfm.payroll import Adjustment, AgentPay, payroll, spans_of, still_due
from hearthline.wfm.timeline import Timelines, segments
from hearthline.wfm.timesheet import corrected

# A shift that began before the period still counts its hours against its own day and
# week: read the agents' states from the Monday before, and a night before that.
LOOKBACK = timedelta(days=8)
# A correction saved while a period was being closed may have missed the closing's
# reading: the periods' own corrections from this long before the closing are checked
# again (a check that finds nothing owed adds nothing).
RECHECK = 120.0

Ledger = dict[str, tuple[str, str, Decimal]]


@dataclass(frozen=True, slots=True)
class PeriodPay:
    period: PayPeriod
    rows: list[AgentPay]
    currency: str
    closed: ClosedPeriod | None
    # The bonus ledger after the period (what closing it keeps); None once closed.
    ledger: Ledger | None


def period_pay(
    engine: Engine, zone: ZoneInfo, day: date, agents: Sequence[str], *, now: float
) -> PeriodPay:
    """The pay period containing ``day`` for ``agents`` with a pay rule: as stored when
    it is closed, its lines so far (until ``now``) when it is open."""
    settings = pay_q.pay_settings(engine)
    period = settings.calendar.period_of(day)
    closed = pay_q.closed_periods(engine)
    for done in closed:
        if done.period.first_day == period.first_day:
            rows = pay_q.closed_pay(engine, period, agents=agents)
            return PeriodPay(done.period, rows, done.currency, done, None)
    rules = pay_q.rules_by_agent(engine)
    paid = [a for a in agents if a in rules]
    time_lines = _time_lines(engine, zone, settings, rules, period, paid, until=now)
    ledger, bonuses = _bonuses(engine, zone, settings, period, closed)
    owed: list[Adjustment] = []
    if closed and closed[-1].period.end_day == period.first_day:
        owed = _adjustments(engine, zone, settings, rules, closed, set(paid))
    mine = [b for b in bonuses if b.agent in set(paid)]
    rows = payroll(period, time_lines, mine, owed, agents=paid)
    return PeriodPay(period, rows, settings.currency, None, ledger)


def _time_lines(
    engine: Engine,
    zone: ZoneInfo,
    settings: PaySettings,
    rules: dict[str, list[PayRule]],
    period: PayPeriod,
    agents: Collection[str],
    *,
    until: float | None = None,
) -> list[PayLine]:
    if not agents:
        return []
    start, end = period.window(zone)
    # An agent still signed in is paid up to ``until`` (now), not to the period's end.
    worked_until = end.timestamp() if until is None else min(end.timestamp(), until)
    read_from = start - LOOKBACK
    lines = Timelines()
    lines.replay(
        schedules_q.state_events(
            engine, CODEC, agents=agents, start=read_from.timestamp(), end=end.timestamp()
        )
    )
    fixes = schedules_q.corrections_between(
        engine,
        agents=agents,
        first_day=(period.first_day - LOOKBACK).isoformat(),
        last_day=period.end_day.isoformat(),
    )
    spans = []
    for agent in sorted(agents):
        marks = corrected(lines.marks.get(agent, []), fixes[agent])
        stretch = segments(marks, read_from.timestamp(), worked_until)
        spans.extend(spans_of(agent, stretch, settings.unpaid_reasons))
    leave = leave_spans(
        schedules_q.leave_events(engine, CODEC), set(agents), read_from.timestamp(), end.timestamp()
    )
    spans.extend(off_the_clock(leave, spans))
    run = pieces(spans, {a: rules[a] for a in agents}, zone)
    return pay_lines(run, start, end).lines


def _adjustments(
    engine: Engine,
    zone: ZoneInfo,
    settings: PaySettings,
    rules: dict[str, list[PayRule]],
    closed: Sequence[ClosedPeriod],
    agents: set[str],
) -> list[Adjustment]:
    """What the closed periods' timesheets, corrected since they were closed, now pay
    beyond what was paid for them (their lines and the adjustments already made)."""
    out: list[Adjustment] = []
    for index, done in enumerate(closed):
        p = done.period
        again = agents & pay_q.corrected_since(
            engine, first_day=p.first_day, end_day=p.end_day, since=done.closed_at - RECHECK
        )
        if not again:
            continue
        now = _time_lines(engine, zone, settings, rules, p, again)
        paid = [ln for row in pay_q.closed_pay(engine, p, agents=again) for ln in row.time]
        earlier = [
            a
            for later in closed[index + 1 :]
            for row in pay_q.closed_pay(engine, later.period, agents=again)
            for a in row.adjustments
        ]
        out.extend(still_due(paid, earlier, now, p))
    return out


def _bonuses(
    engine: Engine,
    zone: ZoneInfo,
    settings: PaySettings,
    period: PayPeriod,
    closed: Sequence[ClosedPeriod],
) -> tuple[Ledger, list[BonusLine]]:
    """The ledger after ``period`` and the period's bonus lines."""
    rules = pay_q.bonus_rules(engine)
    calendar = settings.calendar
    last = closed[-1].period if closed else None
    if last is not None and last.end_day <= period.first_day:
        ledger = BonusLedger.resumed(pay_q.closed_ledger(engine, last.first_day))
        current = calendar.period_of(last.end_day)
        since: float | None = current.window(zone)[0].timestamp()
    else:
        ledger = BonusLedger()
        current = calendar.period_of(min(calendar.anchor, period.first_day))
        since = None
    if not rules:
        return ledger.state(), []
    _, end = period.window(zone)
    records = [
        OutcomeRecord(
            e.contact,
            e.agent,
            e.campaign,
            datetime.fromtimestamp(e.at, zone),
            e.counts_as_sale,
            e.counts_as_save,
        )
        for e in pay_q.outcomes(engine, CODEC, until=end.timestamp(), since=since)
        # A correction is the contact's latest outcome, found when it was made: a sale
        # paid in a closed period and reversed since is clawed back in the period open.
        if isinstance(e, DispositionRecorded | OutcomeCorrected)
    ]
    gated = any(rule.min_quality is not None for rule in rules.values())
    settled: list[BonusLine] = []
    while current.first_day <= period.first_day:
        window = Window(*current.window(zone))
        quality = (
            pay_q.quality_means(
                engine, since=window.start.timestamp(), until=window.end.timestamp()
            )
            if gated
            else None
        )
        settled = ledger.settle(records, rules, window, quality)
        current = calendar.following(current)
    return ledger.state(), settled
