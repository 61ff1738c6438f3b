"""Customers of the client companies: look-up by caller id, search, create, link a
contact, and the history of a customer's contacts. Scoped by client company."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Path, Query

from hearthline.api.deps import Ctx, Person
from hearthline.api.errors import ERROR_RESPONSES, forbidden, not_found
from hearthline.api.history import record, with_help
from hearthline.api.principal import Role
from hearthline.api.schemas import (
    CONTACT_PATTERN,
    IDENT_PATTERN,
    ContactRecord,
    CustomerIn,
    CustomerOut,
    LinkIn,
)
from hearthline.api.schemas.customers import OrderOut, OrdersIn
from hearthline.api.scope import access_contact, client_visible, visible_clients
from hearthline.kernel.text import text_problem
from hearthline.service.actions import customers as actions
from hearthline.service.domains import CODEC
from hearthline.store.queries import customers as queries
from hearthline.store.queries import history as history_q

router = APIRouter(prefix="/api/customers", tags=["customers"], responses=ERROR_RESPONSES)
CustomerPath = Annotated[str, Path(pattern=IDENT_PATTERN)]


def normalise_phone(raw: str) -> str:
    """'+33 (6) 12-34' -> '+3361234': what caller ids are compared on."""
    digits = re.sub(r"\D", "", raw)
    return ("+" + digits) if raw.strip().startswith("+") and digits else digits


def _out(row: object) -> CustomerOut:
    return CustomerOut.model_validate(row, from_attributes=True)


async def _visible(ctx: Ctx, me: Person, customer: str) -> CustomerOut:
    row = await ctx.db(queries.one, ctx.engine, customer)
    if row is None or not client_visible(ctx.directory, me, row.client_id):
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
    if q is not None and text_problem(q) is not None:
        return []  # a name no customer can have
    rows = await ctx.db(
        queries.search,
        ctx.engine,
        limit=limit,
        clients=visible_clients(ctx.directory, me),
        client=client_id,
        phone=normalise_phone(phone) if phone is not None else None,
        contact=contact_id,
        text=q,
    )
    return [_out(r) for r in rows]


@router.post("", response_model=CustomerOut, status_code=201)
async def create(body: CustomerIn, me: Person, ctx: Ctx) -> CustomerOut:
    if me.role is Role.CLIENT_VIEWER:
        raise forbidden("client viewers read customers; agents and supervisors create them")
    if not client_visible(ctx.directory, me, body.client_id):
        raise not_found("client", body.client_id)
    row = await ctx.db(
        actions.create,
        ctx.engine,
        at=ctx.now(),
        client=body.client_id,
        name=body.name,
        phone=normalise_phone(body.phone),
        email=body.email,
    )
    return _out(row)


@router.get("/{customer_id}", response_model=CustomerOut)
async def get(customer_id: CustomerPath, me: Person, ctx: Ctx) -> CustomerOut:
    return await _visible(ctx, me, customer_id)


@router.get("/{customer_id}/contacts", response_model=list[ContactRecord])
async def history(
    customer_id: CustomerPath,
    me: Person,
    ctx: Ctx,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> list[ContactRecord]:
    """The customer's contacts, newest first, with outcomes and notes."""
    await _visible(ctx, me, customer_id)
    ids = await ctx.db(queries.linked_contacts, ctx.engine, customer_id, limit=limit)
    found = await ctx.db(history_q.contacts_events, ctx.engine, CODEC, ids)
    records = [record(contact, stored) for contact, stored in found]
    return await ctx.db(with_help, ctx.engine, records)


@router.post("/{customer_id}/contacts", response_model=ContactRecord, status_code=201)
async def link(customer_id: CustomerPath, body: LinkIn, me: Person, ctx: Ctx) -> ContactRecord:
    """Links a contact to the customer (the agent found who called)."""
    if me.role is Role.CLIENT_VIEWER:
        raise forbidden("client viewers cannot link contacts")
    await ctx.db(access_contact, ctx.engine, me, body.contact_id)
    stored = await ctx.db(
        actions.link,
        ctx.engine,
        at=ctx.now(),
        customer=customer_id,
        contact=body.contact_id,
        visible=lambda client: client_visible(ctx.directory, me, client),
    )
    return record(body.contact_id, stored)


@router.get("/{customer_id}/orders", response_model=list[OrderOut])
async def orders(customer_id: CustomerPath, me: Person, ctx: Ctx) -> list[OrderOut]:
    """The customer's order numbers (a caller keying one in a menu is identified)."""
    await _visible(ctx, me, customer_id)
    rows = await ctx.db(queries.orders_of, ctx.engine, customer_id)
    return [OrderOut.model_validate(r, from_attributes=True) for r in rows]


@router.post("/{customer_id}/orders", response_model=list[OrderOut], status_code=201)
async def add_orders(
    customer_id: CustomerPath, body: OrdersIn, me: Person, ctx: Ctx
) -> list[OrderOut]:
    """Gives the customer order numbers in their client's records (imported from the
    shop, or created by hand); one another customer has is refused by name (409)."""
    if me.role is Role.CLIENT_VIEWER:
        raise forbidden("client viewers read orders; agents and supervisors add them")
    await _visible(ctx, me, customer_id)
    await ctx.db(
        actions.add_orders, ctx.engine, at=ctx.now(), customer=customer_id, numbers=body.numbers
    )
    return await orders(customer_id, me, ctx)
