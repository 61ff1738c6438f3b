"""The shipped migrations build exactly the schema the code declares, on both databases."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, insert, inspect, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from hearthline.store import tables
from hearthline.store.migrate import alembic_config, current_revision, head_revision, upgrade


def test_upgrade_creates_every_declared_table_with_no_difference(engine: Engine) -> None:
    assert current_revision(engine) == head_revision()
    assert set(tables.metadata.tables) <= set(inspect(engine).get_table_names())
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), tables.metadata)
    assert diff == []


def test_upgrade_twice_is_harmless(engine: Engine) -> None:
    upgrade(engine)
    assert current_revision(engine) == head_revision()


def test_downgrade_then_upgrade_rebuilds_the_schema(engine: Engine) -> None:
    config = alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "base")
    assert "events" not in inspect(engine).get_table_names()
    upgrade(engine)
    assert "events" in inspect(engine).get_table_names()


def test_the_event_log_refuses_updates_and_deletes(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(insert(tables.events).values(id=1, at=0.0, type="DayStarted", payload="{}"))
    for statement in ("UPDATE events SET type = 'x'", "DELETE FROM events"):
        with pytest.raises((IntegrityError, DBAPIError), match="append-only"), engine.begin() as c:
            c.execute(text(statement))
    with engine.connect() as conn:
        assert conn.execute(text("SELECT type FROM events")).scalar_one() == "DayStarted"


def test_a_user_role_outside_the_four_is_refused_by_the_database(engine: Engine) -> None:
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(insert(tables.users).values(username="x", role="owner"))


def test_snapshots_of_the_old_shape_are_dropped_and_a_start_replays_the_log(
    engine: Engine,
) -> None:
    """0004: a snapshot is a shortcut, so the old ones go with their columns."""
    config = alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0003")
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO snapshots (last_event_id, code_version, taken_at, routing_state,"
                " other_state) VALUES (7, 'old', 1.0, :blob, :blob)"
            ),
            {"blob": b"old"},
        )
    upgrade(engine)
    columns = {c["name"] for c in inspect(engine).get_columns("snapshots")}
    assert "state" in columns and not columns & {"routing_state", "other_state"}
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM snapshots")).scalar_one() == 0
