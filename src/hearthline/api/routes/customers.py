"""Customers of the client companies: look-up by caller id, search, create, link a
contact, and the history of a customer's contacts. Scoped by client company."""

from __future__ import annotations

import re
import uuid
from typing import Annotated

from fastapi import APIRouter, Path, Query
from sqlalchemy import Connection, insert, or_, select
from sqlalchemy.exc import IntegrityError

from hearthline.api import admin_store
from hearthline.api.deps import Ctx, Person
from hearthline.api.directory import Directory
from hearthline.api.errors import ERROR_RESPONSES, conflict, forbidden, not_found
from hearthline.api.history import record
from hearthline.api.principal import Principal, Role
from hearthline.api.schemas import (
    CONTACT_PATTERN,
    IDENT_PATTERN,
    ContactRecord,
    CustomerIn,
    CustomerOut,
    LinkIn,
)
from hearthline.api.scope import access_contact, client_visible, visible_clients
from hearthline.kernel.text import text_problem
from hearthline.store import tables as s
from hearthline.store import tables as t
from hearthline.store.log import events_of_contact

router = APIRouter(prefix="/api/customers", tags=["customers"], responses=ERROR_RESPONSES)
CustomerPath = Annotated[str, Path(pattern=IDENT_PATTERN)]


def normalise_phone(raw: str) -> str:
    """'+33 (6) 12-34' -> '+3361234': what caller ids are compared on."""
    digits = re.sub(r"\D", "", raw)
    return ("+" + digits) if raw.strip().startswith("+") and digits else digits


def _out(row: object) -> CustomerOut:
    return CustomerOut.model_validate(row)


def _fetch(conn: Connection, me: Principal, d: Directory, customer: str) -> CustomerOut:
    row = conn.execute(select(t.customers).where(t.customers.c.id == customer)).mappings().first()
    if row is None or not client_visible(d, me, row["client_id"]):
        raise not_found("customer", customer)
    return _out(row)


@router.get("", response_model=list[CustomerOut])
async def search(
    me: Person,
    ctx: Ctx,
    phone: Annotated[str | None, Query(max_length=64)] = None,
    q: Annotated[str | None, Query(min_length=1, max_length=100)] = None,
    client_id: Annotated[str | None, Query(pattern=IDENT_PATTERN)] = None,
    contact_id: Annotated[str | None, Query(pattern=CONTACT_PATTERN)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[CustomerOut]:
    """By caller id (``phone``: exact, as normalised), by part of a name or number, or the
    customer a contact is linked to (``contact_id``: none or one)."""
    clients = visible_clients(ctx.directory, me)
    c = t.customers
    query = select(c).order_by(c.c.name, c.c.id).limit(limit)
    if clients is not None:
        query = query.where(c.c.client_id.in_(sorted(clients)))
    if client_id is not None:
        query = query.where(c.c.client_id == client_id)
    if phone is not None:
        query = query.where(c.c.phone == normalise_phone(phone))
    if contact_id is not None:
        cc = t.customer_contacts
        linked = select(cc.c.customer_id).where(cc.c.contact_id == contact_id)
        query = query.where(c.c.id.in_(linked.scalar_subquery()))
    if q is not None:
        if text_problem(q) is not None:
            return []  # a name no customer can have
        like = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(
            or_(c.c.name.ilike(like, escape="\\"), c.c.phone.like(like, escape="\\"))
        )

    def read() -> list[CustomerOut]:
        with ctx.engine.connect() as conn:
            return [_out(r) for r in conn.execute(query).mappings()]

    return await ctx.db(read)


@router.post("", response_model=CustomerOut, status_code=201)
async def create(body: CustomerIn, me: Person, ctx: Ctx) -> CustomerOut:
    if me.role is Role.CLIENT_VIEWER:
        raise forbidden("client viewers read customers; agents and supervisors create them")
    if not client_visible(ctx.directory, me, body.client_id):
        raise not_found("client", body.client_id)
    now = ctx.now()
    row = {
        "id": uuid.uuid4().hex,
        "client_id": body.client_id,
        "name": body.name,
        "phone": normalise_phone(body.phone),
        "email": body.email,
        "created_at": now,
    }

    def write() -> CustomerOut:
        with ctx.engine.begin() as conn:
            if not admin_store.client_exists(conn, body.client_id):
                raise not_found("client", body.client_id)
            conn.execute(insert(t.customers).values(**row))
        return CustomerOut.model_validate(row)

    return await ctx.db(write)


@router.get("/{customer_id}", response_model=CustomerOut)
async def get(customer_id: CustomerPath, me: Person, ctx: Ctx) -> CustomerOut:
    def read() -> CustomerOut:
        with ctx.engine.connect() as conn:
            return _fetch(conn, me, ctx.directory, customer_id)

    return await ctx.db(read)


@router.get("/{customer_id}/contacts", response_model=list[ContactRecord])
async def history(
    customer_id: CustomerPath,
    me: Person,
    ctx: Ctx,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> list[ContactRecord]:
    """The customer's contacts, newest first, with outcomes and notes."""

    def read() -> list[ContactRecord]:
        cc = t.customer_contacts
        with ctx.engine.connect() as conn:
            _fetch(conn, me, ctx.directory, customer_id)
            ids = conn.execute(
                select(cc.c.contact_id)
                .where(cc.c.customer_id == customer_id)
                .order_by(cc.c.linked_at.desc())
                .limit(limit)
            ).scalars()
            return [record(c, events_of_contact(conn, c)) for c in ids]

    return await ctx.db(read)


@router.post("/{customer_id}/contacts", response_model=ContactRecord, status_code=201)
async def link(customer_id: CustomerPath, body: LinkIn, me: Person, ctx: Ctx) -> ContactRecord:
    """Links a contact to the customer (the agent found who called)."""
    if me.role is Role.CLIENT_VIEWER:
        raise forbidden("client viewers cannot link contacts")
    now = ctx.now()

    def write() -> ContactRecord:
        access_contact(ctx.engine, me, body.contact_id)
        with ctx.engine.begin() as conn:
            customer = _fetch(conn, me, ctx.directory, customer_id)
            stored = events_of_contact(conn, body.contact_id)
            if not _logged_client(conn, body.contact_id, customer.client_id):
                raise conflict("the contact belongs to another client company than the customer")
            conn.execute(
                insert(t.customer_contacts).values(
                    contact_id=body.contact_id, customer_id=customer_id, linked_at=now
                )
            )
        return record(body.contact_id, stored)

    try:
        return await ctx.db(write)
    except IntegrityError:
        raise conflict(f"contact {body.contact_id!r} is linked to a customer already") from None


def _logged_client(conn: Connection, contact: str, client: str) -> bool:
    e = s.events
    row = conn.execute(
        select(e.c.id).where(e.c.contact_id == contact, e.c.client_id == client).limit(1)
    ).first()
    return row is not None
