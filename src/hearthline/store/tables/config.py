"""The routed configuration: the firm, its clients, campaigns, queues, skills, agents,
not-ready reasons, and the numbers callers dial."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Float,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    false,
    true,
)

from hearthline.store.tables.base import ID, metadata

firm = Table(
    "firm",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("name", Text, nullable=False, server_default=""),
    Column("connection_grace_s", Float, nullable=False, server_default="60"),
    Column("direct_transfer_wait_s", Float, nullable=False, server_default="30"),
    # Supervisors and administrators must sign in with a second factor (TOTP).
    Column("require_two_factor", Boolean, nullable=False, server_default=false()),
    # The agent's desk shows a supervisor listening in (whisper and barge always show).
    Column("show_listen_in", Boolean, nullable=False, server_default=true()),
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

reason_codes = Table(
    "reason_codes",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("label", Text, nullable=False),
    Column("system", Boolean, nullable=False, server_default=false()),
)

numbers = Table(
    "numbers",
    metadata,
    # A number callers dial, and the queue its calls go to (none: the menu decides).
    Column("number", String(64), primary_key=True),
    Column("queue_id", String(ID), ForeignKey("queues.id")),
    Column("label", Text, nullable=False, server_default=""),
)
