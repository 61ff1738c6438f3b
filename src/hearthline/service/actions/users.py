"""User accounts: created, changed, deleted, their passwords; every change audited."""

from __future__ import annotations

import dataclasses
from typing import Any

from sqlalchemy import Connection, Engine, delete, select, update

from hearthline.service.actions.audit import Actor, plain, record, transaction
from hearthline.service.actions.tokens import end_sessions, forget_user
from hearthline.service.errors import BadCommand, Conflict, NotFound
from hearthline.store import config_repo
from hearthline.store import tables as t
from hearthline.store.queries import accounts as q
from hearthline.store.queries import config as config_q
from hearthline.store.queries.accounts import UserRow


def check_role(conn: Connection, role: str, client: str | None, agent: str | None) -> None:
    """An agent user is linked to an agent, a client viewer to a client, and only they."""
    if role == "agent" and agent is None:
        raise BadCommand("an agent user needs agent_id")
    if role == "client_viewer" and client is None:
        raise BadCommand("a client viewer needs client_id")
    if role == "admin" and client is not None:
        raise BadCommand("an administrator is not tied to one client")
    if role != "agent" and agent is not None:
        raise BadCommand("only agent users are linked to an agent")
    if client is not None and not config_q.client_exists(conn, client):
        raise NotFound("client", client)
    if agent is not None and not config_q.agent_exists(conn, agent):
        raise NotFound("agent", agent)


def _one(conn: Connection, user_id: int) -> UserRow:
    found = q.users(conn, ident=user_id)
    if not found:
        raise NotFound("user", user_id)
    return found[0]


def create_user(
    engine: Engine,
    who: Actor,
    *,
    at: float,
    username: str,
    role: str,
    client_id: str | None,
    agent_id: str | None,
    display_name: str,
    password_hash: str,
) -> UserRow:
    with transaction(engine) as conn:
        check_role(conn, role, client_id, agent_id)
        if conn.execute(select(t.users.c.id).where(t.users.c.username == username)).first():
            raise Conflict(f"username {username!r} is taken")
        ident = config_repo.add_user(
            conn,
            username,
            role=role,
            client=client_id,
            agent=agent_id,
            display_name=display_name,
            password_hash=password_hash,
        )
        out = _one(conn, ident)
        record(conn, who, at=at, action="user.create", target=username, after=plain(out))
    return out


def patch_user(
    engine: Engine,
    who: Actor,
    *,
    at: float,
    user_id: int,
    changes: dict[str, Any],
    password_hash: str | None,
) -> UserRow:
    """Changes the given fields; a new password ends the user's sessions (tokens stay)."""
    with transaction(engine) as conn:
        before = _one(conn, user_id)
        merged = dataclasses.asdict(before) | changes
        check_role(conn, str(merged["role"]), merged["client_id"], merged["agent_id"])
        values = dict(changes)
        if password_hash is not None:
            values["password_hash"] = password_hash
            conn.execute(delete(t.sessions).where(t.sessions.c.user_id == user_id))
        if values:
            conn.execute(update(t.users).where(t.users.c.id == user_id).values(**values))
        after = _one(conn, user_id)
        record(
            conn,
            who,
            at=at,
            action="user.patch",
            target=before.username,
            before=plain(before),
            after=plain(after) | {"password_changed": password_hash is not None},
        )
    return after


def delete_user(engine: Engine, who: Actor, *, at: float, user_id: int) -> None:
    """Deletes a user with their sessions and API tokens."""
    with transaction(engine) as conn:
        before = _one(conn, user_id)
        forget_user(conn, user_id=user_id)
        conn.execute(delete(t.users).where(t.users.c.id == user_id))
        record(conn, who, at=at, action="user.delete", target=before.username, before=plain(before))


def set_password(
    engine: Engine, *, user_id: int, password_hash: str, keep_session: str | None = None
) -> None:
    """A password the user chose: their other sessions end, so a changed password locks
    out whoever else had it. Not audited (the administrators do not change it)."""
    with transaction(engine) as conn:
        conn.execute(
            update(t.users).where(t.users.c.id == user_id).values(password_hash=password_hash)
        )
        end_sessions(conn, user_id=user_id, keep=keep_session)


def rehash_password(engine: Engine, *, user_id: int, password_hash: str) -> None:
    """The same password under stronger hashing settings; sessions stay."""
    with transaction(engine) as conn:
        conn.execute(
            update(t.users).where(t.users.c.id == user_id).values(password_hash=password_hash)
        )
