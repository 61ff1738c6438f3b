"""Durable state: the event log, configuration tables, snapshots and read models.

One SQLite file (WAL) under a data directory by default; PostgreSQL (psycopg 3) through
a database URL for scale. The same tables and the same Alembic migrations serve both.
See docs/storage.md.
"""

from typing import TYPE_CHECKING

from hearthline.kernel.lazy import lazy_exports

if TYPE_CHECKING:
    from hearthline.store.codec import Codec, CodecError
    from hearthline.store.engine import (
        DATABASE_URL_ENV,
        StoreConfigError,
        create_store_engine,
        resolve_url,
    )
    from hearthline.store.log import read_events
    from hearthline.store.migrate import upgrade

# Imported on first use: the command line loads only what its job needs.
__getattr__ = lazy_exports(
    __name__,
    {
        "Codec": "hearthline.store.codec",
        "CodecError": "hearthline.store.codec",
        "DATABASE_URL_ENV": "hearthline.store.engine",
        "StoreConfigError": "hearthline.store.engine",
        "create_store_engine": "hearthline.store.engine",
        "resolve_url": "hearthline.store.engine",
        "read_events": "hearthline.store.log",
        "upgrade": "hearthline.store.migrate",
    },
)

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
