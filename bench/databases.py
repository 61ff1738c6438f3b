"""A fresh database for a benchmark run: a temporary SQLite file, or a PostgreSQL
database created on the machine's server and dropped afterwards."""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg

PG = "127.0.0.1:5432"


@contextmanager
def database(kind: str) -> Iterator[str]:
    """The SQLAlchemy URL of an empty database of ``kind`` ("sqlite" or "postgres")."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            yield f"sqlite:///{tmp}/bench.sqlite3"
        return
    name = f"hl_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(f"postgresql://postgres@{PG}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+psycopg://postgres@{PG}/{name}"
    finally:
        with psycopg.connect(f"postgresql://postgres@{PG}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
