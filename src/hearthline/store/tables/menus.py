"""Menu flows per dialled number, opening hours per campaign, the prompts a firm uploads,
and the announcements supervisors switch on for a queue or a client."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    false,
)

from hearthline.store.tables.base import ID, metadata

menu_flows = Table(
    "menu_flows",
    metadata,
    # No foreign key to numbers: a flow may be written before its number is mapped.
    Column("number", String(64), primary_key=True),
    Column("client_id", String(ID), ForeignKey("clients.id"), nullable=False),
    Column("flow", Text, nullable=False),  # JSON, checked by voice.menus.check_flow
    Column("updated_at", Float, nullable=False),
)

opening_hours = Table(
    "opening_hours",
    metadata,
    Column("campaign_id", String(ID), ForeignKey("campaigns.id"), primary_key=True),
    Column("hours", Text, nullable=False),  # JSON: spans and holidays
    Column("updated_at", Float, nullable=False),
)

menu_prompts = Table(
    "menu_prompts",
    metadata,
    Column("client_id", String(ID), ForeignKey("clients.id"), primary_key=True),
    Column("name", String(64), primary_key=True),
    Column("wav", LargeBinary, nullable=False),  # 8 kHz mono 16-bit PCM, checked on upload
    Column("seconds", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
)

announcements = Table(
    "announcements",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("client_id", String(ID), ForeignKey("clients.id"), nullable=False, index=True),
    # None: every queue of the client.
    Column("queue_id", String(ID), ForeignKey("queues.id")),
    Column("text", Text, nullable=False),
    Column("prompt", String(64), nullable=False),
    Column("active", Boolean, nullable=False, server_default=false()),
    Column("updated_at", Float, nullable=False),
    Column("updated_by", String(ID), nullable=False),
)
