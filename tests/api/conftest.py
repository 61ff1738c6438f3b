"""Fixtures for the server tests: a served app over a fresh SQLite file (and PostgreSQL)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import psycopg
import pytest

from tests.api.support import Served, serve

PG_HOST = os.environ.get("HEARTHLINE_TEST_PG", "127.0.0.1:5432")
PG_ADMIN = f"postgresql://postgres@{PG_HOST}/postgres"


@pytest.fixture
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'hearthline.sqlite3'}"


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh PostgreSQL database, dropped afterwards; fails loudly if the server is down."""
    name = f"hl_api_{os.getpid()}_{uuid.uuid4().hex[:10]}"
    try:
        admin = psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        pytest.fail(f"PostgreSQL is not reachable at {PG_HOST}: {exc}", pytrace=False)
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+psycopg://postgres@{PG_HOST}/{name}"
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def served(request: pytest.FixtureRequest) -> Iterator[Served]:
    """The app served on 127.0.0.1 over a seeded store, on each database."""
    url = request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "pg_url")
    app = serve(url)
    yield app
    app.stop()


@pytest.fixture
def served_sqlite(sqlite_url: str) -> Iterator[Served]:
    app = serve(sqlite_url)
    yield app
    app.stop()
