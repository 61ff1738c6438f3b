"""Menu figures for the reports: one row per dialled number, menu node and interval, and
one per way its stays were left

Revision ID: 0020_report_menus
Revises: 0019_contract_pay
Create Date: 2026-12-01 10:30:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020_report_menus"
down_revision: str | None = "0019_contract_pay"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = 200


def upgrade() -> None:
    op.create_table(
        "menu_interval_stats",
        sa.Column("number", sa.String(64), primary_key=True),
        sa.Column("node", sa.String(40), primary_key=True),
        sa.Column("interval_start", sa.Float(), primary_key=True),
        sa.Column("client_id", sa.String(ID), nullable=False),
        *(
            sa.Column(n, sa.Integer(), nullable=False, server_default="0")
            for n in ("calls", "visits", "hangups", "zero_outs", "timeouts", "invalids")
        ),
        *(
            sa.Column(n, sa.Float(), nullable=False, server_default="0")
            for n in ("call_s", "seconds")
        ),
    )
    op.create_index("ix_menu_interval_stats_client_id", "menu_interval_stats", ["client_id"])
    op.create_index(
        "ix_menu_interval_stats_interval_start", "menu_interval_stats", ["interval_start"]
    )

    op.create_table(
        "menu_exit_stats",
        sa.Column("number", sa.String(64), primary_key=True),
        sa.Column("node", sa.String(40), primary_key=True),
        sa.Column("interval_start", sa.Float(), primary_key=True),
        sa.Column("how", sa.String(32), primary_key=True),
        sa.Column("client_id", sa.String(ID), nullable=False),
        sa.Column("stays", sa.Integer(), nullable=False, server_default="0"),
    )
    op.create_index("ix_menu_exit_stats_client_id", "menu_exit_stats", ["client_id"])
    op.create_index("ix_menu_exit_stats_interval_start", "menu_exit_stats", ["interval_start"])


def downgrade() -> None:
    op.drop_table("menu_exit_stats")
    op.drop_table("menu_interval_stats")
