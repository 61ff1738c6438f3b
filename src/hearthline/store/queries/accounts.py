"""Users, their sessions and API tokens, and the audit log, as stored."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import RowMapping, select

from hearthline.store import tables as t
from hearthline.store.queries.bind import Bind, connected


@dataclass(frozen=True, slots=True)
class UserRow:
    id: int
    username: str
    display_name: str
    role: str
    client_id: str | None
    agent_id: str | None
    # Signs in with a second factor (a confirmed TOTP secret).
    two_factor: bool = False


@dataclass(frozen=True, slots=True)
class TwoFactor:
    secret: str | None
    pending: str | None
    last_step: int | None


@dataclass(frozen=True, slots=True)
class Credentials:
    user: UserRow
    password_hash: str | None


@dataclass(frozen=True, slots=True)
class Grant:
    """What a session or an API token grants: its user, until when, and how much."""

    user: UserRow
    expires_at: float | None
    csrf_token: str | None = None
    scope: str = "user"


@dataclass(frozen=True, slots=True)
class TokenRow:
    id: str
    username: str
    name: str
    scope: str
    created_at: float
    expires_at: float | None


def _user(r: RowMapping) -> UserRow:
    return UserRow(
        id=r["id"],
        username=r["username"],
        display_name=r["display_name"],
        role=r["role"],
        client_id=r["client_id"],
        agent_id=r["agent_id"],
        two_factor=r["totp_secret"] is not None,
    )


def users(bind: Bind, *, ident: int | None = None) -> list[UserRow]:
    query = select(t.users).order_by(t.users.c.id)
    if ident is not None:
        query = query.where(t.users.c.id == ident)
    with connected(bind) as conn:
        return [_user(r) for r in conn.execute(query).mappings()]


def credentials(bind: Bind, username: str) -> Credentials | None:
    query = select(t.users).where(t.users.c.username == username)
    with connected(bind) as conn:
        row = conn.execute(query).mappings().first()
    return Credentials(_user(row), row["password_hash"]) if row is not None else None


def two_factor(bind: Bind, user_id: int) -> TwoFactor:
    u = t.users
    query = select(u.c.totp_secret, u.c.totp_pending, u.c.totp_last_step).where(u.c.id == user_id)
    with connected(bind) as conn:
        row = conn.execute(query).first()
    if row is None:
        return TwoFactor(None, None, None)
    return TwoFactor(row.totp_secret, row.totp_pending, row.totp_last_step)


def recovery_codes(bind: Bind, user_id: int) -> list[tuple[int, str]]:
    """The user's unused recovery codes: (id, argon2 hash)."""
    r = t.recovery_codes
    query = select(r.c.id, r.c.code_hash).where(r.c.user_id == user_id).order_by(r.c.id)
    with connected(bind) as conn:
        return [(row.id, row.code_hash) for row in conn.execute(query)]


def session_grant(bind: Bind, session_id: str) -> Grant | None:
    query = (
        select(t.users, t.sessions.c.csrf_token, t.sessions.c.expires_at)
        .join(t.sessions, t.sessions.c.user_id == t.users.c.id)
        .where(t.sessions.c.id == session_id)
    )
    with connected(bind) as conn:
        row = conn.execute(query).mappings().first()
    if row is None:
        return None
    return Grant(_user(row), row["expires_at"], csrf_token=row["csrf_token"])


def token_grant(bind: Bind, token_hash: str) -> Grant | None:
    query = (
        select(t.users, t.api_tokens.c.scope, t.api_tokens.c.expires_at)
        .join(t.api_tokens, t.api_tokens.c.user_id == t.users.c.id)
        .where(t.api_tokens.c.token_hash == token_hash)
    )
    with connected(bind) as conn:
        row = conn.execute(query).mappings().first()
    if row is None:
        return None
    return Grant(_user(row), row["expires_at"], scope=row["scope"])


def tokens(bind: Bind) -> list[TokenRow]:
    a = t.api_tokens
    query = (
        select(a, t.users.c.username)
        .join(t.users, t.users.c.id == a.c.user_id)
        .order_by(a.c.created_at, a.c.id)
    )
    with connected(bind) as conn:
        return [
            TokenRow(
                id=r["id"],
                username=r["username"],
                name=r["name"],
                scope=r["scope"],
                created_at=r["created_at"],
                expires_at=r["expires_at"],
            )
            for r in conn.execute(query).mappings()
        ]


def audit_entries(
    bind: Bind,
    *,
    limit: int,
    before_id: int | None,
    action: str | None = None,
    target: str | None = None,
    username: str | None = None,
) -> list[dict[str, Any]]:
    """The newest entries first, each as its columns: of one action (``agent.put``, or a
    prefix ending in a dot: ``agent.``), one target and one user when given."""
    a = t.audit_log
    query = select(a).order_by(a.c.id.desc()).limit(limit)
    if before_id is not None:
        query = query.where(a.c.id < before_id)
    if action:
        if action.endswith("."):
            query = query.where(a.c.action.startswith(action, autoescape=True))
        else:
            query = query.where(a.c.action == action)
    if target:
        query = query.where(a.c.target == target)
    if username:
        query = query.where(a.c.username == username)
    with connected(bind) as conn:
        return [dict(r) for r in conn.execute(query).mappings()]
