"""Menu flows, opening hours, prompts and announcements: table writes with their audit."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Engine, and_, delete, insert, update

from hearthline.service.actions.audit import Actor, first, record, transaction
from hearthline.service.errors import Conflict, NotFound
from hearthline.store import tables as t
from hearthline.store.queries import menus as q
from hearthline.store.queries.bind import Bind
from hearthline.store.queries.menus import AnnouncementRow, FlowRow


def put_flow(
    engine: Engine, who: Actor, *, at: float, number: str, client: str, flow: dict[str, Any]
) -> FlowRow:
    with transaction(engine) as conn:
        before = first(q.flows(conn, number=number))
        conn.execute(delete(t.menu_flows).where(t.menu_flows.c.number == number))
        text = json.dumps(flow, sort_keys=True)
        conn.execute(
            insert(t.menu_flows).values(number=number, client_id=client, flow=text, updated_at=at)
        )
        after = FlowRow(number, client, flow, at)
        record(conn, who, at=at, action="menu.put", target=number, before=before, after=flow)
    return after


def delete_flow(engine: Engine, who: Actor, *, at: float, number: str) -> None:
    with transaction(engine) as conn:
        before = first(q.flows(conn, number=number))
        if before is None:
            raise NotFound("menu", number)
        conn.execute(delete(t.menu_flows).where(t.menu_flows.c.number == number))
        record(conn, who, at=at, action="menu.delete", target=number, before=before)


def put_hours(
    engine: Engine, who: Actor, *, at: float, campaign: str, hours: dict[str, Any]
) -> None:
    with transaction(engine) as conn:
        before = q.hours(conn, campaign)
        h = t.opening_hours
        conn.execute(delete(h).where(h.c.campaign_id == campaign))
        text = json.dumps(hours, sort_keys=True)
        conn.execute(insert(h).values(campaign_id=campaign, hours=text, updated_at=at))
        record(conn, who, at=at, action="hours.put", target=campaign, before=before, after=hours)


def put_prompt(
    engine: Engine, who: Actor, *, at: float, client: str, name: str, wav: bytes, seconds: float
) -> None:
    p = t.menu_prompts
    with transaction(engine) as conn:
        had = q.prompt_wav(conn, client=client, name=name) is not None
        conn.execute(delete(p).where(and_(p.c.client_id == client, p.c.name == name)))
        conn.execute(
            insert(p).values(client_id=client, name=name, wav=wav, seconds=seconds, updated_at=at)
        )
        record(
            conn, who, at=at, action="prompt.put", target=f"{client}/{name}",
            before={"replaced": had}, after={"seconds": round(seconds, 3), "bytes": len(wav)},
        )  # fmt: skip


def add_announcement(
    engine: Engine,
    who: Actor,
    *,
    at: float,
    client: str,
    queue: str | None,
    text: str,
    prompt: str,
    active: bool,
) -> AnnouncementRow:
    a = t.announcements
    with transaction(engine) as conn:
        made = conn.execute(
            insert(a).values(
                client_id=client, queue_id=queue, text=text, prompt=prompt, active=active,
                updated_at=at, updated_by=who.username,
            )
        ).inserted_primary_key  # fmt: skip
        assert made is not None
        ident = int(made[0])
        row = q.announcements(conn, ident=ident)[0]
        record(conn, who, at=at, action="announcement.add", target=str(ident), after=first([row]))
    return row


def switch_announcement(
    engine: Engine, who: Actor, *, at: float, ident: int, active: bool
) -> AnnouncementRow:
    """Switches an announcement on or off; callers arriving from now hear it or not."""
    a = t.announcements
    with transaction(engine) as conn:
        found = q.announcements(conn, ident=ident)
        if not found:
            raise NotFound("announcement", ident)
        conn.execute(
            update(a).where(a.c.id == ident).values(
                active=active, updated_at=at, updated_by=who.username
            )
        )  # fmt: skip
        record(
            conn, who, at=at, action="announcement.on" if active else "announcement.off",
            target=str(ident), before={"active": found[0].active}, after={"active": active},
        )  # fmt: skip
        return q.announcements(conn, ident=ident)[0]


def prompt_users(bind: Bind, *, client: str, name: str) -> list[str]:
    """What plays the client's prompt ``name``: menu nodes and announcements switched on,
    each named for the refusal to delete it."""
    users = []
    for flow in q.flows(bind, client=client):
        for node in flow.flow.get("nodes", []):
            if name in (node.get("prompt"), node.get("invalid_prompt")):
                users.append(f"the menu of {flow.number} (node {node.get('id')!r})")
    for a in q.announcements(bind, client=client):
        if a.active and a.prompt == name:
            users.append(f"announcement {a.id} (switched on)")
    return users


def delete_prompt(engine: Engine, who: Actor, *, at: float, client: str, name: str) -> None:
    """Deletes an uploaded prompt nothing plays; refused naming what plays it (a deleted
    prompt a menu names would be replaced by the greeting, unheard by the editor)."""
    p = t.menu_prompts
    with transaction(engine) as conn:
        wav = q.prompt_wav(conn, client=client, name=name)
        if wav is None:
            raise NotFound("prompt", f"{client}/{name}")
        users = prompt_users(conn, client=client, name=name)
        if users:
            raise Conflict(f"prompt {name!r} is in use: {'; '.join(users)}")
        conn.execute(delete(p).where(and_(p.c.client_id == client, p.c.name == name)))
        record(
            conn, who, at=at, action="prompt.delete", target=f"{client}/{name}",
            before={"bytes": len(wav)},
        )  # fmt: skip
