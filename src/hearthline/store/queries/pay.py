"""Pay and billing settings as stored, read as the pay domain's own values; and the log
of one client's work over a stretch of time, for its statement."""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, time
from decimal import Decimal

from sqlalchemy import Connection, RowMapping, Table, false, func, select

from hearthline.kernel.domain import DomainEvent
from hearthline.kernel.envelope import Envelope
from hearthline.store import tables as t
from hearthline.store.codec import Codec, load_value
from hearthline.store.queries.bind import Bind, connected
from hearthline.wfm.billing import RateCard
from hearthline.wfm.bonus import BonusKind, BonusLine, BonusRule, BonusTier
from hearthline.wfm.contracts import Contract
from hearthline.wfm.pay import LineKind, PayLine, PayRule, rules_in_force
from hearthline.wfm.payperiods import Cadence, PayCalendar, PayPeriod
from hearthline.wfm.payroll import Adjustment, AgentPay


@dataclass(frozen=True, slots=True)
class PaySettings:
    currency: str = "EUR"
    cadence: Cadence = Cadence.MONTHLY
    anchor: date = date(2026, 1, 1)
    unpaid_reasons: frozenset[str] = frozenset({"lunch"})

    @property
    def calendar(self) -> PayCalendar:
        return PayCalendar(self.cadence, self.anchor)


def pay_settings(bind: Bind) -> PaySettings:
    with connected(bind) as conn:
        row = conn.execute(select(t.pay_settings).limit(1)).mappings().first()
    if row is None:
        return PaySettings()
    return PaySettings(
        row["currency"],
        Cadence(row["cadence"]),
        date.fromisoformat(row["anchor"]),
        frozenset(row["unpaid_reasons"].split()),
    )


def rate_cards(bind: Bind, *, client: str | None = None) -> list[RateCard]:
    r = t.rate_cards
    query = select(r).order_by(r.c.client_id)
    if client is not None:
        query = query.where(r.c.client_id == client)
    with connected(bind) as conn:
        rows = conn.execute(query).mappings().all()
    return [
        RateCard(
            row["client_id"],
            Decimal(row["per_productive_hour"]),
            Decimal(row["per_handled_call"]),
            Decimal(row["per_talk_minute"]),
            Decimal(row["per_sale"]),
            Decimal(row["monthly_minimum"]),
        )
        for row in rows
    ]


def pay_rules(bind: Bind, *, agent: str | None = None) -> dict[str, list[PayRule]]:
    p = t.pay_rules
    query = select(p).order_by(p.c.agent_id, p.c.effective_from)
    if agent is not None:
        query = query.where(p.c.agent_id == agent)
    out: dict[str, list[PayRule]] = {}
    with connected(bind) as conn:
        for row in conn.execute(query).mappings():
            out.setdefault(row["agent_id"], []).append(_pay_rule(row))
    return out


def contract_pay_rules(bind: Bind, *, kind: str | None = None) -> dict[str, list[PayRule]]:
    """The pay rules per contract kind (full-time, part-time), oldest first."""
    p = t.contract_pay_rules
    query = select(p).order_by(p.c.contract_kind, p.c.effective_from)
    if kind is not None:
        query = query.where(p.c.contract_kind == kind)
    out: dict[str, list[PayRule]] = {}
    with connected(bind) as conn:
        for row in conn.execute(query).mappings():
            out.setdefault(row["contract_kind"], []).append(_pay_rule(row))
    return out


def rules_by_agent(bind: Bind) -> dict[str, list[PayRule]]:
    """Each agent's pay rules in force: their own, else their contract kind's
    (``wfm.pay.rules_in_force``)."""
    c = t.contracts
    with connected(bind) as conn:
        own = pay_rules(conn)
        by_contract = contract_pay_rules(conn)
        kinds = {} if not by_contract else _contract_kinds(conn, c)
    return rules_in_force(own, by_contract, kinds)


def _contract_kinds(conn: Connection, c: Table) -> dict[str, str]:
    return {
        agent: load_value(Contract, body).kind.value
        for agent, body in conn.execute(select(c.c.agent_id, c.c.body))
    }


