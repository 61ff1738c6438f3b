"""Read model of the menus' figures (``reports.menus``): one row per dialled number, node
and interval, and one per way its stays were left, rebuildable from the log's
MenuVisited events. The ways are rows, not a column per way, so a report sums them in
SQL like the other figures (they are each flow's own)."""

from __future__ import annotations

from sqlalchemy import Column, Float, Index, Integer, String, Table

from hearthline.store.tables.base import ID, metadata

menu_interval_stats = Table(
    "menu_interval_stats",
    metadata,
    Column("number", String(64), primary_key=True),
    Column("node", String(40), primary_key=True),
    Column("interval_start", Float, primary_key=True),
    Column("client_id", String(ID), nullable=False, index=True),
    *(
        Column(name, Integer, nullable=False, server_default="0")
        for name in ("calls", "visits", "hangups", "zero_outs", "timeouts", "invalids")
    ),
    *(Column(name, Float, nullable=False, server_default="0") for name in ("call_s", "seconds")),
    Index("ix_menu_interval_stats_interval_start", "interval_start"),
)
menu_exit_stats = Table(
    "menu_exit_stats",
    metadata,
    Column("number", String(64), primary_key=True),
    Column("node", String(40), primary_key=True),
    Column("interval_start", Float, primary_key=True),
    Column("how", String(32), primary_key=True),  # "option:1", "hangup", ...
    Column("client_id", String(ID), nullable=False, index=True),
    Column("stays", Integer, nullable=False, server_default="0"),
    Index("ix_menu_exit_stats_interval_start", "interval_start"),
)
