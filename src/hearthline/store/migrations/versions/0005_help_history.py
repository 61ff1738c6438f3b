"""Help requests keep the customer of the contact they were asked about, and are found
by contact

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 01:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("help_requests", sa.Column("customer_id", sa.String(64), nullable=True))
    op.create_index("ix_help_requests_contact_id", "help_requests", ["contact_id"])
    op.create_index("ix_help_requests_customer_id", "help_requests", ["customer_id"])


def downgrade() -> None:
    op.drop_index("ix_help_requests_customer_id", table_name="help_requests")
    op.drop_index("ix_help_requests_contact_id", table_name="help_requests")
    # Batch mode: SQLite rebuilds the table to drop a column; PostgreSQL drops it in place.
    with op.batch_alter_table("help_requests") as batch:
        batch.drop_column("customer_id")
