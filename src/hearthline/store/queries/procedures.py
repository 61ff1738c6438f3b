"""The articles an agent keeps for offline reading: first a fingerprint of their clients'
current articles (one aggregate, from which the sync's ETag is made), then -- only when
it changed -- each article's audience and the texts of those that reach the agent."""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import func, or_, select

from hearthline.knowledge.articles import Audience
from hearthline.store import tables as t
from hearthline.store.queries.bind import Bind, connected


@dataclass(frozen=True, slots=True)
class Stamp:
    id: int
    version: int
    audience: Audience


@dataclass(frozen=True, slots=True)
class Text:
    id: int
    client_id: str
    title: str
    tags: list[str]
    html: str
    plain: str
    version: int
    updated_at: float


def fingerprint(
    bind: Bind, *, clients: Collection[str], now: float
) -> list[tuple[str, int, int, float, int]]:
    """Per client: how many current articles, the sum of their versions, the newest change
    and the highest id. Any save, archiving or expiry changes one of them."""
    if not clients:
        return []
    a = t.knowledge_articles
    query = (
        select(
            a.c.client_id,
            func.count(),
            func.coalesce(func.sum(a.c.version), 0),
            func.coalesce(func.max(a.c.updated_at), 0.0),
            func.coalesce(func.max(a.c.id), 0),
        )
        .where(a.c.client_id.in_(sorted(clients)))
        .where(a.c.archived.is_(False))
        .where(or_(a.c.expires_at.is_(None), a.c.expires_at > now))
        .group_by(a.c.client_id)
        .order_by(a.c.client_id)
    )
    with connected(bind) as conn:
        return [(str(c), int(n), int(v), float(u), int(i)) for c, n, v, u, i in conn.execute(query)]


def current_stamps(bind: Bind, *, clients: Collection[str], now: float) -> list[Stamp]:
    """Every current (not archived, not expired) article of ``clients``, by id."""
    if not clients:
        return []
    a = t.knowledge_articles
    query = (
        select(a.c.id, a.c.version, a.c.campaigns, a.c.skills)
        .where(a.c.client_id.in_(sorted(clients)))
        .where(a.c.archived.is_(False))
        .where(or_(a.c.expires_at.is_(None), a.c.expires_at > now))
        .order_by(a.c.id)
    )
    with connected(bind) as conn:
        return [
            Stamp(
                int(r.id),
                int(r.version),
                Audience(frozenset(json.loads(r.campaigns)), frozenset(json.loads(r.skills))),
            )
            for r in conn.execute(query)
        ]


def texts(bind: Bind, ids: Collection[int]) -> list[Text]:
    if not ids:
        return []
    a = t.knowledge_articles
    query = select(
        a.c.id, a.c.client_id, a.c.title, a.c.tags, a.c.html, a.c.plain, a.c.version,
        a.c.updated_at,
    ).where(a.c.id.in_(sorted(ids))).order_by(a.c.id)  # fmt: skip
    with connected(bind) as conn:
        return [
            Text(
                int(r.id),
                r.client_id,
                r.title,
                [s for s in r.tags.split("\n") if s],
                r.html,
                r.plain,
                int(r.version),
                float(r.updated_at),
            )
            for r in conn.execute(query)
        ]
