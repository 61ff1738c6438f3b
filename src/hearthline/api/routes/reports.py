"""What every signed-in user may read within their scope: reasons, campaigns and their
forms, contacts and their history, queue and agent statistics."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from hearthline.api import admin_store
from hearthline.api.deps import Ctx, Person, Staff, Watcher
from hearthline.api.errors import ERROR_RESPONSES, ApiError
from hearthline.api.history import detail, recent_contacts
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
from hearthline.api.views import forms_of
from hearthline.routing.config import SYSTEM_REASONS
from hearthline.service.domains import CODEC
from hearthline.store import read_models
from hearthline.store.log import events_of_contact

router = APIRouter(prefix="/api", tags=["reading"], responses=ERROR_RESPONSES)
Since = Annotated[float | None, Query(ge=0, le=1e11)]


@router.get("/reasons", response_model=list[ReasonOut])
async def reasons(me: Person, ctx: Ctx) -> list[ReasonOut]:
    """The not-ready reasons an agent may pick, then the ones the center sets itself."""

    def read() -> list[ReasonOut]:
        with ctx.engine.connect() as conn:
            own = [r for r in admin_store.reasons(conn) if not r.system]
        return own + [ReasonOut(id=r.id, label=r.label, system=True) for r in SYSTEM_REASONS]

    return await ctx.db(read)


@router.get("/clients", response_model=list[ClientOut])
async def clients(me: Person, ctx: Ctx) -> list[ClientOut]:
    """The client companies the caller works for or watches, with their names."""
    shown = visible_clients(ctx.directory, me)

    def read() -> list[ClientOut]:
        with ctx.engine.connect() as conn:
            every = admin_store.clients(conn)
        return [c for c in every if shown is None or c.id in shown]

    return await ctx.db(read)


@router.get("/queues", response_model=list[QueueSummary])
async def queues(me: Person, ctx: Ctx) -> list[QueueSummary]:
    """The queues of the campaigns the caller works for or watches: names and targets."""
    shown = visible_clients(ctx.directory, me)

    def read() -> list[QueueSummary]:
        with ctx.engine.connect() as conn:
            every = admin_store.queues(conn)
        out = []
        for q in every:
            client = ctx.directory.campaign_client.get(q.campaign_id)
            if client is None or (shown is not None and client not in shown):
                continue
            out.append(
                QueueSummary(
                    id=q.id,
                    name=q.name,
                    campaign_id=q.campaign_id,
                    client_id=client,
                    service_target_s=q.service_target_s,
                    offer_timeout_s=q.offer_timeout_s,
                )
            )
        return out

    return await ctx.db(read)


@router.get("/campaigns", response_model=list[CampaignOut])
async def campaigns(me: Person, ctx: Ctx) -> list[CampaignOut]:
    """The campaigns the caller works for or watches."""

    def read() -> list[CampaignOut]:
        with ctx.engine.connect() as conn:
            every = admin_store.campaigns(conn)
        return [c for c in every if _campaign_ok(c.id)]

    def _campaign_ok(campaign: str) -> bool:
        try:
            access_campaign(ctx.directory, me, campaign)
        except ApiError:
            return False
        return True

    return await ctx.db(read)


@router.get("/campaigns/{campaign_id}/forms", response_model=FormsOut)
async def campaign_forms(
    campaign_id: Annotated[str, Path(pattern=IDENT_PATTERN)], me: Person, ctx: Ctx
) -> FormsOut:
    """A campaign's outcomes, form fields and script, for the agent desktop."""
    access_campaign(ctx.directory, me, campaign_id)

    def read() -> FormsOut:
        with ctx.engine.connect() as conn:
            return forms_of(conn, campaign_id)

    return await ctx.db(read)


@router.get("/contacts", response_model=list[ContactRecord])
async def contacts(
    me: Watcher,
    ctx: Ctx,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    before_id: Annotated[int | None, Query(ge=1, le=2**62)] = None,
) -> list[ContactRecord]:
    """The newest contacts of the caller's clients, each with how it ended and its outcome."""
    clients = visible_clients(ctx.directory, me)

    def read() -> list[ContactRecord]:
        with ctx.engine.connect() as conn:
            return recent_contacts(conn, clients=clients, limit=limit, before_id=before_id)

    return await ctx.db(read)


@router.get("/contacts/{contact}", response_model=ContactDetail)
async def contact(
    contact: Annotated[str, Path(pattern=CONTACT_PATH)], me: Person, ctx: Ctx
) -> ContactDetail:
    """One contact's whole history: routing events, notes and outcome."""

    def read() -> ContactDetail:
        access_contact(ctx.engine, me, contact)
        with ctx.engine.connect() as conn:
            return detail(contact, events_of_contact(conn, CODEC, contact))

    return await ctx.db(read)


@router.get("/reports/queues", response_model=list[QueueStatsRow])
async def queue_report(me: Watcher, ctx: Ctx, since: Since = None) -> list[QueueStatsRow]:
    """Per-interval queue figures (offered, answered in target, abandoned, handle times...)."""
    clients = visible_clients(ctx.directory, me)

    def read() -> list[QueueStatsRow]:
        with ctx.engine.connect() as conn:
            rows = read_models.queue_stats(conn, since=since)
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
        with ctx.engine.connect() as conn:
            rows = read_models.agent_stats(conn, since=since)
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
