"""Signing in and out, the current user, changing one's password."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from hearthline.api import accounts, two_factor
from hearthline.api.deps import SESSION_COOKIE, AppContext, Caller, Ctx
from hearthline.api.errors import ERROR_RESPONSES, ApiError, forbidden, unauthenticated
from hearthline.api.principal import Principal, Role
from hearthline.api.schemas import (
    ConfirmIn,
    EnrolIn,
    EnrolOut,
    LoginIn,
    PasswordIn,
    RecoveryCodesOut,
    SessionOut,
    TwoFactorOffIn,
    UserOut,
)
from hearthline.api.security import check_password
from hearthline.api.throttling import checked, client_ip
from hearthline.kernel.clock import WallClock
from hearthline.service.actions import tokens, users
from hearthline.service.actions import two_factor as two_factor_actions
from hearthline.store.queries import accounts as accounts_q
from hearthline.store.queries import config as config_q

router = APIRouter(prefix="/api/auth", tags=["auth"], responses=ERROR_RESPONSES)
# Codes follow the wall clock, whatever the center's (the demo's runs fast).
_WALL = WallClock()


def _user_out(p: Principal) -> UserOut:
    return UserOut(
        id=p.user_id,
        username=p.username,
        display_name=p.display_name,
        role=str(p.role),
        client_id=p.client_id,
        agent_id=p.agent_id,
        two_factor=p.two_factor,
        must_enrol=p.must_enrol,
    )


def _verify(ctx: AppContext, body: LoginIn) -> Principal | None:
    """Blocking: argon2 is deliberately slow. A right password of a user with a second
    factor needs its code too (401 ``two-factor-required`` without one)."""
    found = accounts_q.credentials(ctx.engine, body.username)
    stored = found.password_hash if found is not None else None
    if found is None or not check_password(ctx.hasher, stored, body.password):
        return None
    assert stored is not None
    if found.user.two_factor:
        _second_factor(ctx, found.user.id, body.code)
    if ctx.hasher.check_needs_rehash(stored):
        users.rehash_password(
            ctx.engine, user_id=found.user.id, password_hash=ctx.hasher.hash(body.password)
        )
    return accounts.principal_of(found.user, must_enrol=accounts.must_enrol(ctx.engine, found.user))


def _second_factor(ctx: AppContext, user_id: int, code: str | None) -> None:
    """Raises unless ``code`` is the user's current code (unused) or a recovery code; the
    sign-in stays counted by the throttle either way until it succeeds."""
    if code is None:
        raise ApiError(401, "two-factor-required", "enter the code from your authenticator app")
    if two_factor.is_totp(code):
        secret = accounts_q.two_factor(ctx.engine, user_id).secret
        step = two_factor.matching_step(secret, code, _WALL.now()) if secret else None
        if step is not None and two_factor_actions.use_step(ctx.engine, user_id=user_id, step=step):
            return
    else:
        stored = accounts_q.recovery_codes(ctx.engine, user_id)
        found = two_factor.matching_recovery_code(ctx.hasher, stored, code)
        if found is not None and two_factor_actions.use_recovery_code(ctx.engine, code_id=found):
            return
    raise ApiError(401, "wrong-code", "the code is wrong or was used already")


@router.post("/login", response_model=SessionOut)
async def login(body: LoginIn, request: Request, response: Response, ctx: Ctx) -> SessionOut:
    """Opens a browser session: sets the HttpOnly session cookie, returns the CSRF token."""
    principal = await checked(ctx, request, body.username, lambda: ctx.db(_verify, ctx, body))
    if principal is None:
        raise unauthenticated("wrong username or password")
    ttl = ctx.settings.session_ttl_s
    opened = await ctx.db(
        tokens.open_session,
        ctx.engine,
        user_id=principal.user_id,
        now=ctx.now(),
        ttl_s=ttl,
        client_ip=client_ip(request),
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


def _change_password(ctx: AppContext, me: Principal, body: PasswordIn) -> bool | None:
    found = accounts_q.credentials(ctx.engine, me.username)
    if found is None or not check_password(ctx.hasher, found.password_hash, body.current_password):
        return None
    users.set_password(
        ctx.engine,
        user_id=me.user_id,
        password_hash=ctx.hasher.hash(body.new_password),
        keep_session=me.session_id,
    )
    return True


@router.post("/password", status_code=204)
async def change_password(body: PasswordIn, request: Request, me: Caller, ctx: Ctx) -> None:
    """Changes the caller's password; their other sessions end. Throttled as sign-ins are,
    on the same account: a stolen session cannot guess the password here instead."""
    changed = await checked(
        ctx, request, me.username, lambda: ctx.db(_change_password, ctx, me, body)
    )
    if changed is None:
        raise ApiError(403, "wrong-password", "the current password is wrong")
    await ctx.forget_credentials(user_id=me.user_id)


def _start_enrolment(ctx: AppContext, me: Principal, body: EnrolIn) -> EnrolOut | None:
    found = accounts_q.credentials(ctx.engine, me.username)
    if found is None or not check_password(ctx.hasher, found.password_hash, body.password):
        return None
    secret = two_factor.new_secret()
    two_factor_actions.start_enrolment(ctx.engine, user_id=me.user_id, secret=secret)
    return EnrolOut(secret=secret, uri=two_factor.provisioning_uri(secret, me.username))


@router.post("/two-factor", response_model=EnrolOut, status_code=201)
async def enrol(body: EnrolIn, request: Request, me: Caller, ctx: Ctx) -> EnrolOut:
    """Starts two-factor sign-in (supervisors and administrators): the secret, shown this
    once, goes into an authenticator app; ``/two-factor/confirm`` with its first code
    turns it on. Needs the password (throttled as sign-ins are)."""
    if me.role not in (Role.ADMIN, Role.SUPERVISOR) or not me.via_cookie:
        raise forbidden("two-factor sign-in is for supervisors' and administrators' sessions")
    started = await checked(
        ctx, request, me.username, lambda: ctx.db(_start_enrolment, ctx, me, body)
    )
    if started is None:
        raise ApiError(403, "wrong-password", "the password is wrong")
    return started


def _confirm(ctx: AppContext, me: Principal, code: str) -> list[str] | None:
    pending = accounts_q.two_factor(ctx.engine, me.user_id).pending
    if pending is None:
        raise ApiError(409, "conflict", "no enrolment to confirm: start one first")
    step = two_factor.matching_step(pending, code, _WALL.now())
    if step is None:
        return None
    codes = two_factor.new_recovery_codes()
    two_factor_actions.confirm(
        ctx.engine,
        me,
        at=ctx.now(),
        secret=pending,
        step=step,
        code_hashes=[ctx.hasher.hash(c.replace("-", "")) for c in codes],
    )
    return codes


@router.post("/two-factor/confirm", response_model=RecoveryCodesOut)
async def confirm(body: ConfirmIn, request: Request, me: Caller, ctx: Ctx) -> RecoveryCodesOut:
    """Turns two-factor sign-in on with the authenticator's first code; answers the
    recovery codes, shown this once (each signs in once in place of a code)."""
    codes = await checked(ctx, request, me.username, lambda: ctx.db(_confirm, ctx, me, body.code))
    if codes is None:
        raise ApiError(403, "wrong-code", "the code is wrong: check the app's clock and secret")
    await ctx.forget_credentials(user_id=me.user_id)
    return RecoveryCodesOut(recovery_codes=codes)


def _turn_off(ctx: AppContext, me: Principal, body: TwoFactorOffIn) -> bool:
    found = accounts_q.credentials(ctx.engine, me.username)
    if found is None or not check_password(ctx.hasher, found.password_hash, body.password):
        return False
    if not found.user.two_factor:
        raise ApiError(409, "conflict", "two-factor sign-in is not on")
    if config_q.requires_two_factor(ctx.engine):
        raise ApiError(409, "two-factor-required-by-firm", "the firm requires two-factor sign-in")
    _second_factor(ctx, me.user_id, body.code)
    two_factor_actions.turn_off(
        ctx.engine, me, at=ctx.now(), user_id=me.user_id, keep_session=me.session_id
    )
    return True


@router.post("/two-factor/off", status_code=204)
async def turn_off(body: TwoFactorOffIn, request: Request, me: Caller, ctx: Ctx) -> None:
    """Turns the caller's two-factor sign-in off, with the password and a code (a recovery
    code will do); refused while the firm requires it. Other sessions end."""
    if not me.via_cookie:
        raise forbidden("two-factor sign-in is changed from a person's browser session")
    done = await checked(ctx, request, me.username, lambda: ctx.db(_turn_off, ctx, me, body))
    if not done:
        raise ApiError(403, "wrong-password", "the password is wrong")
    await ctx.forget_credentials(user_id=me.user_id)
