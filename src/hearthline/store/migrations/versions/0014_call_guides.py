"""Call guides: each campaign's guide, by version; an index for the offline procedures

Revision ID: 0014_call_guides
Revises: 0013_pay_periods
Create Date: 2026-12-01 06:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014_call_guides"
down_revision: str | None = "0013_pay_periods"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = 200


def upgrade() -> None:
    op.create_table(
        "call_guides",
        sa.Column("campaign_id", sa.String(ID), sa.ForeignKey("campaigns.id"), primary_key=True),
        sa.Column("version", sa.Integer(), primary_key=True),
        sa.Column("steps", sa.Text(), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.Column("created_by", sa.String(ID), nullable=False),
    )
    op.create_index(
        "ix_knowledge_articles_fingerprint",
        "knowledge_articles",
        ["client_id", "archived", "expires_at", "version", "updated_at", "id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_knowledge_articles_fingerprint", table_name="knowledge_articles")
    op.drop_table("call_guides")
