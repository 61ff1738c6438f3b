"""Scorecard templates per campaign: every save is the next version."""

from __future__ import annotations

from hearthline.api.deps import Ctx, Staff
from hearthline.api.errors import not_found
from hearthline.api.routes.quality.base import CampaignPath, VersionPath, router, template_out
from hearthline.api.schemas import TemplateIn, TemplateOut
from hearthline.api.scope import access_campaign
from hearthline.quality.scorecard import Question, Scorecard, Section
from hearthline.service.actions import quality as actions
from hearthline.store.queries import quality as q


@router.get("/templates/{campaign_id}", response_model=TemplateOut)
async def get_template(campaign_id: CampaignPath, me: Staff, ctx: Ctx) -> TemplateOut:
    """The campaign's scorecard, newest version."""
    access_campaign(ctx.directory, me, campaign_id)
    row = await ctx.db(q.template, ctx.engine, campaign_id)
    if row is None:
        raise not_found("scorecard for campaign", campaign_id)
    return template_out(row)


@router.get("/templates/{campaign_id}/versions/{version}", response_model=TemplateOut)
async def get_template_version(
    campaign_id: CampaignPath, version: VersionPath, me: Staff, ctx: Ctx
) -> TemplateOut:
    access_campaign(ctx.directory, me, campaign_id)
    row = await ctx.db(q.template, ctx.engine, campaign_id, version)
    if row is None:
        raise not_found("scorecard version", f"{campaign_id}@{version}")
    return template_out(row)


@router.put("/templates/{campaign_id}", response_model=TemplateOut)
async def put_template(
    campaign_id: CampaignPath, body: TemplateIn, me: Staff, ctx: Ctx
) -> TemplateOut:
    """Saves the scorecard as the campaign's next version; evaluations made with earlier
    versions keep theirs."""
    access_campaign(ctx.directory, me, campaign_id)
    card = Scorecard(
        campaign_id,
        0,
        tuple(
            Section(s.title, tuple(Question(**qn.model_dump()) for qn in s.questions))
            for s in body.sections
        ),
    )
    row = await ctx.db(actions.add_template_version, ctx.engine, me, at=ctx.now(), card=card)
    return template_out(row)
