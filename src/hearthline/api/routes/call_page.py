"""The "call the center" page's server side (docs/voice.md, "The call page"): a person in a
browser tab calls one of the firm's numbers and is queued as a trunk's caller is.

``GET /api/call-page`` lists the numbers; ``/api/call-page/ws`` carries one call:

    page   -> {"type":"call","number":N,"sdp":OFFER}
    server -> {"type":"answer","sdp":ANSWER} | {"type":"refused","message":...}
    page   -> {"type":"key","key":"1"}       (a menu's digit)
    page   -> {"type":"hangup"}              (or the socket closes)
    server -> {"type":"ended","by":"center"|"you"}
    server -> {"type":"error","message":...} (a message it cannot use; the call goes on)

Who may use it is the ``voice_call_page`` setting: off by default, since every call lands
in a client's queue and rings its agents.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import json
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Request, WebSocket, WebSocketDisconnect
from starlette.requests import HTTPConnection
from starlette.websockets import WebSocketState

from hearthline.api.deps import SESSION_COOKIE, AppContext, Ctx
from hearthline.api.errors import ApiError, forbidden
from hearthline.store.queries import config as config_q
from hearthline.store.queries import menus as menus_q
from hearthline.telephony.web_callers import KEYS, Refused, WebCallers

router = APIRouter(prefix="/api/call-page", include_in_schema=False)
_CLOSE_FORBIDDEN = 4403
_CLOSE_OFF = 4404
_MAX_MESSAGE_CHARS = 16384  # a browser's offer is 1-4 KB
_MAX_NUMBER = 64


async def _visitor_refused(ctx: AppContext, visitor: HTTPConnection) -> ApiError | None:
    """``_refusal`` for the page's request or its socket."""
    headers = visitor.headers
    return await _refusal(
        ctx,
        visitor.client.host if visitor.client else None,
        visitor.cookies.get(SESSION_COOKIE),
        headers.get("origin"),
        headers.get("host", ""),
    )


async def _refusal(
    ctx: AppContext, host: str | None, cookie: str | None, origin: str | None, own: str
) -> ApiError | None:
    """Why this visitor may not use the page, or None."""
    mode = ctx.settings.voice_call_page
    if mode == "off":
        return ApiError(404, "not-found", "the call page is off (setting voice_call_page)")
    # Another site's page in the visitor's browser must not place calls with it.
    if origin and urlsplit(origin).netloc != own:
        return forbidden("the call page takes calls from this server's own pages only")
    if mode == "local":
        try:
            local = host is not None and ipaddress.ip_address(host).is_loopback
        except ValueError:
            local = False
        if not local:
            return forbidden("the call page takes calls from this host only")
    else:
        principal = await ctx.authenticate("session", cookie) if cookie else None
        if principal is None:
            return ApiError(401, "unauthenticated", "sign in first to use the call page")
    if not ctx.settings.voice:
        return ApiError(404, "not-found", "voice is off on this server (setting voice)")
    return None


@router.get("")
async def numbers(request: Request, ctx: Ctx) -> dict[str, Any]:
    """The numbers a caller may dial, each with its label and the client it belongs to."""
    refused = await _visitor_refused(ctx, request)
    if refused is not None:
        raise refused
    rows = await ctx.db(config_q.numbers, ctx.engine)
    names = {c.id: c.name for c in await ctx.db(config_q.clients, ctx.engine)}
    # A number with a menu may name no queue: the menu's client owns it.
    menus = {f.number: f.client_id for f in await ctx.db(menus_q.flows, ctx.engine)}
    listed = []
    for row in rows:
        client = menus.get(row.number) or ctx.directory.queue_client(row.queue_id)
        if client is not None:
            name = names.get(client, client)
            listed.append({"number": row.number, "label": row.label, "client": name})
    return {"numbers": listed, "live": ctx.web_callers is not None}


@router.websocket("/ws")
async def call(ws: WebSocket) -> None:
    ctx: AppContext = ws.app.state.app_context
    refused = await _visitor_refused(ctx, ws)
    if refused is not None:
        code = _CLOSE_OFF if refused.status == 404 else _CLOSE_FORBIDDEN
        await ws.close(code=code, reason=refused.message[:120])
        return
    await ws.accept()
    session = _Session(ws)
    try:
        # A send to a page that has gone (suppressed in ``_Session.send``) leaves the socket
        # disconnected on our side: stop there rather than receive on a closed socket.
        while ws.application_state == WebSocketState.CONNECTED:
            text = await ws.receive_text()
            await session.handle(ctx.web_callers, text)
    except WebSocketDisconnect:
        pass
    finally:
        await session.close()


class _Session:
    """One page's socket: at most one call at a time."""

    def __init__(self, ws: WebSocket) -> None:
        self.ws = ws
        self.callers: WebCallers | None = None
        self.call: str | None = None
        self.watch: asyncio.Task[None] | None = None

    async def send(self, message: dict[str, object]) -> None:
        with contextlib.suppress(Exception):  # the page may be gone already
            await self.ws.send_text(json.dumps(message))

    async def handle(self, callers: WebCallers | None, text: str) -> None:
        if len(text) > _MAX_MESSAGE_CHARS:
            await self.send({"type": "error", "message": "message too long"})
            return
        try:
            message = json.loads(text)
        except ValueError:
            message = None
        kind = message.get("type") if isinstance(message, dict) else None
        if kind == "call":
            assert isinstance(message, dict)
            await self.place(callers, message)
        elif kind == "key":
            assert isinstance(message, dict)
            key = message.get("key")
            if self.call is None or self.callers is None:
                await self.send({"type": "error", "message": "no call to send a key to"})
            elif not isinstance(key, str) or key not in KEYS:
                await self.send({"type": "error", "message": "a key is one of 0-9, * and #"})
            else:
                await self.callers.key(self.call, key)
        elif kind == "hangup":
            await self.hang_up()
            await self.send({"type": "ended", "by": "you"})
        else:
            await self.send(
                {"type": "error", "message": 'expected a "call", "key" or "hangup" message'}
            )

    async def place(self, callers: WebCallers | None, message: dict[str, Any]) -> None:
        number, sdp = message.get("number"), message.get("sdp")
        if self.call is not None:
            await self.send({"type": "error", "message": "this page is on a call already"})
        elif callers is None:
            await self.send({"type": "refused", "message": "voice is not running on the server"})
        elif not isinstance(number, str) or not 0 < len(number) <= _MAX_NUMBER:
            await self.send({"type": "refused", "message": "number: expected the number to call"})
        elif not isinstance(sdp, str) or "m=audio" not in sdp:
            await self.send({"type": "refused", "message": "sdp: expected an audio SDP offer"})
        else:
            try:
                # No caller id, as a withheld number: the page knows none.
                placed = await callers.place(number, sdp, caller="")
            except Refused as exc:
                await self.send({"type": "refused", "message": str(exc)})
                return
            self.callers, self.call = callers, placed.call
            self.watch = asyncio.get_running_loop().create_task(self._ended(placed.call))
            await self.send({"type": "answer", "sdp": placed.sdp})

    async def _ended(self, call: str) -> None:
        assert self.callers is not None
        await self.callers.ended(call)
        if self.call == call:
            self.call = None
            await self.send({"type": "ended", "by": "center"})

    async def hang_up(self) -> None:
        call, self.call = self.call, None
        if self.watch is not None:
            self.watch.cancel()
            self.watch = None
        if call is not None and self.callers is not None:
            await self.callers.hang_up(call)

    async def close(self) -> None:
        await self.hang_up()
