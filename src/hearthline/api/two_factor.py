"""Time-based one-time codes (TOTP, RFC 6238, by pyotp) and recovery codes.

A code is accepted for the 30-second step it names and one step either side (clocks
drift), and once only: the step used is stored, and a code of that step or an earlier
one is refused after it. Recovery codes are random, shown once, stored as argon2 hashes.
"""

from __future__ import annotations

import hmac
import re
import secrets

import pyotp
from argon2 import PasswordHasher

from hearthline.api.security import check_password

ISSUER = "Hearthline"
RECOVERY_CODES = 10
_DIGITS = re.compile(r"^[0-9]{6}$")


def new_secret() -> str:
    return pyotp.random_base32()  # 160 bits, as RFC 4226 recommends


def provisioning_uri(secret: str, username: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=ISSUER)


def is_totp(code: str) -> bool:
    return _DIGITS.match(code) is not None


def matching_step(secret: str, code: str, now: float) -> int | None:
    """The time step whose code ``code`` is (this one, or one either side), or None."""
    totp = pyotp.TOTP(secret)
    here = int(now // totp.interval)
    for step in (here, here - 1, here + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def new_recovery_codes() -> list[str]:
    """Codes like ``7f3a9-c2e41`` (40 random bits each)."""
    return [f"{c[:5]}-{c[5:]}" for c in (secrets.token_hex(5) for _ in range(RECOVERY_CODES))]


def matching_recovery_code(
    hasher: PasswordHasher, stored: list[tuple[int, str]], code: str
) -> int | None:
    """The id of the stored code ``code`` is; spaces, dashes and case do not matter."""
    plain = code.lower().replace(" ", "").replace("-", "")
    for ident, hashed in stored:
        if check_password(hasher, hashed, plain):
            return ident
    return None
