"""Read models: projections of the log, rebuildable from it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Float,
    Index,
    Integer,
    String,
    Table,
)

from hearthline.store.tables.base import ID, metadata

read_model_checkpoints = Table(
    "read_model_checkpoints",
    metadata,
    Column("name", String(60), primary_key=True),
    Column("last_event_id", BigInteger, nullable=False),
    Column("interval_s", Float, nullable=False),
)


def _queue_columns() -> list[Column[Any]]:
    return [
        Column("queue_id", String(ID), primary_key=True),
        Column("interval_start", Float, primary_key=True),
        Column("client_id", String(ID), index=True),
        *(
            Column(name, Integer, nullable=False, server_default="0")
            for name in (
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
        ),
        *(
            Column(name, Float, nullable=False, server_default="0")
            for name in (
                "wait_answered_s",
                "wait_abandoned_s",
                "max_wait_s",
                "talk_s",
                "hold_s",
                "wrap_s",
            )
        ),
        Column("abandoned_short", Integer, nullable=False, server_default="0"),
        Column("repeated", Integer, nullable=False, server_default="0"),
    ]


def _agent_columns() -> list[Column[Any]]:
    return [
        Column("agent_id", String(ID), primary_key=True),
        Column("interval_start", Float, primary_key=True),
        *(
            Column(name, Integer, nullable=False, server_default="0")
            for name in (
                "offers",
                "answered",
                "declined",
                "missed",
                "handled",
                "transferred",
                "dropped",
            )
        ),
        *(
            Column(name, Float, nullable=False, server_default="0")
            for name in ("available_s", "reserved_s", "talk_s", "hold_s", "wrap_s")
        ),
    ]


def _outcome_columns() -> list[Column[Any]]:
    return [
        Column("agent_id", String(ID), primary_key=True),
        Column("campaign_id", String(ID), primary_key=True),
        Column("interval_start", Float, primary_key=True),
        Column("client_id", String(ID), index=True),
        Column("outcomes", Integer, nullable=False, server_default="0"),
        Column("sales", Integer, nullable=False, server_default="0"),
        Column("saves", Integer, nullable=False, server_default="0"),
    ]


# Per interval (15 minutes by default), and the same summed per hour: a long range is
# read from the hours (a quarter of the rows) when its days start on whole hours.
queue_interval_stats = Table(
    "queue_interval_stats",
    metadata,
    *_queue_columns(),
    # Date ranges across every queue.
    Index("ix_queue_interval_stats_interval_start", "interval_start"),
)
queue_hour_stats = Table(
    "queue_hour_stats",
    metadata,
    *_queue_columns(),
    Index("ix_queue_hour_stats_interval_start", "interval_start"),
)

agent_interval_stats = Table(
    "agent_interval_stats",
    metadata,
    *_agent_columns(),
    Index("ix_agent_interval_stats_interval_start", "interval_start"),
)
agent_hour_stats = Table(
    "agent_hour_stats",
    metadata,
    *_agent_columns(),
    Index("ix_agent_hour_stats_interval_start", "interval_start"),
)

agent_outcome_stats = Table(
    "agent_outcome_stats",
    metadata,
    *_outcome_columns(),
    Index("ix_agent_outcome_stats_interval_start", "interval_start"),
)
agent_outcome_hour_stats = Table(
    "agent_outcome_hour_stats",
    metadata,
    *_outcome_columns(),
    Index("ix_agent_outcome_hour_stats_interval_start", "interval_start"),
)

# Per day of the firm, in its time zone (``interval_start`` is the local midnight; a day
# the clocks change holds 23 or 25 hours), summed from the intervals in the database as
# they are written: a month is read from 31 rows an agent instead of about 180 hours.
queue_day_stats = Table(
    "queue_day_stats",
    metadata,
    *_queue_columns(),
    Index("ix_queue_day_stats_interval_start", "interval_start"),
)
agent_day_stats = Table(
    "agent_day_stats",
    metadata,
    *_agent_columns(),
    Index("ix_agent_day_stats_interval_start", "interval_start"),
)
agent_outcome_day_stats = Table(
    "agent_outcome_day_stats",
    metadata,
    *_outcome_columns(),
    Index("ix_agent_outcome_day_stats_interval_start", "interval_start"),
)
# Which zone the day tables count in, and from which local midnight on they hold every
# day (the zone was set then, or the tables rebuilt): earlier days are read from hours.
report_day_zone = Table(
    "report_day_zone",
    metadata,
    Column("name", String(60), primary_key=True),
    Column("time_zone", String(60), nullable=False),
    Column("since", Float, nullable=False),
)

agent_not_ready_stats = Table(
    "agent_not_ready_stats",
    metadata,
    Column("agent_id", String(ID), primary_key=True),
    Column("interval_start", Float, primary_key=True),
    Column("reason_id", String(ID), primary_key=True),
    # System reasons (restart, connection lost...) are never the agent's own time.
    Column("system", Boolean, nullable=False),
    Column("seconds", Float, nullable=False),
)

# Adherence per shift and local day of the firm (``wfm.adherence_days``), written once the
# shift is over; the reports sum it by agent and day.
agent_adherence_days = Table(
    "agent_adherence_days",
    metadata,
    Column("agent_id", String(ID), primary_key=True),
    Column("shift_id", String(ID), primary_key=True),
    Column("day", String(10), primary_key=True),
    *(
        Column(name, Float, nullable=False, server_default="0")
        for name in ("scheduled_s", "adhering_s", "excused_s", "worked_s", "late_s", "early_s")
    ),
    *(
        Column(name, Integer, nullable=False, server_default="0")
        for name in ("late_starts", "early_leaves", "absences")
    ),
    Index("ix_agent_adherence_days_day", "day"),
)

QUEUE_STAT_COLUMNS = tuple(
    c.name for c in queue_interval_stats.columns if c.name not in ("queue_id", "client_id")
)

AGENT_STAT_COLUMNS = tuple(c.name for c in agent_interval_stats.columns if c.name != "agent_id")

OUTCOME_STAT_COLUMNS = ("outcomes", "sales", "saves")
