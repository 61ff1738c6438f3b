"""What every signed-in user may read within their scope: reasons, campaigns and their
forms, contacts and their history, queue and agent statistics."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from hearthline.api.deps import Ctx, Person, Staff, Watcher
from hearthline.api.errors import ERROR_RESPONSES, ApiError
from hearthline.api.history import detail, recent_contacts, with_help
from hearthline.api.routes.agent import CONTACT_PATH
from hearthline.api.schemas import (
    IDENT_PATTERN,
    AgentStatsRow,
    CampaignOut,
    ClientOut,
    ContactDetail,
    ContactRecord,
    FormsOut,
    QueueStatsRow,
    QueueSummary,
    ReasonOut,
)
from hearthline.api.scope import access_campaign, access_contact, agent_visible, visible_clients
from hearthline.api.wire import campaign_out, forms_out
from hearthline.routing.config import SYSTEM_REASONS
from hearthline.service.domains import CODEC
from hearthline.store.queries import config as config_q
from hearthline.store.queries import history as history_q
from hearthline.store.queries import reports as reports_q

router = APIRouter(prefix="/api", tags=["reading"], responses=ERROR_RESPONSES)
Since = Annotated[float | None, Query(ge=0, le=1e11)]


@router.get("/reasons", response_model=list[ReasonOut])
async def reasons(me: Person, ctx: Ctx) -> list[ReasonOut]:
    """The not-ready reasons an agent may pick, then the ones the center sets itself."""
    stored = await ctx.db(config_q.reasons, ctx.engine)
    own = [ReasonOut.model_validate(r, from_attributes=True) for r in stored if not r.system]
    return own + [ReasonOut(id=r.id, label=r.label, system=True) for r in SYSTEM_REASONS]


@router.get("/clients", response_model=list[ClientOut])
async def clients(me: Person, ctx: Ctx) -> list[ClientOut]:
    """The client companies the caller works for or watches, with their names."""
    shown = visible_clients(ctx.directory, me)
    every = await ctx.db(config_q.clients, ctx.engine)
    return [
        ClientOut.model_validate(c, from_attributes=True)
        for c in every
        if shown is None or c.id in shown
    ]


@router.get("/queues", response_model=list[QueueSummary])
async def queues(me: Person, ctx: Ctx) -> list[QueueSummary]:
    """The queues of the campaigns the caller works for or watches: names and targets."""
    shown = visible_clients(ctx.directory, me)
    out = []
    for q in await ctx.db(config_q.queues, ctx.engine):
        client = ctx.directory.campaign_client.get(q.campaign)
        if client is None or (shown is not None and client not in shown):
            continue
        out.append(
            QueueSummary(
                id=q.id,
                name=q.name,
                campaign_id=q.campaign,
                client_id=client,
                service_target_s=q.service_target_s,
                offer_timeout_s=q.offer_timeout_s,
            )
        )
    return out


@router.get("/campaigns", response_model=list[CampaignOut])
async def campaigns(me: Person, ctx: Ctx) -> list[CampaignOut]:
    """The campaigns the caller works for or watches."""

    def _campaign_ok(campaign: str) -> bool:
        try:
            access_campaign(ctx.directory, me, campaign)
        except ApiError:
            return False
        return True

    every = await ctx.db(config_q.campaigns, ctx.engine)
    return [campaign_out(c) for c in every if _campaign_ok(c.id)]


@router.get("/campaigns/{campaign_id}/forms", response_model=FormsOut)
async def campaign_forms(
    campaign_id: Annotated[str, Path(pattern=IDENT_PATTERN)], me: Person, ctx: Ctx
) -> FormsOut:
    """A campaign's outcomes, form fields and script, for the agent desktop."""
    access_campaign(ctx.directory, me, campaign_id)
    return forms_out(await ctx.db(config_q.forms, ctx.engine, campaign_id))


@router.get("/contacts", response_model=list[ContactRecord])
async def contacts(
    me: Watcher,
    ctx: Ctx,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    before_id: Annotated[int | None, Query(ge=1, le=2**62)] = None,
) -> list[ContactRecord]:
    """The newest contacts of the caller's clients, each with how it ended and its outcome."""
    clients = visible_clients(ctx.directory, me)
    return await ctx.db(
        recent_contacts, ctx.engine, clients=clients, limit=limit, before_id=before_id
    )


@router.get("/contacts/{contact}", response_model=ContactDetail)
async def contact(
    contact: Annotated[str, Path(pattern=CONTACT_PATH)], me: Person, ctx: Ctx
) -> ContactDetail:
    """One contact's whole history: routing events, notes and outcome."""
    await ctx.db(access_contact, ctx.engine, me, contact)
    found = detail(contact, await ctx.db(history_q.contact_events, ctx.engine, CODEC, contact))
    await ctx.db(with_help, ctx.engine, [found])
    return found


@router.get("/reports/queues", response_model=list[QueueStatsRow])
async def queue_report(me: Watcher, ctx: Ctx, since: Since = None) -> list[QueueStatsRow]:
    """Per-interval queue figures (offered, answered in target, abandoned, handle times...)."""
    clients = visible_clients(ctx.directory, me)

    def read() -> list[QueueStatsRow]:
        rows = reports_q.queue_stats(ctx.engine, since=since)
        return [
            QueueStatsRow(
                queue_id=r.pop("queue_id"),
                interval_start=r.pop("interval_start"),
                client_id=r["client_id"],
                figures={k: float(v) for k, v in r.items() if k != "client_id"},
            )
            for r in rows
            if clients is None or r["client_id"] in clients
        ]

    return await ctx.db(read)


@router.get("/reports/agents", response_model=list[AgentStatsRow])
async def agent_report(me: Staff, ctx: Ctx, since: Since = None) -> list[AgentStatsRow]:
    """Per-interval agent figures; system not-ready time apart from the agent's own."""

    def read() -> list[AgentStatsRow]:
        rows = reports_q.agent_stats(ctx.engine, since=since)
        out = []
        for r in rows:
            if not agent_visible(ctx.directory, me, r["agent_id"]):
                continue
            own, system = r.pop("not_ready_s"), r.pop("system_not_ready_s")
            out.append(
                AgentStatsRow(
                    agent_id=r.pop("agent_id"),
                    interval_start=r.pop("interval_start"),
                    figures={k: float(v) for k, v in r.items()},
                    not_ready_s=own,
                    system_not_ready_s=system,
                )
            )
        return out

    return await ctx.db(read)
