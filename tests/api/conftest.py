"""Fixtures for the server tests: a served app over a fresh SQLite file (and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.api.support import Served, serve
from tests.databases import drop_postgres, migrated_postgres, migrated_sqlite, unique_name


@pytest.fixture
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A migrated, empty SQLite store (a copy of a migrated template: tests/databases.py)."""
    return migrated_sqlite(tmp_path_factory.mktemp("db") / "hearthline.sqlite3")


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh, migrated, empty PostgreSQL database, dropped afterwards; fails loudly if the
    server is down."""
    name = unique_name("hl_api")
    url = migrated_postgres(name)
    try:
        yield url
    finally:
        drop_postgres(name)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def served(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Served]:
    """The app served on 127.0.0.1 over a seeded store, on each database (its data
    directory, where recordings go, the test's own)."""
    url = request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "pg_url")
    app = serve(url, data_dir=str(tmp_path))
    yield app
    app.stop()


@pytest.fixture
def served_sqlite(sqlite_url: str) -> Iterator[Served]:
    app = serve(sqlite_url)
    yield app
    app.stop()
