"""Evaluating a contact from the log, reading evaluations, the agent's acknowledgement or
dispute, a supervisor's resolution, coaching notes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from hearthline.api.deps import AgentCaller, Ctx, Person, Staff
from hearthline.api.errors import ApiError, conflict
from hearthline.api.history import detail, record
from hearthline.api.principal import Principal
from hearthline.api.routes.quality.base import (
    ContactPath,
    EvaluationPath,
    contact_to_evaluate,
    evaluation_of,
    listed,
    newest_card,
    router,
    template_out,
    visible,
)
from hearthline.api.schemas import (
    IDENT_PATTERN,
    CoachingIn,
    CoachingOut,
    CommentIn,
    EvaluationContext,
    EvaluationDetail,
    EvaluationIn,
    EvaluationOut,
    ResolveIn,
)
from hearthline.quality.lifecycle import Status, Step
from hearthline.service.actions import quality as actions
from hearthline.store.queries import quality as q


@router.get("/contacts/{contact}", response_model=EvaluationContext)
async def evaluation_context(contact: ContactPath, me: Staff, ctx: Ctx) -> EvaluationContext:
    """A contact to evaluate: its notes, outcome and timeline, the agents who had it,
    its campaign's scorecard, and the evaluations it has already."""
    stored, campaign = await contact_to_evaluate(ctx, me, contact)
    row = await newest_card(ctx, campaign)
    done = await ctx.db(q.evaluations, ctx.engine, clients=None, contact=contact)
    return EvaluationContext(
        contact=detail(contact, stored),
        template=template_out(row),
        agents=record(contact, stored).agents,
        evaluations=[EvaluationOut.model_validate(e) for e in done if visible(me, e)],
    )


@router.post("/evaluations", response_model=EvaluationOut, status_code=201)
async def evaluate(body: EvaluationIn, me: Staff, ctx: Ctx) -> EvaluationOut:
    """Scores a contact from the log on its campaign's newest scorecard."""
    stored, campaign = await contact_to_evaluate(ctx, me, body.contact_id)
    agents = record(body.contact_id, stored).agents
    if not agents:
        raise conflict(f"no agent answered contact {body.contact_id!r}: there is no one to score")
    agent = body.agent_id or agents[-1]
    if agent not in agents:
        raise ApiError(422, "invalid", f"agent {agent!r} did not have contact {body.contact_id!r}")
    client = ctx.directory.campaign_client.get(campaign)
    if client is None:
        raise conflict(f"campaign {campaign!r} belongs to no client company")
    row = await newest_card(ctx, campaign)
    made = await ctx.db(
        actions.evaluate,
        ctx.engine,
        me,
        at=ctx.now(),
        card=row.card,
        contact=body.contact_id,
        agent=agent,
        client=client,
        answers=body.answers,
        comments=body.comments,
        calibration=body.calibration,
    )
    return EvaluationOut.model_validate(made)


@router.get("/evaluations", response_model=list[EvaluationOut])
async def list_evaluations(
    me: Person,
    ctx: Ctx,
    agent_id: Annotated[str | None, Query(pattern=IDENT_PATTERN)] = None,
    status: Status | None = None,
) -> list[EvaluationOut]:
    """Evaluations the caller may see, newest first (an agent: their own)."""
    rows = await listed(
        ctx, me, agent=agent_id, statuses=None if status is None else {status.value}
    )
    return [EvaluationOut.model_validate(r) for r in rows]


@router.get("/evaluations/{evaluation_id}", response_model=EvaluationDetail)
async def get_evaluation(evaluation_id: EvaluationPath, me: Person, ctx: Ctx) -> EvaluationDetail:
    """One evaluation with the scorecard version it was made with and its coaching notes."""
    row = await evaluation_of(ctx, me, evaluation_id)
    card = await ctx.db(q.template, ctx.engine, row.campaign_id, row.version)
    assert card is not None  # the foreign key keeps it
    notes = await ctx.db(q.coaching, ctx.engine, evaluation_id)
    return EvaluationDetail(
        **EvaluationOut.model_validate(row).model_dump(),
        template=template_out(card),
        coaching=[CoachingOut.model_validate(n) for n in notes],
    )


async def _step(
    ctx: Ctx, me: Principal, evaluation_id: int, step: Step, comment: str
) -> EvaluationOut:
    await evaluation_of(ctx, me, evaluation_id)
    row = await ctx.db(
        actions.step,
        ctx.engine,
        me,
        at=ctx.now(),
        evaluation=evaluation_id,
        step=step,
        comment=comment,
    )
    return EvaluationOut.model_validate(row)


@router.post("/evaluations/{evaluation_id}/acknowledge", response_model=EvaluationOut)
async def acknowledge(
    evaluation_id: EvaluationPath, body: CommentIn, me: AgentCaller, ctx: Ctx
) -> EvaluationOut:
    """The agent accepts their evaluation, with a comment if they like."""
    return await _step(ctx, me, evaluation_id, Step.ACKNOWLEDGE, body.comment)


@router.post("/evaluations/{evaluation_id}/dispute", response_model=EvaluationOut)
async def dispute(
    evaluation_id: EvaluationPath, body: CommentIn, me: AgentCaller, ctx: Ctx
) -> EvaluationOut:
    """The agent disputes their evaluation; the comment says why and is required."""
    if not body.comment.strip():
        raise ApiError(422, "invalid", "a dispute needs a comment saying what is wrong")
    return await _step(ctx, me, evaluation_id, Step.DISPUTE, body.comment)


@router.post("/evaluations/{evaluation_id}/resolve", response_model=EvaluationOut)
async def resolve(
    evaluation_id: EvaluationPath, body: ResolveIn, me: Staff, ctx: Ctx
) -> EvaluationOut:
    """Upholds a disputed evaluation, or overturns it (it then counts in no trend)."""
    step = Step.UPHOLD if body.decision == "uphold" else Step.OVERTURN
    return await _step(ctx, me, evaluation_id, step, body.comment)


@router.post("/evaluations/{evaluation_id}/coaching", response_model=CoachingOut, status_code=201)
async def coach(
    evaluation_id: EvaluationPath, body: CoachingIn, me: Staff, ctx: Ctx
) -> CoachingOut:
    """A coaching note for the agent, linked to the evaluation it follows from."""
    await evaluation_of(ctx, me, evaluation_id)
    note = await ctx.db(
        actions.coach, ctx.engine, me, at=ctx.now(), evaluation=evaluation_id, text=body.text
    )
    return CoachingOut.model_validate(note)


@router.get("/disputes", response_model=list[EvaluationOut])
async def disputes(me: Staff, ctx: Ctx) -> list[EvaluationOut]:
    """Disputed evaluations waiting for a resolution, newest first."""
    rows = await listed(ctx, me, statuses={Status.DISPUTED.value})
    return [EvaluationOut.model_validate(r) for r in rows]
