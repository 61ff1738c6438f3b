"""Pay and billing settings, and the closing of pay periods, each with its audit record."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from decimal import Decimal

from sqlalchemy import Connection, Engine, delete, insert
from sqlalchemy.exc import IntegrityError

from hearthline.service.actions.audit import Actor, first, plain, record, transaction
from hearthline.service.errors import Conflict, NotFound
from hearthline.store import tables as t
from hearthline.store.queries import config as config_q
from hearthline.store.queries import pay as q
from hearthline.store.queries.pay import ClosedPeriod, PaySettings
from hearthline.wfm.billing import RateCard
from hearthline.wfm.bonus import BonusRule
from hearthline.wfm.pay import PayRule
from hearthline.wfm.payperiods import PayPeriod
from hearthline.wfm.payroll import AgentPay


def put_pay_settings(engine: Engine, who: Actor, *, at: float, settings: PaySettings) -> None:
    with transaction(engine) as conn:
        firm = config_q.firm_id(conn)
        if firm is None:
            raise NotFound("firm", "")
        before = plain(q.pay_settings(conn))
        conn.execute(delete(t.pay_settings))
        conn.execute(
            insert(t.pay_settings).values(
                firm_id=firm,
                currency=settings.currency,
                cadence=settings.cadence.value,
                anchor=settings.anchor.isoformat(),
                unpaid_reasons=" ".join(sorted(settings.unpaid_reasons)),
            )
        )
        record(
            conn,
            who,
            at=at,
            action="pay.settings",
            target=firm,
            before=before,
            after=plain(settings),
        )


def put_rate_card(engine: Engine, who: Actor, *, at: float, card: RateCard) -> None:
    with transaction(engine) as conn:
        before = first(q.rate_cards(conn, client=card.client))
        conn.execute(delete(t.rate_cards).where(t.rate_cards.c.client_id == card.client))
        values = {k: str(v) for k, v in asdict(card).items() if isinstance(v, Decimal)}
        conn.execute(insert(t.rate_cards).values(client_id=card.client, **values))
        record(
            conn,
            who,
            at=at,
            action="rate_card.put",
            target=card.client,
            before=before,
            after=plain(card),
        )


def put_pay_rule(engine: Engine, who: Actor, *, at: float, agent: str, rule: PayRule) -> None:
    target = f"{agent}@{rule.effective_from.isoformat()}"
    with transaction(engine) as conn:
        before = _rule(conn, agent, rule.effective_from.isoformat())
        _delete_rule(conn, agent, rule.effective_from.isoformat())
        conn.execute(insert(t.pay_rules).values(agent_id=agent, **_rule_values(rule)))
        record(
            conn, who, at=at, action="pay_rule.put", target=target, before=before, after=plain(rule)
        )


def delete_pay_rule(
    engine: Engine, who: Actor, *, at: float, agent: str, effective_from: str
) -> None:
    with transaction(engine) as conn:
        before = _rule(conn, agent, effective_from)
        if before is None:
            raise NotFound("pay rule", f"{agent} from {effective_from}")
        _delete_rule(conn, agent, effective_from)
        record(
            conn,
            who,
            at=at,
            action="pay_rule.delete",
            target=f"{agent}@{effective_from}",
            before=before,
        )


def put_contract_pay_rule(
    engine: Engine, who: Actor, *, at: float, kind: str, rule: PayRule
) -> None:
    day = rule.effective_from.isoformat()
    c = t.contract_pay_rules
    with transaction(engine) as conn:
        before = _contract_rule(conn, kind, day)
        conn.execute(delete(c).where(c.c.contract_kind == kind, c.c.effective_from == day))
        conn.execute(insert(c).values(contract_kind=kind, **_rule_values(rule)))
        record(
            conn,
            who,
            at=at,
            action="contract_pay_rule.put",
            target=f"{kind}@{day}",
            before=before,
            after=plain(rule),
        )


def delete_contract_pay_rule(
    engine: Engine, who: Actor, *, at: float, kind: str, effective_from: str
) -> None:
    c = t.contract_pay_rules
    with transaction(engine) as conn:
        before = _contract_rule(conn, kind, effective_from)
        if before is None:
            raise NotFound("pay rule", f"{kind} contracts from {effective_from}")
        conn.execute(
            delete(c).where(c.c.contract_kind == kind, c.c.effective_from == effective_from)
        )
        record(
            conn,
            who,
            at=at,
            action="contract_pay_rule.delete",
            target=f"{kind}@{effective_from}",
            before=before,
        )


def _contract_rule(conn: Connection, kind: str, effective_from: str) -> object:
    found = [
        r
        for r in q.contract_pay_rules(conn, kind=kind).get(kind, [])
        if r.effective_from.isoformat() == effective_from
    ]
    return first(found)


def put_bonus_rule(engine: Engine, who: Actor, *, at: float, rule: BonusRule) -> None:
    b = t.bonus_rules
    with transaction(engine) as conn:
        before = plain(q.bonus_rules(conn).get(rule.campaign))
        conn.execute(delete(b).where(b.c.campaign_id == rule.campaign))
        conn.execute(
            insert(b).values(
                campaign_id=rule.campaign,
                tiers=json.dumps([[tier.after_sales, str(tier.per_sale)] for tier in rule.tiers]),
                per_save=str(rule.per_save),
                min_quality=None if rule.min_quality is None else str(rule.min_quality),
            )
        )
        record(
            conn,
            who,
            at=at,
            action="bonus_rule.put",
            target=rule.campaign,
            before=before,
            after=plain(rule),
        )


def _rule(conn: Connection, agent: str, effective_from: str) -> object:
    found = [
        r
        for r in q.pay_rules(conn, agent=agent).get(agent, [])
        if r.effective_from.isoformat() == effective_from
    ]
    return first(found)


def _delete_rule(conn: Connection, agent: str, effective_from: str) -> None:
    p = t.pay_rules
    conn.execute(delete(p).where(p.c.agent_id == agent, p.c.effective_from == effective_from))


def _rule_values(rule: PayRule) -> dict[str, object]:
    def text(value: Decimal | None) -> str | None:
        return None if value is None else str(value)

    return {
        "effective_from": rule.effective_from.isoformat(),
        "hourly_rate": str(rule.hourly_rate),
        "daily_overtime_after_h": text(rule.daily_overtime_after_h),
        "weekly_overtime_after_h": text(rule.weekly_overtime_after_h),
        "overtime_multiplier": str(rule.overtime_multiplier),
        "night_premium": str(rule.night_premium),
        "night_start": rule.night_start.strftime("%H:%M"),
        "night_end": rule.night_end.strftime("%H:%M"),
        "weekend_premium": str(rule.weekend_premium),
        "paid_leave": rule.paid_leave,
    }


def close_pay_period(
    engine: Engine,
    who: Actor,
    *,
    at: float,
    period: PayPeriod,
    rows: Sequence[AgentPay],
    ledger: Mapping[str, tuple[str, str, Decimal]],
    currency: str,
) -> ClosedPeriod:
    """Keeps what ``period`` paid, once, in order: a period already closed, or one after
    a period still open, is refused; of two closings racing, one wins (``seq`` is unique)."""
    try:
        with engine.begin() as conn:
            closed = q.closed_periods(conn)
            check_closing_order(closed, period)
            seq = closed[-1].seq + 1 if closed else 1
            conn.execute(
                insert(t.pay_periods).values(
                    first_day=period.first_day.isoformat(),
                    end_day=period.end_day.isoformat(),
                    seq=seq,
                    closed_at=at,
                    closed_by=who.username,
                    currency=currency,
                    ledger=q.dump_ledger(ledger),
                )
            )
            if rows:
                conn.execute(
                    insert(t.pay_period_agents),
                    [
                        {
                            "first_day": period.first_day.isoformat(),
                            "agent_id": pay.agent,
                            "lines": q.dump_agent_pay(pay),
                            "total": str(pay.total),
                        }
                        for pay in rows
                    ],
                )
            record(
                conn,
                who,
                at=at,
                action="pay_period.close",
                target=period.label,
                after={
                    "seq": seq,
                    "currency": currency,
                    "totals": {pay.agent: str(pay.total) for pay in rows},
                },
            )
    except IntegrityError:
        raise Conflict(f"pay period {period.label} was closed meanwhile") from None
    return q.ClosedPeriod(period, seq, at, who.username, currency)


def check_closing_order(closed: Sequence[ClosedPeriod], period: PayPeriod) -> None:
    """Refuses (``Conflict``) a closing out of turn: pay periods close once, in order."""
    for done in closed:
        if done.period.first_day == period.first_day:
            raise Conflict(f"pay period {period.label} is closed already")
    if closed:
        last = closed[-1].period
        if period.first_day < last.end_day:
            raise Conflict(
                f"pay period {period.label} is before the last closed one ({last.label})"
            )
        if period.first_day > last.end_day:
            raise Conflict(
                f"pay period {period.label} cannot be closed before the one starting "
                f"{last.end_day.isoformat()}: close that one first"
            )
