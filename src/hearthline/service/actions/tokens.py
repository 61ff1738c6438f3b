"""Browser sessions and API tokens: opened, closed, created, revoked.

Only digests of the secrets are stored: a stolen row opens no session and holds no token.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, delete, insert, select

from hearthline.service.actions.audit import Actor, plain, record, transaction
from hearthline.service.errors import BadCommand, NotFound
from hearthline.store import tables as t
from hearthline.store.queries.accounts import TokenRow


@dataclass(frozen=True, slots=True)
class NewSession:
    token: str  # the cookie's value: given to the browser once, never stored
    csrf_token: str
    expires_at: float


@dataclass(frozen=True, slots=True)
class NewToken:
    row: TokenRow
    secret: str  # shown once, never stored


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def open_session(
    engine: Engine, *, user_id: int, now: float, ttl_s: float, client_ip: str
) -> NewSession:
    token = new_secret()
    csrf = secrets.token_urlsafe(24)
    with transaction(engine) as conn:
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


def close_session(engine: Engine, *, session_id: str) -> None:
    with transaction(engine) as conn:
        conn.execute(delete(t.sessions).where(t.sessions.c.id == session_id))


def add_token(
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


def create_token(
    engine: Engine,
    who: Actor,
    *,
    at: float,
    username: str,
    name: str,
    scope: str,
    expires_in_s: float | None,
) -> NewToken:
    """A token for an existing user; a channel token only for an administrator or a user
    tied to one client (whose queues it may then reach)."""
    with transaction(engine) as conn:
        user = (
            conn.execute(select(t.users).where(t.users.c.username == username)).mappings().first()
        )
        if user is None:
            raise NotFound("user", username)
        if scope == "channel" and user["role"] != "admin" and user["client_id"] is None:
            raise BadCommand(
                "a channel token belongs to an administrator or to a user "
                "tied to one client (whose queues it may then reach)"
            )
        expires = at + expires_in_s if expires_in_s is not None else None
        ident, secret = add_token(
            conn, user_id=user["id"], name=name, scope=scope, now=at, expires_at=expires
        )
        row = TokenRow(
            id=ident, username=username, name=name, scope=scope, created_at=at, expires_at=expires
        )
        record(conn, who, at=at, action="token.create", target=ident, after=_shown(row))
    return NewToken(row, secret)


def _shown(row: TokenRow) -> object:
    # What the answer showed, with the secret masked: the record must not hold it.
    return plain(row) | {"token": "***"}


def revoke_token(engine: Engine, who: Actor, *, at: float, token: str) -> None:
    with transaction(engine) as conn:
        gone = conn.execute(delete(t.api_tokens).where(t.api_tokens.c.id == token)).rowcount
        if not gone:
            raise NotFound("token", token)
        record(conn, who, at=at, action="token.revoke", target=token)


def end_sessions(conn: Connection, *, user_id: int, keep: str | None = None) -> None:
    """Ends a user's browser sessions but ``keep`` (the one making the change); their API
    tokens stay."""
    ended = delete(t.sessions).where(t.sessions.c.user_id == user_id)
    if keep is not None:
        ended = ended.where(t.sessions.c.id != keep)
    conn.execute(ended)


def forget_user(conn: Connection, *, user_id: int) -> None:
    """Ends every session and token of a user (deleted, or given a new password)."""
    conn.execute(delete(t.sessions).where(t.sessions.c.user_id == user_id))
    conn.execute(delete(t.api_tokens).where(t.api_tokens.c.user_id == user_id))


def issue(engine: Engine, *, user_id: int, name: str, scope: str, now: float) -> str:
    """A token from the command line (no one signed in to audit): its secret."""
    with transaction(engine) as conn:
        _, secret = add_token(conn, user_id=user_id, name=name, scope=scope, now=now)
    return secret
