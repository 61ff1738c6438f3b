"""Snapshots hold one state: every registered domain's live part, by name

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 00:40:00.000000

A snapshot is a shortcut, never the truth: the old ones are dropped with their columns
(a start replays the log once, then snapshots again).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("DELETE FROM snapshots")
    # Batch mode: SQLite rebuilds the table to drop columns; PostgreSQL alters it in place.
    with op.batch_alter_table("snapshots") as batch:
        batch.drop_column("routing_state")
        batch.drop_column("other_state")
        batch.add_column(sa.Column("state", sa.LargeBinary(), nullable=False))


def downgrade() -> None:
    op.execute("DELETE FROM snapshots")
    with op.batch_alter_table("snapshots") as batch:
        batch.drop_column("state")
        batch.add_column(sa.Column("routing_state", sa.LargeBinary(), nullable=False))
        batch.add_column(sa.Column("other_state", sa.LargeBinary(), nullable=False))
