"""What the quality endpoints share: the router, path types, and the scope checks on
evaluations (the only way they fetch one)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from hearthline.api.deps import Ctx
from hearthline.api.errors import ERROR_RESPONSES, conflict, not_found
from hearthline.api.principal import Principal, Role
from hearthline.api.schemas import IDENT_PATTERN, TemplateOut
from hearthline.api.schemas.common import CORE_CONTACT_PATTERN, ROW_ID_MAX
from hearthline.api.scope import access_contact, visible_clients
from hearthline.kernel.envelope import Envelope
from hearthline.routing import events as ev
from hearthline.service.domains import CODEC
from hearthline.store.queries import history as history_q
from hearthline.store.queries import quality as q
from hearthline.store.queries.quality import EvaluationRow, TemplateRow

router = APIRouter(prefix="/api/quality", tags=["quality"], responses=ERROR_RESPONSES)
CampaignPath = Annotated[str, Path(pattern=IDENT_PATTERN)]
ContactPath = Annotated[str, Path(pattern=CORE_CONTACT_PATTERN)]
EvaluationPath = Annotated[int, Path(ge=1, le=ROW_ID_MAX)]
VersionPath = Annotated[int, Path(ge=1, le=ROW_ID_MAX)]


def template_out(row: TemplateRow) -> TemplateOut:
    return TemplateOut.model_validate(
        {
            "campaign_id": row.card.campaign,
            "version": row.card.version,
            "sections": row.card.sections,
            "created_at": row.created_at,
            "created_by": row.created_by,
        },
        from_attributes=True,
    )


def visible(me: Principal, row: EvaluationRow) -> bool:
    if me.firm_wide:
        return True
    if me.role is Role.AGENT:
        return row.agent_id == me.agent_id and not row.calibration
    return me.client_id is not None and row.client_id == me.client_id


async def evaluation_of(ctx: Ctx, me: Principal, ident: int) -> EvaluationRow:
    row = await ctx.db(q.evaluation, ctx.engine, ident)
    if row is None or not visible(me, row):
        raise not_found("evaluation", ident)
    return row


def campaign_of(ctx: Ctx, stored: list[Envelope]) -> str | None:
    for item in stored:
        e = item.event
        if isinstance(e, ev.ContactArrived) and e.campaign is not None:
            return str(e.campaign)
        if isinstance(e, ev.ContactQueued):
            return ctx.directory.queue_campaign.get(e.queue)
    return None


async def contact_to_evaluate(ctx: Ctx, me: Principal, contact: str) -> tuple[list[Envelope], str]:
    """The contact's events and its campaign, which must have a scorecard."""
    await ctx.db(access_contact, ctx.engine, me, contact)
    stored = await ctx.db(history_q.contact_events, ctx.engine, CODEC, contact)
    campaign = campaign_of(ctx, stored)
    if campaign is None:
        raise conflict(f"contact {contact!r} reached no campaign, so it has no scorecard")
    return stored, campaign


async def newest_card(ctx: Ctx, campaign: str) -> TemplateRow:
    row = await ctx.db(q.template, ctx.engine, campaign)
    if row is None:
        raise conflict(f"campaign {campaign!r} has no scorecard yet")
    return row


async def listed(
    ctx: Ctx,
    me: Principal,
    *,
    agent: str | None = None,
    statuses: set[str] | None = None,
    calibration: bool | None = None,
    since: float | None = None,
    contact: str | None = None,
) -> list[EvaluationRow]:
    if me.role is Role.AGENT:
        agent, calibration = me.agent_id or "", False
    rows = await ctx.db(
        q.evaluations,
        ctx.engine,
        clients=None if me.role is Role.AGENT else visible_clients(ctx.directory, me),
        agent=agent,
        contact=contact,
        statuses=statuses,
        calibration=calibration,
        since=since,
    )
    return [r for r in rows if visible(me, r)]
