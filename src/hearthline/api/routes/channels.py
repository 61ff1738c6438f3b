"""The channel ingress: how telephony adapters and the simulator drive the center.

A caller arrives (on a queue, on a number, or into the menu), is routed after the menu,
hangs up, is dropped by a fault, or asks to be called back. Open to channel-scoped API
tokens and administrators; a token whose user is tied to one client company reaches
only that client's queues.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Path

from hearthline.api.answers import command_result
from hearthline.api.deps import AppContext, ChannelCaller, Ctx
from hearthline.api.errors import ERROR_RESPONSES, ApiError, not_found
from hearthline.api.live import contact_live
from hearthline.api.principal import Principal
from hearthline.api.routes.agent import CONTACT_PATH
from hearthline.api.schemas import (
    CommandResult,
    ContactAccepted,
    ContactIn,
    ContactLive,
    DropIn,
    RouteIn,
    ScheduleIn,
)
from hearthline.api.scope import client_visible
from hearthline.kernel.ids import AgentId, ContactId, CustomerId, QueueId
from hearthline.routing import commands as cmd
from hearthline.service.actions import customers
from hearthline.store.queries import config as config_q
from hearthline.store.queries import customers as customers_q

router = APIRouter(prefix="/api/channels", tags=["channels"], responses=ERROR_RESPONSES)
ContactPath = Annotated[str, Path(pattern=CONTACT_PATH)]
# What the core takes (handlers' ``_new_contact_id``), checked here to answer 422, not 409.
CONTACT_ID_MAX = 200


def _queue_in_scope(ctx: AppContext, me: Principal, queue: str) -> QueueId:
    d = ctx.directory
    client = d.queue_client(queue)
    if client is None or (me.client_id is not None and client != me.client_id):
        raise not_found("queue", queue)
    return QueueId(queue)


def _contact_in_scope(ctx: AppContext, me: Principal, contact: str) -> ContactId:
    if me.client_id is None:
        return ContactId(contact)
    client = ctx.tenancy.client_of_contact(contact)
    # A contact still in the menu is for no client yet: it is this line's when its id is
    # in this line's name space, which only this client's lines can create (below).
    if client is None and contact.startswith(_space(me.client_id)):
        return ContactId(contact)
    if not client_visible(ctx.directory, me, client):
        raise not_found("contact", contact)
    return ContactId(contact)


def _space(client: str) -> str:
    return f"{client}:"


def _new_contact_id(
    ctx: AppContext, me: Principal, chosen: str | None, queue: str | None
) -> ContactId:
    """The id of a new contact. A client's line has its own name space (``acme:<id>``): an
    id another client uses is as free to it as one nobody uses, so the answer cannot tell
    whether another client's contact exists. Ids unchosen are random (unguessable)."""
    ident = chosen or uuid.uuid4().hex
    if me.client_id is not None:
        ident = _space(me.client_id) + ident
        if len(ident) > CONTACT_ID_MAX:
            raise ApiError(
                422,
                "invalid",
                f"contact_id: at most {CONTACT_ID_MAX} characters with the client's prefix",
            )
        return ContactId(ident)
    owner, colon, _ = ident.partition(":")
    clients = set(ctx.directory.campaign_client.values())
    if colon and owner in clients and owner != ctx.directory.queue_client(queue):
        # Else a firm-wide line could take an id a client's line will ask for.
        raise ApiError(
            422,
            "invalid",
            f"contact_id: ids beginning {owner + ':'!r} are for client {owner!r}'s queues",
        )
    return ContactId(ident)


@router.post("/contacts", response_model=ContactAccepted, status_code=201)
async def arrive(body: ContactIn, me: ChannelCaller, ctx: Ctx) -> ContactAccepted:
    """A contact reaches the center. With a queue (or a number mapped to one) it is queued
    at once; otherwise it is in the menu until routed."""
    queue: QueueId | None = None
    if body.queue is not None:
        queue = _queue_in_scope(ctx, me, body.queue)
    elif body.number is not None:
        found = await ctx.db(config_q.numbers, ctx.engine, number=body.number)
        if not found:
            raise not_found("number", body.number)
        mapped = found[0].queue_id
        queue = _queue_in_scope(ctx, me, mapped) if mapped is not None else None
    elif me.client_id is not None:
        raise not_found("queue", "(none given)")
    if body.customer_id is not None:
        await _customer_of(ctx, me, body.customer_id, queue)
    contact = _new_contact_id(ctx, me, body.contact_id, queue)
    command = cmd.ArriveContact(
        contact,
        caller=body.caller,
        customer=CustomerId(body.customer_id) if body.customer_id is not None else None,
        queue=queue,
        priority=body.priority,
        data=tuple(sorted(body.menu.items())),
    )
    if body.customer_id is None:
        stored = await ctx.run(command)
    else:
        stored = await ctx.db(customers.arrive, ctx.writer, command, body.customer_id)
    result = command_result(stored, last_event_id=ctx.writer.last_event_id)
    return ContactAccepted(contact_id=contact, **result.model_dump())


