"""Contacts from the log: the events of one, the newest arrivals, who had a contact."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select

from hearthline.kernel.envelope import Envelope
from hearthline.store import tables as t
from hearthline.store.codec import Codec
from hearthline.store.log import events_of_contact
from hearthline.store.queries.bind import Bind, connected


def contact_events(bind: Bind, codec: Codec, contact: str) -> list[Envelope]:
    with connected(bind) as conn:
        return events_of_contact(conn, codec, contact)


def contacts_events(
    bind: Bind, codec: Codec, contacts: list[str]
) -> list[tuple[str, list[Envelope]]]:
    """Each contact with its events, in the order given, read in one connection."""
    with connected(bind) as conn:
        return [(c, events_of_contact(conn, codec, c)) for c in contacts]


def recent_arrivals(
    bind: Bind, codec: Codec, *, clients: Collection[str] | None, limit: int, before_id: int | None
) -> list[tuple[str, list[Envelope]]]:
    """The newest contacts (by arrival) of ``clients`` (None: all) with their events."""
    e = t.events
    query = select(e.c.id, e.c.contact_id).where(e.c.type == "ContactArrived")
    if clients is not None:
        query = query.where(e.c.client_id.in_(sorted(clients)))
    if before_id is not None:
        query = query.where(e.c.id < before_id)
    with connected(bind) as conn:
        rows = conn.execute(query.order_by(e.c.id.desc()).limit(limit)).all()
        return [(str(c), events_of_contact(conn, codec, str(c))) for _, c in rows]


def contact_parties(bind: Bind, contact: str) -> list[tuple[str | None, str | None]]:
    """The (client company, agent) pairs the contact's events name."""
    e = t.events
    query = select(e.c.client_id, e.c.agent_id).where(e.c.contact_id == contact).distinct()
    with connected(bind) as conn:
        return [(c, a) for c, a in conn.execute(query)]


def logged_for_client(bind: Bind, contact: str, client: str) -> bool:
    """Whether the log has an event of ``contact`` for ``client``."""
    e = t.events
    query = select(e.c.id).where(e.c.contact_id == contact, e.c.client_id == client).limit(1)
    with connected(bind) as conn:
        return conn.execute(query).first() is not None
