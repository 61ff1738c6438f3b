"""Passwords, random secrets and login throttling.

Passwords: argon2id (argon2-cffi's ``PasswordHasher``), the current recommendation for
password storage; a hash made with weaker parameters is upgraded at the next login.
Session and API tokens are 256-bit random secrets; only their SHA-256 is stored, which
is enough for secrets with that much entropy (no salt or slow hash needed) and lets a
lookup be one indexed query.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections import deque

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_PASSWORD_CHARS = 10
MAX_PASSWORD_CHARS = 256


def password_hasher(*, time_cost: int = 3, memory_kib: int = 65536) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=1, type=Type.ID)


def check_password(hasher: PasswordHasher, stored: str | None, password: str) -> bool:
    """True when ``password`` matches ``stored``; a missing hash never matches."""
    if not stored:
        # Spend the same time as a real check, so timing does not tell which users exist.
        hasher.hash(password)
        return False
    try:
        return hasher.verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(
        a.encode("utf-8", "surrogatepass"), b.encode("utf-8", "surrogatepass")
    )


class FailureLimiter:
    """At most ``limit`` failures per key in a sliding ``window_s``; then callers wait.

    Kept in memory: one server process guards its own door, and a restart forgets
    (an attacker gains one more window per restart, which is not worth a table).
    """

    def __init__(self, *, limit: int, window_s: float = 60.0) -> None:
        self.limit = limit
        self.window_s = window_s
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def retry_after(self, *keys: str) -> float:
        """Seconds until another attempt is allowed for every key (0: now)."""
        now = time.monotonic()
        wait = 0.0
        with self._lock:
            for key in keys:
                times = self._trim(key, now)
                if times is not None and len(times) >= self.limit:
                    wait = max(wait, times[0] + self.window_s - now)
        return wait

    def fail(self, *keys: str) -> None:
        now = time.monotonic()
        with self._lock:
            for key in keys:
                self._failures.setdefault(key, deque()).append(now)

    def clear(self, key: str) -> None:
        with self._lock:
            self._failures.pop(key, None)

    def _trim(self, key: str, now: float) -> deque[float] | None:
        times = self._failures.get(key)
        if times is None:
            return None
        while times and times[0] <= now - self.window_s:
            times.popleft()
        if not times:
            del self._failures[key]
            return None
        return times
