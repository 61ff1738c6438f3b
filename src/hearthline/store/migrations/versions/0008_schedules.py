"""Schedules: the firm's scheduling settings, agents' contracts, timesheet corrections

Revision ID: 0008_schedules
Revises: 0007_reports
Create Date: 2026-12-01 03:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_schedules"
down_revision: str | None = "0007_reports"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "schedule_settings",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("time_zone", sa.String(64), nullable=False),
        sa.Column("grace", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.Float(), nullable=False),
    )
    op.create_table(
        "contracts",
        sa.Column("agent_id", sa.String(200), sa.ForeignKey("agents.id"), primary_key=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.Float(), nullable=False),
    )
    op.create_table(
        "timesheet_corrections",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("agent_id", sa.String(200), sa.ForeignKey("agents.id"), nullable=False),
        sa.Column("day", sa.String(10), nullable=False),
        sa.Column("start", sa.Float(), nullable=False),
        sa.Column("end", sa.Float(), nullable=False),
        sa.Column("state", sa.String(64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("by_user", sa.String(200), nullable=False),
        sa.Column("at", sa.Float(), nullable=False),
    )
    op.create_index("ix_timesheet_corrections_agent_id", "timesheet_corrections", ["agent_id"])
    op.create_index("ix_timesheet_corrections_day", "timesheet_corrections", ["day"])


def downgrade() -> None:
    op.drop_index("ix_timesheet_corrections_day", table_name="timesheet_corrections")
    op.drop_index("ix_timesheet_corrections_agent_id", table_name="timesheet_corrections")
    op.drop_table("timesheet_corrections")
    op.drop_table("contracts")
    op.drop_table("schedule_settings")
