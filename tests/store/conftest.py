"""Real databases for the store tests: an SQLite file, and PostgreSQL on 127.0.0.1:5432.

Every database test runs on both. PostgreSQL gets a fresh database per test module
(created and dropped through the ``postgres`` maintenance database) and a fresh schema
per test. If the server is unreachable those tests fail, loudly: they never skip.
"""

from __future__ import annotations

import os
import random
import uuid
from collections.abc import Iterator

import psycopg
import pytest
from sqlalchemy import Engine, text

from hearthline.demo.sample import seed
from hearthline.kernel.clock import ManualClock
from hearthline.service.writer import Writer
from hearthline.store.engine import create_store_engine
from hearthline.store.migrate import upgrade

PG_HOST = os.environ.get("HEARTHLINE_TEST_PG", "127.0.0.1:5432")
PG_ADMIN = f"postgresql://postgres@{PG_HOST}/postgres"


def _pg_admin() -> psycopg.Connection[tuple[object, ...]]:
    try:
        return psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        pytest.fail(
            f"PostgreSQL is not reachable at {PG_HOST} (user postgres, trust auth); "
            f"the store tests need it for real -- start it (make services). Error: {exc}",
            pytrace=False,
        )


@pytest.fixture(scope="module")
def pg_database() -> Iterator[str]:
    """A fresh PostgreSQL database for one test module, dropped afterwards."""
    name = f"hl_test_{os.getpid()}_{uuid.uuid4().hex[:10]}"
    with _pg_admin() as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+psycopg://postgres@{PG_HOST}/{name}"
    finally:
        with _pg_admin() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """An empty database: an SQLite file in a temporary directory, or a clean PostgreSQL."""
    if request.param == "sqlite":
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
def engine(db_url: str) -> Iterator[Engine]:
    """A migrated, empty store."""
    eng = create_store_engine(db_url)
    upgrade(eng)
    yield eng
    eng.dispose()


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
