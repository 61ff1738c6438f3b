"""Recorded calls: the policy per campaign, the retention per client, and the index of the
files (each under ``<data_dir>/recordings/``, named here relative to it)."""

from __future__ import annotations

from sqlalchemy import Column, Float, ForeignKey, Index, Integer, String, Table

from hearthline.store.tables.base import ID, metadata

recording_policies = Table(
    "recording_policies",
    metadata,
    Column("campaign_id", String(ID), ForeignKey("campaigns.id"), primary_key=True),
    # "all", "share" (``share_percent`` of the calls, drawn per contact) or "none".
    Column("mode", String(8), nullable=False),
    Column("share_percent", Integer, nullable=False, server_default="100"),
    Column("updated_at", Float, nullable=False),
)

recording_retention = Table(
    "recording_retention",
    metadata,
    Column("client_id", String(ID), ForeignKey("clients.id"), primary_key=True),
    Column("days", Integer, nullable=False),
    Column("updated_at", Float, nullable=False),
)

recordings = Table(
    "recordings",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    # No foreign keys: a recording is kept for its retention, whatever the configuration.
    Column("contact_id", String(ID), nullable=False),
    Column("client_id", String(ID), nullable=False),
    Column("call_id", String(ID), nullable=False),
    Column("file", String(400), nullable=False),
    Column("seconds", Float, nullable=False),
    Column("started_at", Float, nullable=False),
    Column("created_at", Float, nullable=False),
    # "call" (stereo: the caller left, the agent right) or "voicemail" (the caller alone,
    # mono, filed under the callback it owes).
    Column("kind", String(12), nullable=False, server_default="call"),
    # A voicemail's follow-up: first played (by anyone who may hear it), and dealt with
    # (when, by which user); null until then. Unused for calls.
    Column("played_at", Float),
    Column("dealt_at", Float),
    Column("dealt_by", String(ID)),
    # A voicemail turned into a callback from the console: that callback's contact (its
    # agent hears the message on the desk). Unused for calls.
    Column("callback_id", String(ID)),
    Index(None, "contact_id"),
    Index(None, "callback_id"),
    Index(None, "client_id", "created_at"),
)
