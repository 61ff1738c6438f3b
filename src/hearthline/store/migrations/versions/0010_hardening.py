"""Sign-in throttling shared by every server process, and two-factor sign-in

Revision ID: 0010_hardening
Revises: 0009_knowledge
Create Date: 2026-12-01 03:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_hardening"
down_revision: str | None = "0009_knowledge"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sign_in_throttle",
        sa.Column("key", sa.String(208), nullable=False),
        sa.Column("failures", sa.Integer, nullable=False),
        sa.Column("window_start", sa.Float, nullable=False),
        sa.Column("locked_until", sa.Float, nullable=False),
        sa.Column("lockouts", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_sign_in_throttle"),
    )
    op.create_index("ix_sign_in_throttle_window_start", "sign_in_throttle", ["window_start"])
    op.add_column("users", sa.Column("totp_secret", sa.String(64), nullable=True))
    op.add_column("users", sa.Column("totp_pending", sa.String(64), nullable=True))
    op.add_column("users", sa.Column("totp_last_step", sa.Integer, nullable=True))
    op.create_table(
        "recovery_codes",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("user_id", sa.Integer, nullable=False),
        sa.Column("code_hash", sa.Text, nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_recovery_codes_user_id_users"),
        sa.PrimaryKeyConstraint("id", name="pk_recovery_codes"),
    )
    op.create_index("ix_recovery_codes_user_id", "recovery_codes", ["user_id"])
    op.add_column(
        "firm",
        sa.Column("require_two_factor", sa.Boolean, nullable=False, server_default=sa.false()),
    )


def downgrade() -> None:
    # Batch mode: SQLite rebuilds a table to drop a column; PostgreSQL drops it in place.
    with op.batch_alter_table("firm") as batch:
        batch.drop_column("require_two_factor")
    op.drop_index("ix_recovery_codes_user_id", table_name="recovery_codes")
    op.drop_table("recovery_codes")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("totp_last_step")
        batch.drop_column("totp_pending")
        batch.drop_column("totp_secret")
    op.drop_index("ix_sign_in_throttle_window_start", table_name="sign_in_throttle")
    op.drop_table("sign_in_throttle")
