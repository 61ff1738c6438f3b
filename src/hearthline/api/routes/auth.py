"""Signing in and out, the current user, changing one's password."""

from __future__ import annotations

import math

from fastapi import APIRouter, Request, Response

from hearthline.api import accounts
from hearthline.api.deps import SESSION_COOKIE, AppContext, Caller, Ctx
from hearthline.api.errors import ERROR_RESPONSES, ApiError, unauthenticated
from hearthline.api.principal import Principal
from hearthline.api.schemas import LoginIn, PasswordIn, SessionOut, UserOut
from hearthline.api.security import check_password
from hearthline.service.actions import tokens, users
from hearthline.store.queries import accounts as accounts_q

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
    found = accounts_q.credentials(ctx.engine, username)
    stored = found.password_hash if found is not None else None
    if found is None or not check_password(ctx.hasher, stored, password):
        return None
    assert stored is not None
    if ctx.hasher.check_needs_rehash(stored):
        users.rehash_password(
            ctx.engine, user_id=found.user.id, password_hash=ctx.hasher.hash(password)
        )
    return accounts.principal_of(found.user)


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
        tokens.open_session,
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
        await ctx.db(tokens.close_session, ctx.engine, session_id=me.session_id)
        await ctx.forget_credentials(user_id=me.user_id)
    response.delete_cookie(SESSION_COOKIE, path="/")


@router.get("/me", response_model=SessionOut)
async def me(me: Caller) -> SessionOut:
    return SessionOut(user=_user_out(me), csrf_token=me.csrf_token)


def _change_password(ctx: AppContext, me: Principal, body: PasswordIn) -> bool:
    found = accounts_q.credentials(ctx.engine, me.username)
    if found is None or not check_password(ctx.hasher, found.password_hash, body.current_password):
        return False
    users.set_password(
        ctx.engine,
        user_id=me.user_id,
        password_hash=ctx.hasher.hash(body.new_password),
        keep_session=me.session_id,
    )
    return True


@router.post("/password", status_code=204)
async def change_password(body: PasswordIn, me: Caller, ctx: Ctx) -> None:
    """Changes the caller's password; their other sessions end."""
    if not await ctx.db(_change_password, ctx, me, body):
        raise ApiError(403, "wrong-password", "the current password is wrong")
    await ctx.forget_credentials(user_id=me.user_id)
