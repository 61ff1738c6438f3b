"""Quality: new template versions, evaluations, the agent's answer, a dispute's
resolution and coaching notes, each with its audit record."""

from __future__ import annotations

import json
from collections.abc import Mapping

from sqlalchemy import Engine, insert, update

from hearthline.quality.lifecycle import Status, Step, after
from hearthline.quality.scorecard import Scorecard, check_scorecard
from hearthline.quality.scoring import score
from hearthline.service.actions.audit import Actor, plain, record, transaction
from hearthline.service.errors import Conflict, NotFound
from hearthline.store import tables as t
from hearthline.store.queries import quality as q
from hearthline.store.queries.quality import CoachingRow, EvaluationRow, TemplateRow


def add_template_version(engine: Engine, who: Actor, *, at: float, card: Scorecard) -> TemplateRow:
    """Stores ``card`` as its campaign's next version (its own version number is ignored)."""
    with transaction(engine) as conn:
        version = q.newest_version(conn, card.campaign) + 1
        stored = check_scorecard(Scorecard(card.campaign, version, card.sections))
        conn.execute(
            insert(t.quality_templates).values(
                campaign_id=card.campaign,
                version=version,
                sections=q.dump_sections(stored),
                created_at=at,
                created_by=who.username,
            )
        )
        record(
            conn,
            who,
            at=at,
            action="quality.template",
            target=f"{card.campaign}@{version}",
            after=plain(stored),
        )
        row = q.template(conn, card.campaign, version)
    assert row is not None
    return row


def evaluate(
    engine: Engine,
    who: Actor,
    *,
    at: float,
    card: Scorecard,
    contact: str,
    agent: str,
    client: str,
    answers: Mapping[str, int | None],
    comments: str,
    calibration: bool,
) -> EvaluationRow:
    got = score(card, answers)
    e = t.quality_evaluations
    with transaction(engine) as conn:
        ident = conn.execute(
            insert(e)
            .values(
                contact_id=contact,
                agent_id=agent,
                client_id=client,
                campaign_id=card.campaign,
                version=card.version,
                evaluator=who.username,
                answers=json.dumps(dict(answers), sort_keys=True),
                comments=comments,
                score=got.value,
                critical_fail=got.critical_fail,
                calibration=calibration,
                at=at,
                status=Status.OPEN.value,
            )
            .returning(e.c.id)
        ).scalar_one()
        row = q.evaluation(conn, ident)
        record(conn, who, at=at, action="quality.evaluate", target=str(ident), after=plain(row))
    assert row is not None
    return row


def step(
    engine: Engine, who: Actor, *, at: float, evaluation: int, step: Step, comment: str
) -> EvaluationRow:
    """The agent's acknowledgement or dispute, or a supervisor's resolution; the caller
    has checked the evaluation is theirs to act on."""
    e = t.quality_evaluations
    with transaction(engine) as conn:
        before = q.evaluation(conn, evaluation)
        if before is None:
            raise NotFound("evaluation", evaluation)
        status = after(Status(before.status), step)
        if step in (Step.ACKNOWLEDGE, Step.DISPUTE):
            values: dict[str, object] = {"agent_comment": comment, "responded_at": at}
        else:
            values = {"resolution": comment, "resolved_by": who.username, "resolved_at": at}
        # The status in the WHERE makes a concurrent step of the same evaluation lose.
        done = conn.execute(
            update(e)
            .where(e.c.id == evaluation, e.c.status == before.status)
            .values(status=status.value, **values)
        ).rowcount
        if done != 1:
            raise Conflict(f"evaluation {evaluation} changed meanwhile; read it again")
        row = q.evaluation(conn, evaluation)
        record(
            conn,
            who,
            at=at,
            action=f"quality.{step.value}",
            target=str(evaluation),
            before=before.status,
            after=plain(row),
        )
    assert row is not None
    return row


def coach(engine: Engine, who: Actor, *, at: float, evaluation: int, text: str) -> CoachingRow:
    c = t.quality_coaching
    with transaction(engine) as conn:
        if q.evaluation(conn, evaluation) is None:
            raise NotFound("evaluation", evaluation)
        ident = conn.execute(
            insert(c)
            .values(evaluation_id=evaluation, author=who.username, text=text, at=at)
            .returning(c.c.id)
        ).scalar_one()
        record(conn, who, at=at, action="quality.coach", target=str(evaluation), after=text)
    return CoachingRow(ident, evaluation, who.username, text, at)
