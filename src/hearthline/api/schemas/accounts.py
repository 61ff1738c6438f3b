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


class UserOut(Out):
    id: int
    username: str
    display_name: str
    role: str
    client_id: str | None
    agent_id: str | None


class LoginIn(In):
    username: Annotated[
        str, StringConstraints(min_length=1, max_length=200), AfterValidator(printable)
    ]
    password: Annotated[str, StringConstraints(min_length=1, max_length=256)]


class SessionOut(Out):
    user: UserOut
    # Send it back in X-CSRF-Token with every request that changes something.
    csrf_token: str | None


class PasswordIn(In):
    current_password: Annotated[str, StringConstraints(max_length=256)]
    new_password: Annotated[str, StringConstraints(min_length=10, max_length=256)]


class UserIn(In):
    username: Ident
    password: Annotated[str, StringConstraints(min_length=10, max_length=256)]
    role: Role
    display_name: Name = ""
    client_id: Ident | None = None
    agent_id: Ident | None = None


class UserPatch(In):
    password: Annotated[str, StringConstraints(min_length=10, max_length=256)] | None = None
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
