"""Call guides (each campaign's, every version kept), and the index the offline
procedures' fingerprint is read from."""

from __future__ import annotations

from sqlalchemy import Column, Float, ForeignKey, Index, Integer, String, Table, Text

from hearthline.store.tables.base import ID, metadata
from hearthline.store.tables.knowledge import knowledge_articles

call_guides = Table(
    "call_guides",
    metadata,
    Column("campaign_id", String(ID), ForeignKey("campaigns.id"), primary_key=True),
    # Never updated: an edit is the next version, so a saved path replays on the version
    # its call followed.
    Column("version", Integer, primary_key=True),
    # The steps and their answers, JSON.
    Column("steps", Text, nullable=False),
    Column("created_at", Float, nullable=False),
    Column("created_by", String(ID), nullable=False),
)

# Covers the fingerprint of a client's current articles (``queries/procedures.py``): an
# unchanged offline sync reads this index and never the articles' rows with their texts.
Index(
    "ix_knowledge_articles_fingerprint",
    knowledge_articles.c.client_id,
    knowledge_articles.c.archived,
    knowledge_articles.c.expires_at,
    knowledge_articles.c.version,
    knowledge_articles.c.updated_at,
    knowledge_articles.c.id,
)
