"""What evaluations add up to: weekly trends, and the calibration spread of a contact."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Query

from hearthline.api.deps import Ctx, Person, Staff
from hearthline.api.routes.quality.base import ContactPath, listed, router
from hearthline.api.schemas import IDENT_PATTERN, CalibrationOut, SpreadOut, TrendPointOut
from hearthline.api.scope import access_contact
from hearthline.quality.analysis import WEEK_S, Scored, calibration, trends
from hearthline.quality.lifecycle import Status, counts
from hearthline.quality.scorecard import Scorecard
from hearthline.quality.scoring import share
from hearthline.store.queries import quality as q
from hearthline.store.queries.quality import EvaluationRow

# Weeks start on Monday 00:00 UTC: 1970-01-05 was a Monday.
WEEK_ORIGIN = 4 * 86_400.0


def _scored(row: EvaluationRow, card: Scorecard) -> Scored:
    earned = {}
    for question in card.questions():
        value = row.answers.get(question.id)
        if value is not None:
            earned[question.id] = float(share(question, value))
    return Scored(row.evaluator, row.agent_id, row.campaign_id, row.at, row.score, earned)


async def _with_cards(ctx: Ctx, rows: list[EvaluationRow]) -> list[Scored]:
    cards: dict[tuple[str, int], Scorecard] = {}
    out = []
    for row in rows:
        key = (row.campaign_id, row.version)
        if key not in cards:
            found = await ctx.db(q.template, ctx.engine, *key)
            assert found is not None  # the foreign key keeps it
            cards[key] = found.card
        out.append(_scored(row, cards[key]))
    return out


@router.get("/trends", response_model=list[TrendPointOut])
async def quality_trends(
    me: Person,
    ctx: Ctx,
    by: Literal["agent", "team"] = "agent",
    question: Annotated[str | None, Query(pattern=IDENT_PATTERN)] = None,
    agent_id: Annotated[str | None, Query(pattern=IDENT_PATTERN)] = None,
    weeks: Annotated[int, Query(ge=1, le=104)] = 12,
) -> list[TrendPointOut]:
    """Mean scores per week (Monday 00:00 UTC), per agent or per team (the campaign's
    agents), overall or for one question; an agent sees their own. Calibration scorings
    and overturned evaluations are left out."""
    since = ctx.now() - weeks * WEEK_S
    rows = await listed(ctx, me, agent=agent_id, calibration=False, since=since)
    scored = await _with_cards(ctx, [r for r in rows if counts(Status(r.status))])
    points = trends(
        scored,
        by=(lambda s: s.agent) if by == "agent" else (lambda s: s.team),
        origin=WEEK_ORIGIN,
        question=question,
    )
    return [TrendPointOut.model_validate(p) for p in points]


@router.get("/calibration/{contact}", response_model=CalibrationOut)
async def calibration_spread(contact: ContactPath, me: Staff, ctx: Ctx) -> CalibrationOut:
    """How far the evaluators of one contact stand apart, overall and per question."""
    await ctx.db(access_contact, ctx.engine, me, contact)
    rows = await listed(ctx, me, contact=contact)
    scored = await _with_cards(ctx, rows)
    return CalibrationOut(
        contact_id=contact,
        evaluators=sorted({r.evaluator for r in rows}),
        spreads=[SpreadOut.model_validate(s) for s in calibration(scored)],
    )
