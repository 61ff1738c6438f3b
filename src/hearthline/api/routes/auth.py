"""Signing in and out, the current user, changing one's password."""

from __future__ import annotations

import math

from fastapi import APIRouter, Request, Response
from sqlalchemy import Engine, delete, update

from hearthline.api import accounts
from hearthline.api.deps import SESSION_COOKIE, AppContext, Caller, Ctx
from hearthline.api.errors import ERROR_RESPONSES, ApiError, unauthenticated
from hearthline.api.principal import Principal
from hearthline.api.schemas import LoginIn, PasswordIn, SessionOut, UserOut
from hearthline.api.security import check_password
from hearthline.store import tables as s
from hearthline.store import tables as t

router = APIRouter(prefix="/api/auth", tags=["auth"], responses=ERROR_RESPONSES)


def _user_out(p: Principal) -> UserOut:
    return UserOut(
        id=p.user_id,
        username=p.username,
        display_name=p.display_name,
        role=str(p.role),
        client_id=p.client_id,
        agent_id=p.agent_id,
    )


def _client_ip(request: Request) -> str:
    return request.client.host if request.client is not None else "unknown"


def _verify(ctx: AppContext, username: str, password: str) -> Principal | None:
    """Blocking: argon2 is deliberately slow."""
    with ctx.engine.connect() as conn:
        row = accounts.user_row(conn, username=username)
    stored = row["password_hash"] if row is not None else None
    if row is None or not check_password(ctx.hasher, stored, password):
        return None
    assert stored is not None
    if ctx.hasher.check_needs_rehash(stored):
        with ctx.engine.begin() as conn:
            conn.execute(
                update(s.users)
                .where(s.users.c.id == row["id"])
                .values(password_hash=ctx.hasher.hash(password))
            )
    return accounts.principal_of(row)


@router.post("/login", response_model=SessionOut)
async def login(body: LoginIn, request: Request, response: Response, ctx: Ctx) -> SessionOut:
    """Opens a browser session: sets the HttpOnly session cookie, returns the CSRF token."""
    keys = ("user:" + body.username.casefold(), "ip:" + _client_ip(request))
    wait = ctx.limiter.retry_after(*keys)
    if wait > 0:
        raise ApiError(
            429,
            "too-many-attempts",
            f"too many failed sign-ins; try again in {math.ceil(wait)} s",
            headers={"Retry-After": str(math.ceil(wait))},
        )
    principal = await ctx.db(_verify, ctx, body.username, body.password)
    if principal is None:
        ctx.limiter.fail(*keys)
        raise unauthenticated("wrong username or password")
    ctx.limiter.clear(keys[0])
    ttl = ctx.settings.session_ttl_s
    opened = await ctx.db(
        accounts.open_session,
        ctx.engine,
        user_id=principal.user_id,
        now=ctx.now(),
        ttl_s=ttl,
        client_ip=_client_ip(request),
    )
    response.set_cookie(
        SESSION_COOKIE,
        opened.token,
        max_age=int(ttl),
        path="/",
        httponly=True,
        samesite="strict",
        secure=ctx.settings.secure_cookies,
    )
    return SessionOut(user=_user_out(principal), csrf_token=opened.csrf_token)


@router.post("/logout", status_code=204)
async def logout(me: Caller, ctx: Ctx, response: Response) -> None:
    """Ends this browser session (an API token stays valid: revoke it instead)."""
    if me.session_id is not None:
        await ctx.db(accounts.close_session, ctx.engine, session_id=me.session_id)
        ctx.forget_credentials()
    response.delete_cookie(SESSION_COOKIE, path="/")


@router.get("/me", response_model=SessionOut)
async def me(me: Caller) -> SessionOut:
    return SessionOut(user=_user_out(me), csrf_token=me.csrf_token)


def _change_password(ctx: AppContext, me: Principal, body: PasswordIn) -> bool:
    engine: Engine = ctx.engine
    with engine.connect() as conn:
        row = accounts.user_row(conn, username=me.username)
    if row is None or not check_password(ctx.hasher, row["password_hash"], body.current_password):
        return False
    with engine.begin() as conn:
        conn.execute(
            update(s.users)
            .where(s.users.c.id == me.user_id)
            .values(password_hash=ctx.hasher.hash(body.new_password))
        )
        # Other sessions end: a changed password should lock out whoever else had it.
        others = delete(t.sessions).where(t.sessions.c.user_id == me.user_id)
        if me.session_id is not None:
            others = others.where(t.sessions.c.id != me.session_id)
        conn.execute(others)
    return True


@router.post("/password", status_code=204)
async def change_password(body: PasswordIn, me: Caller, ctx: Ctx) -> None:
    """Changes the caller's password; their other sessions end."""
    if not await ctx.db(_change_password, ctx, me, body):
        raise ApiError(403, "wrong-password", "the current password is wrong")
    ctx.forget_credentials()