def _pay_rule(row: RowMapping) -> PayRule:
    def hours(name: str) -> Decimal | None:
        value = row[name]
        return None if value is None else Decimal(value)

    return PayRule(
        effective_from=date.fromisoformat(row["effective_from"]),
        hourly_rate=Decimal(row["hourly_rate"]),
        daily_overtime_after_h=hours("daily_overtime_after_h"),
        weekly_overtime_after_h=hours("weekly_overtime_after_h"),
        overtime_multiplier=Decimal(row["overtime_multiplier"]),
        night_premium=Decimal(row["night_premium"]),
        night_start=time.fromisoformat(row["night_start"]),
        night_end=time.fromisoformat(row["night_end"]),
        weekend_premium=Decimal(row["weekend_premium"]),
        paid_leave=bool(row["paid_leave"]),
    )


def bonus_rules(bind: Bind) -> dict[str, BonusRule]:
    b = t.bonus_rules
    with connected(bind) as conn:
        rows = conn.execute(select(b).order_by(b.c.campaign_id)).mappings().all()
    return {
        row["campaign_id"]: BonusRule(
            row["campaign_id"],
            tuple(
                BonusTier(int(after), Decimal(amount)) for after, amount in json.loads(row["tiers"])
            ),
            Decimal(row["per_save"]),
            None if row["min_quality"] is None else Decimal(row["min_quality"]),
        )
        for row in rows
    }


def outcomes(
    bind: Bind, codec: Codec, *, until: float, since: float | None = None
) -> list[DomainEvent]:
    """Every outcome recorded or corrected before ``until`` (and at or after ``since``),
    in log order."""
    e = t.events
    query = (
        select(e.c.type, e.c.payload)
        .where(e.c.type.in_(("DispositionRecorded", "OutcomeCorrected")), e.c.at < until)
        .order_by(e.c.id)
    )
    if since is not None:
        query = query.where(e.c.at >= since)
    with connected(bind) as conn:
        return [codec.decode(row.type, row.payload) for row in conn.execute(query)]


def client_events(
    bind: Bind, codec: Codec, *, client: str, since: float, until: float
) -> list[Envelope]:
    """The events filed under ``client`` from ``since`` to ``until``, in log order."""
    e = t.events
    query = (
        select(e.c.id, e.c.type, e.c.payload, e.c.client_id, e.c.agent_id)
        .where(e.c.client_id == client, e.c.at >= since, e.c.at < until)
        .order_by(e.c.id)
    )
    with connected(bind) as conn:
        rows = conn.execute(query).all()
    return [
        Envelope(row.id, codec.decode(row.type, row.payload), row.client_id, row.agent_id)
        for row in rows
    ]


# -- closed pay periods ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ClosedPeriod:
    period: PayPeriod
    seq: int
    closed_at: float
    closed_by: str
    currency: str


def closed_periods(bind: Bind) -> list[ClosedPeriod]:
    """Every closed pay period, in the order they were closed."""
    p = t.pay_periods
    query = select(
        p.c.first_day, p.c.end_day, p.c.seq, p.c.closed_at, p.c.closed_by, p.c.currency
    ).order_by(p.c.seq)
    with connected(bind) as conn:
        return [
            ClosedPeriod(
                PayPeriod(date.fromisoformat(r.first_day), date.fromisoformat(r.end_day)),
                r.seq,
                r.closed_at,
                r.closed_by,
                r.currency,
            )
            for r in conn.execute(query)
        ]


def closed_ledger(bind: Bind, first_day: date) -> dict[str, tuple[str, str, Decimal]]:
    """The bonus ledger as the period starting ``first_day`` left it when it was closed."""
    p = t.pay_periods
    with connected(bind) as conn:
        text = conn.execute(
            select(p.c.ledger).where(p.c.first_day == first_day.isoformat())
        ).scalar_one()
    return {
        c: (a, campaign, Decimal(amount)) for c, (a, campaign, amount) in json.loads(text).items()
    }


def dump_ledger(state: Mapping[str, tuple[str, str, Decimal]]) -> str:
    return json.dumps({c: [a, campaign, str(amount)] for c, (a, campaign, amount) in state.items()})


