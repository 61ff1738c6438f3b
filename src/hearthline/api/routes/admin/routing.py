"""What routing uses: campaigns, queues, skills, not-ready reasons, a campaign's
outcomes, form and script."""

from __future__ import annotations

from hearthline.api.deps import Admin, Ctx
from hearthline.api.errors import ApiError, not_found
from hearthline.api.routes.admin.base import IdPath, first, follow, router
from hearthline.api.schemas import (
    CampaignIn,
    CampaignOut,
    FormsIn,
    FormsOut,
    QueueIn,
    QueueOut,
    ReasonOut,
    ReasonsIn,
    ScriptIn,
    SkillIn,
    SkillOut,
)
from hearthline.api.wire import (
    campaign_config,
    campaign_forms,
    campaign_out,
    forms_out,
    queue_config,
    queue_out,
)
from hearthline.kernel.ids import ReasonId
from hearthline.routing.config import NotReadyReason
from hearthline.routing.errors import ConfigError
from hearthline.service.actions import config as actions
from hearthline.service.actions import skills
from hearthline.store.queries import config as queries


@router.get("/campaigns", response_model=list[CampaignOut])
async def list_campaigns(me: Admin, ctx: Ctx) -> list[CampaignOut]:
    return [campaign_out(c) for c in await ctx.db(queries.campaigns, ctx.engine)]


@router.get("/campaigns/{campaign_id}", response_model=CampaignOut)
async def get_campaign(campaign_id: IdPath, me: Admin, ctx: Ctx) -> CampaignOut:
    found = await ctx.db(queries.campaigns, ctx.engine, ident=campaign_id)
    return campaign_out(first(found, "campaign", campaign_id))


@router.put("/campaigns/{campaign_id}", response_model=CampaignOut)
async def put_campaign(campaign_id: IdPath, body: CampaignIn, me: Admin, ctx: Ctx) -> CampaignOut:
    """Creates or changes a campaign; routing uses the new policy at once."""
    config = campaign_config(campaign_id, body)
    follow(ctx, await ctx.db(actions.put_campaign, ctx.writer, me, config))
    return CampaignOut(id=campaign_id, **body.model_dump())


@router.get("/queues", response_model=list[QueueOut])
async def list_queues(me: Admin, ctx: Ctx) -> list[QueueOut]:
    return [queue_out(q) for q in await ctx.db(queries.queues, ctx.engine)]


@router.get("/queues/{queue_id}", response_model=QueueOut)
async def get_queue(queue_id: IdPath, me: Admin, ctx: Ctx) -> QueueOut:
    found = await ctx.db(queries.queues, ctx.engine, ident=queue_id)
    return queue_out(first(found, "queue", queue_id))


@router.put("/queues/{queue_id}", response_model=QueueOut)
async def put_queue(queue_id: IdPath, body: QueueIn, me: Admin, ctx: Ctx) -> QueueOut:
    """Creates or changes a queue: requirement, escalation steps, limits, strategy..."""
    d = ctx.directory
    if body.campaign_id not in d.campaign_client:
        raise not_found("campaign", body.campaign_id)
    named = [o.queue for o in (body.on_full, body.on_max_wait) if o.queue]
    named += [st.overflow.queue for st in body.steps if st.overflow and st.overflow.queue]
    for other in named:
        if other not in d.queue_campaign and other != queue_id:
            raise not_found("queue", other)
    try:
        config = queue_config(queue_id, body)
    except ConfigError as exc:
        raise ApiError(422, "invalid", str(exc)) from None
    saved = await ctx.db(actions.put_queue, ctx.writer, me, config)
    follow(ctx, saved.events)
    return QueueOut(id=queue_id, **body.model_dump(), warnings=saved.warnings)


@router.get("/skills", response_model=list[SkillOut])
async def list_skills(me: Admin, ctx: Ctx) -> list[SkillOut]:
    return [
        SkillOut.model_validate(k, from_attributes=True)
        for k in await ctx.db(queries.skills, ctx.engine)
    ]


@router.put("/skills/{skill_id}", response_model=SkillOut)
async def put_skill(skill_id: IdPath, body: SkillIn, me: Admin, ctx: Ctx) -> SkillOut:
    row = await ctx.db(
        skills.put_skill, ctx.engine, me, at=ctx.now(), skill=skill_id, name=body.name
    )
    return SkillOut.model_validate(row, from_attributes=True)


@router.put("/reasons", response_model=list[ReasonOut])
async def put_reasons(body: ReasonsIn, me: Admin, ctx: Ctx) -> list[ReasonOut]:
    """Replaces the firm's own not-ready reasons (the system ones are built in)."""
    reasons = tuple(NotReadyReason(ReasonId(r.id), r.label) for r in body.reasons)
    await ctx.db(actions.put_reasons, ctx.writer, me, reasons)
    return [
        ReasonOut.model_validate(r, from_attributes=True)
        for r in await ctx.db(queries.reasons, ctx.engine)
    ]


@router.get("/campaigns/{campaign_id}/forms", response_model=FormsOut)
async def get_forms(campaign_id: IdPath, me: Admin, ctx: Ctx) -> FormsOut:
    if campaign_id not in ctx.directory.campaign_client:
        raise not_found("campaign", campaign_id)
    return forms_out(await ctx.db(queries.forms, ctx.engine, campaign_id))


@router.put("/campaigns/{campaign_id}/forms", response_model=FormsOut)
async def put_forms(campaign_id: IdPath, body: FormsIn, me: Admin, ctx: Ctx) -> FormsOut:
    """Replaces a campaign's outcomes (dispositions) and form fields."""
    if campaign_id not in ctx.directory.campaign_client:
        raise not_found("campaign", campaign_id)
    forms = campaign_forms(campaign_id, body)
    await ctx.db(actions.put_forms, ctx.writer, me, forms, name=body.name)
    return forms_out(await ctx.db(queries.forms, ctx.engine, campaign_id))


@router.put("/campaigns/{campaign_id}/script", response_model=FormsOut)
async def put_script(campaign_id: IdPath, body: ScriptIn, me: Admin, ctx: Ctx) -> FormsOut:
    """Replaces the script agents of the campaign see beside its form."""
    if campaign_id not in ctx.directory.campaign_client:
        raise not_found("campaign", campaign_id)
    await ctx.db(actions.put_script, ctx.writer, me, campaign_id, body.body)
    return forms_out(await ctx.db(queries.forms, ctx.engine, campaign_id))
