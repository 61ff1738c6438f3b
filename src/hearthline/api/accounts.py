"""Users, sessions and API tokens in the database (blocking: run them off the event loop)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, delete, insert, select

from hearthline.api.principal import Principal, Role
from hearthline.api.security import digest, new_secret
from hearthline.store import tables as s
from hearthline.store import tables as t


@dataclass(frozen=True, slots=True)
class NewSession:
    token: str  # the cookie's value: given to the browser once, never stored
    csrf_token: str
    expires_at: float


def user_row(conn: Connection, *, username: str) -> dict[str, Any] | None:
    row = conn.execute(select(s.users).where(s.users.c.username == username)).mappings().first()
    return dict(row) if row is not None else None


def principal_of(row: Any, **extra: Any) -> Principal:
    return Principal(
        user_id=row["id"],
        username=row["username"],
        role=Role(row["role"]),
        client_id=row["client_id"],
        agent_id=row["agent_id"],
        display_name=row["display_name"],
        **extra,
    )


def open_session(
    engine: Engine, *, user_id: int, now: float, ttl_s: float, client_ip: str
) -> NewSession:
    token = new_secret()
    csrf = secrets.token_urlsafe(24)
    with engine.begin() as conn:
        conn.execute(
            insert(t.sessions).values(
                id=digest(token),
                user_id=user_id,
                csrf_token=csrf,
                created_at=now,
                expires_at=now + ttl_s,
                client_ip=client_ip[:64],
            )
        )
    return NewSession(token=token, csrf_token=csrf, expires_at=now + ttl_s)


def session_principal(engine: Engine, *, token: str, now: float) -> Principal | None:
    sid = digest(token)
    query = (
        select(s.users, t.sessions.c.csrf_token, t.sessions.c.expires_at)
        .join(t.sessions, t.sessions.c.user_id == s.users.c.id)
        .where(t.sessions.c.id == sid)
    )
    with engine.connect() as conn:
        row = conn.execute(query).mappings().first()
    if row is None or row["expires_at"] <= now:
        return None
    return principal_of(row, session_id=sid, csrf_token=row["csrf_token"])


def close_session(engine: Engine, *, session_id: str) -> None:
    with engine.begin() as conn:
        conn.execute(delete(t.sessions).where(t.sessions.c.id == session_id))


def token_principal(engine: Engine, *, token: str, now: float) -> Principal | None:
    query = (
        select(s.users, t.api_tokens.c.scope, t.api_tokens.c.expires_at)
        .join(t.api_tokens, t.api_tokens.c.user_id == s.users.c.id)
        .where(t.api_tokens.c.token_hash == digest(token))
    )
    with engine.connect() as conn:
        row = conn.execute(query).mappings().first()
    if row is None or (row["expires_at"] is not None and row["expires_at"] <= now):
        return None
    principal = principal_of(row)
    if row["scope"] == "channel":
        return Principal(
            user_id=principal.user_id,
            username=principal.username,
            role=Role.CHANNEL,
            client_id=principal.client_id,
            agent_id=None,
            display_name=principal.display_name,
        )
    return principal


def create_token(
    conn: Connection,
    *,
    user_id: int,
    name: str,
    scope: str,
    now: float,
    expires_at: float | None = None,
) -> tuple[str, str]:
    """A new API token for ``user_id``: (its public id, the secret, shown only now)."""
    secret = "hl_" + new_secret()
    ident = secrets.token_hex(8)
    conn.execute(
        insert(t.api_tokens).values(
            id=ident,
            token_hash=digest(secret),
            user_id=user_id,
            name=name,
            scope=scope,
            created_at=now,
            expires_at=expires_at,
        )
    )
    return ident, secret


def forget_user(conn: Connection, *, user_id: int) -> None:
    """Ends every session and token of a user (deleted, or given a new password)."""
    conn.execute(delete(t.sessions).where(t.sessions.c.user_id == user_id))
    conn.execute(delete(t.api_tokens).where(t.api_tokens.c.user_id == user_id))
