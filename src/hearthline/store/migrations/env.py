"""Alembic environment: the same migrations for SQLite and PostgreSQL.

Run programmatically (``hearthline.store.migrate.upgrade``), which hands over an open
connection in ``config.attributes["connection"]``; the ``alembic`` command line works
too with ``-x url=...``.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, create_engine

from hearthline.store.tables import metadata
from hearthline.store.tables.knowledge import migrated_only

config = context.config


def _declared(_obj: object, name: str | None, type_: str, _reflected: bool, _to: object) -> bool:
    return not migrated_only(name, type_)


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        # SQLite alters tables by copying them; batch mode does that for us.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_object=_declared,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option(
        "sqlalchemy.url"
    )
    if not url:
        raise SystemExit("give the database with -x url=... ")
    engine = create_engine(url)
    with engine.connect() as conn:
        _run(conn)
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline (SQL script) migrations are not supported; run them online")
run_migrations_online()
