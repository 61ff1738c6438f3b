"""Bodies of sign-in, users, API tokens and the audit log."""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, Field, StringConstraints

from hearthline.api.schemas.common import Ident, In, Name, Out, printable


class RoleName(StrEnum):
    ADMIN = "admin"
    SUPERVISOR = "supervisor"
    AGENT = "agent"
    CLIENT_VIEWER = "client_viewer"


# The names people write for the roles, as the documentation and the pages speak of them.
_ROLE_ALIASES = {"administrator": "admin", "viewer": "client_viewer"}


def _role_name(value: object) -> object:
    """'client viewer', 'Client-Viewer' and 'administrator' name roles too; anything else
    is refused with the list of roles."""
    if not isinstance(value, str):
        return value
    key = re.sub(r"[\s\-]+", "_", value.strip().lower())
    key = _ROLE_ALIASES.get(key, key)
    if key not in {r.value for r in RoleName}:
        roles = ", ".join(r.value for r in RoleName)
        raise ValueError(f"unknown role {value[:50]!r}; roles are: {roles}")
    return key


Role = Annotated[RoleName, BeforeValidator(_role_name)]


# A new password may hold any printable text; NUL and broken UTF-8 nobody types, and
# other systems a password is typed into would cut it short at a NUL.
NewPassword = Annotated[
    str, StringConstraints(min_length=10, max_length=256), AfterValidator(printable)
]


class UserOut(Out):
    id: int
    username: str
    display_name: str
    role: str
    client_id: str | None
    agent_id: str | None
    # Signs in with a second factor; must enrol: the firm requires one and there is none.
    two_factor: bool = False
    must_enrol: bool = False


# A code from the authenticator (six digits) or a recovery code (``7f3a9-c2e41``).
OneTimeCode = Annotated[str, StringConstraints(pattern=r"^[0-9A-Za-z -]{6,16}$")]


class LoginIn(In):
    username: Annotated[
        str, StringConstraints(min_length=1, max_length=200), AfterValidator(printable)
    ]
    password: Annotated[str, StringConstraints(min_length=1, max_length=256)]
    code: OneTimeCode | None = None


class EnrolIn(In):
    password: Annotated[str, StringConstraints(min_length=1, max_length=256)]


class EnrolOut(Out):
    """Shown once: type the secret into an authenticator app (or open the URI)."""

    secret: str
    uri: str


class ConfirmIn(In):
    code: Annotated[str, StringConstraints(pattern=r"^[0-9]{6}$")]


class TwoFactorOffIn(In):
    """The password and a current code (or a recovery code): a session left open on a
    shared computer cannot turn the second factor off alone."""

    password: Annotated[str, StringConstraints(min_length=1, max_length=256)]
    code: Annotated[str, StringConstraints(min_length=6, max_length=32)]


class RecoveryCodesOut(Out):
    """Shown once: each code signs in once in place of the authenticator's."""

    recovery_codes: list[str]


class SessionOut(Out):
    user: UserOut
    # Send it back in X-CSRF-Token with every request that changes something.
    csrf_token: str | None


class PasswordIn(In):
    current_password: Annotated[str, StringConstraints(max_length=256)]
    new_password: NewPassword


class UserIn(In):
    username: Ident
    password: NewPassword
    role: Role
    display_name: Name = ""
    client_id: Ident | None = None
    agent_id: Ident | None = None


class UserPatch(In):
    password: NewPassword | None = None
    role: Role | None = None
    display_name: Name | None = None
    client_id: Ident | None = None
    agent_id: Ident | None = None


class TokenScope(StrEnum):
    USER = "user"
    CHANNEL = "channel"


class TokenIn(In):
    username: Ident
    name: Name = ""
    scope: TokenScope = TokenScope.USER
    expires_in_s: Annotated[float, Field(gt=0, le=86_400 * 3660)] | None = None


class TokenOut(Out):
    id: str
    username: str
    name: str
    scope: str
    created_at: float
    expires_at: float | None


class NewTokenOut(TokenOut):
    # Shown once: only its hash is kept.
    token: str


class AuditOut(Out):
    id: int
    at: float
    username: str
    action: str
    target: str
    before: str | None
    after: str | None
