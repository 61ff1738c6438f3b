"""Pay and billing settings (days, nights and weeks are in the firm's time zone, set
with the schedules' settings): the firm's pay calendar, agents' pay rules, campaigns'
bonus rules and clients' rate cards.

Money and rates are stored as decimal text, exactly as entered (SQLite has no exact
decimal type, and a float would not do for money); the service reads them as Decimal.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Float, ForeignKey, Integer, String, Table, Text, false

from hearthline.store.tables.base import ID, metadata

MONEY = 24  # decimal text, e.g. "12.3456"

pay_settings = Table(
    "pay_settings",
    metadata,
    Column("firm_id", String(ID), ForeignKey("firm.id"), primary_key=True),
    Column("currency", String(3), nullable=False, server_default="EUR"),
    Column("cadence", String(16), nullable=False, server_default="monthly"),
    Column("anchor", String(10), nullable=False, server_default="2026-01-01"),
    # Not-ready reasons whose time is not paid (space-separated ids), e.g. "lunch".
    Column("unpaid_reasons", Text, nullable=False, server_default="lunch"),
)

pay_rules = Table(
    "pay_rules",
    metadata,
    Column("agent_id", String(ID), ForeignKey("agents.id"), primary_key=True),
    Column("effective_from", String(10), primary_key=True),
    Column("hourly_rate", String(MONEY), nullable=False),
    Column("daily_overtime_after_h", String(MONEY)),
    Column("weekly_overtime_after_h", String(MONEY)),
    Column("overtime_multiplier", String(MONEY), nullable=False, server_default="1.5"),
    Column("night_premium", String(MONEY), nullable=False, server_default="0"),
    Column("night_start", String(5), nullable=False, server_default="22:00"),
    Column("night_end", String(5), nullable=False, server_default="06:00"),
    Column("weekend_premium", String(MONEY), nullable=False, server_default="0"),
    Column("paid_leave", Boolean, nullable=False, server_default=false()),
)

# The same rules for every agent under a contract of a kind (full-time, part-time) who
# has no pay rule of their own (migration 0019_contract_pay).
contract_pay_rules = Table(
    "contract_pay_rules",
    metadata,
    Column("contract_kind", String(16), primary_key=True),
    Column("effective_from", String(10), primary_key=True),
    Column("hourly_rate", String(MONEY), nullable=False),
    Column("daily_overtime_after_h", String(MONEY)),
    Column("weekly_overtime_after_h", String(MONEY)),
    Column("overtime_multiplier", String(MONEY), nullable=False, server_default="1.5"),
    Column("night_premium", String(MONEY), nullable=False, server_default="0"),
    Column("night_start", String(5), nullable=False, server_default="22:00"),
    Column("night_end", String(5), nullable=False, server_default="06:00"),
    Column("weekend_premium", String(MONEY), nullable=False, server_default="0"),
    Column("paid_leave", Boolean, nullable=False, server_default=false()),
)

bonus_rules = Table(
    "bonus_rules",
    metadata,
    Column("campaign_id", String(ID), ForeignKey("campaigns.id"), primary_key=True),
    # JSON: [[after_sales, per_sale], ...]
    Column("tiers", Text, nullable=False, server_default="[]"),
    Column("per_save", String(MONEY), nullable=False, server_default="0"),
    Column("min_quality", String(MONEY)),
)

rate_cards = Table(
    "rate_cards",
    metadata,
    Column("client_id", String(ID), ForeignKey("clients.id"), primary_key=True),
    Column("per_productive_hour", String(MONEY), nullable=False, server_default="0"),
    Column("per_handled_call", String(MONEY), nullable=False, server_default="0"),
    Column("per_talk_minute", String(MONEY), nullable=False, server_default="0"),
    Column("per_sale", String(MONEY), nullable=False, server_default="0"),
    Column("monthly_minimum", String(MONEY), nullable=False, server_default="0"),
)

# A closed pay period: what was paid, kept as it was paid. ``seq`` numbers the closings
# one after another (unique), so of two closings racing for the same place one fails.
pay_periods = Table(
    "pay_periods",
    metadata,
    Column("first_day", String(10), primary_key=True),
    Column("end_day", String(10), nullable=False),
    Column("seq", Integer, nullable=False, unique=True),
    Column("closed_at", Float, nullable=False),
    Column("closed_by", String(ID), nullable=False),
    Column("currency", String(3), nullable=False),
    # JSON: the bonus ledger after the period, {contact: [agent, campaign, amount]}.
    Column("ledger", Text, nullable=False),
)

# One row per agent of a closed period: the lines as paid (JSON) and their total.
pay_period_agents = Table(
    "pay_period_agents",
    metadata,
    Column("first_day", String(10), ForeignKey("pay_periods.first_day"), primary_key=True),
    Column("agent_id", String(ID), primary_key=True),
    Column("lines", Text, nullable=False),
    Column("total", String(MONEY), nullable=False),
)
