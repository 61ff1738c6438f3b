"""Who signs in and how: users, browser sessions, API tokens, and the audit log of
administrative changes."""

from __future__ import annotations

from sqlalchemy import (
    CheckConstraint,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
)

from hearthline.store.tables.base import ID, metadata

ROLES = ("admin", "supervisor", "agent", "client_viewer")
TOKEN_SCOPES = ("user", "channel")

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(ID), nullable=False, unique=True),
    Column("display_name", Text, nullable=False, server_default=""),
    Column("role", String(20), nullable=False),
    # A client_viewer (or a supervisor of one client company) sees only that client.
    Column("client_id", String(ID), ForeignKey("clients.id")),
    Column("agent_id", String(ID), ForeignKey("agents.id"), unique=True),
    # argon2id, filled by the server layer; NULL until a password is set.
    Column("password_hash", Text),
    # Two-factor sign-in: the TOTP secret once confirmed (the check needs it in clear),
    # one being enrolled, and the last time step used (a code works once).
    Column("totp_secret", String(64)),
    Column("totp_pending", String(64)),
    Column("totp_last_step", Integer),
    CheckConstraint("role IN ('admin', 'supervisor', 'agent', 'client_viewer')", name="role_known"),
)

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

sign_in_throttle = Table(
    "sign_in_throttle",
    metadata,
    # 'user:<name, casefolded>' or 'ip:<address>': in the database so that every server
    # process counts the same failures.
    Column("key", String(ID + 8), primary_key=True),
    # Attempts in the window that began at window_start, each counted before its password
    # is checked (a success takes its own back).
    Column("failures", Integer, nullable=False),
    Column("window_start", Float, nullable=False),
    Column("locked_until", Float, nullable=False),
    # Lockouts in a row: each one doubles the next (the back-off).
    Column("lockouts", Integer, nullable=False),
    Index(None, "window_start"),
)

recovery_codes = Table(
    "recovery_codes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False, index=True),
    # argon2id of a one-time code that stands in for a lost authenticator.
    Column("code_hash", Text, nullable=False),
)
