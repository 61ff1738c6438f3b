"""Two-factor sign-in: enrolment, its confirmation with recovery codes, each code used
once, and the firm's rule that supervisors and administrators must use it."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Engine, delete, insert, or_, select, update

from hearthline.service.actions.audit import Actor, record, transaction
from hearthline.service.actions.tokens import end_sessions
from hearthline.service.errors import Conflict, NotFound
from hearthline.store import tables as t
from hearthline.store.queries import config as config_q


def start_enrolment(engine: Engine, *, user_id: int, secret: str) -> None:
    """Keeps ``secret`` until the user proves their authenticator has it."""
    u = t.users
    with transaction(engine) as conn:
        done = conn.execute(
            update(u)
            .where(u.c.id == user_id, u.c.totp_secret.is_(None))
            .values(totp_pending=secret)
        )
        if done.rowcount != 1:
            raise Conflict("two-factor sign-in is on already")


def confirm(
    engine: Engine, who: Actor, *, at: float, secret: str, step: int, code_hashes: Sequence[str]
) -> None:
    """The pending secret becomes the user's, with fresh recovery codes (old ones go)."""
    u, r = t.users, t.recovery_codes
    with transaction(engine) as conn:
        done = conn.execute(
            update(u)
            .where(u.c.id == who.user_id, u.c.totp_pending == secret, u.c.totp_secret.is_(None))
            .values(totp_secret=secret, totp_pending=None, totp_last_step=step)
        )
        if done.rowcount != 1:
            raise Conflict("nothing to confirm: start the enrolment again")
        conn.execute(delete(r).where(r.c.user_id == who.user_id))
        conn.execute(insert(r), [{"user_id": who.user_id, "code_hash": h} for h in code_hashes])
        record(conn, who, at=at, action="user.two-factor", target=who.username, after=True)


def use_step(engine: Engine, *, user_id: int, step: int) -> bool:
    """Takes the code of time step ``step``: False if it (or a later one) was used."""
    u = t.users
    with transaction(engine) as conn:
        done = conn.execute(
            update(u)
            .where(u.c.id == user_id, or_(u.c.totp_last_step.is_(None), u.c.totp_last_step < step))
            .values(totp_last_step=step)
        )
    return done.rowcount == 1


def use_recovery_code(engine: Engine, *, code_id: int) -> bool:
    """Spends a recovery code: False if another sign-in spent it first."""
    r = t.recovery_codes
    with transaction(engine) as conn:
        done = conn.execute(delete(r).where(r.c.id == code_id))
    return done.rowcount == 1


def turn_off(
    engine: Engine, who: Actor, *, at: float, user_id: int, keep_session: str | None
) -> None:
    """Two-factor sign-in off for ``user_id``: secret, pending enrolment and recovery codes
    go. The user's own choice keeps the session it was made from; an administrator's reset
    (a lost phone, which may be in other hands) ends all their browser sessions. API tokens
    stay: they never passed the second factor and are revoked on their own."""
    u, r = t.users, t.recovery_codes
    with transaction(engine) as conn:
        name = conn.execute(select(u.c.username).where(u.c.id == user_id)).scalar_one_or_none()
        if name is None:
            raise NotFound("user", user_id)
        done = conn.execute(
            update(u)
            .where(u.c.id == user_id, u.c.totp_secret.is_not(None))
            .values(totp_secret=None, totp_pending=None, totp_last_step=None)
        )
        if done.rowcount != 1:
            raise Conflict(f"two-factor sign-in is not on for {name}")
        conn.execute(delete(r).where(r.c.user_id == user_id))
        end_sessions(conn, user_id=user_id, keep=keep_session)
        record(conn, who, at=at, action="user.two-factor", target=name, before=True, after=False)


def set_required(engine: Engine, who: Actor, *, at: float, required: bool) -> None:
    with transaction(engine) as conn:
        before = config_q.requires_two_factor(conn)
        conn.execute(update(t.firm).values(require_two_factor=required))
        record(
            conn,
            who,
            at=at,
            action="settings.two-factor",
            target="firm",
            before=before,
            after=required,
        )
