"""Pay and billing settings: the pay calendar, pay rules, bonus rules and rate cards

Revision ID: 0006_pay
Revises: 0005
Create Date: 2026-12-01 03:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_pay"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MONEY = 24


def upgrade() -> None:
    op.create_table(
        "pay_settings",
        sa.Column("firm_id", sa.String(200), sa.ForeignKey("firm.id"), primary_key=True),
        sa.Column("currency", sa.String(3), nullable=False, server_default="EUR"),
        sa.Column("cadence", sa.String(16), nullable=False, server_default="monthly"),
        sa.Column("anchor", sa.String(10), nullable=False, server_default="2026-01-01"),
        sa.Column("unpaid_reasons", sa.Text(), nullable=False, server_default="lunch"),
    )
    op.create_table(
        "pay_rules",
        sa.Column("agent_id", sa.String(200), sa.ForeignKey("agents.id"), primary_key=True),
        sa.Column("effective_from", sa.String(10), primary_key=True),
        sa.Column("hourly_rate", sa.String(MONEY), nullable=False),
        sa.Column("daily_overtime_after_h", sa.String(MONEY)),
        sa.Column("weekly_overtime_after_h", sa.String(MONEY)),
        sa.Column("overtime_multiplier", sa.String(MONEY), nullable=False, server_default="1.5"),
        sa.Column("night_premium", sa.String(MONEY), nullable=False, server_default="0"),
        sa.Column("night_start", sa.String(5), nullable=False, server_default="22:00"),
        sa.Column("night_end", sa.String(5), nullable=False, server_default="06:00"),
        sa.Column("weekend_premium", sa.String(MONEY), nullable=False, server_default="0"),
        sa.Column("paid_leave", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.create_table(
        "bonus_rules",
        sa.Column("campaign_id", sa.String(200), sa.ForeignKey("campaigns.id"), primary_key=True),
        sa.Column("tiers", sa.Text(), nullable=False, server_default="[]"),
        sa.Column("per_save", sa.String(MONEY), nullable=False, server_default="0"),
        sa.Column("min_quality", sa.String(MONEY)),
    )
    op.create_table(
        "rate_cards",
        sa.Column("client_id", sa.String(200), sa.ForeignKey("clients.id"), primary_key=True),
        sa.Column("per_productive_hour", sa.String(MONEY), nullable=False, server_default="0"),
        sa.Column("per_handled_call", sa.String(MONEY), nullable=False, server_default="0"),
        sa.Column("per_talk_minute", sa.String(MONEY), nullable=False, server_default="0"),
        sa.Column("per_sale", sa.String(MONEY), nullable=False, server_default="0"),
        sa.Column("monthly_minimum", sa.String(MONEY), nullable=False, server_default="0"),
    )


def downgrade() -> None:
    for table in ("rate_cards", "bonus_rules", "pay_rules", "pay_settings"):
        op.drop_table(table)
