"""Sign-in throttling, per account and per address, kept in the database.

In the database so that every server process, and a restarted one, counts the same
failures. An attempt is counted *before* its password is checked, in a transaction that
holds the account's row: of thirty concurrent guesses only the first ``limit`` are
checked at all, the rest are told to wait. A success takes its own count back.

Per account: ``limit`` attempts a window, then a lockout that doubles each time (one
window, two, four... at most ``max_lock_s``), forgotten after a day without one or at
the next success. Per address: past ``address_limit`` attempts a window, an address
may still try an account that has no failures of its own in its window: so a crowd
behind one address (a call center's NAT) keeps signing in while an attacker there gets
one guess per account per window, and each account keeps its own limit besides.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite

from hearthline.store import tables as t

FORGET_LOCKOUTS_S = 86_400.0
KEY_CHARS = t.ID


@dataclass(frozen=True, slots=True)
class Rule:
    limit: int
    address_limit: int
    window_s: float = 60.0
    max_lock_s: float = 900.0


@dataclass(slots=True)
class _Count:
    failures: int
    window_start: float
    locked_until: float
    lockouts: int


def account_key(username: str) -> str:
    return _fitting("user:" + username.casefold())


def address_key(address: str) -> str:
    return _fitting("ip:" + address)


def _fitting(key: str) -> str:
    # Case folding can lengthen a name ('ß' is 'ss'): a key past the column is a digest.
    if len(key) <= KEY_CHARS:
        return key
    return "sha256:" + hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def begin(engine: Engine, *, account: str, address: str, now: float, rule: Rule) -> float:
    """Counts an attempt for ``account`` from ``address``: 0 when its password may be
    checked now, else the seconds to wait (and nothing is counted)."""
    with engine.begin() as conn:
        mine = _hold(conn, account, now, rule)
        theirs = _hold(conn, address, now, rule)
        if mine.locked_until > now:
            return mine.locked_until - now
        if theirs.failures >= rule.address_limit and mine.failures > 0:
            return theirs.window_start + rule.window_s - now
        mine.failures += 1
        if mine.failures > rule.limit:
            mine.lockouts += 1
            lock_s = min(rule.window_s * 2.0 ** (mine.lockouts - 1), rule.max_lock_s)
            mine.failures, mine.window_start, mine.locked_until = 0, now, now + lock_s
            _store(conn, account, mine)
            return lock_s
        theirs.failures += 1
        _store(conn, account, mine)
        _store(conn, address, theirs)
        return 0.0


def succeeded(engine: Engine, *, account: str, address: str) -> None:
    """The password was right: the account starts afresh, the address gets its try back."""
    sit = t.sign_in_throttle
    with engine.begin() as conn:
        conn.execute(delete(sit).where(sit.c.key == account))
        conn.execute(
            update(sit)
            .where(sit.c.key == address, sit.c.failures > 0)
            .values(failures=sit.c.failures - 1)
        )


def forget_old(engine: Engine, *, now: float) -> int:
    """Drops counts nobody needs any more (a day quiet, unlocked); returns how many."""
    sit = t.sign_in_throttle
    cutoff = now - FORGET_LOCKOUTS_S
    with engine.begin() as conn:
        gone = conn.execute(
            delete(sit).where(sit.c.window_start < cutoff, sit.c.locked_until < cutoff)
        )
    return gone.rowcount


def _hold(conn: Connection, key: str, now: float, rule: Rule) -> _Count:
    """The key's count, its row locked for this transaction (created if missing)."""
    sit = t.sign_in_throttle
    values = {"key": key, "failures": 0, "window_start": now, "locked_until": 0.0, "lockouts": 0}
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    # The insert is a write on SQLite too, so it takes the database's write lock at once:
    # no other attempt reads this count until this one is stored.
    conn.execute(dialect.insert(sit).values(values).on_conflict_do_nothing())
    row = conn.execute(select(sit).where(sit.c.key == key).with_for_update()).one()
    count = _Count(
        int(row.failures), float(row.window_start), float(row.locked_until), int(row.lockouts)
    )
    if now - count.window_start >= rule.window_s and count.locked_until <= now:
        if now - max(count.window_start, count.locked_until) >= FORGET_LOCKOUTS_S:
            count.lockouts = 0
        count.failures, count.window_start = 0, now
    return count


def _store(conn: Connection, key: str, count: _Count) -> None:
    sit = t.sign_in_throttle
    conn.execute(
        update(sit)
        .where(sit.c.key == key)
        .values(
            failures=count.failures,
            window_start=count.window_start,
            locked_until=count.locked_until,
            lockouts=count.lockouts,
        )
    )
