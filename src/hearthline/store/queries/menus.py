"""Menu flows, opening hours, prompts, announcements and the menu's measured visits."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, or_, select

from hearthline.store import tables as t
from hearthline.store.queries.bind import Bind, connected


@dataclass(frozen=True, slots=True)
class FlowRow:
    number: str
    client_id: str
    flow: dict[str, Any]
    updated_at: float


@dataclass(frozen=True, slots=True)
class PromptRow:
    client_id: str
    name: str
    seconds: float
    updated_at: float


@dataclass(frozen=True, slots=True)
class AnnouncementRow:
    id: int
    client_id: str
    queue_id: str | None
    text: str
    prompt: str
    active: bool
    updated_at: float
    updated_by: str


def flows(bind: Bind, *, number: str | None = None, client: str | None = None) -> list[FlowRow]:
    f = t.menu_flows
    query = select(f).order_by(f.c.number)
    if number is not None:
        query = query.where(f.c.number == number)
    if client is not None:
        query = query.where(f.c.client_id == client)
    with connected(bind) as conn:
        rows = conn.execute(query).mappings().all()
    return [
        FlowRow(r["number"], r["client_id"], json.loads(r["flow"]), r["updated_at"]) for r in rows
    ]


def hours(bind: Bind, campaign: str) -> dict[str, Any] | None:
    h = t.opening_hours
    with connected(bind) as conn:
        found = conn.execute(select(h.c.hours).where(h.c.campaign_id == campaign)).scalar()
    return None if found is None else dict(json.loads(found))


def prompts(bind: Bind, *, client: str | None = None) -> list[PromptRow]:
    p = t.menu_prompts
    query = select(p.c.client_id, p.c.name, p.c.seconds, p.c.updated_at).order_by(
        p.c.client_id, p.c.name
    )
    if client is not None:
        query = query.where(p.c.client_id == client)
    with connected(bind) as conn:
        return [PromptRow(*r) for r in conn.execute(query).all()]


def prompt_wav(bind: Bind, *, client: str, name: str) -> bytes | None:
    p = t.menu_prompts
    with connected(bind) as conn:
        found = conn.execute(
            select(p.c.wav).where(and_(p.c.client_id == client, p.c.name == name))
        ).scalar()
    return None if found is None else bytes(found)


def announcements(
    bind: Bind,
    *,
    client: str | None = None,
    ident: int | None = None,
    active_for: tuple[str, str] | None = None,
) -> list[AnnouncementRow]:
    """All (of one client), one by id, or those switched on for (client, queue)."""
    a = t.announcements
    query = select(a).order_by(a.c.id)
    if client is not None:
        query = query.where(a.c.client_id == client)
    if ident is not None:
        query = query.where(a.c.id == ident)
    if active_for is not None:
        for_client, queue = active_for
        query = query.where(
            a.c.active.is_(True),
            a.c.client_id == for_client,
            or_(a.c.queue_id.is_(None), a.c.queue_id == queue),
        )
    with connected(bind) as conn:
        rows = conn.execute(query).mappings().all()
    return [AnnouncementRow(**{k: r[k] for k in AnnouncementRow.__slots__}) for r in rows]


def menu_visits(
    bind: Bind,
    *,
    clients: list[str] | None,
    number: str | None = None,
    limit: int = 200_000,
    since: float | None = None,
) -> list[dict[str, Any]]:
    """The MenuVisited events' payloads (newest ``limit``), of the given clients (None: all),
    left at or after ``since``."""
    e = t.events
    query = select(e.c.payload).where(e.c.type == "MenuVisited").order_by(e.c.id.desc())
    if clients is not None:
        query = query.where(e.c.client_id.in_(clients))
    if since is not None:
        query = query.where(e.c.at >= since)
    with connected(bind) as conn:
        rows = [json.loads(p) for p in conn.execute(query.limit(limit)).scalars()]
    return [r for r in rows if number is None or r.get("number") == number]
