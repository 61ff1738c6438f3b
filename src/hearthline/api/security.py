"""Passwords and random secrets (sign-in throttling: ``service/actions/throttle.py``).

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
