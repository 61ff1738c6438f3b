"""Quality: scorecard templates (every version kept), evaluations, coaching notes."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Integer,
    String,
    Table,
    Text,
    false,
)

from hearthline.store.tables.base import ID, metadata

quality_templates = Table(
    "quality_templates",
    metadata,
    Column("campaign_id", String(ID), ForeignKey("campaigns.id"), primary_key=True),
    # Never updated: an edit is the next version, so an evaluation's version stays as it was.
    Column("version", Integer, primary_key=True),
    # The sections and their questions, JSON.
    Column("sections", Text, nullable=False),
    Column("created_at", Float, nullable=False),
    Column("created_by", String(ID), nullable=False),
)

quality_evaluations = Table(
    "quality_evaluations",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("contact_id", String(ID), nullable=False, index=True),
    Column("agent_id", String(ID), ForeignKey("agents.id"), nullable=False, index=True),
    Column("client_id", String(ID), ForeignKey("clients.id"), nullable=False, index=True),
    Column("campaign_id", String(ID), nullable=False),
    Column("version", Integer, nullable=False),
    Column("evaluator", String(ID), nullable=False),
    # Question id -> the answer, null for not applicable; JSON.
    Column("answers", Text, nullable=False),
    Column("comments", Text, nullable=False, server_default=""),
    Column("score", Float, nullable=False),
    Column("critical_fail", Boolean, nullable=False, server_default=false()),
    # A calibration scoring is one of several of the same contact, to compare evaluators:
    # the agent does not see it and it counts in no trend.
    Column("calibration", Boolean, nullable=False, server_default=false()),
    Column("at", Float, nullable=False, index=True),
    Column("status", String(20), nullable=False, server_default="open"),
    Column("agent_comment", Text),
    Column("responded_at", Float),
    Column("resolution", Text),
    Column("resolved_by", String(ID)),
    Column("resolved_at", Float),
    ForeignKeyConstraint(
        ["campaign_id", "version"],
        ["quality_templates.campaign_id", "quality_templates.version"],
    ),
)

quality_coaching = Table(
    "quality_coaching",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column(
        "evaluation_id",
        Integer,
        ForeignKey("quality_evaluations.id"),
        nullable=False,
        index=True,
    ),
    Column("author", String(ID), nullable=False),
    Column("text", Text, nullable=False),
    Column("at", Float, nullable=False),
)
