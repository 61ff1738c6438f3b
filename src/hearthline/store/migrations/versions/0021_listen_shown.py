"""Whether an agent is shown that a supervisor listens in (whisper and barge always are)

Revision ID: 0021_listen_shown
Revises: 0020_report_menus
Create Date: 2026-12-01 13:30:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021_listen_shown"
down_revision: str | None = "0020_report_menus"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "firm",
        sa.Column("show_listen_in", sa.Boolean, nullable=False, server_default=sa.true()),
    )


def downgrade() -> None:
    # Batch mode: SQLite rebuilds a table to drop a column; PostgreSQL drops it in place.
    with op.batch_alter_table("firm") as batch:
        batch.drop_column("show_listen_in")
