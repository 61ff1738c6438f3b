"""Call guides: edited by administrators per campaign, followed by the agent on the call.

The path the agent takes is saved on the contact as an event in the log
(``GuidePathSaved``), so the contact's history shows it to supervisors of its client,
and a reloaded or crashed tab finds the call on the same step.
"""

from __future__ import annotations

from fastapi import APIRouter

from hearthline.api.deps import Admin, AgentCaller, AppContext, Ctx
from hearthline.api.errors import ERROR_RESPONSES, ApiError, forbidden, not_found
from hearthline.api.guides import guide_out
from hearthline.api.principal import Principal
from hearthline.api.routes.admin.base import IdPath
from hearthline.api.routes.agent import ContactPath
from hearthline.api.schemas.guides import GuideIn, GuideOut, GuideWalk, PathIn, TakenOut
from hearthline.api.scope import client_visible, contact_visible
from hearthline.knowledge.guides import Answer, Guide, PathInvalid, Step, replay
from hearthline.knowledge.walks import GuidePathSaved, SaveGuidePath
from hearthline.routing import events as ev
from hearthline.service.actions import guides as actions
from hearthline.service.domains import CODEC
from hearthline.store.queries import guides as q
from hearthline.store.queries import history

admin = APIRouter(prefix="/api/admin", tags=["guides"], responses=ERROR_RESPONSES)
desk = APIRouter(prefix="/api/agent", tags=["guides"], responses=ERROR_RESPONSES)


def _campaign_client(ctx: AppContext, me: Principal, campaign: str) -> str:
    client = ctx.directory.campaign_client.get(campaign)
    if client is None or not client_visible(ctx.directory, me, client):
        raise not_found("campaign", campaign)
    return client


@admin.get("/campaigns/{campaign_id}/guide", response_model=GuideOut)
async def get_guide(campaign_id: IdPath, me: Admin, ctx: Ctx) -> GuideOut:
    """The campaign's newest guide; without one, its plain script as a single step."""
    client = _campaign_client(ctx, me, campaign_id)
    row = await ctx.db(q.guide, ctx.engine, campaign_id)
    if row is None:
        raise not_found("guide of campaign", campaign_id)
    return guide_out(row, client)


@admin.put("/campaigns/{campaign_id}/guide", response_model=GuideOut)
async def put_guide(campaign_id: IdPath, body: GuideIn, me: Admin, ctx: Ctx) -> GuideOut:
    """Saves the campaign's next guide version. Refused (422, naming the step) when a step
    cannot be reached, an answer leads to a step that does not exist, or no end can be
    reached; calls under way keep following the version they began with."""
    client = _campaign_client(ctx, me, campaign_id)
    made = Guide(
        tuple(
            Step(s.id, s.text, tuple(Answer(a.label, a.next) for a in s.answers))
            for s in body.steps
        )
    )
    row = await ctx.db(
        actions.save_guide, ctx.engine, me, at=ctx.now(), campaign=campaign_id, guide=made
    )
    return guide_out(row, client)


# The agent on the call -------------------------------------------------------------------


def _me(me: Principal) -> str:
    if me.agent_id is None:
        raise forbidden("this user is not linked to an agent")
    return me.agent_id


async def _walk(ctx: AppContext, me: Principal, contact: str) -> GuideWalk:
    """The contact's guide (the version its path follows) and the path so far, from the log."""
    _me(me)
    if not await ctx.db(contact_visible, ctx.engine, me, contact):
        raise not_found("contact of yours", contact)
    stored = await ctx.db(history.contact_events, ctx.engine, CODEC, contact)
    queue: str | None = None
    saved: GuidePathSaved | None = None
    for item in stored:
        if isinstance(item.event, ev.ContactQueued):
            queue = item.event.queue
        elif isinstance(item.event, GuidePathSaved):
            saved = item.event
    campaign = saved.campaign if saved else ctx.directory.queue_campaign.get(queue or "")
    client = ctx.directory.campaign_client.get(campaign or "")
    if campaign is None or client is None:
        raise not_found("call guide for contact", contact)
    row = await ctx.db(q.guide, ctx.engine, campaign, saved.version if saved else None)
    if row is None:
        raise not_found("call guide for contact", contact)
    path = saved.path if saved else ()
    return GuideWalk(
        contact_id=contact,
        guide=guide_out(row, client),
        path=[TakenOut(step=s, answer=a) for s, a in path],
        step=saved.step if saved else row.guide.start,
        saved_at=saved.at if saved else None,
    )


@desk.get("/contacts/{contact}/guide", response_model=GuideWalk)
async def contact_guide(contact: ContactPath, me: AgentCaller, ctx: Ctx) -> GuideWalk:
    """The call guide of the contact's campaign and the path taken so far."""
    return await _walk(ctx, me, contact)


@desk.put("/contacts/{contact}/guide", response_model=GuideWalk)
async def save_path(contact: ContactPath, body: PathIn, me: AgentCaller, ctx: Ctx) -> GuideWalk:
    """The whole path so far (an answer more, or one fewer for a step back), on the
    guide version the call follows; a path that version cannot have taken is refused."""
    agent = _me(me)
    walk = await _walk(ctx, me, contact)
    campaign = walk.guide.campaign_id
    row = await ctx.db(q.guide, ctx.engine, campaign, body.version)
    if row is None:
        raise ApiError(422, "invalid", f"campaign {campaign!r} has no guide version {body.version}")
    path = tuple((t.step, t.answer) for t in body.path)
    try:
        step = replay(row.guide, path)
    except PathInvalid as exc:
        raise ApiError(422, "invalid", str(exc)) from None
    await ctx.run(SaveGuidePath(contact, agent, campaign, row.version, path, step))
    return await _walk(ctx, me, contact)
