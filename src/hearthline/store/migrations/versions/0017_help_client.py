"""Help requests keep the client company of the contact they were asked on

Revision ID: 0017_help_client
Revises: 0016_report_days
Create Date: 2026-12-01 10:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017_help_client"
down_revision: str | None = "0016_report_days"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = 200


def upgrade() -> None:
    op.add_column("help_requests", sa.Column("client_id", sa.String(ID), nullable=True))
    op.create_index("ix_help_requests_client_id", "help_requests", ["client_id"])
    # Requests asked before: the client the log gave the contact. One whose contact the
    # log never placed keeps NULL and is seen firm-wide only (see api/routes/supervisor.py).
    op.execute(
        "UPDATE help_requests SET client_id = ("
        " SELECT e.client_id FROM events e"
        " WHERE e.contact_id = help_requests.contact_id AND e.client_id IS NOT NULL"
        " ORDER BY e.id LIMIT 1"
        ") WHERE contact_id IS NOT NULL"
    )


def downgrade() -> None:
    op.drop_index("ix_help_requests_client_id", table_name="help_requests")
    # Batch mode: SQLite rebuilds the table to drop a column; PostgreSQL drops it in place.
    with op.batch_alter_table("help_requests") as batch:
        batch.drop_column("client_id")
