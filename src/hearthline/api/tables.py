"""The server's own tables: sessions, API tokens, the audit log, help requests, customers.

They share the store's ``MetaData`` (and its naming convention), so the schema check of
the store's migrations sees them; the migration that creates them is
``store/migrations/versions/0002_server.py``, which imports this module for that reason.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    false,
)

from hearthline.store.schema import ID, metadata

TOKEN_SCOPES = ("user", "channel")

sessions = Table(
    "sessions",
    metadata,
    # SHA-256 of the cookie's random token: a stolen database row opens no session.
    Column("id", String(64), primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False, index=True),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", Float, nullable=False),
    Column("expires_at", Float, nullable=False),
    Column("client_ip", String(64), nullable=False, server_default=""),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    # Public handle, shown in lists and used to revoke; the secret is only hashed.
    Column("id", String(32), primary_key=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False, index=True),
    Column("name", Text, nullable=False, server_default=""),
    # 'user': acts as its user; 'channel': only the channel ingress (adapters, simulator).
    Column("scope", String(20), nullable=False),
    Column("created_at", Float, nullable=False),
    Column("expires_at", Float),
    CheckConstraint("scope IN ('user', 'channel')", name="scope_known"),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", Float, nullable=False),
    # No foreign key: the record outlives the account that made the change.
    Column("user_id", Integer, nullable=False),
    Column("username", String(ID), nullable=False),
    Column("action", String(80), nullable=False),
    Column("target", String(ID * 2), nullable=False),
    Column("before", Text),
    Column("after", Text),
    Index(None, "at"),
)

help_requests = Table(
    "help_requests",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("agent_id", String(ID), ForeignKey("agents.id"), nullable=False, index=True),
    Column("contact_id", String(ID)),
    Column("text", Text, nullable=False),
    Column("created_at", Float, nullable=False),
    Column("answer", Text),
    Column("answered_by", String(ID)),
    Column("answered_at", Float),
    Column("open", Boolean, nullable=False, server_default=false()),
)

customers = Table(
    "customers",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("client_id", String(ID), ForeignKey("clients.id"), nullable=False, index=True),
    Column("name", Text, nullable=False, server_default=""),
    # Digits with an optional leading '+': what caller ids are matched on.
    Column("phone", String(64), nullable=False, server_default="", index=True),
    Column("email", Text, nullable=False, server_default=""),
    Column("created_at", Float, nullable=False),
)

customer_contacts = Table(
    "customer_contacts",
    metadata,
    Column("contact_id", String(ID), primary_key=True),
    Column("customer_id", String(64), ForeignKey("customers.id"), nullable=False, index=True),
    Column("linked_at", Float, nullable=False),
)

numbers = Table(
    "numbers",
    metadata,
    # A number callers dial, and the queue its calls go to (none: the menu decides).
    Column("number", String(64), primary_key=True),
    Column("queue_id", String(ID), ForeignKey("queues.id")),
    Column("label", Text, nullable=False, server_default=""),
)
