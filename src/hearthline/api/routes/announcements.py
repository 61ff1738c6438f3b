"""Supervisors: announcements callers hear before the menu ("we know about the outage in
your area"), switched on and off live and audited; and what the menus cost callers: per
node, and a wallboard line per menu."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Path, Query

from hearthline.api.deps import AppContext, Ctx, Staff
from hearthline.api.errors import ERROR_RESPONSES, ApiError, not_found
from hearthline.api.principal import Principal
from hearthline.api.schemas import (
    PHONE_PATTERN,
    AnnouncementIn,
    AnnouncementOut,
    MenuLine,
    MenuNodeFigure,
    PromptOut,
    SwitchIn,
)
from hearthline.api.schemas.common import ROW_ID_MAX
from hearthline.api.scope import client_visible
from hearthline.reports.periods import midnight
from hearthline.routing.domain import LiveRouting
from hearthline.service.actions import menus as actions
from hearthline.service.state import LiveState
from hearthline.store.queries import menus as queries
from hearthline.telephony.prompts import DEFAULT_PROMPTS
from hearthline.voice.calls import LegState
from hearthline.voice.domain import LiveVoice
from hearthline.voice.figures import menu_lines, node_figures

router = APIRouter(prefix="/api/supervisor", tags=["supervisor"], responses=ERROR_RESPONSES)
AnnouncementPath = Annotated[int, Path(ge=1, le=ROW_ID_MAX)]


def _out(row: queries.AnnouncementRow) -> AnnouncementOut:
    return AnnouncementOut.model_validate(row, from_attributes=True)


def _visible_clients(ctx: AppContext, me: Principal) -> list[str] | None:
    """None: every client (a firm-wide user)."""
    if me.firm_wide:
        return None
    clients = set(ctx.directory.campaign_client.values())
    return sorted(c for c in clients if client_visible(ctx.directory, me, c))


async def _prompt_exists(ctx: AppContext, client: str, name: str) -> None:
    """An announcement naming a prompt that is gone would play the greeting instead."""
    if not name or name in DEFAULT_PROMPTS:
        return
    if await ctx.db(queries.prompt_wav, ctx.engine, client=client, name=name) is None:
        why = f"no prompt {name!r} of client {client!r} (upload it first)"
        raise ApiError(422, "invalid-announcement", why)


@router.get("/prompts", response_model=list[PromptOut])
async def list_prompts(me: Staff, ctx: Ctx) -> list[PromptOut]:
    """The uploaded prompts of the supervisor's clients, to name in an announcement."""
    rows = await ctx.db(queries.prompts, ctx.engine)
    return [
        PromptOut.model_validate(r, from_attributes=True)
        for r in rows
        if client_visible(ctx.directory, me, r.client_id)
    ]


@router.get("/announcements", response_model=list[AnnouncementOut])
async def list_announcements(me: Staff, ctx: Ctx) -> list[AnnouncementOut]:
    rows = await ctx.db(queries.announcements, ctx.engine)
    return [_out(r) for r in rows if client_visible(ctx.directory, me, r.client_id)]


@router.post("/announcements", response_model=AnnouncementOut, status_code=201)
async def add_announcement(body: AnnouncementIn, me: Staff, ctx: Ctx) -> AnnouncementOut:
    """An announcement for a client's callers (or one queue's); ``active`` plays it now."""
    d = ctx.directory
    if (
        not client_visible(d, me, body.client_id)
        or body.client_id not in d.campaign_client.values()
    ):
        raise not_found("client", body.client_id)
    if body.queue_id is not None and d.queue_client(body.queue_id) != body.client_id:
        raise not_found("queue", body.queue_id)
    await _prompt_exists(ctx, body.client_id, body.prompt)
    row = await ctx.db(
        actions.add_announcement, ctx.engine, me, at=ctx.now(), client=body.client_id,
        queue=body.queue_id, text=body.text, prompt=body.prompt, active=body.active,
    )  # fmt: skip
    return _out(row)


@router.post("/announcements/{announcement_id}/switch", response_model=AnnouncementOut)
async def switch_announcement(
    announcement_id: AnnouncementPath, body: SwitchIn, me: Staff, ctx: Ctx
) -> AnnouncementOut:
    """On or off, for callers arriving from now."""
    found = await ctx.db(queries.announcements, ctx.engine, ident=announcement_id)
    if not found or not client_visible(ctx.directory, me, found[0].client_id):
        raise not_found("announcement", announcement_id)
    if body.active:
        await _prompt_exists(ctx, found[0].client_id, found[0].prompt)
    row = await ctx.db(
        actions.switch_announcement, ctx.engine, me, at=ctx.now(), ident=announcement_id,
        active=body.active,
    )  # fmt: skip
    return _out(row)


@router.get("/menus/figures", response_model=list[MenuNodeFigure])
async def menu_figures(
    me: Staff,
    ctx: Ctx,
    number: Annotated[str | None, Query(pattern=PHONE_PATTERN)] = None,
) -> list[MenuNodeFigure]:
    """Per number and node: visits, time in menu, exits per option, hang-ups, zero-outs."""
    clients = _visible_clients(ctx, me)
    visits = await ctx.db(queries.menu_visits, ctx.engine, clients=clients, number=number)
    return [
        MenuNodeFigure(
            number=f.number, node=f.node, visits=f.visits, mean_s=round(f.mean_s, 3),
            seconds=round(f.seconds, 3), hangups=f.hangups, zero_outs=f.zero_outs,
            timeouts=f.timeouts, invalids=f.invalids, exits=dict(f.exits),
        )
        for f in node_figures(visits)
    ]  # fmt: skip


@router.get("/menus/board", response_model=list[MenuLine])
async def menu_board(
    me: Staff,
    ctx: Ctx,
    since: Annotated[float | None, Query(ge=0, le=1e11)] = None,
) -> list[MenuLine]:
    """A line per menu (number) of the supervisor's clients: callers in it now, and since
    ``since`` (default: midnight in the firm's zone) callers, mean time in it per caller,
    hang-ups and zero-outs."""
    clients = _visible_clients(ctx, me)
    flows = [
        f
        for f in await ctx.db(queries.flows, ctx.engine)
        if clients is None or f.client_id in clients
    ]
    if since is None:
        zone = await ctx.firm_zone()
        since = midnight(dt.datetime.fromtimestamp(ctx.now(), zone).date(), zone)
    visits = await ctx.db(queries.menu_visits, ctx.engine, clients=clients, since=since)
    lines = menu_lines(visits)
    now = await ctx.db(ctx.writer.query, _in_menu)
    out = []
    for f in flows:
        line = lines.get(f.number)
        out.append(
            MenuLine(
                number=f.number, client_id=f.client_id, in_menu=now.get(f.number, 0),
                callers=line.callers if line else 0,
                mean_s=round(line.mean_s, 1) if line else 0.0,
                hangups=line.hangups if line else 0, zero_outs=line.zero_outs if line else 0,
            )
        )  # fmt: skip
    return out


def _in_menu(state: LiveState) -> dict[str, int]:
    """Per number, calls answered whose contact the routing core has not seen: in the menu
    (or hearing its goodbye). On the writer thread."""
    router = state.part(LiveRouting).router
    known, ended = router.contacts, router.ended
    out: dict[str, int] = {}
    for call in state.part(LiveVoice).switchboard.calls.values():
        waiting = call.state is LegState.ANSWERED and call.contact not in known
        if waiting and call.contact not in ended:
            out[call.number] = out.get(call.number, 0) + 1
    return out
