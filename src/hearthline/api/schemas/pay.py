"""Pay and billing: the pay calendar, pay rules, bonus rules, rate cards, statements.

Money and rates travel as decimal strings (e.g. "12.50"), never as floats.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

from pydantic import Field, StringConstraints, field_validator, model_validator

from hearthline.api.schemas.common import Ident, In, Out
from hearthline.wfm.contracts import ContractKind
from hearthline.wfm.payperiods import Cadence

Amount = Annotated[Decimal, Field(ge=0, le=Decimal("1e9"), max_digits=14, decimal_places=4)]
Hours = Annotated[Decimal, Field(gt=0, le=168, decimal_places=2)]
Share = Annotated[Decimal, Field(ge=0, le=10, decimal_places=4)]
Clock = Annotated[str, StringConstraints(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")]
Month = Annotated[str, StringConstraints(pattern=r"^20[0-9]{2}-(0[1-9]|1[0-2])$")]


class PaySettingsIn(In):
    currency: str = Field("EUR", pattern=r"^[A-Z]{3}$")
    cadence: Cadence = Cadence.MONTHLY
    anchor: date = Field(date(2026, 1, 1), description="the first day of one pay period")
    unpaid_reasons: list[Ident] = Field(default_factory=lambda: ["lunch"], max_length=100)

    @field_validator("anchor")
    @classmethod
    def sensible_anchor(cls, value: date) -> date:
        if not date(2000, 1, 1) <= value <= date(2100, 1, 1):
            raise ValueError("the anchor must be a day between 2000 and 2100")
        return value

    @model_validator(mode="after")
    def monthly_anchor(self) -> PaySettingsIn:
        if self.cadence is Cadence.MONTHLY and self.anchor.day > 28:
            raise ValueError("a monthly pay period must start on day 1 to 28 of the month")
        return self


class PaySettingsOut(Out):
    currency: str
    cadence: Cadence
    anchor: date
    unpaid_reasons: list[str]


class PayRuleIn(In):
    hourly_rate: Amount
    daily_overtime_after_h: Hours | None = None
    weekly_overtime_after_h: Hours | None = None
    overtime_multiplier: Share = Decimal("1.5")
    night_premium: Share = Decimal(0)
    night_start: Clock = "22:00"
    night_end: Clock = "06:00"
    weekend_premium: Share = Decimal(0)
    paid_leave: bool = False


class PayTermsOut(Out):
    """What a pay rule pays, from its date on (whoever it is for)."""

    effective_from: date
    hourly_rate: Decimal
    daily_overtime_after_h: Decimal | None
    weekly_overtime_after_h: Decimal | None
    overtime_multiplier: Decimal
    night_premium: Decimal
    night_start: str
    night_end: str
    weekend_premium: Decimal
    paid_leave: bool


class PayRuleOut(PayTermsOut):
    """An agent's own pay rule."""

    agent_id: str


class ContractPayRuleOut(PayTermsOut):
    """A pay rule for every agent under a contract of this kind with no rule of their own."""

    contract_kind: ContractKind


class BonusTierIn(In):
    after_sales: int = Field(ge=0, le=100_000)
    per_sale: Amount


class BonusRuleIn(In):
    tiers: list[BonusTierIn] = Field(default_factory=list, max_length=20)
    per_save: Amount = Decimal(0)
    min_quality: Annotated[Decimal, Field(ge=0, le=100)] | None = None


class BonusRuleOut(Out):
    campaign_id: str
    tiers: list[BonusTierIn]
    per_save: Decimal
    min_quality: Decimal | None


class RateCardIn(In):
    per_productive_hour: Amount = Decimal(0)
    per_handled_call: Amount = Decimal(0)
    per_talk_minute: Amount = Decimal(0)
    per_sale: Amount = Decimal(0)
    monthly_minimum: Amount = Decimal(0)


class RateCardOut(RateCardIn, Out):
    client_id: str


class StatementLineOut(Out):
    description: str
    quantity: Decimal
    unit: str
    unit_price: Decimal
    amount: Decimal
    contacts: list[str]


class BilledContactOut(Out):
    contact: str
    answered_at: float
    talk_s: float
    hold_s: float
    wrap_s: float
    sale: bool


class StatementOut(Out):
    client_id: str
    month: str
    currency: str
    time_zone: str
    lines: list[StatementLineOut]
    total: Decimal
    contacts: list[BilledContactOut]


class PayLineOut(Out):
    kind: str
    rate_from: date
    hours: Decimal
    amount: Decimal
    workdays: list[date]


class BonusLineOut(Out):
    kind: str
    campaign: str
    amount: Decimal
    contacts: list[str]
    note: str = Field("", description="why a bonus was withheld (a line of amount 0)")


class AdjustmentOut(Out):
    of_period: str = Field(description="the closed period corrected, e.g. 2026-03-01 to 2026-03-31")
    kind: str
    amount: Decimal


class AgentPayOut(Out):
    agent_id: str
    first_day: date
    last_day: date
    currency: str
    closed: bool = Field(False, description="the period is closed: these lines are as paid")
    time: list[PayLineOut]
    bonuses: list[BonusLineOut]
    adjustments: list[AdjustmentOut] = Field(default_factory=list)
    total: Decimal


class ClosePeriodIn(In):
    day: date = Field(
        description="a day of the pay period to close", ge=date(2000, 1, 1), le=date(2099, 12, 31)
    )


class ClosedPeriodOut(Out):
    first_day: date
    last_day: date
    closed_at: float
    closed_by: str
    currency: str
    agents: int
    total: Decimal
