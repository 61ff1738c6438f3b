"""The store fixtures (an SQLite file and a fresh PostgreSQL database) for knowledge."""

from __future__ import annotations

from tests.store.conftest import backend, db_url, engine, pg_database, seeded

__all__ = ["backend", "db_url", "engine", "pg_database", "seeded"]
