"""Pay and billing settings: the pay calendar, agents' pay rules and those per contract
kind, campaigns' bonus rules and clients' rate cards."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, time
from typing import Annotated

from fastapi import Path

from hearthline.api.deps import Admin, Ctx
from hearthline.api.errors import not_found
from hearthline.api.routes.admin.base import IdPath, router
from hearthline.api.schemas import (
    BonusRuleIn,
    BonusRuleOut,
    ContractPayRuleOut,
    PayRuleIn,
    PayRuleOut,
    PaySettingsIn,
    PaySettingsOut,
    RateCardIn,
    RateCardOut,
)
from hearthline.service.actions import pay as actions
from hearthline.store.queries import config as config_q
from hearthline.store.queries import pay as queries
from hearthline.store.queries.pay import PaySettings
from hearthline.wfm.billing import RateCard
from hearthline.wfm.bonus import BonusRule, BonusTier
from hearthline.wfm.contracts import ContractKind
from hearthline.wfm.pay import PayRule

DayPath = Annotated[date, Path(description="the first day the rule applies, YYYY-MM-DD")]


@router.get("/pay/settings", response_model=PaySettingsOut)
async def get_pay_settings(me: Admin, ctx: Ctx) -> PaySettingsOut:
    return _settings_out(await ctx.db(queries.pay_settings, ctx.engine))


@router.put("/pay/settings", response_model=PaySettingsOut)
async def put_pay_settings(body: PaySettingsIn, me: Admin, ctx: Ctx) -> PaySettingsOut:
    """The firm's currency and pay periods, and the not-ready reasons whose time is
    unpaid (the firm's time zone is the schedules' setting)."""
    settings = PaySettings(body.currency, body.cadence, body.anchor, frozenset(body.unpaid_reasons))
    await ctx.db(actions.put_pay_settings, ctx.engine, me, at=ctx.now(), settings=settings)
    return _settings_out(settings)


@router.get("/pay/rules", response_model=list[PayRuleOut])
async def list_pay_rules(me: Admin, ctx: Ctx) -> list[PayRuleOut]:
    rules = await ctx.db(queries.pay_rules, ctx.engine)
    return [_rule_out(agent, rule) for agent, own in rules.items() for rule in own]


@router.put("/pay/rules/{agent_id}/{effective_from}", response_model=PayRuleOut)
async def put_pay_rule(
    agent_id: IdPath, effective_from: DayPath, body: PayRuleIn, me: Admin, ctx: Ctx
) -> PayRuleOut:
    """How an agent is paid from a day on, until their next rule."""
    if not await ctx.db(config_q.agents, ctx.engine, ident=agent_id):
        raise not_found("agent", agent_id)
    rule = _rule(effective_from, body)
    await ctx.db(actions.put_pay_rule, ctx.engine, me, at=ctx.now(), agent=agent_id, rule=rule)
    return _rule_out(agent_id, rule)


@router.delete("/pay/rules/{agent_id}/{effective_from}", status_code=204)
async def delete_pay_rule(agent_id: IdPath, effective_from: DayPath, me: Admin, ctx: Ctx) -> None:
    await ctx.db(
        actions.delete_pay_rule,
        ctx.engine,
        me,
        at=ctx.now(),
        agent=agent_id,
        effective_from=effective_from.isoformat(),
    )


KindPath = Annotated[ContractKind, Path(description="the contract kind: full-time, part-time")]


@router.get("/pay/contract-rules", response_model=list[ContractPayRuleOut])
async def list_contract_pay_rules(me: Admin, ctx: Ctx) -> list[ContractPayRuleOut]:
    rules = await ctx.db(queries.contract_pay_rules, ctx.engine)
    return [_contract_rule_out(kind, rule) for kind, own in rules.items() for rule in own]


@router.put(
    "/pay/contract-rules/{contract_kind}/{effective_from}", response_model=ContractPayRuleOut
)
async def put_contract_pay_rule(
    contract_kind: KindPath, effective_from: DayPath, body: PayRuleIn, me: Admin, ctx: Ctx
) -> ContractPayRuleOut:
    """How agents under a contract of this kind are paid from a day on, until the kind's
    next rule; an agent with a pay rule of their own is paid by theirs alone."""
    rule = _rule(effective_from, body)
    await ctx.db(
        actions.put_contract_pay_rule,
        ctx.engine,
        me,
        at=ctx.now(),
        kind=contract_kind.value,
        rule=rule,
    )
    return _contract_rule_out(contract_kind.value, rule)


@router.delete("/pay/contract-rules/{contract_kind}/{effective_from}", status_code=204)
async def delete_contract_pay_rule(
    contract_kind: KindPath, effective_from: DayPath, me: Admin, ctx: Ctx
) -> None:
    await ctx.db(
        actions.delete_contract_pay_rule,
        ctx.engine,
        me,
        at=ctx.now(),
        kind=contract_kind.value,
        effective_from=effective_from.isoformat(),
    )


@router.get("/pay/bonus-rules", response_model=list[BonusRuleOut])
async def list_bonus_rules(me: Admin, ctx: Ctx) -> list[BonusRuleOut]:
    rules = await ctx.db(queries.bonus_rules, ctx.engine)
    return [_bonus_out(rule) for rule in rules.values()]


@router.put("/pay/bonus-rules/{campaign_id}", response_model=BonusRuleOut)
async def put_bonus_rule(
    campaign_id: IdPath, body: BonusRuleIn, me: Admin, ctx: Ctx
) -> BonusRuleOut:
    """Sales tiers ("every sale after the 20th of a period earns 5") and a bonus per
    save, optionally held back below a quality score."""
    if campaign_id not in ctx.directory.campaign_client:
        raise not_found("campaign", campaign_id)
    rule = BonusRule(
        campaign_id,
        tuple(BonusTier(t.after_sales, t.per_sale) for t in body.tiers),
        body.per_save,
        body.min_quality,
    )
    await ctx.db(actions.put_bonus_rule, ctx.engine, me, at=ctx.now(), rule=rule)
    return _bonus_out(rule)


@router.get("/billing/rate-cards", response_model=list[RateCardOut])
async def list_rate_cards(me: Admin, ctx: Ctx) -> list[RateCardOut]:
    cards = await ctx.db(queries.rate_cards, ctx.engine)
    return [_card_out(card) for card in cards]


@router.put("/billing/rate-cards/{client_id}", response_model=RateCardOut)
async def put_rate_card(client_id: IdPath, body: RateCardIn, me: Admin, ctx: Ctx) -> RateCardOut:
    """What a client company is billed: per productive hour, handled call, talk minute
    and sale, with a monthly minimum."""
    if client_id not in {c.id for c in await ctx.db(config_q.clients, ctx.engine)}:
        raise not_found("client", client_id)
    card = RateCard(client_id, **body.model_dump())
    await ctx.db(actions.put_rate_card, ctx.engine, me, at=ctx.now(), card=card)
    return _card_out(card)


def _settings_out(settings: PaySettings) -> PaySettingsOut:
    return PaySettingsOut(
        currency=settings.currency,
        cadence=settings.cadence,
        anchor=settings.anchor,
        unpaid_reasons=sorted(settings.unpaid_reasons),
    )


def _rule(effective_from: date, body: PayRuleIn) -> PayRule:
    return PayRule(
        effective_from=effective_from,
        hourly_rate=body.hourly_rate,
        daily_overtime_after_h=body.daily_overtime_after_h,
        weekly_overtime_after_h=body.weekly_overtime_after_h,
        overtime_multiplier=body.overtime_multiplier,
        night_premium=body.night_premium,
        night_start=time.fromisoformat(body.night_start),
        night_end=time.fromisoformat(body.night_end),
        weekend_premium=body.weekend_premium,
        paid_leave=body.paid_leave,
    )


def _contract_rule_out(kind: str, rule: PayRule) -> ContractPayRuleOut:
    fields = asdict(rule)
    fields["night_start"] = rule.night_start.strftime("%H:%M")
    fields["night_end"] = rule.night_end.strftime("%H:%M")
    return ContractPayRuleOut(contract_kind=ContractKind(kind), **fields)


def _rule_out(agent: str, rule: PayRule) -> PayRuleOut:
    fields = asdict(rule)
    fields["night_start"] = rule.night_start.strftime("%H:%M")
    fields["night_end"] = rule.night_end.strftime("%H:%M")
    return PayRuleOut(agent_id=agent, **fields)


def _bonus_out(rule: BonusRule) -> BonusRuleOut:
    return BonusRuleOut.model_validate(
        {
            "campaign_id": rule.campaign,
            "tiers": [{"after_sales": t.after_sales, "per_sale": t.per_sale} for t in rule.tiers],
            "per_save": rule.per_save,
            "min_quality": rule.min_quality,
        }
    )


def _card_out(card: RateCard) -> RateCardOut:
    fields = asdict(card)
    fields["client_id"] = fields.pop("client")
    return RateCardOut(**fields)
