"""The event log, the source of truth, and the snapshots that shorten its replay."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Float,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
)

from hearthline.store.tables.base import ID, metadata

events = Table(
    "events",
    metadata,
    # Assigned by the one writer, gap-free: a stream resumes "after id N".
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("at", Float, nullable=False),
    Column("type", String(60), nullable=False),
    # The client company the event belongs to; NULL for firm-wide ones (agents, config).
    Column("client_id", String(ID)),
    Column("contact_id", String(ID)),
    Column("agent_id", String(ID)),
    Column("payload", Text, nullable=False),
    Index(None, "client_id", "id"),
    Index(None, "contact_id"),
)

snapshots = Table(
    "snapshots",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("last_event_id", BigInteger, nullable=False, index=True),
    # A snapshot of another code version is ignored: the log is replayed instead.
    Column("code_version", String(80), nullable=False),
    Column("taken_at", Float, nullable=False),
    # Every registered domain's live part, by domain name (migration 0004).
    Column("state", LargeBinary, nullable=False),
)
