"""Reports over date ranges: short abandons and repeat contacts per queue interval, agents'
outcomes per campaign and interval, every interval table summed per hour too, and the
interval start indexed for ranges

Revision ID: 0007_reports
Revises: 0006_pay
Create Date: 2026-12-01 03:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_reports"
down_revision: str | None = "0006_pay"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


_QUEUE_COUNTS = (
    "offered",
    "callbacks_offered",
    "answered",
    "answered_in_target",
    "abandoned",
    "abandoned_in_target",
    "dropped",
    "overflowed",
    "converted_to_callback",
    "moved_out",
    "transferred_out",
    "handled",
)
_QUEUE_SECONDS = ("wait_answered_s", "wait_abandoned_s", "max_wait_s", "talk_s", "hold_s", "wrap_s")
_AGENT_COUNTS = ("offers", "answered", "declined", "missed", "handled", "transferred", "dropped")
_AGENT_SECONDS = ("available_s", "reserved_s", "talk_s", "hold_s", "wrap_s")


def _counts(names: Sequence[str]) -> list[sa.Column[int]]:
    return [sa.Column(n, sa.Integer(), nullable=False, server_default="0") for n in names]


def _seconds(names: Sequence[str]) -> list[sa.Column[float]]:
    return [sa.Column(n, sa.Float(), nullable=False, server_default="0") for n in names]


def _hour_tables() -> None:
    op.create_table(
        "queue_hour_stats",
        sa.Column("queue_id", sa.String(200), primary_key=True),
        sa.Column("interval_start", sa.Float(), primary_key=True),
        sa.Column("client_id", sa.String(200), nullable=True),
        *_counts(_QUEUE_COUNTS),
        *_seconds(_QUEUE_SECONDS),
        *_counts(("abandoned_short", "repeated")),
    )
    op.create_index("ix_queue_hour_stats_client_id", "queue_hour_stats", ["client_id"])
    op.create_table(
        "agent_hour_stats",
        sa.Column("agent_id", sa.String(200), primary_key=True),
        sa.Column("interval_start", sa.Float(), primary_key=True),
        *_counts(_AGENT_COUNTS),
        *_seconds(_AGENT_SECONDS),
    )
    op.create_table(
        "agent_outcome_hour_stats",
        sa.Column("agent_id", sa.String(200), primary_key=True),
        sa.Column("campaign_id", sa.String(200), primary_key=True),
        sa.Column("interval_start", sa.Float(), primary_key=True),
        sa.Column("client_id", sa.String(200), nullable=True),
        *_counts(("outcomes", "sales", "saves")),
    )
    op.create_index(
        "ix_agent_outcome_hour_stats_client_id", "agent_outcome_hour_stats", ["client_id"]
    )
    for table in ("queue_hour_stats", "agent_hour_stats", "agent_outcome_hour_stats"):
        op.create_index(f"ix_{table}_interval_start", table, ["interval_start"])


def upgrade() -> None:
    for name in ("abandoned_short", "repeated"):
        op.add_column(
            "queue_interval_stats",
            sa.Column(name, sa.Integer(), nullable=False, server_default="0"),
        )
    op.create_index(
        "ix_queue_interval_stats_interval_start", "queue_interval_stats", ["interval_start"]
    )
    op.create_index(
        "ix_agent_interval_stats_interval_start", "agent_interval_stats", ["interval_start"]
    )
    op.create_table(
        "agent_outcome_stats",
        sa.Column("agent_id", sa.String(200), primary_key=True),
        sa.Column("campaign_id", sa.String(200), primary_key=True),
        sa.Column("interval_start", sa.Float(), primary_key=True),
        sa.Column("client_id", sa.String(200), nullable=True),
        *(
            sa.Column(name, sa.Integer(), nullable=False, server_default="0")
            for name in ("outcomes", "sales", "saves")
        ),
    )
    op.create_index("ix_agent_outcome_stats_client_id", "agent_outcome_stats", ["client_id"])
    op.create_index(
        "ix_agent_outcome_stats_interval_start", "agent_outcome_stats", ["interval_start"]
    )

    _hour_tables()


def downgrade() -> None:
    for table in ("agent_outcome_hour_stats", "agent_hour_stats", "queue_hour_stats"):
        op.drop_table(table)
    op.drop_table("agent_outcome_stats")
    op.drop_index("ix_agent_interval_stats_interval_start", table_name="agent_interval_stats")
    op.drop_index("ix_queue_interval_stats_interval_start", table_name="queue_interval_stats")
    with op.batch_alter_table("queue_interval_stats") as batch:
        batch.drop_column("repeated")
        batch.drop_column("abandoned_short")
