"""Customers of the client companies and the contacts linked to them, as stored."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import RowMapping, or_, select

from hearthline.store import tables as t
from hearthline.store.queries.bind import Bind, connected


@dataclass(frozen=True, slots=True)
class CustomerRow:
    id: str
    client_id: str
    name: str
    phone: str
    email: str
    created_at: float


def _row(r: RowMapping) -> CustomerRow:
    return CustomerRow(**{name: r[name] for name in CustomerRow.__dataclass_fields__})


def one(bind: Bind, customer: str) -> CustomerRow | None:
    c = t.customers
    with connected(bind) as conn:
        row = conn.execute(select(c).where(c.c.id == customer)).mappings().first()
    return _row(row) if row is not None else None


def account(bind: Bind, *, client: str, number: str) -> str | None:
    """The customer whose account number (their id in the client's records) was keyed in
    a menu, or None: another client's customer is nobody here."""
    row = one(bind, number)
    return row.id if row is not None and row.client_id == client else None


@dataclass(frozen=True, slots=True)
class OrderRow:
    client_id: str
    number: str
    customer_id: str
    created_at: float


def order(bind: Bind, *, client: str, number: str) -> str | None:
    """The customer whose order number was keyed in a menu, or None: another client's
    order is nobody's here."""
    o = t.orders
    with connected(bind) as conn:
        found = conn.execute(
            select(o.c.customer_id).where(o.c.client_id == client, o.c.number == number)
        ).scalar()
    return str(found) if found is not None else None


def orders_of(bind: Bind, customer: str) -> list[OrderRow]:
    o = t.orders
    with connected(bind) as conn:
        rows = conn.execute(
            select(o).where(o.c.customer_id == customer).order_by(o.c.number)
        ).mappings()
        return [OrderRow(**{k: r[k] for k in OrderRow.__dataclass_fields__}) for r in rows]


def search(
    bind: Bind,
    *,
    limit: int,
    clients: Collection[str] | None = None,
    client: str | None = None,
    phone: str | None = None,
    contact: str | None = None,
    text: str | None = None,
) -> list[CustomerRow]:
    """By name: of ``clients`` (None: all), with every other criterion given."""
    c = t.customers
    query = select(c).order_by(c.c.name, c.c.id).limit(limit)
    if clients is not None:
        query = query.where(c.c.client_id.in_(sorted(clients)))
    if client is not None:
        query = query.where(c.c.client_id == client)
    if phone is not None:
        query = query.where(c.c.phone == phone)
    if contact is not None:
        cc = t.customer_contacts
        linked = select(cc.c.customer_id).where(cc.c.contact_id == contact)
        query = query.where(c.c.id.in_(linked.scalar_subquery()))
    if text is not None:
        like = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(
            or_(c.c.name.ilike(like, escape="\\"), c.c.phone.like(like, escape="\\"))
        )
    with connected(bind) as conn:
        return [_row(r) for r in conn.execute(query).mappings()]


def linked_contacts(bind: Bind, customer: str, *, limit: int) -> list[str]:
    """The ids of the customer's contacts, the newest link first."""
    cc = t.customer_contacts
    query = (
        select(cc.c.contact_id)
        .where(cc.c.customer_id == customer)
        .order_by(cc.c.linked_at.desc())
        .limit(limit)
    )
    with connected(bind) as conn:
        return [str(c) for c in conn.execute(query).scalars()]


def linked_customer(bind: Bind, contact: str) -> str | None:
    """The customer the contact is linked to, if any."""
    cc = t.customer_contacts
    with connected(bind) as conn:
        found: str | None = conn.execute(
            select(cc.c.customer_id).where(cc.c.contact_id == contact)
        ).scalar_one_or_none()
    return found
