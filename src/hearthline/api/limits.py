"""Bounds on what a request may cost before anyone knows who sent it.

An ASGI middleware in front of the app: a body larger than ``anonymous_bytes`` is read
only for a request whose session cookie or API token is valid (up to ``signed_in_bytes``;
each route keeps its own, smaller, limit); anything larger is answered 413 at once,
from its declared length, or as soon as a chunked body passes the limit, never read in
full nor parsed. A body must arrive within ``timeout_s``, else 408. Slow headers are
the HTTP server's to bound (``serving.py``).
"""

from __future__ import annotations

import asyncio
import json

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hearthline.api.deps import SESSION_COOKIE, AppContext

_CLOSE = {"Connection": "close"}


class BodyLimits:
    def __init__(
        self,
        app: ASGIApp,
        *,
        ctx: AppContext,
        anonymous_bytes: int,
        signed_in_bytes: int,
        timeout_s: float,
    ) -> None:
        self.app = app
        self.ctx = ctx
        self.anonymous_bytes = anonymous_bytes
        self.signed_in_bytes = signed_in_bytes
        self.timeout_s = timeout_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        declared = _declared_length(headers)
        chunked = "chunked" in headers.get("transfer-encoding", "").lower()
        if declared is None and not chunked:
            await self.app(scope, receive, send)  # no body to wait for
            return
        limit = self.anonymous_bytes
        if (chunked or (declared or 0) > limit) and await self._signed_in(scope):
            limit = self.signed_in_bytes
        if declared is not None and declared > limit:
            await _refuse(
                send, 413, "too-large", _too_large(limit, signed_in=limit > self.anonymous_bytes)
            )
            return
        await self.app(scope, self._bounded(receive, limit), send)

    def _bounded(self, receive: Receive, limit: int) -> Receive:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.timeout_s
        received = 0
        done = False

        async def bounded() -> Message:
            nonlocal received, done
            if done:  # the body is in: what follows is the wait for a disconnect
                return await receive()
            try:
                async with asyncio.timeout_at(deadline):
                    message = await receive()
            except TimeoutError:
                raise HTTPException(
                    408, f"the request body did not arrive within {self.timeout_s:g} s", _CLOSE
                ) from None
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                done = not message.get("more_body", False)
                if received > limit:
                    raise HTTPException(
                        413, _too_large(limit, signed_in=limit > self.anonymous_bytes), _CLOSE
                    )
            return message

        return bounded

    async def _signed_in(self, scope: Scope) -> bool:
        """Whether the request carries a valid session cookie or API token (a cached
        lookup); the route checks the role and the CSRF token as usual."""
        conn = HTTPConnection(scope)
        auth = conn.headers.get("authorization", "")
        if auth[:7].lower() == "bearer " and auth[7:].strip():
            return await self.ctx.authenticate("token", auth[7:].strip()) is not None
        cookie = conn.cookies.get(SESSION_COOKIE)
        if not cookie:
            return False
        return await self.ctx.authenticate("session", cookie) is not None


def _declared_length(headers: Headers) -> int | None:
    raw = headers.get("content-length")
    if raw is None:
        return None
    try:
        return max(int(raw), 0)
    except ValueError:
        return None  # the HTTP server refuses it before this


def _too_large(limit: int, *, signed_in: bool) -> str:
    who = "" if signed_in else " without a valid sign-in"
    return f"the request body may be at most {limit} bytes{who}"


async def _refuse(send: Send, status: int, code: str, message: str) -> None:
    body = json.dumps({"error": code, "message": message}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
