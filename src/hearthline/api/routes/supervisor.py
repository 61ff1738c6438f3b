"""Supervisors: the floor live, help requests, and taking a hand in agents and contacts."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from sqlalchemy import select, update

from hearthline.api.deps import Services, Staff, Svc
from hearthline.api.errors import ERROR_RESPONSES, ApiError, not_found
from hearthline.api.principal import Principal
from hearthline.api.results import command_result
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
    PriorityIn,
    QueueLive,
)
from hearthline.api.scope import access_agent, access_queue, agent_visible, client_visible
from hearthline.api.views import agent_names, agents_live, contact_live, queues_live
from hearthline.routing import commands as cmd
from hearthline.routing.errors import RoutingError
from hearthline.routing.ids import AgentId, ContactId, QueueId, ReasonId
from hearthline.routing.router import Router
from hearthline.store import schema as t

router = APIRouter(prefix="/api/supervisor", tags=["supervisor"], responses=ERROR_RESPONSES)
AgentPath = Annotated[str, Path(pattern=IDENT_PATTERN)]


def visible_agents(svc: Services, me: Principal) -> list[str]:
    d = svc.directory
    return sorted(a for a in d.agent_campaigns if agent_visible(d, me, a))


def visible_queues(svc: Services, me: Principal) -> list[str]:
    d = svc.directory
    return sorted(q for q in d.queue_campaign if client_visible(d, me, d.queue_client(q)))


@router.get("/agents", response_model=list[AgentLive])
async def agents(me: Staff, svc: Svc) -> list[AgentLive]:
    ids = visible_agents(svc, me)
    live = await svc.query(lambda r: agents_live(r, ids))

    def names() -> dict[str, str]:
        with svc.engine.connect() as conn:
            return agent_names(conn)

    known = await svc.db(names)
    for a in live:
        a.name = known.get(a.id, "")
    return live


@router.get("/queues", response_model=list[QueueLive])
async def queues(me: Staff, svc: Svc) -> list[QueueLive]:
    ids = visible_queues(svc, me)
    return await svc.query(lambda r: queues_live(r, ids))


@router.get("/contacts", response_model=list[ContactLive])
async def contacts(me: Staff, svc: Svc) -> list[ContactLive]:
    """Live contacts (waiting, ringing, in a call, in wrap-up) of the visible queues."""
    shown = set(visible_queues(svc, me))
    firm = me.firm_wide

    def read(r: Router) -> list[ContactLive]:
        return [
            contact_live(v, r)
            for v in r.live_contacts()
            if firm or (v.queue is not None and v.queue in shown)
        ]

    return await svc.query(read)


def _contact_in_scope(svc: Services, me: Principal, contact: str) -> None:
    if me.firm_wide:
        return
    if not client_visible(svc.directory, me, svc.hub.client_of_contact(contact)):
        raise not_found("contact", contact)


async def _run(svc: Services, command: cmd.Command) -> CommandResult:
    stored = await svc.run(command)
    return command_result(stored, last_event_id=svc.center.last_event_id)


@router.post("/agents/{agent}/state", response_model=CommandResult)
async def force_state(agent: AgentPath, body: ForceStateIn, me: Staff, svc: Svc) -> CommandResult:
    """Makes an agent ready, or not ready with a reason (during a contact: after it)."""
    access_agent(svc.directory, me, agent)
    if body.state == "ready":
        return await _run(svc, cmd.MakeReady(AgentId(agent)))
    if body.reason is None:
        raise ApiError(422, "invalid", "a not-ready state needs a reason")
    return await _run(svc, cmd.MakeNotReady(AgentId(agent), ReasonId(body.reason)))


@router.post("/agents/{agent}/sign-out", response_model=CommandResult)
async def sign_out(agent: AgentPath, me: Staff, svc: Svc) -> CommandResult:
    access_agent(svc.directory, me, agent)
    result = await _run(svc, cmd.SignOut(AgentId(agent)))
    svc.presence.forget(agent)
    return result


@router.post("/contacts/{contact}/priority", response_model=CommandResult)
async def reprioritise(
    contact: ContactPath, body: PriorityIn, me: Staff, svc: Svc
) -> CommandResult:
    _contact_in_scope(svc, me, contact)
    return await _run(svc, cmd.Reprioritise(ContactId(contact), body.priority))


@router.post("/contacts/{contact}/move", response_model=CommandResult)
async def move(contact: ContactPath, body: MoveIn, me: Staff, svc: Svc) -> CommandResult:
    """Moves a waiting contact to another queue; it keeps the time it has waited."""
    _contact_in_scope(svc, me, contact)
    access_queue(svc.directory, me, body.queue)
    try:
        return await _run(svc, cmd.MoveContact(ContactId(contact), QueueId(body.queue)))
    except RoutingError:
        if svc.hub.client_of_contact(contact) is None and not me.firm_wide:
            raise not_found("contact", contact) from None
        raise


def _help_visible(svc: Services, me: Principal, agent: str) -> bool:
    return me.firm_wide or agent_visible(svc.directory, me, agent)


@router.get("/help", response_model=list[HelpOut])
async def help_requests(
    me: Staff,
    svc: Svc,
    open_only: Annotated[bool, Query()] = True,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[HelpOut]:
    def read() -> list[HelpOut]:
        h = t.help_requests
        query = select(h).order_by(h.c.id.desc()).limit(limit)
        if open_only:
            query = query.where(h.c.open.is_(True))
        with svc.engine.connect() as conn:
            rows = list(conn.execute(query).mappings())
        return [HelpOut.model_validate(r) for r in rows if _help_visible(svc, me, r["agent_id"])]

    return await svc.db(read)


@router.post("/help/{request_id}/answer", response_model=HelpOut)
async def answer_help(
    request_id: Annotated[int, Path(ge=1, le=2**31)], body: AnswerIn, me: Staff, svc: Svc
) -> HelpOut:
    """Answers a help request; the agent gets the answer on their stream."""
    now = svc.now()

    def write() -> HelpOut | None:
        h = t.help_requests
        with svc.engine.begin() as conn:
            row = conn.execute(select(h).where(h.c.id == request_id)).mappings().first()
            if row is None or not _help_visible(svc, me, row["agent_id"]):
                return None
            conn.execute(
                update(h)
                .where(h.c.id == request_id)
                .values(answer=body.text, answered_by=me.username, answered_at=now, open=False)
            )
            row = conn.execute(select(h).where(h.c.id == request_id)).mappings().one()
        return HelpOut.model_validate(row)

    out = await svc.db(write)
    if out is None:
        raise not_found("help request", request_id)
    svc.hub.notify({"type": "help", "request": out.model_dump()}, agent=out.agent_id, client=None)
    return out
