"""Supervisors: the floor live, help requests, and taking a hand in agents and contacts."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from hearthline.api.answers import command_result
from hearthline.api.deps import AppContext, Ctx, Staff
from hearthline.api.errors import ERROR_RESPONSES, ApiError, not_found
from hearthline.api.help import help_scope, help_visible, notify_help
from hearthline.api.live import agents_live, contact_live, queues_live
from hearthline.api.principal import Principal
from hearthline.api.routes.agent import ContactPath
from hearthline.api.schemas import (
    IDENT_PATTERN,
    AgentLive,
    AnswerIn,
    CommandResult,
    ContactLive,
    ForceStateIn,
    HelpOut,
    MoveIn,
    OutcomeCorrectionIn,
    PriorityIn,
    QueueLive,
)
from hearthline.api.schemas.common import ROW_ID_MAX
from hearthline.api.scope import (
    access_agent,
    access_contact,
    access_queue,
    agent_visible,
    client_visible,
    live_contact_visible,
)
from hearthline.crm.commands import CorrectOutcome
from hearthline.kernel.ids import AgentId, ContactId, QueueId, ReasonId
from hearthline.routing import commands as cmd
from hearthline.routing.errors import RoutingError
from hearthline.routing.router import Router
from hearthline.service.actions import help as help_actions
from hearthline.store.queries import config as config_q
from hearthline.store.queries import help as help_q

router = APIRouter(prefix="/api/supervisor", tags=["supervisor"], responses=ERROR_RESPONSES)
AgentPath = Annotated[str, Path(pattern=IDENT_PATTERN)]


def visible_agents(ctx: AppContext, me: Principal) -> list[str]:
    d = ctx.directory
    return sorted(a for a in d.agent_campaigns if agent_visible(d, me, a))


def visible_queues(ctx: AppContext, me: Principal) -> list[str]:
    d = ctx.directory
    return sorted(q for q in d.queue_campaign if client_visible(d, me, d.queue_client(q)))


@router.get("/agents", response_model=list[AgentLive])
async def agents(me: Staff, ctx: Ctx) -> list[AgentLive]:
    ids = visible_agents(ctx, me)
    own = live_contact_visible(ctx.tenancy, me)
    live = await ctx.query(lambda r: agents_live(r, ids, own=own))
    known = await ctx.db(config_q.agent_names, ctx.engine)
    for a in live:
        a.name = known.get(a.id, "")
    return live


@router.get("/queues", response_model=list[QueueLive])
async def queues(me: Staff, ctx: Ctx) -> list[QueueLive]:
    ids = visible_queues(ctx, me)
    return await ctx.query(lambda r: queues_live(r, ids))


@router.get("/contacts", response_model=list[ContactLive])
async def contacts(me: Staff, ctx: Ctx) -> list[ContactLive]:
    """Live contacts (waiting, ringing, in a call, in wrap-up) of the visible queues."""
    shown = set(visible_queues(ctx, me))
    firm = me.firm_wide

    def read(r: Router) -> list[ContactLive]:
        return [
            contact_live(v, r)
            for v in r.live_contacts()
            if firm or (v.queue is not None and v.queue in shown)
        ]

    return await ctx.query(read)


def _contact_in_scope(ctx: AppContext, me: Principal, contact: str) -> None:
    if me.firm_wide:
        return
    if not client_visible(ctx.directory, me, ctx.tenancy.client_of_contact(contact)):
        raise not_found("contact", contact)


async def _run(ctx: AppContext, command: cmd.Command) -> CommandResult:
    stored = await ctx.run(command)
    return command_result(stored, last_event_id=ctx.writer.last_event_id)


@router.post("/agents/{agent}/state", response_model=CommandResult)
async def force_state(agent: AgentPath, body: ForceStateIn, me: Staff, ctx: Ctx) -> CommandResult:
    """Makes an agent ready, or not ready with a reason (during a contact: after it)."""
    access_agent(ctx.directory, me, agent)
    if body.state == "ready":
        return await _run(ctx, cmd.MakeReady(AgentId(agent)))
    if body.reason is None:
        raise ApiError(422, "invalid", "a not-ready state needs a reason")
    return await _run(ctx, cmd.MakeNotReady(AgentId(agent), ReasonId(body.reason)))


@router.post("/agents/{agent}/sign-out", response_model=CommandResult)
async def sign_out(agent: AgentPath, me: Staff, ctx: Ctx) -> CommandResult:
    access_agent(ctx.directory, me, agent)
    result = await _run(ctx, cmd.SignOut(AgentId(agent)))
    ctx.presence.forget(agent)
    return result


@router.post("/contacts/{contact}/priority", response_model=CommandResult)
async def reprioritise(
    contact: ContactPath, body: PriorityIn, me: Staff, ctx: Ctx
) -> CommandResult:
    _contact_in_scope(ctx, me, contact)
    return await _run(ctx, cmd.Reprioritise(ContactId(contact), body.priority))


@router.post("/contacts/{contact}/move", response_model=CommandResult)
async def move(contact: ContactPath, body: MoveIn, me: Staff, ctx: Ctx) -> CommandResult:
    """Moves a waiting contact to another queue; it keeps the time it has waited."""
    _contact_in_scope(ctx, me, contact)
    access_queue(ctx.directory, me, body.queue)
    try:
        return await _run(ctx, cmd.MoveContact(ContactId(contact), QueueId(body.queue)))
    except RoutingError:
        if ctx.tenancy.client_of_contact(contact) is None and not me.firm_wide:
            raise not_found("contact", contact) from None
        raise


@router.post("/contacts/{contact}/outcome", response_model=CommandResult)
async def correct_outcome(
    contact: ContactPath, body: OutcomeCorrectionIn, me: Staff, ctx: Ctx
) -> CommandResult:
    """Corrects a finished contact's outcome, with the reason (the customer returned what
    they bought: a sale becomes no sale). Both outcomes stay in the contact's history;
    the agent's bonus, the reports and the statement follow the correction."""
    # From the log: a contact ended long ago is still its client's.
    await ctx.db(access_contact, ctx.engine, me, contact)
    command = CorrectOutcome(contact, body.disposition, body.reason, me.username)
    stored = await ctx.run(command)
    return command_result(stored, last_event_id=ctx.writer.last_event_id)


