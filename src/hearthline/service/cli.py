"""``hearthline db ...``: migrate the store, rebuild its report tables, show where it stands."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from hearthline.kernel.errors import UsageError

if TYPE_CHECKING:
    from sqlalchemy import Engine

# The store's modules (SQLAlchemy, Alembic) are imported by the jobs that use them, so
# that every other `hearthline` command starts without them.


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    db = subparsers.add_parser("db", help="the durable store: migrate, rebuild reports, status")
    actions = db.add_subparsers(dest="action", metavar="ACTION", required=True)
    for name, func, help_ in (
        ("upgrade", _upgrade, "create or migrate the database to the newest schema"),
        ("rebuild-reports", _rebuild, "recompute the report tables from the event log"),
        ("status", _status, "schema revision and number of events"),
        ("expire-recordings", _expire, "delete recorded calls past their client's retention"),
    ):
        p = actions.add_parser(name, help=help_)
        p.add_argument("--database-url", help="default: $HEARTHLINE_DATABASE_URL or SQLite")
        p.add_argument("--data-dir", help="directory of the SQLite file (default ./data)")
        p.set_defaults(func=func)
    p = actions.add_parser(
        "import-history", help="bring in past calls (the Anonymous Bank's log) as history"
    )
    p.add_argument("file", help="the call log, CSV (examples/data/anonymous-bank/)")
    p.add_argument("--client", required=True, help="the client company the calls were for")
    p.add_argument("--campaign", help="its campaign (default: the client's id)")
    p.add_argument("--time-zone", default="UTC", help="where the log's times were read")
    p.add_argument("--database-url", help="default: $HEARTHLINE_DATABASE_URL or SQLite")
    p.add_argument("--data-dir", help="directory of the SQLite file (default ./data)")
    p.set_defaults(func=_import_history)


def _engine(args: argparse.Namespace) -> Engine:
    from hearthline.store.engine import StoreConfigError, create_store_engine, resolve_url

    try:
        return create_store_engine(resolve_url(args.database_url, data_dir=args.data_dir))
    except StoreConfigError as exc:
        raise UsageError(str(exc)) from None


def _upgrade(args: argparse.Namespace) -> int:
    from hearthline.store.migrate import current_revision, upgrade

    engine = _engine(args)
    upgrade(engine)
    print(f"schema at {current_revision(engine)}")
    engine.dispose()
    return 0


def _rebuild(args: argparse.Namespace) -> int:
    from hearthline.service.domains import CODEC
    from hearthline.store import menu_stats
    from hearthline.store.migrate import upgrade
    from hearthline.store.read_models import rebuild

    engine = _engine(args)
    upgrade(engine)
    last = rebuild(engine, CODEC)
    menu_stats.rebuild(engine, CODEC)
    print(f"report tables rebuilt from {last} events")
    engine.dispose()
    return 0


def _expire(args: argparse.Namespace) -> int:
    from pathlib import Path

    from hearthline.kernel.clock import WallClock
    from hearthline.service.recording_retention import enforce
    from hearthline.store.migrate import upgrade

    engine = _engine(args)
    upgrade(engine)
    store = Path(args.data_dir or "data").resolve() / "recordings"
    deleted = enforce(engine, store, now=WallClock().now())
    for row in deleted:
        print(f"deleted {row.file} ({row.client_id}, contact {row.contact_id})")
    print(f"{len(deleted)} recordings past retention deleted")
    engine.dispose()
    return 0


def _import_history(args: argparse.Namespace) -> int:
    from hearthline.service.bootstrap import bootstrap
    from hearthline.service.errors import ServiceError
    from hearthline.service.history_import import import_bank

    writer = bootstrap(database_url=args.database_url, data_dir=args.data_dir)
    try:
        done = import_bank(
            writer,
            args.file,
            client=args.client,
            campaign=args.campaign or args.client,
            time_zone=args.time_zone,
        )
    except (ValueError, ServiceError, OSError) as exc:
        raise UsageError(str(exc)) from None
    finally:
        writer.stop()
    for line, reason in done.bad_rows[:20]:
        print(f"line {line}: {reason}")
    print(
        f"{done.calls} calls imported into {', '.join(done.queues) or 'no queue'}; "
        f"{done.menu_only} ended in the menu (not offered); {len(done.bad_rows)} bad rows"
    )
    return 0


def _status(args: argparse.Namespace) -> int:
    from hearthline.store.log import count_events
    from hearthline.store.migrate import current_revision

    engine = _engine(args)
    revision = current_revision(engine)
    events = 0
    if revision is not None:
        with engine.connect() as conn:
            events = count_events(conn)
    print(f"schema {revision or 'none (run hearthline db upgrade)'}, {events} events")
    engine.dispose()
    return 0
