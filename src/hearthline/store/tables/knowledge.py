"""Articles with their versions, the words search may correct typos to, bulletins with
each agent's receipt, questions on bulletins, and the firm's knowledge settings.

The full-text indexes are not in this metadata: an FTS5 virtual table on SQLite
(``knowledge_fts``, kept by ``service/actions/knowledge.py``) and, on PostgreSQL, a stored
generated tsvector column (``knowledge_document``) with its GIN index
(``ix_knowledge_articles_search``), both made by migration 0009; migration 0015 gave
the FTS5 table prefix indexes and PostgreSQL the title and tags alone
(``knowledge_heading``, index ``ix_knowledge_articles_heading``); migration 0023 made
both GIN indexes written through (``fastupdate = off``: no pending list to read).
"""

from __future__ import annotations

import hashlib

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

# The PostgreSQL document searched: title weighted above tags above body; stored, so that
# ranking reads it rather than parsing the text again for every match.
PG_DOCUMENT = (
    "setweight(to_tsvector('english', title), 'A') || "
    "setweight(to_tsvector('english', tags), 'B') || "
    "setweight(to_tsvector('english', plain), 'C')"
)
PG_HEADING = (
    "setweight(to_tsvector('english', title), 'A') || setweight(to_tsvector('english', tags), 'B')"
)
SEARCH_OBJECTS = frozenset(
    {
        "ix_knowledge_articles_search",
        "knowledge_document",
        "ix_knowledge_articles_heading",
        "knowledge_heading",
    }
)
SEARCH_TABLE_PREFIX = "knowledge_fts"

knowledge_articles = Table(
    "knowledge_articles",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("client_id", String(ID), ForeignKey("clients.id"), nullable=False, index=True),
    Column("title", Text, nullable=False),
    Column("body", Text, nullable=False, server_default=""),
    # The body rendered and sanitized once on save, and its text for search.
    Column("html", Text, nullable=False, server_default=""),
    Column("plain", Text, nullable=False, server_default=""),
    Column("tags", Text, nullable=False, server_default=""),
    # JSON lists: the audience within the client (empty: everyone of the client).
    Column("campaigns", Text, nullable=False, server_default="[]"),
    Column("skills", Text, nullable=False, server_default="[]"),
    Column("owner", Text, nullable=False, server_default=""),
    Column("review_at", Float),
    Column("expires_at", Float),
    Column("archived", Boolean, nullable=False, server_default=false()),
    Column("version", Integer, nullable=False),
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
    Column("updated_by", Text, nullable=False, server_default=""),
    # The bulletin this article was made from, if any.
    Column("bulletin_id", Integer),
)

knowledge_versions = Table(
    "knowledge_versions",
    metadata,
    Column("article_id", Integer, ForeignKey("knowledge_articles.id"), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("title", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column("changed_by", Text, nullable=False),
    Column("changed_at", Float, nullable=False),
    Column("note", Text, nullable=False, server_default=""),
)

knowledge_terms = Table(
    "knowledge_terms",
    metadata,
    Column("client_id", String(ID), ForeignKey("clients.id"), primary_key=True),
    Column("term", String(40), primary_key=True),
)

bulletins = Table(
    "bulletins",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    # None: from the firm to agents of every client; only administrators send those.
    Column("client_id", String(ID), ForeignKey("clients.id"), index=True),
    Column("title", Text, nullable=False),
    Column("body", Text, nullable=False, server_default=""),
    Column("html", Text, nullable=False, server_default=""),
    Column("question", Text, nullable=False, server_default=""),
    Column("mandatory", Boolean, nullable=False, server_default=false()),
    Column("due_at", Float, nullable=False),
    Column("campaigns", Text, nullable=False, server_default="[]"),
    Column("skills", Text, nullable=False, server_default="[]"),
    Column("published_by", Text, nullable=False),
    Column("published_at", Float, nullable=False),
)

bulletin_receipts = Table(
    "bulletin_receipts",
    metadata,
    Column("bulletin_id", Integer, ForeignKey("bulletins.id"), primary_key=True),
    Column("agent_id", String(ID), ForeignKey("agents.id"), primary_key=True, index=True),
    Column("read_at", Float),
    Column("acked_at", Float),
    Column("answer", Text),
)

bulletin_questions = Table(
    "bulletin_questions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("bulletin_id", Integer, ForeignKey("bulletins.id"), nullable=False, index=True),
    Column("agent_id", String(ID), ForeignKey("agents.id"), nullable=False),
    Column("text", Text, nullable=False),
    Column("asked_at", Float, nullable=False),
    Column("answer", Text),
    Column("answered_by", Text),
    Column("answered_at", Float),
)

knowledge_settings = Table(
    "knowledge_settings",
    metadata,
    Column("id", Integer, primary_key=True),
    # Agents must acknowledge their mandatory bulletins before going ready.
    Column("ack_before_ready", Boolean, nullable=False, server_default=false()),
)


def scope_token(client: str) -> str:
    """The one-word token for ``client`` in the FTS5 table's ``scope`` column (client ids
    hold punctuation the tokenizer would split on)."""
    return "k" + hashlib.sha256(client.encode()).hexdigest()[:24]


def migrated_only(name: str | None, type_: str) -> bool:
    """The search objects made by the migration and absent from this metadata on purpose
    (Alembic's comparisons leave them out)."""
    if name is None:
        return False
    return name in SEARCH_OBJECTS or (type_ == "table" and name.startswith(SEARCH_TABLE_PREFIX))
