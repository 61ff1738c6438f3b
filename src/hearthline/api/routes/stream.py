"""``/api/stream``: a snapshot, then every event the user may see, in log order, by id.

Protocol (docs/server.md): the server sends ``{"type":"snapshot","last_event_id":N,
"data":{...}}`` and then ``{"type":"event","id":M,"event":{...}}`` for each later event
(M > N, rising). A client that reconnects with ``?last_event_id=N`` gets the events
after N with no snapshot, or ``{"type":"reset"}`` and a fresh snapshot when N is no
longer in the replay buffer (or it fell too far behind). Notices that are not log
events (help requests) come as ``{"type":"help","request":{...}}``. The client sends
``{"type":"heartbeat"}`` every few seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Query, WebSocket, WebSocketDisconnect

from hearthline.api import consults, listening, snapshot, voice
from hearthline.api.deps import SESSION_COOKIE, AppContext
from hearthline.api.hub import Stream
from hearthline.api.principal import Principal, Role

router = APIRouter(tags=["stream"])
_CLOSE_UNAUTHENTICATED = 4401
_CLOSE_FORBIDDEN = 4403


async def _sign_in(
    ws: WebSocket, ctx: AppContext, token: str | None
) -> tuple[Principal | None, tuple[str, str]]:
    """Who opens the stream, and the credential it was opened with."""
    header = ws.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        token = header[7:].strip()
    if token:
        return await ctx.authenticate("token", token), ("token", token)
    cookie = ws.cookies.get(SESSION_COOKIE)
    if not cookie:
        return None, ("", "")
    # A page on another site could open this socket with the user's cookie (cross-site
    # WebSocket hijacking): only pages of this server may use the cookie here.
    origin = ws.headers.get("origin")
    if origin and urlsplit(origin).netloc != ws.headers.get("host", ""):
        return None, ("", "")
    return await ctx.authenticate("session", cookie), ("session", cookie)


async def _send_snapshot(ws: WebSocket, ctx: AppContext, me: Principal) -> int:
    last, data = await snapshot.take(ctx, me)
    await ws.send_text(json.dumps({"type": "snapshot", "last_event_id": last, "data": data}))
    return last


async def _pump(ws: WebSocket, ctx: AppContext, stream: Stream, cursor: int) -> None:
    """Sends what is pending, in order; a stream that fell behind starts again."""
    while True:
        await stream.wake.wait()
        stream.wake.clear()
        if stream.closing is not None:
            code, reason = stream.closing
            await ws.close(code=code, reason=reason)
            return
        if stream.overflowed:
            stream.overflowed = False
            stream.pending.clear()
            await ws.send_text('{"type":"reset"}')
            cursor = await _send_snapshot(ws, ctx, stream.principal)
        pending = stream.pending
        while pending:
            ident, text = pending.popleft()
            if ident and ident <= cursor:
                continue
            await ws.send_text(text)
            if ident:
                cursor = ident


@router.websocket("/api/stream")
async def stream(
    ws: WebSocket,
    last_event_id: Annotated[int | None, Query(ge=0)] = None,
    token: Annotated[str | None, Query(max_length=200)] = None,
) -> None:
    ctx: AppContext = ws.app.state.app_context
    me, credential = await _sign_in(ws, ctx, token)
    if me is None:
        await ws.close(code=_CLOSE_UNAUTHENTICATED, reason="sign in first")
        return
    if me.role is Role.CHANNEL:
        await ws.close(code=_CLOSE_FORBIDDEN, reason="channel tokens have no stream")
        return
    if me.must_enrol:
        await ws.close(code=_CLOSE_FORBIDDEN, reason="enrol for two-factor sign-in first")
        return
    await ws.accept()
    hub = ctx.hub
    # Registered before the snapshot is taken: nothing committed after it can be missed.
    stream = hub.open(me, credential)
    pump: asyncio.Task[None] | None = None
    agent = me.agent_id if me.role is Role.AGENT else None
    try:
        if last_event_id is not None and hub.can_resume(last_event_id):
            hub.replay(stream, last_event_id)
            cursor = last_event_id
            # Help requests and answers are notices, not log events: those sent while the
            # stream was away are not replayed, so the current list replaces the page's.
            if me.role in (Role.AGENT, Role.SUPERVISOR, Role.ADMIN):
                requests = [r.model_dump(mode="json") for r in await snapshot.help_for(ctx, me)]
                await ws.send_text(json.dumps({"type": "help-list", "requests": requests}))
        else:
            if last_event_id is not None:
                await ws.send_text('{"type":"reset"}')
            cursor = await _send_snapshot(ws, ctx, me)
        if agent is not None:
            ctx.presence.beat(agent)
        pump = asyncio.get_running_loop().create_task(_pump(ws, ctx, stream, cursor))
        await _listen(ws, ctx, stream, agent, pump)
    except WebSocketDisconnect:
        pass
    finally:
        hub.close(stream)
        if pump is not None:
            pump.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await pump


_UNEXPECTED = json.dumps({"type": "error", "message": 'expected {"type": "heartbeat"}'})
# What a client may send: small text frames (a heartbeat is 20 bytes).
_MAX_MESSAGE_CHARS = 16384  # a browser's SDP answer is 1-4 KB
_CLOSE_UNSUPPORTED = 1003  # RFC 6455: a kind of data the endpoint cannot accept
_CLOSE_TOO_BIG = 1009


class _Refused(Exception):
    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code, self.reason = code, reason


async def _receive_text(ws: WebSocket) -> str:
    """The next text message; a binary or oversized frame ends the stream with a close
    code that says why, rather than an error."""
    message = await ws.receive()
    if message["type"] == "websocket.disconnect":
        raise WebSocketDisconnect(message.get("code", 1000))
    text = message.get("text")
    if text is None:
        raise _Refused(_CLOSE_UNSUPPORTED, "text frames only")
    if len(text) > _MAX_MESSAGE_CHARS:
        raise _Refused(_CLOSE_TOO_BIG, f"messages are at most {_MAX_MESSAGE_CHARS} characters")
    return str(text)


def _kind(text: str) -> object:
    try:
        message = json.loads(text)
    except (ValueError, RecursionError):  # not JSON, or nested past the parser's depth
        return None
    return message.get("type") if isinstance(message, dict) else None


async def _listen(
    ws: WebSocket, ctx: AppContext, stream: Stream, agent: str | None, pump: asyncio.Task[None]
) -> None:
    receive = asyncio.ensure_future(_receive_text(ws))
    while True:
        done, _ = await asyncio.wait({receive, pump}, return_when=asyncio.FIRST_COMPLETED)
        if pump in done:
            receive.cancel()
            return  # a send failed, or the stream was closed: the peer is gone
        try:
            text = receive.result()
        except _Refused as refused:
            pump.cancel()
            await ws.close(code=refused.code, reason=refused.reason)
            return
        receive = asyncio.ensure_future(_receive_text(ws))
        kind = _kind(text)
        if kind == "heartbeat":
            if agent is not None:
                ctx.presence.beat(agent)
        elif kind == "voice-answer" and agent is not None:
            refusal = await voice.browser_answer(ctx, agent, text)
            if refusal is not None:
                stream.push(0, refusal, limit=ctx.settings.stream_backlog)
        elif kind == "voice-lost" and agent is not None:
            await voice.leg_lost(ctx, agent, text)
        elif kind == "voice-restart" and agent is not None:
            refusal = await voice.leg_restart(ctx, agent, text)
            if refusal is not None:
                stream.push(0, refusal, limit=ctx.settings.stream_backlog)
        elif kind == "voice-coach-answer" and agent is not None:
            refusal = await listening.coach_answer(ctx, agent, text)
            if refusal is not None:
                stream.push(0, refusal, limit=ctx.settings.stream_backlog)
        elif kind == "voice-coach-publish" and agent is not None:
            reply = await listening.agent_publish(ctx, agent, text)
            stream.push(0, reply, limit=ctx.settings.stream_backlog)
        elif kind == "voice-coach-lost" and agent is not None:
            await listening.coach_lost(ctx, agent, text)
        elif kind == "voice-consult-publish" and agent is not None:
            reply = await consults.page_publish(ctx, agent, text)
            stream.push(0, reply, limit=ctx.settings.stream_backlog)
        elif kind == "voice-consult-answer" and agent is not None:
            refusal = await consults.page_answer(ctx, agent, text)
            if refusal is not None:
                stream.push(0, refusal, limit=ctx.settings.stream_backlog)
        elif kind == "voice-consult-lost" and agent is not None:
            await consults.page_lost(ctx, agent, text)
        else:
            # Through the pending list: only the pump sends, so messages never interleave.
            stream.push(0, _UNEXPECTED, limit=ctx.settings.stream_backlog)