def closed_pay(
    bind: Bind, period: PayPeriod, *, agents: Collection[str] | None = None
) -> list[AgentPay]:
    """A closed period's pay as it was stored, per agent."""
    a = t.pay_period_agents
    query = select(a.c.agent_id, a.c.lines).where(a.c.first_day == period.first_day.isoformat())
    if agents is not None:
        query = query.where(a.c.agent_id.in_(sorted(agents)))
    with connected(bind) as conn:
        rows = conn.execute(query.order_by(a.c.agent_id)).all()
    return [load_agent_pay(period, r.agent_id, r.lines) for r in rows]


def closed_totals(bind: Bind) -> dict[date, tuple[int, Decimal]]:
    """Per closed period (by its first day): how many agents were paid, and the total."""
    a = t.pay_period_agents
    out: dict[date, tuple[int, Decimal]] = {}
    with connected(bind) as conn:
        for r in conn.execute(select(a.c.first_day, a.c.total)):
            day = date.fromisoformat(r.first_day)
            count, total = out.get(day, (0, Decimal("0.00")))
            out[day] = (count + 1, total + Decimal(r.total))
    return out


def dump_agent_pay(pay: AgentPay) -> str:
    return json.dumps(
        {
            "time": [
                {
                    "kind": str(ln.kind),
                    "rate_from": ln.rate_from.isoformat(),
                    "seconds": ln.seconds,
                    "amount": str(ln.amount),
                    "workdays": [d.isoformat() for d in ln.workdays],
                }
                for ln in pay.time
            ],
            "bonuses": [
                {
                    "kind": str(b.kind),
                    "campaign": b.campaign,
                    "contacts": list(b.contacts),
                    "amount": str(b.amount),
                    "note": b.note,
                }
                for b in pay.bonuses
            ],
            "adjustments": [
                {"of_period": x.of_period, "kind": x.kind, "amount": str(x.amount)}
                for x in pay.adjustments
            ],
        }
    )


def load_agent_pay(period: PayPeriod, agent: str, text: str) -> AgentPay:
    data = json.loads(text)
    return AgentPay(
        agent,
        period,
        tuple(
            PayLine(
                agent,
                LineKind(ln["kind"]),
                date.fromisoformat(ln["rate_from"]),
                int(ln["seconds"]),
                Decimal(ln["amount"]),
                tuple(date.fromisoformat(d) for d in ln["workdays"]),
            )
            for ln in data["time"]
        ),
        tuple(
            BonusLine(
                agent,
                b["campaign"],
                BonusKind(b["kind"]),
                tuple(b["contacts"]),
                Decimal(b["amount"]),
                b["note"],
            )
            for b in data["bonuses"]
        ),
        tuple(
            Adjustment(agent, x["of_period"], x["kind"], Decimal(x["amount"]))
            for x in data["adjustments"]
        ),
    )


def corrected_since(bind: Bind, *, first_day: date, end_day: date, since: float) -> set[str]:
    """The agents with a timesheet correction of a day from ``first_day`` to before
    ``end_day`` recorded at or after ``since``."""
    k = t.timesheet_corrections
    query = select(k.c.agent_id).where(
        k.c.day >= first_day.isoformat(), k.c.day < end_day.isoformat(), k.c.at >= since
    )
    with connected(bind) as conn:
        return {r.agent_id for r in conn.execute(query.distinct())}


def quality_means(bind: Bind, *, since: float, until: float) -> dict[str, Decimal]:
    """Each agent's mean evaluation score (0-100, two decimals) over the evaluations made
    from ``since`` to ``until``; calibration scorings and overturned evaluations count in
    no mean (docs/quality.md)."""
    q = t.quality_evaluations
    query = (
        select(q.c.agent_id, func.avg(q.c.score).label("mean"))
        .where(
            q.c.at >= since,
            q.c.at < until,
            q.c.calibration == false(),
            q.c.status != "overturned",
        )
        .group_by(q.c.agent_id)
    )
    with connected(bind) as conn:
        return {
            r.agent_id: Decimal(str(r.mean)).quantize(Decimal("0.01")) for r in conn.execute(query)
        }