async def _customer_of(ctx: AppContext, me: Principal, customer: str, queue: str | None) -> None:
    """The customer must be a customer of the client whose queue the contact goes to (and
    one the caller may see): another client's is not found, whoever asks."""
    found = await ctx.db(customers_q.one, ctx.engine, customer)
    owner = found.client_id if found is not None else None
    target = ctx.directory.queue_client(queue) if queue is not None else owner
    if owner is None or owner != target or not client_visible(ctx.directory, me, owner):
        raise not_found("customer", customer)


async def _run(ctx: AppContext, command: cmd.Command) -> CommandResult:
    stored = await ctx.run(command)
    return command_result(stored, last_event_id=ctx.writer.last_event_id)


@router.get("/contacts/{contact}", response_model=ContactLive)
async def contact_state(contact: ContactPath, me: ChannelCaller, ctx: Ctx) -> ContactLive:
    """A live contact's state, place in the queue and estimated wait (for announcements)."""
    ident = _contact_in_scope(ctx, me, contact)
    return await ctx.query(lambda r: contact_live(r.contact(ident), r))


@router.post("/contacts/{contact}/route", response_model=CommandResult)
async def route(contact: ContactPath, body: RouteIn, me: ChannelCaller, ctx: Ctx) -> CommandResult:
    """The caller finished the menu: queue them."""
    ident = _contact_in_scope(ctx, me, contact)
    queue = _queue_in_scope(ctx, me, body.queue)
    return await _run(ctx, cmd.RouteContact(ident, queue, body.priority))


@router.post("/contacts/{contact}/hang-up", response_model=CommandResult)
async def hang_up(contact: ContactPath, me: ChannelCaller, ctx: Ctx) -> CommandResult:
    """The caller hung up: abandoned while waiting, or the end of the conversation."""
    return await _run(ctx, cmd.CallerHangUp(_contact_in_scope(ctx, me, contact)))


@router.post("/contacts/{contact}/drop", response_model=CommandResult)
async def drop(contact: ContactPath, body: DropIn, me: ChannelCaller, ctx: Ctx) -> CommandResult:
    """A line or system failure ended the contact (never counted against the agent)."""
    return await _run(ctx, cmd.DropContact(_contact_in_scope(ctx, me, contact), body.side))


@router.post("/contacts/{contact}/callback", response_model=CommandResult)
async def request_callback(contact: ContactPath, me: ChannelCaller, ctx: Ctx) -> CommandResult:
    """A waiting caller asks to be called back; the callback keeps their place."""
    return await _run(ctx, cmd.RequestCallback(_contact_in_scope(ctx, me, contact)))


@router.post("/callbacks", response_model=ContactAccepted, status_code=201)
async def schedule_callback(body: ScheduleIn, me: ChannelCaller, ctx: Ctx) -> ContactAccepted:
    """A callback at a time the customer chose (epoch seconds, UTC)."""
    queue = _queue_in_scope(ctx, me, body.queue)
    if body.customer_id is not None:
        await _customer_of(ctx, me, body.customer_id, queue)
    preferred = body.preferred_agent
    if preferred and ctx.directory.queue_client(queue) not in ctx.directory.agent_clients(
        preferred
    ):
        # An agent who does not work for the queue's client is nobody to prefer here.
        raise not_found("agent", preferred)
    contact = _new_contact_id(ctx, me, body.contact_id, queue)
    command = cmd.ScheduleCallback(
        contact,
        queue,
        body.due_at,
        body.caller,
        customer=CustomerId(body.customer_id) if body.customer_id is not None else None,
        priority=body.priority,
        preferred_agent=AgentId(body.preferred_agent) if body.preferred_agent else None,
    )
    result = await _run(ctx, command)
    return ContactAccepted(contact_id=contact, **result.model_dump())
