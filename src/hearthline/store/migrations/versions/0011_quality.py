"""Quality: scorecard templates by version, evaluations, coaching notes

Revision ID: 0011_quality
Revises: 0010_hardening
Create Date: 2026-12-01 04:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_quality"
down_revision: str | None = "0010_hardening"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = 200


def upgrade() -> None:
    op.create_table(
        "quality_templates",
        sa.Column("campaign_id", sa.String(ID), sa.ForeignKey("campaigns.id"), primary_key=True),
        sa.Column("version", sa.Integer(), primary_key=True),
        sa.Column("sections", sa.Text(), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.Column("created_by", sa.String(ID), nullable=False),
    )
    op.create_table(
        "quality_evaluations",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("contact_id", sa.String(ID), nullable=False),
        sa.Column("agent_id", sa.String(ID), sa.ForeignKey("agents.id"), nullable=False),
        sa.Column("client_id", sa.String(ID), sa.ForeignKey("clients.id"), nullable=False),
        sa.Column("campaign_id", sa.String(ID), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("evaluator", sa.String(ID), nullable=False),
        sa.Column("answers", sa.Text(), nullable=False),
        sa.Column("comments", sa.Text(), nullable=False, server_default=""),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("critical_fail", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("calibration", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("at", sa.Float(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False, server_default="open"),
        sa.Column("agent_comment", sa.Text()),
        sa.Column("responded_at", sa.Float()),
        sa.Column("resolution", sa.Text()),
        sa.Column("resolved_by", sa.String(ID)),
        sa.Column("resolved_at", sa.Float()),
        sa.ForeignKeyConstraint(
            ["campaign_id", "version"],
            ["quality_templates.campaign_id", "quality_templates.version"],
        ),
    )
    for column in ("contact_id", "agent_id", "client_id", "at"):
        op.create_index(
            f"ix_quality_evaluations_{column}", "quality_evaluations", [column], unique=False
        )
    op.create_table(
        "quality_coaching",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "evaluation_id", sa.Integer(), sa.ForeignKey("quality_evaluations.id"), nullable=False
        ),
        sa.Column("author", sa.String(ID), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("at", sa.Float(), nullable=False),
    )
    op.create_index(
        "ix_quality_coaching_evaluation_id", "quality_coaching", ["evaluation_id"], unique=False
    )


def downgrade() -> None:
    for table in ("quality_coaching", "quality_evaluations", "quality_templates"):
        op.drop_table(table)
