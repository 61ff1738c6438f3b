"""The tables, as SQLAlchemy Core: configuration, the event log, snapshots, read models.

Core rather than the ORM: the write path appends rows in batches and recovery streams
them back, and neither wants identity maps. The Alembic migrations in ``migrations/``
create exactly these tables (a test compares them), on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    false,
    true,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

ID = 200  # identifiers: the routing core allows up to 200 characters for contacts
ROLES = ("admin", "supervisor", "agent", "client_viewer")

# Configuration ------------------------------------------------------------------------------

firm = Table(
    "firm",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("name", Text, nullable=False, server_default=""),
    Column("connection_grace_s", Float, nullable=False, server_default="60"),
    Column("direct_transfer_wait_s", Float, nullable=False, server_default="30"),
)

clients = Table(
    "clients",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("firm_id", String(ID), ForeignKey("firm.id"), nullable=False),
    Column("name", Text, nullable=False, server_default=""),
)

campaigns = Table(
    "campaigns",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("client_id", String(ID), ForeignKey("clients.id"), nullable=False, index=True),
    Column("name", Text, nullable=False, server_default=""),
    Column("callback_on_drop", Boolean, nullable=False, server_default=true()),
    Column("callback_priority", Integer, nullable=False, server_default="10"),
    Column("prefer_same_agent_s", Float, nullable=False, server_default="120"),
)

scripts = Table(
    "scripts",
    metadata,
    Column("campaign_id", String(ID), ForeignKey("campaigns.id"), primary_key=True),
    Column("name", String(ID), primary_key=True),
    Column("body", Text, nullable=False, server_default=""),
)

queues = Table(
    "queues",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("campaign_id", String(ID), ForeignKey("campaigns.id"), nullable=False, index=True),
    Column("name", Text, nullable=False, server_default=""),
    Column("requirement", Text, nullable=False, server_default="*"),
    # Escalation steps, JSON (see codec.dump_value): an ordered list of small records.
    Column("steps", Text, nullable=False, server_default="[]"),
    Column("strategy", String(40), nullable=False, server_default="longest-idle"),
    Column("rank_skill", String(ID)),
    Column("offer_timeout_s", Float, nullable=False, server_default="20"),
    Column("wrap_up_mode", String(20), nullable=False, server_default="timed"),
    Column("wrap_up_s", Float, nullable=False, server_default="30"),
    Column("max_length", Integer),
    Column("on_full_kind", String(20), nullable=False, server_default="voicemail"),
    Column("on_full_queue", String(ID)),
    Column("max_wait_s", Float),
    Column("on_max_wait_kind", String(20), nullable=False, server_default="callback"),
    Column("on_max_wait_queue", String(ID)),
    Column("service_target_s", Float, nullable=False, server_default="20"),
    Column("expected_handle_s", Float, nullable=False, server_default="180"),
)

skills = Table(
    "skills",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("name", Text, nullable=False, server_default=""),
)

agents = Table(
    "agents",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("name", Text, nullable=False, server_default=""),
    Column("capacity", Integer, nullable=False, server_default="1"),
    # When the agent was retired (left the firm); the row stays for the history that
    # names them (help requests, accounts, reports). Saving the agent again clears it.
    Column("retired_at", Float),
)

agent_skills = Table(
    "agent_skills",
    metadata,
    Column("agent_id", String(ID), ForeignKey("agents.id"), primary_key=True),
    Column("skill_id", String(ID), ForeignKey("skills.id"), primary_key=True),
    Column("level", Integer, nullable=False),
    CheckConstraint("level >= 0", name="level_not_negative"),
)

agent_campaigns = Table(
    "agent_campaigns",
    metadata,
    Column("agent_id", String(ID), ForeignKey("agents.id"), primary_key=True),
    Column("campaign_id", String(ID), ForeignKey("campaigns.id"), primary_key=True),
)

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
    CheckConstraint("role IN ('admin', 'supervisor', 'agent', 'client_viewer')", name="role_known"),
)

reason_codes = Table(
    "reason_codes",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("label", Text, nullable=False),
    Column("system", Boolean, nullable=False, server_default=false()),
)

dispositions = Table(
    "dispositions",
    metadata,
    Column("campaign_id", String(ID), ForeignKey("campaigns.id"), primary_key=True),
    Column("id", String(ID), primary_key=True),
    Column("label", Text, nullable=False, server_default=""),
    Column("counts_as_sale", Boolean, nullable=False, server_default=false()),
    Column("counts_as_save", Boolean, nullable=False, server_default=false()),
    Column("position", Integer, nullable=False, server_default="0"),
)

forms = Table(
    "forms",
    metadata,
    Column("campaign_id", String(ID), ForeignKey("campaigns.id"), primary_key=True),
    Column("name", Text, nullable=False, server_default=""),
)

form_fields = Table(
    "form_fields",
    metadata,
    Column("campaign_id", String(ID), ForeignKey("forms.campaign_id"), primary_key=True),
    Column("name", String(ID), primary_key=True),
    Column("label", Text, nullable=False, server_default=""),
    Column("kind", String(20), nullable=False, server_default="text"),
    Column("required", Boolean, nullable=False, server_default=false()),
    # JSON list of the allowed values of a 'choice' field.
    Column("choices", Text, nullable=False, server_default="[]"),
    Column("position", Integer, nullable=False, server_default="0"),
)

# The event log: the source of truth -----------------------------------------------------------

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
    Column("routing_state", LargeBinary, nullable=False),
    Column("other_state", LargeBinary, nullable=False),
)

# Read models: projections of the log, rebuildable from it ------------------------------------

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


# The server's own tables (hearthline.api): sign-in sessions, API tokens, the audit log of
# administrative changes, help requests, customers and the numbers callers dial. Created
# by migration 0002.

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
