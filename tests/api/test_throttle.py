"""Sign-in throttling: per account under concurrency and across server processes, with a
back-off, password changes included, and an address that cannot lock out its neighbours."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from sqlalchemy import update

from hearthline.api.security import password_hasher
from hearthline.service.actions import throttle
from hearthline.store import tables as t
from hearthline.store.engine import create_store_engine
from hearthline.store.migrate import upgrade
from tests.api.support import PASSWORD, USERS, Served, serve
from tests.serving import free_port, wait_for_health

HEARTHLINE = str(Path(sys.executable).with_name("hearthline"))
SRC = str(Path(__file__).resolve().parents[2] / "src")


async def _logins(url: str, attempts: list[tuple[str, str]]) -> list[int]:
    async with httpx.AsyncClient(base_url=url, timeout=60) as c:
        answers = await asyncio.gather(
            *(c.post("/api/auth/login", json={"username": u, "password": p}) for u, p in attempts)
        )
    return [r.status_code for r in answers]


def test_thirty_concurrent_guesses_check_five_passwords_and_refuse_the_rest(
    served: Served,
) -> None:
    codes = asyncio.run(_logins(served.url, [("sup", "wrong guess!")] * 30))
    assert Counter(codes) == {401: 5, 429: 25}
    locked = served.client().post("/api/auth/login", json={"username": "sup", "password": PASSWORD})
    assert locked.status_code == 429
    assert int(locked.headers["Retry-After"]) >= 1
    # Other accounts are untouched.
    served.login("sup-acme")


@pytest.mark.postgres
def test_a_name_that_grows_when_case_folded_is_counted_too(pg_url: str) -> None:
    # PostgreSQL holds a column to its length (SQLite does not): the key must fit.
    app = serve(pg_url)
    try:
        c = app.client()
        for _ in range(6):
            r = c.post("/api/auth/login", json={"username": "ß" * 200, "password": "wrong guess!"})
        assert r.status_code == 429, r.text
    finally:
        app.stop()


def test_one_address_cannot_lock_out_its_neighbours(sqlite_url: str) -> None:
    app = serve(sqlite_url, login_failures_per_address_per_minute=3)
    try:
        c = app.client()
        for user in ("sup", "sup-acme", "sup-globex"):
            r = c.post("/api/auth/login", json={"username": user, "password": "wrong guess!"})
            assert r.status_code == 401
        # The address is past its limit: an account with failures of its own waits...
        again = c.post("/api/auth/login", json={"username": "sup", "password": PASSWORD})
        assert again.status_code == 429, again.text
        # ...one without may try, and the right password gets in.
        app.login("admin")
        app.login("a000")
        # A guess at a fresh account is one guess: its second waits.
        first = c.post("/api/auth/login", json={"username": "a001", "password": "wrong guess!"})
        second = c.post("/api/auth/login", json={"username": "a001", "password": "wrong guess!"})
        assert (first.status_code, second.status_code) == (401, 429)
    finally:
        app.stop()


def test_password_changes_count_against_the_account(served_sqlite: Served) -> None:
    served = served_sqlite
    me = served.login("sup-globex")
    body = {"current_password": "not my password", "new_password": "a brand new password"}
    for _ in range(5):
        assert me.post("/api/auth/password", json=body).status_code == 403
    refused = me.post("/api/auth/password", json=body | {"current_password": PASSWORD})
    assert refused.status_code == 429
    signing_in = served.client().post(
        "/api/auth/login", json={"username": "sup-globex", "password": PASSWORD}
    )
    assert signing_in.status_code == 429


@pytest.mark.parametrize("db", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_lockouts_double_and_a_success_forgets_them(
    request: pytest.FixtureRequest, db: str
) -> None:
    engine = create_store_engine(
        request.getfixturevalue(f"{'sqlite' if db == 'sqlite' else 'pg'}_url")
    )
    upgrade(engine)
    rule = throttle.Rule(limit=2, address_limit=100, window_s=60.0, max_lock_s=300.0)

    def attempt(at: float, account: str = "user:ann") -> float:
        return throttle.begin(engine, account=account, address="ip:1", now=at, rule=rule)

    try:
        waits = [attempt(1000.0), attempt(1001.0), attempt(1002.0), attempt(1003.0)]
        assert waits == [0.0, 0.0, 60.0, pytest.approx(59.0)]
        assert [attempt(1062.0), attempt(1063.0), attempt(1064.0)] == [0.0, 0.0, 120.0]
        assert [attempt(1184.0), attempt(1185.0), attempt(1186.0)] == [0.0, 0.0, 240.0]
        assert [attempt(1426.0), attempt(1427.0), attempt(1428.0)] == [0.0, 0.0, 300.0]
        assert attempt(1500.0, "user:bo") == 0.0  # another account is its own
        throttle.succeeded(engine, account="user:ann", address="ip:1")
        assert [attempt(1800.0), attempt(1801.0), attempt(1802.0)] == [0.0, 0.0, 60.0]
        # A day later the counts are dropped.
        assert throttle.forget_old(engine, now=1802.0 + 2 * 86_400) == 3
    finally:
        engine.dispose()


@contextmanager
def _second_process(url: str, **settings: str) -> Iterator[tuple[str, int]]:
    """``hearthline serve`` on the same database, in a process of its own."""
    port = free_port()
    env = os.environ | {
        "PYTHONPATH": SRC,
        "HEARTHLINE_DATABASE_URL": url,
        "HEARTHLINE_LOG_LEVEL": "warning",
    }
    env |= {f"HEARTHLINE_{k.upper()}": v for k, v in settings.items()}
    server = subprocess.Popen(
        [HEARTHLINE, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for_health(base, server)
        yield base, server.pid
    finally:
        server.terminate()
        out, _ = server.communicate(timeout=30)
        assert "Traceback" not in out, out


def _peak_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmHWM")


@pytest.mark.postgres
def test_two_server_processes_share_one_throttle(pg_url: str) -> None:
    url = pg_url
    first = serve(url)
    try:
        # Full-cost argon2 (64 MiB a check) in the second process, to see memory bounded.
        with _second_process(
            url, argon2_concurrency="4", login_failures_per_address_per_minute="1000"
        ) as (second, pid):
            before = _peak_rss_mib(pid)
            # Concurrent guesses split between the two processes: five checked in all.
            both = asyncio.run(_split(first.url, second, "sup-acme"))
            assert Counter(both) == {401: 5, 429: 25}
            # Failures on one process lock the account on the other.
            for _ in range(5):
                r = first.client().post(
                    "/api/auth/login", json={"username": "sup", "password": "wrong guess!"}
                )
                assert r.status_code == 401
            locked = httpx.post(
                second + "/api/auth/login",
                json={"username": "sup", "password": PASSWORD},
                timeout=30,
            )
            assert locked.status_code == 429
            # Eight guesses at four accounts: eight checks, at most four at a time.
            spread = [u for u in USERS if u not in ("sup", "sup-acme")][:4]
            _full_cost_passwords(first, spread)
            codes = asyncio.run(_logins(second, [(u, "wrong guess!") for u in spread] * 2))
            assert Counter(codes) == {401: 8}
            assert _peak_rss_mib(pid) - before < 6 * 64, "more than four checks at once"
    finally:
        first.stop()


def _full_cost_passwords(app: Served, usernames: list[str]) -> None:
    """A check costs what the stored hash says: make these take the production memory."""
    hashed = password_hasher(time_cost=1).hash(PASSWORD)  # 64 MiB, one pass
    with app.writer.engine.begin() as conn:
        conn.execute(
            update(t.users).where(t.users.c.username.in_(usernames)).values(password_hash=hashed)
        )


async def _split(a: str, b: str, username: str) -> list[int]:
    attempts = [(username, "wrong guess!")] * 15
    left, right = await asyncio.gather(_logins(a, attempts), _logins(b, attempts))
    return left + right
