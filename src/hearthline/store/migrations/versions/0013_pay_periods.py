"""Closed pay periods: what was paid, per agent, and the bonus ledger after each

Revision ID: 0013_pay_periods
Revises: 0012_menus
Create Date: 2026-12-01 06:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_pay_periods"
down_revision: str | None = "0012_menus"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = 200
MONEY = 24


def upgrade() -> None:
    op.create_table(
        "pay_periods",
        sa.Column("first_day", sa.String(10), primary_key=True),
        sa.Column("end_day", sa.String(10), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False, unique=True),
        sa.Column("closed_at", sa.Float(), nullable=False),
        sa.Column("closed_by", sa.String(ID), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("ledger", sa.Text(), nullable=False),
    )
    op.create_table(
        "pay_period_agents",
        sa.Column(
            "first_day",
            sa.String(10),
            sa.ForeignKey("pay_periods.first_day"),
            primary_key=True,
        ),
        sa.Column("agent_id", sa.String(ID), primary_key=True),
        sa.Column("lines", sa.Text(), nullable=False),
        sa.Column("total", sa.String(MONEY), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("pay_period_agents")
    op.drop_table("pay_periods")
