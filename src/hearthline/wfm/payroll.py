"""A pay period's payroll: each agent's time lines, bonus lines and adjustments, and
the CSV a payroll system imports.

Closing a period keeps what was paid (its lines, and the exact running totals the next
period's rounding continues from). A timesheet corrected after that does not reopen the
period: the difference between what it would now pay and what it paid becomes an
adjustment line in the next open period, naming the closed one.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal

from hearthline.wfm.bonus import BonusLine
from hearthline.wfm.pay import PayLine, SpanKind, TimeSpan
from hearthline.wfm.payperiods import PayPeriod
from hearthline.wfm.timeline import Segment
from hearthline.wfm.timesheet import own_break

ADJUSTMENT = "adjustment"


@dataclass(frozen=True, slots=True)
class Adjustment:
    agent: str
    of_period: str  # the closed period's label
    kind: str  # the line kind it corrects
    amount: Decimal


@dataclass(frozen=True, slots=True)
class AgentPay:
    agent: str
    period: PayPeriod
    time: tuple[PayLine, ...] = ()
    bonuses: tuple[BonusLine, ...] = ()
    adjustments: tuple[Adjustment, ...] = field(default=())

    @property
    def total(self) -> Decimal:
        return (
            sum((line.amount for line in self.time), Decimal("0.00"))
            + sum((line.amount for line in self.bonuses), Decimal(0))
            + sum((a.amount for a in self.adjustments), Decimal(0))
        )


def adjustments(
    paid: Iterable[PayLine], now: Iterable[PayLine], of_period: PayPeriod
) -> list[Adjustment]:
    """What ``now`` pays for a closed period beyond (or short of) what was ``paid``."""
    totals: dict[tuple[str, str], Decimal] = {}
    for line in now:
        key = (line.agent, str(line.kind))
        totals[key] = totals.get(key, Decimal(0)) + line.amount
    for line in paid:
        key = (line.agent, str(line.kind))
        totals[key] = totals.get(key, Decimal(0)) - line.amount
    return [
        Adjustment(agent, of_period.label, kind, amount)
        for (agent, kind), amount in sorted(totals.items())
        if amount
    ]


def still_due(
    paid: Iterable[PayLine],
    earlier: Iterable[Adjustment],
    now: Iterable[PayLine],
    of_period: PayPeriod,
) -> list[Adjustment]:
    """What a closed period's timesheets now pay beyond what was paid for it: its own
    lines and the adjustments for it already paid in later periods (``earlier``), so a
    correction is adjusted once however many periods are closed after it."""
    owed = {(a.agent, a.kind): a.amount for a in adjustments(paid, now, of_period)}
    for a in earlier:
        if a.of_period == of_period.label:
            key = (a.agent, a.kind)
            owed[key] = owed.get(key, Decimal(0)) - a.amount
    return [
        Adjustment(agent, of_period.label, kind, amount)
        for (agent, kind), amount in sorted(owed.items())
        if amount
    ]


def payroll(
    period: PayPeriod,
    time_lines: Sequence[PayLine],
    bonus_lines: Sequence[BonusLine] = (),
    adjustment_lines: Sequence[Adjustment] = (),
    agents: Iterable[str] = (),
) -> list[AgentPay]:
    """One ``AgentPay`` per agent with anything to pay (and per agent in ``agents``)."""
    names = sorted(
        set(agents)
        | {line.agent for line in time_lines}
        | {line.agent for line in bonus_lines}
        | {a.agent for a in adjustment_lines}
    )
    return [
        AgentPay(
            name,
            period,
            tuple(line for line in time_lines if line.agent == name),
            tuple(line for line in bonus_lines if line.agent == name),
            tuple(a for a in adjustment_lines if a.agent == name),
        )
        for name in names
    ]


CSV_COLUMNS = (
    "period_start",
    "period_end",
    "agent",
    "line",
    "rate_from",
    "hours",
    "amount",
    "currency",
    "detail",
)


def payroll_csv(rows: Sequence[AgentPay], currency: str) -> str:
    """The payroll export (docs/pay.md): one row per line, then one ``total`` row per
    agent. ``hours`` is empty for bonuses and adjustments; ``detail`` lists the workdays
    of a time line, the contacts of a bonus, or the closed period an adjustment corrects."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for pay in rows:
        first = pay.period.first_day.isoformat()
        last = pay.period.label.rsplit(" ", 1)[-1]
        for line in pay.time:
            writer.writerow(
                [
                    first,
                    last,
                    pay.agent,
                    str(line.kind),
                    line.rate_from.isoformat(),
                    line.hours,
                    line.amount,
                    currency,
                    " ".join(d.isoformat() for d in line.workdays),
                ]
            )
        for bonus in pay.bonuses:
            writer.writerow(
                [
                    first,
                    last,
                    pay.agent,
                    f"{bonus.kind} ({bonus.campaign})",
                    "",
                    "",
                    bonus.amount,
                    currency,
                    " ".join(bonus.contacts),
                ]
            )
        for adj in pay.adjustments:
            writer.writerow(
                [
                    first,
                    last,
                    pay.agent,
                    f"{ADJUSTMENT}: {adj.kind}",
                    "",
                    "",
                    adj.amount,
                    currency,
                    adj.of_period,
                ]
            )
        writer.writerow([first, last, pay.agent, "total", "", "", pay.total, currency, ""])
    return out.getvalue()


def by_agent(lines: Iterable[PayLine]) -> Mapping[str, list[PayLine]]:
    out: dict[str, list[PayLine]] = {}
    for line in lines:
        out.setdefault(line.agent, []).append(line)
    return out


def spans_of(agent: str, segments: Iterable[Segment], unpaid: frozenset[str]) -> list[TimeSpan]:
    """A timesheet's segments as the spans pay prices: time the center is answerable for
    (a lost connection, a restart) is worked time, never the agent's loss."""
    out = []
    for seg in segments:
        if not seg.mark.signed_in:
            continue
        reason = own_break(seg.mark)
        if reason is None:
            kind = SpanKind.WORK
        elif reason in unpaid:
            kind = SpanKind.UNPAID_BREAK
        else:
            kind = SpanKind.PAID_BREAK
        start = datetime.fromtimestamp(seg.start, UTC)
        end = datetime.fromtimestamp(seg.end, UTC)
        if end > start:
            out.append(TimeSpan(agent, start, end, kind, reason or ""))
    return out
