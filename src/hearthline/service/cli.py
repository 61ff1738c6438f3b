"""``hearthline db ...``: migrate the store, rebuild its report tables, show where it stands."""

from __future__ import annotations

import argparse

from sqlalchemy import Engine

from hearthline.kernel.errors import UsageError
from hearthline.store.engine import StoreConfigError, create_store_engine, resolve_url
from hearthline.store.log import count_events
from hearthline.store.migrate import current_revision, upgrade


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    db = subparsers.add_parser("db", help="the durable store: migrate, rebuild reports, status")
    actions = db.add_subparsers(dest="action", metavar="ACTION", required=True)
    for name, func, help_ in (
        ("upgrade", _upgrade, "create or migrate the database to the newest schema"),
        ("rebuild-reports", _rebuild, "recompute the report tables from the event log"),
        ("status", _status, "schema revision and number of events"),
    ):
        p = actions.add_parser(name, help=help_)
        p.add_argument("--database-url", help="default: $HEARTHLINE_DATABASE_URL or SQLite")
        p.add_argument("--data-dir", help="directory of the SQLite file (default ./data)")
        p.set_defaults(func=func)


def _engine(args: argparse.Namespace) -> Engine:
    try:
        return create_store_engine(resolve_url(args.database_url, data_dir=args.data_dir))
    except StoreConfigError as exc:
        raise UsageError(str(exc)) from None


def _upgrade(args: argparse.Namespace) -> int:
    engine = _engine(args)
    upgrade(engine)
    print(f"schema at {current_revision(engine)}")
    engine.dispose()
    return 0


def _rebuild(args: argparse.Namespace) -> int:
    from hearthline.service.domains import CODEC
    from hearthline.store.read_models import rebuild

    engine = _engine(args)
    upgrade(engine)
    last = rebuild(engine, CODEC)
    print(f"report tables rebuilt from {last} events")
    engine.dispose()
    return 0


def _status(args: argparse.Namespace) -> int:
    engine = _engine(args)
    revision = current_revision(engine)
    events = 0
    if revision is not None:
        with engine.connect() as conn:
            events = count_events(conn)
    print(f"schema {revision or 'none (run hearthline db upgrade)'}, {events} events")
    engine.dispose()
    return 0
