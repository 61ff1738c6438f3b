"""Client companies and the center-wide settings."""

from __future__ import annotations

from hearthline.api.deps import Admin, Ctx
from hearthline.api.routes.admin.base import IdPath, router
from hearthline.api.schemas import ClientIn, ClientOut, SettingsIn
from hearthline.routing.config import CenterSettings
from hearthline.service.actions import clients, listening, two_factor
from hearthline.service.actions import config as actions
from hearthline.store.queries import config as queries


@router.get("/clients", response_model=list[ClientOut])
async def list_clients(me: Admin, ctx: Ctx) -> list[ClientOut]:
    return [
        ClientOut.model_validate(c, from_attributes=True)
        for c in await ctx.db(queries.clients, ctx.engine)
    ]


@router.put("/clients/{client_id}", response_model=ClientOut)
async def put_client(client_id: IdPath, body: ClientIn, me: Admin, ctx: Ctx) -> ClientOut:
    """Creates or renames a client company."""
    row = await ctx.db(
        clients.put_client, ctx.engine, me, at=ctx.now(), client=client_id, name=body.name
    )
    return ClientOut.model_validate(row, from_attributes=True)


@router.get("/settings", response_model=SettingsIn)
async def get_settings(me: Admin, ctx: Ctx) -> SettingsIn:
    row = await ctx.db(queries.settings, ctx.engine)
    required = await ctx.db(queries.requires_two_factor, ctx.engine)
    shown = await ctx.db(queries.shows_listen_in, ctx.engine)
    if row is None:
        return SettingsIn(require_two_factor=required, show_listen_in=shown)
    return SettingsIn(
        connection_grace_s=row.connection_grace_s,
        direct_transfer_wait_s=row.direct_transfer_wait_s,
        require_two_factor=required,
        show_listen_in=shown,
    )


@router.put("/settings", response_model=SettingsIn)
async def put_settings(body: SettingsIn, me: Admin, ctx: Ctx) -> SettingsIn:
    """Center-wide settings: the grace period for lost connections, direct transfers, and
    whether supervisors and administrators must sign in with a second factor, and whether
    agents are shown a supervisor listening in."""
    settings = CenterSettings(
        connection_grace_s=body.connection_grace_s,
        direct_transfer_wait_s=body.direct_transfer_wait_s,
    )
    await ctx.db(actions.put_settings, ctx.writer, me, settings)
    if body.require_two_factor is not None:
        await ctx.db(
            two_factor.set_required,
            ctx.engine,
            me,
            at=ctx.now(),
            required=body.require_two_factor,
        )
        # Streams of supervisors who must now enrol close, as their other requests are refused.
        await ctx.forget_credentials(everyone=True)
    if body.show_listen_in is not None:
        await ctx.db(listening.set_shown, ctx.engine, me, at=ctx.now(), shown=body.show_listen_in)
    required = await ctx.db(queries.requires_two_factor, ctx.engine)
    shown = await ctx.db(queries.shows_listen_in, ctx.engine)
    return body.model_copy(update={"require_two_factor": required, "show_listen_in": shown})
