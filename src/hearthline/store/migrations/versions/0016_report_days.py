"""Reports per day of the firm: the queue, agent and outcome statistics summed per local
day, and the zone those days are counted in

Revision ID: 0016_report_days
Revises: 0015_knowledge_search
Create Date: 2026-12-01 06:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016_report_days"
down_revision: str | None = "0015_knowledge_search"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = 200
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
_TABLES = ("queue_day_stats", "agent_day_stats", "agent_outcome_day_stats")


def _counts(names: Sequence[str]) -> list[sa.Column[int]]:
    return [sa.Column(n, sa.Integer(), nullable=False, server_default="0") for n in names]


def _seconds(names: Sequence[str]) -> list[sa.Column[float]]:
    return [sa.Column(n, sa.Float(), nullable=False, server_default="0") for n in names]


def upgrade() -> None:
    op.create_table(
        "queue_day_stats",
        sa.Column("queue_id", sa.String(ID), primary_key=True),
        sa.Column("interval_start", sa.Float(), primary_key=True),
        sa.Column("client_id", sa.String(ID), nullable=True),
        *_counts(_QUEUE_COUNTS),
        *_seconds(_QUEUE_SECONDS),
        *_counts(("abandoned_short", "repeated")),
    )
    op.create_index("ix_queue_day_stats_client_id", "queue_day_stats", ["client_id"])
    op.create_table(
        "agent_day_stats",
        sa.Column("agent_id", sa.String(ID), primary_key=True),
        sa.Column("interval_start", sa.Float(), primary_key=True),
        *_counts(_AGENT_COUNTS),
        *_seconds(_AGENT_SECONDS),
    )
    op.create_table(
        "agent_outcome_day_stats",
        sa.Column("agent_id", sa.String(ID), primary_key=True),
        sa.Column("campaign_id", sa.String(ID), primary_key=True),
        sa.Column("interval_start", sa.Float(), primary_key=True),
        sa.Column("client_id", sa.String(ID), nullable=True),
        *_counts(("outcomes", "sales", "saves")),
    )
    op.create_index(
        "ix_agent_outcome_day_stats_client_id", "agent_outcome_day_stats", ["client_id"]
    )
    for table in _TABLES:
        op.create_index(f"ix_{table}_interval_start", table, ["interval_start"])
    # No row: no day is read from the day tables until the writer or a rebuild says from
    # which midnight on they are whole (a database upgraded with history in it).
    op.create_table(
        "report_day_zone",
        sa.Column("name", sa.String(60), primary_key=True),
        sa.Column("time_zone", sa.String(60), nullable=False),
        sa.Column("since", sa.Float(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("report_day_zone")
    for table in reversed(_TABLES):
        op.drop_table(table)
