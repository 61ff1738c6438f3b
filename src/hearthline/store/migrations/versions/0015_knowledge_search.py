"""Knowledge search: prefix indexes on SQLite's FTS5 table, and on PostgreSQL the title and
tags as their own small indexed tsvector

Revision ID: 0015_knowledge_search
Revises: 0014_call_guides
Create Date: 2026-12-01 06:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0015_knowledge_search"
down_revision: str | None = "0014_call_guides"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# As in store/tables/knowledge.py (a migration keeps its own copy: the code may move on).
PG_HEADING = (
    "setweight(to_tsvector('english', title), 'A') || setweight(to_tsvector('english', tags), 'B')"
)
_FTS_COLUMNS = "title, tags, plain, scope"
_TOKENIZE = "tokenize = 'porter unicode61 remove_diacritics 2'"


def _rebuild_fts(options: str) -> None:
    """FTS5 options are fixed at creation: a new table, filled from the old one."""
    op.execute("ALTER TABLE knowledge_fts RENAME TO knowledge_fts_previous")
    op.execute(f"CREATE VIRTUAL TABLE knowledge_fts USING fts5({_FTS_COLUMNS}, {options})")
    op.execute(
        f"INSERT INTO knowledge_fts (rowid, {_FTS_COLUMNS}) "
        f"SELECT rowid, {_FTS_COLUMNS} FROM knowledge_fts_previous"
    )
    op.execute("DROP TABLE knowledge_fts_previous")


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        # The word still being typed is a prefix query; without these indexes FTS5 merges
        # the lists of every indexed word that starts so ("ca" -> thousands of words).
        _rebuild_fts(f"{_TOKENIZE}, prefix = '2 3 4'")
    else:
        # Title and tags alone, small enough to stay in the row: the "any word of a title
        # or tag" step matches and ranks on them without reading the whole document.
        op.execute(
            "ALTER TABLE knowledge_articles ADD COLUMN knowledge_heading tsvector "
            f"GENERATED ALWAYS AS ({PG_HEADING}) STORED"
        )
        op.execute(
            "CREATE INDEX ix_knowledge_articles_heading ON knowledge_articles "
            "USING gin (knowledge_heading)"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _rebuild_fts(_TOKENIZE)
    else:
        op.execute("DROP INDEX IF EXISTS ix_knowledge_articles_heading")
        op.execute("ALTER TABLE knowledge_articles DROP COLUMN IF EXISTS knowledge_heading")
