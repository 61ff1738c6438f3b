"""Migrated, empty databases for the tests, made by copying rather than migrating.

Running every migration takes about 0.7 s on SQLite and 2 s on PostgreSQL; hundreds of
tests each want a fresh migrated store. So each test process (each pytest-xdist worker)
migrates one template of each kind on first use, and tests get copies: the SQLite file
copied, the PostgreSQL database made with ``CREATE DATABASE ... TEMPLATE``. A copy is the
same bytes ``upgrade`` would have written. The migrations themselves are tested on empty
databases in tests/store/test_migrations.py.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from pathlib import Path

import psycopg
import pytest

from hearthline.store.engine import create_store_engine
from hearthline.store.migrate import upgrade

PG_HOST = os.environ.get("HEARTHLINE_TEST_PG", "127.0.0.1:5432")
PG_ADMIN = f"postgresql://postgres@{PG_HOST}/postgres"

_sqlite_template: Path | None = None
_pg_template: str | None = None


def pg_admin() -> psycopg.Connection[tuple[object, ...]]:
    """The maintenance database, where databases are made; fails loudly when unreachable."""
    try:
        return psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        pytest.fail(
            f"PostgreSQL is not reachable at {PG_HOST} (user postgres, trust auth); the "
            f"tests need it for real -- start it (make services). Error: {exc}",
            pytrace=False,
        )


def unique_name(prefix: str) -> str:
    """A database name no other test, worker or concurrent run uses."""
    return f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:10]}"


def migrated_sqlite(path: Path) -> str:
    """A migrated, empty SQLite store at ``path`` (which must not exist); its URL."""
    global _sqlite_template
    if _sqlite_template is None:
        template = Path(tempfile.mkdtemp(prefix="hl-template-")) / "template.sqlite3"
        engine = create_store_engine(f"sqlite:///{template}")
        upgrade(engine)
        # Disposing closes the last connection, which folds the WAL into the file.
        engine.dispose()
        _sqlite_template = template
    if path.exists():
        raise FileExistsError(f"{path} exists: a migrated copy goes to a new path")
    for suffix in ("", "-wal", "-shm"):
        source = _sqlite_template.with_name(_sqlite_template.name + suffix)
        if source.exists():
            shutil.copyfile(source, path.with_name(path.name + suffix))
    return f"sqlite:///{path}"


def migrated_postgres(name: str) -> str:
    """Creates database ``name``, migrated and empty, from this process's template."""
    global _pg_template
    with pg_admin() as admin:
        if _pg_template is None:
            template = unique_name("hl_template")
            admin.execute(f'CREATE DATABASE "{template}"')
            engine = create_store_engine(f"postgresql+psycopg://postgres@{PG_HOST}/{template}")
            upgrade(engine)
            # A template may have no connections while it is copied.
            engine.dispose()
            _pg_template = template
        admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{_pg_template}"')
    return f"postgresql+psycopg://postgres@{PG_HOST}/{name}"


def drop_postgres(name: str) -> None:
    with pg_admin() as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def drop_templates() -> None:
    """Removes this process's templates (at the end of the session)."""
    global _sqlite_template, _pg_template
    if _pg_template is not None:
        drop_postgres(_pg_template)
        _pg_template = None
    if _sqlite_template is not None:
        shutil.rmtree(_sqlite_template.parent, ignore_errors=True)
        _sqlite_template = None
