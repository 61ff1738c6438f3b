"""Call guides as stored: each campaign's versions, and the plain script a campaign
without a guide is followed by (as a guide of one step)."""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import RowMapping, func, select

from hearthline.knowledge.guides import Answer, Guide, Step, from_script
from hearthline.store import tables as t
from hearthline.store.queries.bind import Bind, connected


@dataclass(frozen=True, slots=True)
class GuideRow:
    campaign_id: str
    # 0: no guide saved yet; the campaign's plain script as one step.
    version: int
    guide: Guide
    created_at: float | None
    created_by: str


def dump_steps(g: Guide) -> str:
    return json.dumps(
        [
            {"id": s.id, "text": s.text, "answers": [[a.label, a.next] for a in s.answers]}
            for s in g.steps
        ],
        separators=(",", ":"),
    )


def load_steps(raw: str) -> Guide:
    steps = json.loads(raw)
    return Guide(
        tuple(
            Step(s["id"], s["text"], tuple(Answer(label, nxt) for label, nxt in s["answers"]))
            for s in steps
        )
    )


def _row(r: RowMapping) -> GuideRow:
    return GuideRow(
        campaign_id=r["campaign_id"],
        version=int(r["version"]),
        guide=load_steps(r["steps"]),
        created_at=float(r["created_at"]),
        created_by=r["created_by"],
    )


def newest_version(bind: Bind, campaign: str) -> int:
    g = t.call_guides
    query = select(func.max(g.c.version)).where(g.c.campaign_id == campaign)
    with connected(bind) as conn:
        return int(conn.execute(query).scalar() or 0)


def guide(bind: Bind, campaign: str, version: int | None = None) -> GuideRow | None:
    """The campaign's guide: ``version``, or its newest; with no guide saved (or asked for
    version 0), its plain script as one step. None for a campaign with neither."""
    g = t.call_guides
    with connected(bind) as conn:
        if version != 0:
            query = select(g).where(g.c.campaign_id == campaign)
            if version is not None:
                query = query.where(g.c.version == version)
            row = conn.execute(query.order_by(g.c.version.desc()).limit(1)).mappings().first()
            if row is not None:
                return _row(row)
            if version is not None:
                return None
        script = conn.execute(
            select(t.scripts.c.body)
            .where(t.scripts.c.campaign_id == campaign)
            .order_by(t.scripts.c.name)
            .limit(1)
        ).scalar()
    if script is None:
        return None
    return GuideRow(campaign, 0, from_script(str(script)), None, "")


def newest_guides(bind: Bind, campaigns: Collection[str]) -> dict[str, GuideRow]:
    """Each campaign's newest guide (or its script as one step), where it has one."""
    out: dict[str, GuideRow] = {}
    with connected(bind) as conn:
        for campaign in sorted(campaigns):
            found = guide(conn, campaign)
            if found is not None:
                out[campaign] = found
    return out


def campaign_names(bind: Bind, campaigns: Collection[str]) -> dict[str, str]:
    c = t.campaigns
    query = select(c.c.id, c.c.name).where(c.c.id.in_(sorted(campaigns)))
    with connected(bind) as conn:
        return {str(i): str(n) for i, n in conn.execute(query)}
