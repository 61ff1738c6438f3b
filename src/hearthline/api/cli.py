"""``hearthline init`` (the firm and its first administrator), ``hearthline serve`` (the
API and stream server) and ``hearthline token`` (an API token for a program)."""

from __future__ import annotations

import argparse
import getpass
import logging
import signal
import sys
from typing import TYPE_CHECKING, Any

from hearthline.kernel.errors import UsageError

if TYPE_CHECKING:
    from hearthline.api.settings import ServerSettings
    from hearthline.store.queries.bind import Engine

# The server, the store and the password hasher are imported by the jobs that use them,
# so that every other `hearthline` command starts without them.


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    serve = subparsers.add_parser("serve", help="run the API and event stream server")
    _store_flags(serve)
    serve.add_argument("--host", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (default 8080)")
    serve.add_argument("--config", help="a TOML file with a [server] table of settings")
    serve.add_argument("--heartbeat-timeout", type=float, dest="heartbeat_timeout_s")
    serve.add_argument(
        "--voice",
        action="store_true",
        default=None,
        help="real calls: start rtpengine and the B2BUA (docs/voice.md)",
    )
    serve.set_defaults(func=_serve)

    init = subparsers.add_parser("init", help="create the firm and its first administrator")
    _store_flags(init)
    init.add_argument("--firm-id", default="firm", help="the firm's id (default: firm)")
    init.add_argument("--firm-name", default="", help="the firm's name")
    init.add_argument("--admin", default="admin", help="the administrator's username")
    init.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from standard input (else it is asked for)",
    )
    init.set_defaults(func=_init)

    token = subparsers.add_parser("token", help="create an API token for a user")
    _store_flags(token)
    token.add_argument("username")
    token.add_argument("--scope", choices=("user", "channel"), default="user")
    token.add_argument("--name", default="", help="what the token is for")
    token.set_defaults(func=_token)


def _store_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("--database-url", help="default: $HEARTHLINE_DATABASE_URL or SQLite")
    p.add_argument("--data-dir", help="directory of the SQLite file (default ./data)")


def _settings(args: argparse.Namespace) -> ServerSettings:
    from hearthline.api.settings import ServerSettings, SettingsError

    flags: dict[str, Any] = {
        k: getattr(args, k, None)
        for k in ("host", "port", "data_dir", "database_url", "heartbeat_timeout_s", "voice")
    }
    try:
        return ServerSettings.load(flags=flags, config_file=getattr(args, "config", None))
    except SettingsError as exc:
        raise UsageError(str(exc)) from None


def _engine(settings: ServerSettings) -> Engine:
    from hearthline.store.engine import StoreConfigError, create_store_engine, resolve_url
    from hearthline.store.migrate import upgrade

    try:
        url = resolve_url(settings.database_url, data_dir=settings.data_dir)
        engine = create_store_engine(url)
    except StoreConfigError as exc:
        raise UsageError(str(exc)) from None
    upgrade(engine)
    return engine


def _read_password(args: argparse.Namespace) -> str:
    from hearthline.api.security import MIN_PASSWORD_CHARS

    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass("password for the administrator: ")
        if getpass.getpass("again: ") != password:
            raise UsageError("the passwords differ")
    if len(password) < MIN_PASSWORD_CHARS:
        raise UsageError(f"the password needs at least {MIN_PASSWORD_CHARS} characters")
    return password


def _init(args: argparse.Namespace) -> int:
    from hearthline.api.security import password_hasher
    from hearthline.service.actions import setup
    from hearthline.store.queries import accounts as accounts_q
    from hearthline.store.queries import config as config_q

    settings = _settings(args)
    engine = _engine(settings)
    try:
        firm = config_q.firm_id(engine)
        if firm is not None:
            raise UsageError(f"already initialised: firm {firm!r} exists")
        if accounts_q.credentials(engine, args.admin) is not None:
            raise UsageError(f"user {args.admin!r} exists already")
        password = _read_password(args)
        hashed = password_hasher(
            time_cost=settings.argon2_time_cost, memory_kib=settings.argon2_memory_kib
        ).hash(password)
        setup.init_firm(
            engine, firm=args.firm_id, name=args.firm_name, admin=args.admin, password_hash=hashed
        )
    finally:
        engine.dispose()
    print(f"firm {args.firm_id!r} created; administrator {args.admin!r} can sign in")
    return 0


def _token(args: argparse.Namespace) -> int:
    from hearthline.kernel.clock import WallClock
    from hearthline.service.actions import tokens
    from hearthline.store.queries import accounts as accounts_q

    engine = _engine(_settings(args))
    try:
        found = accounts_q.credentials(engine, args.username)
        if found is None:
            raise UsageError(f"no user {args.username!r}")
        secret = tokens.issue(
            engine, user_id=found.user.id, name=args.name, scope=args.scope, now=WallClock().now()
        )
    finally:
        engine.dispose()
    print(secret)
    return 0


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from hearthline.api.app import create_app
    from hearthline.api.serving import bind_port, limits, run_until_stopped
    from hearthline.service.bootstrap import bootstrap
    from hearthline.store.engine import StoreConfigError
    from hearthline.web import mount

    settings = _settings(args)
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(levelname)s %(name)s: %(message)s"
    )
    sock = bind_port(settings.host, settings.port)  # a port in use stops us here, at once
    try:
        writer = bootstrap(
            database_url=settings.database_url,
            data_dir=settings.data_dir,
            keep_calls=settings.voice and settings.voice_keep_calls,
        )
    except StoreConfigError as exc:
        sock.close()
        raise UsageError(str(exc)) from None
    try:
        app = create_app(writer, settings)
        mount(app)  # the browser pages, on top of the API
        config = uvicorn.Config(
            app,
            host=settings.host,
            port=settings.port,
            log_level=settings.log_level,
            proxy_headers=False,
            **limits(settings),
        )
        context = app.state.app_context

        def stopped_by(signum: int) -> None:
            # Ctrl-C ends live calls too; SIGTERM (a restart, an upgrade) may keep them.
            context.end_calls = context.end_calls or signum == signal.SIGINT

        run_until_stopped(uvicorn.Server(config), sock, stopped_by=stopped_by)
    finally:
        sock.close()
        writer.stop()
    return 0
