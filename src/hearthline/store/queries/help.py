"""Help requests, as stored."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import RowMapping, or_, select

from hearthline.store import tables as t
from hearthline.store.queries.bind import Bind, connected


@dataclass(frozen=True, slots=True)
class HelpRow:
    id: int
    agent_id: str
    contact_id: str | None
    customer_id: str | None
    client_id: str | None
    text: str
    created_at: float
    open: bool
    answer: str | None
    answered_by: str | None
    answered_at: float | None


def _row(r: RowMapping) -> HelpRow:
    return HelpRow(**{name: r[name] for name in HelpRow.__dataclass_fields__})


def one(bind: Bind, ident: int) -> HelpRow | None:
    h = t.help_requests
    with connected(bind) as conn:
        row = conn.execute(select(h).where(h.c.id == ident)).mappings().first()
    return _row(row) if row is not None else None


def newest(
    bind: Bind,
    *,
    limit: int,
    agents: Collection[str] | None = None,
    open_only: bool = False,
    before_id: int | None = None,
    client: str | None = None,
) -> list[HelpRow]:
    """The newest requests first: of ``agents`` (None: everyone's), open ones only or all;
    older than ``before_id`` to page back. With ``client``, only that client's: those
    asked on its contacts, and those asked with no contact in hand."""
    h = t.help_requests
    query = select(h)
    if agents is not None:
        query = query.where(h.c.agent_id.in_(sorted(agents)))
    if client is not None:
        query = query.where(or_(h.c.client_id == client, h.c.contact_id.is_(None)))
    if before_id is not None:
        query = query.where(h.c.id < before_id)
    if open_only:
        query = query.where(h.c.open.is_(True))
    with connected(bind) as conn:
        rows = conn.execute(query.order_by(h.c.id.desc()).limit(limit)).mappings()
        return [_row(r) for r in rows]


def about_contacts(bind: Bind, contacts: Collection[str]) -> dict[str, list[HelpRow]]:
    """The help asked about each of ``contacts``, oldest first (a contact's story)."""
    h = t.help_requests
    out: dict[str, list[HelpRow]] = {c: [] for c in contacts}
    if not out:
        return out
    query = select(h).where(h.c.contact_id.in_(sorted(out))).order_by(h.c.id)
    with connected(bind) as conn:
        for r in conn.execute(query).mappings():
            out[r["contact_id"]].append(_row(r))
    return out
