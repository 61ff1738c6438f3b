"""Durable state: the event log, configuration tables, snapshots and read models.

One SQLite file (WAL) under a data directory by default; PostgreSQL (psycopg 3) through
a database URL for scale. The same tables and the same Alembic migrations serve both.
See docs/storage.md.
"""

from hearthline.store.codec import Codec, CodecError
from hearthline.store.engine import (
    DATABASE_URL_ENV,
    StoreConfigError,
    create_store_engine,
    resolve_url,
)
from hearthline.store.log import read_events
from hearthline.store.migrate import upgrade

__all__ = [
    "DATABASE_URL_ENV",
    "Codec",
    "CodecError",
    "StoreConfigError",
    "create_store_engine",
    "read_events",
    "resolve_url",
    "upgrade",
]
