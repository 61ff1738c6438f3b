"""Real databases for the store tests: an SQLite file, and PostgreSQL on 127.0.0.1:5432.

Every database test runs on both. ``db_url`` is an empty database (PostgreSQL: a fresh
schema per test in a database per test module); ``engine`` a migrated one, copied from a
migrated template (tests/databases.py), its own database per test on PostgreSQL. If the
server is unreachable those tests fail, loudly: they never skip.
"""

from __future__ import annotations

import os
import random
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, text
from tests.databases import (
    drop_postgres,
    migrated_postgres,
    migrated_sqlite,
    pg_admin,
    unique_name,
)

from hearthline.demo.sample import seed
from hearthline.kernel.clock import ManualClock
from hearthline.service.writer import Writer
from hearthline.store.engine import create_store_engine

PG_HOST = os.environ.get("HEARTHLINE_TEST_PG", "127.0.0.1:5432")


@pytest.fixture(scope="module")
def pg_database() -> Iterator[str]:
    """A fresh PostgreSQL database for one test module, dropped afterwards."""
    name = unique_name("hl_test")
    with pg_admin() as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+psycopg://postgres@{PG_HOST}/{name}"
    finally:
        drop_postgres(name)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest) -> str:
    """Each database test runs on both."""
    name: str = request.param
    return name


@pytest.fixture
def db_url(
    backend: str, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> str:
    """An empty database: an SQLite file in a temporary directory, or a clean PostgreSQL."""
    if backend == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('db') / 'hearthline.sqlite3'}"
    url: str = request.getfixturevalue("pg_database")
    engine = create_store_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
        conn.execute(text("DROP FUNCTION IF EXISTS hearthline_events_append_only()"))
    engine.dispose()
    return url


@pytest.fixture
def engine(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """A migrated, empty store: a copy of a migrated template (tests/databases.py)."""
    if backend == "sqlite":
        eng = create_store_engine(
            migrated_sqlite(tmp_path_factory.mktemp("db") / "hearthline.sqlite3")
        )
        yield eng
        eng.dispose()
        return
    name = unique_name("hl_test")
    eng = create_store_engine(migrated_postgres(name))
    try:
        yield eng
    finally:
        eng.dispose()
        drop_postgres(name)


@pytest.fixture
def seeded(engine: Engine) -> Engine:
    """The store with the returns line of ``hearthline.demo.sample`` configured."""
    seed(engine, agents=4)
    return engine


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(1_000_000.0)


@pytest.fixture
def writer(seeded: Engine, clock: ManualClock) -> Iterator[Writer]:
    """A started center on the seeded store, driven by a manual clock."""
    c = Writer(engine=seeded, clock=clock, rng=random.Random(7), read_model_every_s=0.0)
    c.start()
    yield c
    c.stop()
