"""Recorded calls: the policy per campaign, the retention per client, and the files' index

Revision ID: 0022_recordings
Revises: 0021_listen_shown
Create Date: 2026-12-01 13:15:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022_recordings"
down_revision: str | None = "0021_listen_shown"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = 200


def upgrade() -> None:
    op.create_table(
        "recording_policies",
        sa.Column("campaign_id", sa.String(ID), sa.ForeignKey("campaigns.id"), primary_key=True),
        sa.Column("mode", sa.String(8), nullable=False),
        sa.Column("share_percent", sa.Integer(), nullable=False, server_default="100"),
        sa.Column("updated_at", sa.Float(), nullable=False),
    )
    op.create_table(
        "recording_retention",
        sa.Column("client_id", sa.String(ID), sa.ForeignKey("clients.id"), primary_key=True),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.Float(), nullable=False),
    )
    op.create_table(
        "recordings",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("contact_id", sa.String(ID), nullable=False),
        sa.Column("client_id", sa.String(ID), nullable=False),
        sa.Column("call_id", sa.String(ID), nullable=False),
        sa.Column("file", sa.String(400), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.Column("started_at", sa.Float(), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
    )
    op.create_index("ix_recordings_contact_id", "recordings", ["contact_id"])
    op.create_index("ix_recordings_client_id_created_at", "recordings", ["client_id", "created_at"])


def downgrade() -> None:
    op.drop_table("recordings")
    op.drop_table("recording_retention")
    op.drop_table("recording_policies")
