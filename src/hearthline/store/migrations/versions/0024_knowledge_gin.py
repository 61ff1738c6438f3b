"""Knowledge search on PostgreSQL: the GIN indexes written through (no pending list)

Revision ID: 0024_knowledge_gin
Revises: 0023_voicemails_orders
Create Date: 2026-12-01 16:45:00.000000

With GIN's default ``fastupdate``, new and changed articles wait in an unsorted pending
list that every search reads in full until a vacuum merges it; after an import of
thousands of articles that list was most of a search's cost. Articles are written
rarely and searched during every call, so each write goes straight into the index. The
pending list already there is merged here (turning the option off does not merge it).
SQLite's FTS5 index has no such list: nothing to do there.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0024_knowledge_gin"
down_revision: str | None = "0023_voicemails_orders"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_INDEXES = ("ix_knowledge_articles_search", "ix_knowledge_articles_heading")


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for index in _INDEXES:
        op.execute(f"ALTER INDEX {index} SET (fastupdate = off)")
        op.execute(f"SELECT gin_clean_pending_list('{index}'::regclass)")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for index in _INDEXES:
        op.execute(f"ALTER INDEX {index} RESET (fastupdate)")
