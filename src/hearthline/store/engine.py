"""Engines: one SQLite file by default, PostgreSQL (psycopg 3) through a database URL.

Durability choices, deliberately:

- SQLite runs in WAL mode with ``synchronous=FULL``: every commit fsyncs the WAL, so an
  acknowledged event survives a power cut, not only a killed process. ``NORMAL`` would
  survive ``kill -9`` (the WAL is in the OS page cache) but may lose the last commits on
  power loss, and we acknowledge to people. Group commit makes one fsync serve a whole
  batch of commands, which is what keeps FULL fast. ``sqlite_synchronous="NORMAL"`` is
  there for those who accept that risk.
- PostgreSQL keeps its defaults (``synchronous_commit=on``, fsync on): a commit returns
  once the WAL is flushed.
- Foreign keys are enforced on SQLite too (they are off there unless asked for).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

DATABASE_URL_ENV = "HEARTHLINE_DATABASE_URL"
DATA_DIR_ENV = "HEARTHLINE_DATA_DIR"
SQLITE_FILE = "hearthline.sqlite3"
_SYNC_MODES = ("FULL", "NORMAL", "EXTRA")


class StoreConfigError(ValueError):
    """A database URL or data directory that cannot be used, with the reason."""


def default_data_dir() -> Path:
    return Path(os.environ.get(DATA_DIR_ENV) or "data")


def resolve_url(database_url: str | None = None, *, data_dir: Path | str | None = None) -> str:
    """The URL to use: the one given, else ``$HEARTHLINE_DATABASE_URL``, else the SQLite file.

    The SQLite file lives in ``data_dir`` (default ``$HEARTHLINE_DATA_DIR`` or ./data),
    which is created on first run.
    """
    url = database_url or os.environ.get(DATABASE_URL_ENV)
    if url:
        return url
    directory = Path(data_dir) if data_dir is not None else default_data_dir()
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreConfigError(f"cannot create data directory {directory}: {exc}") from None
    return f"sqlite:///{directory.resolve() / SQLITE_FILE}"


def create_store_engine(
    url: str, *, sqlite_synchronous: str = "FULL", echo: bool = False
) -> Engine:
    """An engine for ``url`` set up for the event log (see the module docstring)."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise StoreConfigError(f"not a database URL: {url!r}") from None
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return _sqlite_engine(url, sqlite_synchronous.upper(), echo)
    if backend == "postgresql":
        if parsed.get_driver_name() != "psycopg":
            raise StoreConfigError(
                f"use the psycopg 3 driver: postgresql+psycopg://..., not {parsed.drivername}"
            )
        return create_engine(url, echo=echo, pool_pre_ping=True, pool_size=5, max_overflow=5)
    raise StoreConfigError(f"unsupported database {backend!r}: use sqlite or postgresql+psycopg")


def _sqlite_engine(url: str, synchronous: str, echo: bool) -> Engine:
    if synchronous not in _SYNC_MODES:
        raise StoreConfigError(f"sqlite synchronous must be one of {', '.join(_SYNC_MODES)}")
    database = make_url(url).database
    if not database or database == ":memory:":
        raise StoreConfigError("the store needs an SQLite file, not an in-memory database")
    engine = create_engine(url, echo=echo, connect_args={"timeout": 30})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA synchronous={synchronous}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    return engine


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"
