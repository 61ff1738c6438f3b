"""Read models: projections of the log, rebuildable from it."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Float,
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

queue_interval_stats = Table(
    "queue_interval_stats",
    metadata,
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
)

agent_interval_stats = Table(
    "agent_interval_stats",
    metadata,
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

QUEUE_STAT_COLUMNS = tuple(
    c.name for c in queue_interval_stats.columns if c.name not in ("queue_id", "client_id")
)

AGENT_STAT_COLUMNS = tuple(c.name for c in agent_interval_stats.columns if c.name != "agent_id")