@router.get("/help", response_model=list[HelpOut])
async def help_requests(
    me: Staff,
    ctx: Ctx,
    open_only: Annotated[bool, Query()] = True,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[HelpOut]:
    """Help requests in the caller's scope, newest first (api/help.py says whose)."""
    agents, client = help_scope(ctx.directory, me)
    rows = await ctx.db(
        help_q.newest, ctx.engine, limit=limit, open_only=open_only, agents=agents, client=client
    )
    return [HelpOut.model_validate(r, from_attributes=True) for r in rows]


@router.get("/agents/{agent}/help", response_model=list[HelpOut])
async def agent_help_history(
    agent: AgentPath,
    me: Staff,
    ctx: Ctx,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    before_id: Annotated[int | None, Query(ge=1, le=2**31)] = None,
) -> list[HelpOut]:
    """An agent's help requests, answered or not, newest first; page back with
    ``before_id``. An agent the caller may not see is not found."""
    access_agent(ctx.directory, me, agent)
    rows = await ctx.db(
        help_q.newest,
        ctx.engine,
        limit=limit,
        agents=[agent],
        before_id=before_id,
        client=None if me.firm_wide else me.client_id,
    )
    return [HelpOut.model_validate(r, from_attributes=True) for r in rows]


@router.post("/help/{request_id}/answer", response_model=HelpOut)
async def answer_help(
    request_id: Annotated[int, Path(ge=1, le=ROW_ID_MAX)], body: AnswerIn, me: Staff, ctx: Ctx
) -> HelpOut:
    """Answers a help request; the agent gets the answer on their stream."""
    row = await ctx.db(
        help_actions.answer,
        ctx.engine,
        at=ctx.now(),
        request=request_id,
        text=body.text,
        by=me.username,
        visible=lambda row: help_visible(ctx.directory, me, row),
    )
    out = HelpOut.model_validate(row, from_attributes=True)
    notify_help(ctx.hub, out)
    return out
