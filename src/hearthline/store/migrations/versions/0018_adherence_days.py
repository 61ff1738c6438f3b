"""Adherence per shift and local day of the firm, for the reports

Revision ID: 0018_adherence_days
Revises: 0017_help_client
Create Date: 2026-12-01 10:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018_adherence_days"
down_revision: str | None = "0017_help_client"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = 200


def upgrade() -> None:
    op.create_table(
        "agent_adherence_days",
        sa.Column("agent_id", sa.String(ID), primary_key=True),
        sa.Column("shift_id", sa.String(ID), primary_key=True),
        sa.Column("day", sa.String(10), primary_key=True),
        *(
            sa.Column(n, sa.Float(), nullable=False, server_default="0")
            for n in ("scheduled_s", "adhering_s", "excused_s", "worked_s", "late_s", "early_s")
        ),
        *(
            sa.Column(n, sa.Integer(), nullable=False, server_default="0")
            for n in ("late_starts", "early_leaves", "absences")
        ),
    )
    op.create_index("ix_agent_adherence_days_day", "agent_adherence_days", ["day"])


def downgrade() -> None:
    op.drop_table("agent_adherence_days")
