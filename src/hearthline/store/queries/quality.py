"""Scorecard templates, evaluations and coaching notes, as stored."""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import RowMapping, func, select

from hearthline.quality.scorecard import Kind, Question, Scorecard, Section
from hearthline.store import tables as t
from hearthline.store.queries.bind import Bind, connected


@dataclass(frozen=True, slots=True)
class TemplateRow:
    card: Scorecard
    created_at: float
    created_by: str


@dataclass(frozen=True, slots=True)
class EvaluationRow:
    id: int
    contact_id: str
    agent_id: str
    client_id: str
    campaign_id: str
    version: int
    evaluator: str
    answers: dict[str, int | None]
    comments: str
    score: float
    critical_fail: bool
    calibration: bool
    at: float
    status: str
    agent_comment: str | None
    responded_at: float | None
    resolution: str | None
    resolved_by: str | None
    resolved_at: float | None


@dataclass(frozen=True, slots=True)
class CoachingRow:
    id: int
    evaluation_id: int
    author: str
    text: str
    at: float


def dump_sections(card: Scorecard) -> str:
    return json.dumps([asdict(s) for s in card.sections], sort_keys=True)


def load_sections(text: str) -> tuple[Section, ...]:
    raw: list[dict[str, Any]] = json.loads(text)
    return tuple(
        Section(
            s["title"],
            tuple(Question(**{**q, "kind": Kind(q["kind"])}) for q in s["questions"]),
        )
        for s in raw
    )


def _template(r: RowMapping) -> TemplateRow:
    card = Scorecard(r["campaign_id"], r["version"], load_sections(r["sections"]))
    return TemplateRow(card, r["created_at"], r["created_by"])


def template(bind: Bind, campaign: str, version: int | None = None) -> TemplateRow | None:
    """A campaign's template: ``version``, or its newest."""
    q = t.quality_templates
    query = select(q).where(q.c.campaign_id == campaign)
    if version is not None:
        query = query.where(q.c.version == version)
    with connected(bind) as conn:
        row = conn.execute(query.order_by(q.c.version.desc()).limit(1)).mappings().first()
    return _template(row) if row is not None else None


def newest_version(bind: Bind, campaign: str) -> int:
    """The newest version number of a campaign's template; 0 when it has none."""
    q = t.quality_templates
    query = select(func.max(q.c.version)).where(q.c.campaign_id == campaign)
    with connected(bind) as conn:
        return int(conn.execute(query).scalar() or 0)


def _evaluation(r: RowMapping) -> EvaluationRow:
    fields = {name: r[name] for name in EvaluationRow.__dataclass_fields__}
    fields["answers"] = json.loads(r["answers"])
    return EvaluationRow(**fields)


def evaluation(bind: Bind, ident: int) -> EvaluationRow | None:
    e = t.quality_evaluations
    with connected(bind) as conn:
        row = conn.execute(select(e).where(e.c.id == ident)).mappings().first()
    return _evaluation(row) if row is not None else None


def evaluations(
    bind: Bind,
    *,
    clients: Collection[str] | None,
    agent: str | None = None,
    contact: str | None = None,
    statuses: Collection[str] | None = None,
    calibration: bool | None = None,
    since: float | None = None,
    limit: int = 500,
) -> list[EvaluationRow]:
    """Evaluations of ``clients`` (None: all), newest first, narrowed by the rest."""
    e = t.quality_evaluations
    query = select(e)
    if clients is not None:
        query = query.where(e.c.client_id.in_(sorted(clients)))
    if agent is not None:
        query = query.where(e.c.agent_id == agent)
    if contact is not None:
        query = query.where(e.c.contact_id == contact)
    if statuses is not None:
        query = query.where(e.c.status.in_(sorted(statuses)))
    if calibration is not None:
        query = query.where(e.c.calibration.is_(calibration))
    if since is not None:
        query = query.where(e.c.at >= since)
    with connected(bind) as conn:
        rows = conn.execute(query.order_by(e.c.id.desc()).limit(limit)).mappings()
        return [_evaluation(r) for r in rows]


def coaching(bind: Bind, evaluation_id: int) -> list[CoachingRow]:
    c = t.quality_coaching
    query = select(c).where(c.c.evaluation_id == evaluation_id).order_by(c.c.id)
    with connected(bind) as conn:
        return [
            CoachingRow(**{n: r[n] for n in CoachingRow.__dataclass_fields__})
            for r in conn.execute(query).mappings()
        ]
