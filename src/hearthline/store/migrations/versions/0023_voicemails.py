"""Voicemails indexed beside recorded calls: what each recording is (a call or a voicemail)

Revision ID: 0023_voicemails
Revises: 0022_recordings
Create Date: 2026-12-01 16:30:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023_voicemails"
down_revision: str | None = "0022_recordings"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "recordings",
        sa.Column("kind", sa.String(12), nullable=False, server_default="call"),
    )


def downgrade() -> None:
    # Batch mode: SQLite rebuilds a table to drop a column; PostgreSQL drops it in place.
    with op.batch_alter_table("recordings") as batch:
        batch.drop_column("kind")
