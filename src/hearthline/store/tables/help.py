"""Agents' requests for a supervisor's help, and the answers."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Float,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    false,
)

from hearthline.store.tables.base import ID, metadata

help_requests = Table(
    "help_requests",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("agent_id", String(ID), ForeignKey("agents.id"), nullable=False, index=True),
    # The contact the agent had when asking, and its customer if it was linked: the help
    # belongs to the contact's story and to the customer's history.
    Column("contact_id", String(ID), index=True),
    Column("customer_id", String(64), index=True),
    # The client company of that contact: a request asked on a contact is that client's
    # alone, even when the agent also works for others. NULL with no contact in hand.
    Column("client_id", String(ID), index=True),
    Column("text", Text, nullable=False),
    Column("created_at", Float, nullable=False),
    Column("answer", Text),
    Column("answered_by", String(ID)),
    Column("answered_at", Float),
    Column("open", Boolean, nullable=False, server_default=false()),
)
