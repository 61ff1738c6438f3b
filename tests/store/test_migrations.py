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
from hearthline.store.tables.knowledge import migrated_only


def test_upgrade_creates_every_declared_table_with_no_difference(engine: Engine) -> None:
    assert current_revision(engine) == head_revision()
    assert set(tables.metadata.tables) <= set(inspect(engine).get_table_names())
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn,
            opts={"include_object": lambda _o, n, t, _r, _c: not migrated_only(n, t)},
        )
        diff = compare_metadata(context, tables.metadata)
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


def test_help_requests_asked_before_0017_take_their_contacts_client_from_the_log(
    engine: Engine,
) -> None:
    """0017: a request on a contact is that contact's client's; one with no contact, or on
    a contact the log never placed, keeps no client (seen firm-wide only, api/help.py)."""
    config = alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0016_report_days")
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO agents (id, name) VALUES ('a1', 'Sam')"))
        for ident, client, contact in ((1, None, None), (2, "globex", "c-g"), (3, "globex", "c-g")):
            conn.execute(
                text(
                    "INSERT INTO events (id, at, type, client_id, contact_id, payload)"
                    " VALUES (:i, 0, 'ContactQueued', :cl, :co, '{}')"
                ),
                {"i": ident, "cl": client, "co": contact},
            )
        for ident, contact in ((1, "c-g"), (2, None), (3, "c-unknown")):
            conn.execute(
                text(
                    "INSERT INTO help_requests (id, agent_id, contact_id, text, created_at, open)"
                    " VALUES (:i, 'a1', :co, 'help', 0, true)"
                ),
                {"i": ident, "co": contact},
            )
    upgrade(engine)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT id, client_id FROM help_requests ORDER BY id")).all()
    assert [tuple(r) for r in rows] == [(1, "globex"), (2, None), (3, None)]


def test_voicemails_played_before_0025_take_their_first_playback_from_the_audit_log(
    engine: Engine,
) -> None:
    """0026: a voicemail indexed before 0025 had no ``played_at``, so the console said "Not
    played" of one the audit log says was heard. Its earliest ``voicemail.played`` or
    ``voicemail.downloaded`` is its first playback; a voicemail never played, one whose
    time is known already, and call recordings are left as they are."""
    config = alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0025_voicemail_dealt")
    rows = (  # id, kind, played_at
        (1, "voicemail", None), (2, "voicemail", None), (3, "voicemail", None),
        (4, "call", None), (5, "voicemail", 50.0),
    )  # fmt: skip
    audits = (  # at, action, after
        (300.0, "voicemail.played", '{"id": 1}'),
        (200.0, "voicemail.played", '{"id": 1}'),
        (250.0, "voicemail.downloaded", '{"id": 2}'),
        (260.0, "voicemail.dealt_with", '{"id": 3}'),
        (270.0, "recording.played", '{"id": 4}'),
        (280.0, "voicemail.played", '{"id": 5}'),
        (290.0, "voicemail.played", "not json"),
    )
    with engine.begin() as conn:
        for ident, kind, played in rows:
            conn.execute(
                text(
                    "INSERT INTO recordings (id, contact_id, client_id, call_id, file, seconds,"
                    " started_at, created_at, kind, played_at)"
                    " VALUES (:i, :c, 'acme', :c, :f, 3, 0, 0, :k, :p)"
                ),
                {"i": ident, "c": f"k{ident}", "f": f"acme/k{ident}.ogg", "k": kind, "p": played},
            )
        for at, action, after in audits:
            conn.execute(
                text(
                    "INSERT INTO audit_log (at, user_id, username, action, target, after)"
                    " VALUES (:at, 1, 'sup', :a, 'acme/k', :after)"
                ),
                {"at": at, "a": action, "after": after},
            )
    upgrade(engine)
    with engine.connect() as conn:
        found = conn.execute(text("SELECT id, played_at FROM recordings ORDER BY id")).all()
    assert [tuple(r) for r in found] == [(1, 200.0), (2, 250.0), (3, None), (4, None), (5, 50.0)]
