"""Agents can be retired: the time they left the firm, on their row

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 19:40:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("agents", sa.Column("retired_at", sa.Float(), nullable=True))


def downgrade() -> None:
    # Batch mode: SQLite rebuilds the table to drop a column; PostgreSQL drops it in place.
    with op.batch_alter_table("agents") as batch:
        batch.drop_column("retired_at")
