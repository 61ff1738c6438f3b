"""Knowledge: articles with versions and their full-text index (FTS5 on SQLite, a GIN
expression index on PostgreSQL), bulletins with receipts and questions, settings

Revision ID: 0009_knowledge
Revises: 0008_schedules
Create Date: 2026-12-01 02:45:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_knowledge"
down_revision: str | None = "0008_schedules"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# As in store/tables/knowledge.py (a migration keeps its own copy: the code may move on).
PG_DOCUMENT = (
    "setweight(to_tsvector('english', title), 'A') || "
    "setweight(to_tsvector('english', tags), 'B') || "
    "setweight(to_tsvector('english', plain), 'C')"
)
ID = 200


def upgrade() -> None:
    op.create_table(
        "knowledge_articles",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("client_id", sa.String(ID), sa.ForeignKey("clients.id"), nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("body", sa.Text, nullable=False, server_default=""),
        sa.Column("html", sa.Text, nullable=False, server_default=""),
        sa.Column("plain", sa.Text, nullable=False, server_default=""),
        sa.Column("tags", sa.Text, nullable=False, server_default=""),
        sa.Column("campaigns", sa.Text, nullable=False, server_default="[]"),
        sa.Column("skills", sa.Text, nullable=False, server_default="[]"),
        sa.Column("owner", sa.Text, nullable=False, server_default=""),
        sa.Column("review_at", sa.Float),
        sa.Column("expires_at", sa.Float),
        sa.Column("archived", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("updated_at", sa.Float, nullable=False),
        sa.Column("updated_by", sa.Text, nullable=False, server_default=""),
        sa.Column("bulletin_id", sa.Integer),
    )
    op.create_index("ix_knowledge_articles_client_id", "knowledge_articles", ["client_id"])
    op.create_table(
        "knowledge_versions",
        sa.Column(
            "article_id", sa.Integer, sa.ForeignKey("knowledge_articles.id"), primary_key=True
        ),
        sa.Column("version", sa.Integer, primary_key=True),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("changed_by", sa.Text, nullable=False),
        sa.Column("changed_at", sa.Float, nullable=False),
        sa.Column("note", sa.Text, nullable=False, server_default=""),
    )
    op.create_table(
        "knowledge_terms",
        sa.Column("client_id", sa.String(ID), sa.ForeignKey("clients.id"), primary_key=True),
        sa.Column("term", sa.String(40), primary_key=True),
    )
    op.create_table(
        "bulletins",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("client_id", sa.String(ID), sa.ForeignKey("clients.id")),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("body", sa.Text, nullable=False, server_default=""),
        sa.Column("html", sa.Text, nullable=False, server_default=""),
        sa.Column("question", sa.Text, nullable=False, server_default=""),
        sa.Column("mandatory", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("due_at", sa.Float, nullable=False),
        sa.Column("campaigns", sa.Text, nullable=False, server_default="[]"),
        sa.Column("skills", sa.Text, nullable=False, server_default="[]"),
        sa.Column("published_by", sa.Text, nullable=False),
        sa.Column("published_at", sa.Float, nullable=False),
    )
    op.create_index("ix_bulletins_client_id", "bulletins", ["client_id"])
    op.create_table(
        "bulletin_receipts",
        sa.Column("bulletin_id", sa.Integer, sa.ForeignKey("bulletins.id"), primary_key=True),
        sa.Column("agent_id", sa.String(ID), sa.ForeignKey("agents.id"), primary_key=True),
        sa.Column("read_at", sa.Float),
        sa.Column("acked_at", sa.Float),
        sa.Column("answer", sa.Text),
    )
    op.create_index("ix_bulletin_receipts_agent_id", "bulletin_receipts", ["agent_id"])
    op.create_table(
        "bulletin_questions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("bulletin_id", sa.Integer, sa.ForeignKey("bulletins.id"), nullable=False),
        sa.Column("agent_id", sa.String(ID), sa.ForeignKey("agents.id"), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("asked_at", sa.Float, nullable=False),
        sa.Column("answer", sa.Text),
        sa.Column("answered_by", sa.Text),
        sa.Column("answered_at", sa.Float),
    )
    op.create_index("ix_bulletin_questions_bulletin_id", "bulletin_questions", ["bulletin_id"])
    op.create_table(
        "knowledge_settings",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("ack_before_ready", sa.Boolean, nullable=False, server_default=sa.false()),
    )
    if op.get_bind().dialect.name == "sqlite":
        # rowid = the article's id; porter folds word forms as PostgreSQL's stemmer does.
        # scope: a one-word token of the article's client, matched first (see queries).
        op.execute(
            "CREATE VIRTUAL TABLE knowledge_fts USING fts5("
            "title, tags, plain, scope, tokenize = 'porter unicode61 remove_diacritics 2')"
        )
    else:
        op.execute(
            "ALTER TABLE knowledge_articles ADD COLUMN knowledge_document tsvector "
            f"GENERATED ALWAYS AS ({PG_DOCUMENT}) STORED"
        )
        op.execute(
            "CREATE INDEX ix_knowledge_articles_search ON knowledge_articles "
            "USING gin (knowledge_document)"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS knowledge_fts")
    else:
        op.execute("DROP INDEX IF EXISTS ix_knowledge_articles_search")
    op.drop_table("knowledge_settings")
    op.drop_index("ix_bulletin_questions_bulletin_id", table_name="bulletin_questions")
    op.drop_table("bulletin_questions")
    op.drop_index("ix_bulletin_receipts_agent_id", table_name="bulletin_receipts")
    op.drop_table("bulletin_receipts")
    op.drop_index("ix_bulletins_client_id", table_name="bulletins")
    op.drop_table("bulletins")
    op.drop_table("knowledge_terms")
    op.drop_table("knowledge_versions")
    op.drop_index("ix_knowledge_articles_client_id", table_name="knowledge_articles")
    op.drop_table("knowledge_articles")
