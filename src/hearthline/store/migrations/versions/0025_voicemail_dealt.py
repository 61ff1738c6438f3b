"""Voicemails followed up: when one was first played, and when and by whom it was dealt
with (the supervisor console's list hides those)

Revision ID: 0025_voicemail_dealt
Revises: 0024_knowledge_gin
Create Date: 2026-12-01 20:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0025_voicemail_dealt"
down_revision: str | None = "0024_knowledge_gin"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = 200


def upgrade() -> None:
    op.add_column("recordings", sa.Column("played_at", sa.Float(), nullable=True))
    op.add_column("recordings", sa.Column("dealt_at", sa.Float(), nullable=True))
    op.add_column("recordings", sa.Column("dealt_by", sa.String(ID), nullable=True))


def downgrade() -> None:
    # Batch mode: SQLite rebuilds a table to drop a column; PostgreSQL drops it in place.
    with op.batch_alter_table("recordings") as batch:
        batch.drop_column("dealt_by")
        batch.drop_column("dealt_at")
        batch.drop_column("played_at")
