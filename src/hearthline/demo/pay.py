"""The demo firm's pay and billing: an hourly rule for every agent and a rate card for
each client company. Without them the pay page and the client's statement have nothing
to show but "no pay rule" and "no rate card", on every demo day."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import Engine

from hearthline.demo.firm import CAMPAIGN_CLIENTS, HUMAN_AGENT
from hearthline.service.actions import pay as actions
from hearthline.store.queries.pay import PaySettings
from hearthline.wfm.billing import RateCard
from hearthline.wfm.pay import PayRule

# The demo's procedures quote prices in pounds (knowledge.py).
CURRENCY = "GBP"
HOURLY = Decimal("12.60")
RATE_CARDS = {
    # A retailer pays for the time its lines are worked and a little per sale.
    "northwind": RateCard(
        "northwind", per_productive_hour=Decimal("27.50"), per_sale=Decimal("3.00")
    ),
    # A broadband provider pays per call answered and per minute talked, with a floor.
    "brightwave": RateCard(
        "brightwave",
        per_handled_call=Decimal("2.40"),
        per_talk_minute=Decimal("0.35"),
        monthly_minimum=Decimal("1500"),
    ),
}
# Every client company with a line is billed.
assert set(RATE_CARDS) == set(CAMPAIGN_CLIENTS.values())


@dataclass(frozen=True, slots=True)
class Payroll:
    """Who the demo's pay settings are saved as (the administrator's account)."""

    user_id: int = 0
    username: str = "admin"


def save_pay(engine: Engine, agents: Iterable[str], *, at: float) -> None:
    """Pay settings, every agent's rule (``agents`` and the person at the desk) in force
    from a year before ``at``, and the client companies' rate cards."""
    who = Payroll()
    since = dt.datetime.fromtimestamp(at, tz=dt.UTC).date() - dt.timedelta(days=365)
    actions.put_pay_settings(engine, who, at=at, settings=PaySettings(currency=CURRENCY))
    rule = PayRule(effective_from=since, hourly_rate=HOURLY, daily_overtime_after_h=Decimal(8))
    for agent in sorted({*agents, HUMAN_AGENT}):
        actions.put_pay_rule(engine, who, at=at, agent=agent, rule=rule)
    for card in RATE_CARDS.values():
        actions.put_rate_card(engine, who, at=at, card=card)
