"""Pay rules per contract kind (full-time, part-time): they apply to the agents under
such a contract who have no pay rule of their own

Revision ID: 0019_contract_pay
Revises: 0018_adherence_days
Create Date: 2026-12-01 10:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019_contract_pay"
down_revision: str | None = "0018_adherence_days"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MONEY = 24


def upgrade() -> None:
    op.create_table(
        "contract_pay_rules",
        sa.Column("contract_kind", sa.String(16), primary_key=True),
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


def downgrade() -> None:
    op.drop_table("contract_pay_rules")
