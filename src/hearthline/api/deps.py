"""What every endpoint depends on: the services, and who is asking.

A request is authenticated by ``Authorization: Bearer <API token>`` (programs) or by
the session cookie (browsers). A cookie-authenticated request that changes anything
must also carry the session's CSRF token in ``X-CSRF-Token``: another site can make a
browser send the cookie, but cannot read the token.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any, TypeVar
from zoneinfo import ZoneInfo

from argon2 import PasswordHasher
from fastapi import Depends, Request
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer

from hearthline.api import accounts
from hearthline.api.directory import Directory
from hearthline.api.errors import ApiError, forbidden, unauthenticated
from hearthline.api.hub import Hub
from hearthline.api.presence import Presence
from hearthline.api.principal import Principal, Role
from hearthline.api.security import same
from hearthline.api.settings import ServerSettings
from hearthline.kernel.envelope import Envelope
from hearthline.routing import commands as cmd
from hearthline.routing.domain import LiveRouting
from hearthline.routing.router import Router
from hearthline.routing.tenancy import Tenancy
from hearthline.service.actions.throttle import Rule
from hearthline.service.state import LiveState
from hearthline.service.writer import Writer
from hearthline.store.queries.bind import Engine
from hearthline.telephony.consult import ConsultAudio
from hearthline.telephony.control import ControlPlane
from hearthline.telephony.listen import ListenIn
from hearthline.telephony.web_callers import WebCallers
from hearthline.wfm.domain import LiveSchedules

T = TypeVar("T")
SESSION_COOKIE = "hearthline_session"
CSRF_HEADER = "X-CSRF-Token"
# The close code of a stream whose sign-in ended (4000-4999: the application's own).
STREAM_SIGNED_OUT = 4401
_SAFE = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(eq=False)
class AppContext:
    """Everything the endpoints share; one per app, built by ``create_app``."""

    writer: Writer
    settings: ServerSettings
    directory: Directory
    hub: Hub
    presence: Presence
    hasher: PasswordHasher
    throttle: Rule
    # Bounds the password checks running at once (argon2 takes 64 MiB each).
    hashing: asyncio.Semaphore
    sign_in_attempts: int = 0
    # The control plane of real calls, when voice is on (``api/voice.py``).
    voice: ControlPlane | None = None
    # Set when the server is stopped by Ctrl-C (SIGINT): live calls end with it even
    # when ``voice_keep_calls`` would keep them (``api/serving.py``).
    end_calls: bool = False
    # Supervisors listening in on its calls (``api/listening.py``), when voice is on.
    listen: ListenIn | None = None
    # The audio of consult transfers on its calls (``api/consults.py``), when voice is on.
    consult_audio: ConsultAudio | None = None
    # Callers in a browser tab (``api/routes/call_page.py``), when voice is on.
    web_callers: WebCallers | None = None
    _auth_cache: dict[str, tuple[float, Principal | None]] = field(default_factory=dict)

    @property
    def engine(self) -> Engine:
        return self.writer.engine

    def now(self) -> float:
        return self.writer.clock.now()

    async def db(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        """Runs a blocking database call off the event loop."""
        return await asyncio.to_thread(fn, *args, **kwargs)

    @property
    def tenancy(self) -> Tenancy:
        """Whom live contacts belong to, as the writer worked it out (single lookups only)."""
        return self.writer.part(LiveRouting).tenancy

    async def query(self, read: Callable[[Router], T]) -> T:
        """Reads the live core, on the writer thread, after the batch in progress."""

        def on_writer(state: LiveState) -> T:
            return read(state.part(LiveRouting).router)

        return await asyncio.to_thread(self.writer.query, on_writer)

    async def firm_zone(self) -> ZoneInfo:
        """The firm's time zone, set with the schedules' settings: the days, nights and
        weeks of schedules, reports, pay and billing."""

        def on_writer(state: LiveState) -> ZoneInfo:
            return state.part(LiveSchedules).board.tz

        return await asyncio.to_thread(self.writer.query, on_writer)

    async def run(self, command: Any) -> list[Envelope]:
        """Runs a command through the writer; returns once its events are durable."""
        return await self.writer.execute_async(command)

    async def send(self, command: cmd.Command) -> object:
        return await self.run(command)

    async def authenticate(self, kind: str, secret: str) -> Principal | None:
        """The principal of a session cookie or API token, remembered a few seconds."""
        key = kind + ":" + secret
        hit = self._auth_cache.get(key)
        mono = time.monotonic()
        if hit is not None and hit[0] > mono:
            return hit[1]
        lookup = accounts.session_principal if kind == "session" else accounts.token_principal
        found = await self.db(lookup, self.engine, token=secret, now=self.now())
        if self.settings.auth_cache_s > 0:
            if len(self._auth_cache) > 50_000:
                self._auth_cache.clear()
            self._auth_cache[key] = (mono + self.settings.auth_cache_s, found)
        return found

    async def forget_credentials(
        self, *, user_id: int | None = None, tokens: bool = False, everyone: bool = False
    ) -> None:
        """Drops remembered lookups after a logout, a revoked token or a changed account,
        and closes the open streams whose sign-in no longer holds (or now stands for
        someone else): those of ``user_id``, with ``tokens`` those opened by token, and
        with ``everyone`` all (a firm-wide rule changed, such as requiring two-factor)."""
        self._auth_cache.clear()
        for stream in self.hub.streams():
            kind, secret = stream.credential
            mine = everyone or stream.principal.user_id == user_id
            if not mine and not (tokens and kind == "token"):
                continue
            now = await self.authenticate(kind, secret) if kind else None
            if now != stream.principal:
                stream.close(STREAM_SIGNED_OUT, "signed out: the sign-in has ended or changed")


def app_context(request: Request) -> AppContext:
    ctx: AppContext = request.app.state.app_context
    return ctx


Ctx = Annotated[AppContext, Depends(app_context)]

_bearer = HTTPBearer(auto_error=False, description="An API token (hearthline token ...)")
_cookie = APIKeyCookie(name=SESSION_COOKIE, auto_error=False, description="Browser session")


async def current(
    request: Request,
    ctx: Ctx,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    cookie: Annotated[str | None, Depends(_cookie)],
) -> Principal:
    """The signed-in principal, or 401; with the CSRF check on cookie-authenticated writes."""
    if bearer is not None:
        principal = await ctx.authenticate("token", bearer.credentials)
        if principal is None:
            raise unauthenticated("the API token is unknown, revoked or expired")
        return principal
    if not cookie:
        raise unauthenticated()
    principal = await ctx.authenticate("session", cookie)
    if principal is None:
        raise unauthenticated("the session has ended; sign in again")
    if request.method not in _SAFE:
        sent = request.headers.get(CSRF_HEADER, "")
        if not (sent and principal.csrf_token and same(sent, principal.csrf_token)):
            raise ApiError(403, "csrf", f"missing or wrong {CSRF_HEADER} header")
    return principal


Caller = Annotated[Principal, Depends(current)]


def role_in(*roles: Role) -> Callable[..., Any]:
    allowed = frozenset(roles)
    names = ", ".join(sorted(str(r) for r in roles))

    async def check(principal: Caller) -> Principal:
        if principal.must_enrol:
            raise ApiError(
                403,
                "two-factor-enrolment",
                "the firm requires two-factor sign-in for your role: "
                "enrol at /api/auth/two-factor first",
            )
        if principal.role not in allowed:
            raise forbidden(f"this needs one of the roles: {names}")
        return principal

    return check


Admin = Annotated[Principal, Depends(role_in(Role.ADMIN))]
Staff = Annotated[Principal, Depends(role_in(Role.ADMIN, Role.SUPERVISOR))]
Watcher = Annotated[Principal, Depends(role_in(Role.ADMIN, Role.SUPERVISOR, Role.CLIENT_VIEWER))]
AgentCaller = Annotated[Principal, Depends(role_in(Role.AGENT))]
ChannelCaller = Annotated[Principal, Depends(role_in(Role.ADMIN, Role.CHANNEL))]
Person = Annotated[
    Principal,
    Depends(role_in(Role.ADMIN, Role.SUPERVISOR, Role.AGENT, Role.CLIENT_VIEWER)),
]
