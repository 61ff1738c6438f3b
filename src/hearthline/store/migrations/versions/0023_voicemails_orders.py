"""Voicemails indexed beside recorded calls (what each recording is: a call or a
voicemail), and the clients' order numbers a caller can be identified by

Revision ID: 0023_voicemails_orders
Revises: 0022_recordings
Create Date: 2026-12-01 16:30:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023_voicemails_orders"
down_revision: str | None = "0022_recordings"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = 200


def upgrade() -> None:
    op.add_column(
        "recordings",
        sa.Column("kind", sa.String(12), nullable=False, server_default="call"),
    )
    op.create_table(
        "orders",
        sa.Column("client_id", sa.String(ID), sa.ForeignKey("clients.id"), primary_key=True),
        sa.Column("number", sa.String(64), primary_key=True),
        sa.Column("customer_id", sa.String(64), sa.ForeignKey("customers.id"), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
    )
    op.create_index("ix_orders_customer_id", "orders", ["customer_id"])


def downgrade() -> None:
    op.drop_table("orders")
    # Batch mode: SQLite rebuilds a table to drop a column; PostgreSQL drops it in place.
    with op.batch_alter_table("recordings") as batch:
        batch.drop_column("kind")
