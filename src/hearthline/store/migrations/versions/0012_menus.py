"""Menus: flows per number, opening hours per campaign, uploaded prompts, announcements

Revision ID: 0012_menus
Revises: 0011_quality
Create Date: 2026-12-01 06:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_menus"
down_revision: str | None = "0011_quality"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = 200


def upgrade() -> None:
    op.create_table(
        "menu_flows",
        sa.Column("number", sa.String(64), primary_key=True),
        sa.Column("client_id", sa.String(ID), sa.ForeignKey("clients.id"), nullable=False),
        sa.Column("flow", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.Float(), nullable=False),
    )
    op.create_table(
        "opening_hours",
        sa.Column("campaign_id", sa.String(ID), sa.ForeignKey("campaigns.id"), primary_key=True),
        sa.Column("hours", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.Float(), nullable=False),
    )
    op.create_table(
        "menu_prompts",
        sa.Column("client_id", sa.String(ID), sa.ForeignKey("clients.id"), primary_key=True),
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("wav", sa.LargeBinary(), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.Column("updated_at", sa.Float(), nullable=False),
    )
    op.create_table(
        "announcements",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("client_id", sa.String(ID), sa.ForeignKey("clients.id"), nullable=False),
        sa.Column("queue_id", sa.String(ID), sa.ForeignKey("queues.id")),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("prompt", sa.String(64), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("updated_at", sa.Float(), nullable=False),
        sa.Column("updated_by", sa.String(ID), nullable=False),
    )
    op.create_index("ix_announcements_client_id", "announcements", ["client_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_announcements_client_id", table_name="announcements")
    for table in ("announcements", "menu_prompts", "opening_hours", "menu_flows"):
        op.drop_table(table)
