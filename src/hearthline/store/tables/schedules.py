"""Schedules: the firm's scheduling settings, agents' contracts, timesheet corrections.

Open shifts and picks are events in the log (decided on the writer); these tables hold
the configuration the schedules start from and the supervisors' corrections.
"""

from __future__ import annotations

from sqlalchemy import Column, Float, ForeignKey, Integer, String, Table, Text

from hearthline.store.tables.base import ID, metadata

schedule_settings = Table(
    "schedule_settings",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("time_zone", String(64), nullable=False),
    # The adherence graces, as JSON.
    Column("grace", Text, nullable=False),
    Column("updated_at", Float, nullable=False),
)

contracts = Table(
    "contracts",
    metadata,
    Column("agent_id", String(ID), ForeignKey("agents.id"), primary_key=True),
    # The contract as JSON (``wfm.contracts.Contract``).
    Column("body", Text, nullable=False),
    Column("updated_at", Float, nullable=False),
)

timesheet_corrections = Table(
    "timesheet_corrections",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("agent_id", String(ID), ForeignKey("agents.id"), nullable=False, index=True),
    # The firm's calendar day (ISO date) the correction belongs to.
    Column("day", String(10), nullable=False, index=True),
    Column("start", Float, nullable=False),
    Column("end", Float, nullable=False),
    Column("state", String(64), nullable=False),
    Column("reason", Text, nullable=False),
    Column("by_user", String(ID), nullable=False),
    Column("at", Float, nullable=False),
)
