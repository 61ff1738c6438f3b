"""The agent's own desk: state, offers, the contact in hand, notes, help, the day so far.

Every action applies to the signed-in agent; there is no agent id in these paths, so an
agent cannot act for anyone else.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from hearthline.api.acknowledgement import require_acknowledged
from hearthline.api.answers import command_result
from hearthline.api.deps import AgentCaller, AppContext, Ctx
from hearthline.api.errors import ERROR_RESPONSES, ApiError, conflict, forbidden, not_found
from hearthline.api.help import notify_help
from hearthline.api.history import earlier_legs
from hearthline.api.live import agent_live, contact_or_none
from hearthline.api.myday import LiveRows, day_start, my_day
from hearthline.api.principal import Principal
from hearthline.api.schemas import (
    AgentDesk,
    CommandResult,
    ConsultIn,
    ContactLive,
    DeskConsult,
    DraftIn,
    EarlierLeg,
    FinishIn,
    HelpIn,
    HelpOut,
    MyDayOut,
    NotReadyIn,
    SignInIn,
    TransferAgent,
    TransferIn,
    TransferQueue,
    TransferTargets,
)
from hearthline.api.scope import access_contact, contact_visible
from hearthline.api.wire import forms_out
from hearthline.crm.commands import DraftNote, FinishNote
from hearthline.crm.errors import CrmError
from hearthline.kernel.ids import AgentId, ContactId, QueueId, ReasonId
from hearthline.reports.domain import LiveReports
from hearthline.routing import commands as cmd
from hearthline.routing.errors import RoutingError, UnknownEntity
from hearthline.routing.router import Router
from hearthline.routing.states import AgentState
from hearthline.routing.views import AgentView, QueueView
from hearthline.service.actions import help as help_actions
from hearthline.service.state import LiveState
from hearthline.store.queries import config as config_q
from hearthline.store.queries import help as help_q

router = APIRouter(prefix="/api/agent", tags=["agent"], responses=ERROR_RESPONSES)

# Ids of live contacts: what a channel gave, or a callback's '<id>~cb'.
CONTACT_PATH = r"^[A-Za-z0-9][A-Za-z0-9._:@+~-]{0,199}$"
ContactPath = Annotated[str, Path(pattern=CONTACT_PATH)]


def _me(p: Principal) -> AgentId:
    if p.agent_id is None:
        raise forbidden("this user is not linked to an agent")
    return AgentId(p.agent_id)


async def _run(ctx: AppContext, command: cmd.Command) -> CommandResult:
    stored = await ctx.run(command)
    return command_result(stored, last_event_id=ctx.writer.last_event_id)


async def _on_contact(
    ctx: AppContext, who: Principal, contact: str, command: object
) -> CommandResult:
    """Runs a command about one of the agent's contacts; someone else's is not found."""
    try:
        stored = await ctx.run(command)
    except (RoutingError, CrmError):
        # Refused: say why only to the agent who has (or had) the contact; to anyone else
        # it does not exist. Checked after the fact, so the common path costs nothing.
        if not ctx.tenancy.had_contact(contact, _me(who)) and not await ctx.db(
            contact_visible, ctx.engine, who, contact
        ):
            raise not_found("contact of yours", contact) from None
        raise
    return command_result(stored, last_event_id=ctx.writer.last_event_id)


@router.get("/desk", response_model=AgentDesk)
async def desk(me: AgentCaller, ctx: Ctx) -> AgentDesk:
    """The agent's state, the contact in hand (or ringing) and its campaign's form."""
    agent = _me(me)

    def read(r: Router) -> AgentDesk:
        view = r.agent(agent)
        return AgentDesk(
            agent=agent_live(view, me.display_name),
            contact=contact_or_none(r, view.contact),
            campaign_id=None,
            forms=None,
            # Read on the writer thread after its batch: the log position of this view.
            as_of=ctx.writer.last_event_id,
        )

    try:
        out = await ctx.query(read)
    except UnknownEntity:
        raise not_found("agent", agent) from None
    out.consult = await _desk_consult(ctx, agent, out.contact)
    queue = out.contact.queue if out.contact is not None else None
    campaign = ctx.directory.queue_campaign.get(queue) if queue is not None else None
    if campaign is not None:
        out.campaign_id = campaign
        out.forms = forms_out(await ctx.db(config_q.forms, ctx.engine, campaign))
    return out


async def _desk_consult(
    ctx: AppContext, agent: str, contact: ContactLive | None
) -> DeskConsult | None:
    """The consult the agent is in, from the contact's view: theirs to hand over or take
    back, or a colleague's they were asked to talk about."""
    if contact is None or contact.consultant is None or contact.agent is None:
        return None
    asked = contact.consultant != agent
    other = contact.consultant if asked else contact.agent
    names = {str(p.id): p.name for p in await ctx.db(config_q.agents, ctx.engine)}
    return DeskConsult(
        contact=contact.id,
        role="asked" if asked else "consulted",
        other=other,
        other_name=names.get(other) or other,
        accepted=contact.consult_accepted,
    )


@router.post("/sign-in", response_model=CommandResult)
async def sign_in(me: AgentCaller, ctx: Ctx, body: SignInIn | None = None) -> CommandResult:
    """Signs in, not ready (or ready at once with ``{"ready": true}``)."""
    agent = _me(me)
    ready = body.ready if body is not None else False
    if ready:
        await require_acknowledged(ctx, agent)
    result = await _run(ctx, cmd.SignIn(agent, ready=ready))
    ctx.presence.watch(agent)
    return result


@router.post("/sign-out", response_model=CommandResult)
async def sign_out(me: AgentCaller, ctx: Ctx) -> CommandResult:
    agent = _me(me)
    result = await _run(ctx, cmd.SignOut(agent))
    ctx.presence.forget(agent)
    return result


@router.post("/ready", response_model=CommandResult)
async def ready(me: AgentCaller, ctx: Ctx) -> CommandResult:
    """Available for contacts (from not ready, or ending the wrap-up). Refused (409) while
    mandatory bulletins wait, if the firm requires them acknowledged first."""
    await require_acknowledged(ctx, _me(me))
    return await _run(ctx, cmd.MakeReady(_me(me)))


@router.post("/not-ready", response_model=CommandResult)
async def not_ready(body: NotReadyIn, me: AgentCaller, ctx: Ctx) -> CommandResult:
    """Not ready with a reason; during a contact, from the end of its wrap-up. While an
    offer rings, at once (the offer goes back, not declined), or with ``after_contact``
    once the offered contact is over."""
    return await _run(
        ctx, cmd.MakeNotReady(_me(me), ReasonId(body.reason), after_contact=body.after_contact)
    )


@router.post("/wrap-up/finish", response_model=CommandResult)
async def finish_wrap_up(me: AgentCaller, ctx: Ctx) -> CommandResult:
    return await _run(ctx, cmd.FinishWrapUp(_me(me)))


@router.post("/offers/{contact}/accept", response_model=CommandResult)
async def accept(contact: ContactPath, me: AgentCaller, ctx: Ctx) -> CommandResult:
    agent = _me(me)
    return await _on_contact(ctx, me, contact, cmd.AcceptOffer(agent, ContactId(contact)))


@router.post("/offers/{contact}/decline", response_model=CommandResult)
async def decline(contact: ContactPath, me: AgentCaller, ctx: Ctx) -> CommandResult:
    agent = _me(me)
    return await _on_contact(ctx, me, contact, cmd.DeclineOffer(agent, ContactId(contact)))


@router.post("/contacts/{contact}/hold", response_model=CommandResult)
async def hold(contact: ContactPath, me: AgentCaller, ctx: Ctx) -> CommandResult:
    agent = _me(me)
    return await _on_contact(ctx, me, contact, cmd.HoldContact(agent, ContactId(contact)))


@router.post("/contacts/{contact}/resume", response_model=CommandResult)
async def resume(contact: ContactPath, me: AgentCaller, ctx: Ctx) -> CommandResult:
    agent = _me(me)
    return await _on_contact(ctx, me, contact, cmd.ResumeContact(agent, ContactId(contact)))


@router.post("/contacts/{contact}/transfer", response_model=CommandResult)
async def transfer(
    contact: ContactPath, body: TransferIn, me: AgentCaller, ctx: Ctx
) -> CommandResult:
    """To a queue, to a named agent (rung first), or both."""
    agent = _me(me)
    d = ctx.directory
    if body.queue is not None and body.queue not in d.queue_campaign:
        raise not_found("queue", body.queue)
    # A transfer stays within the contact's client company: its queues, its agents.
    client = ctx.tenancy.client_of_contact(contact)
    if client is not None and ctx.tenancy.had_contact(contact, agent):
        if body.queue is not None and d.queue_client(body.queue) != client:
            raise conflict(f"queue {body.queue!r} serves another client company than the contact")
        if body.agent is not None and client not in d.agent_clients(body.agent):
            raise conflict(f"agent {body.agent!r} does not work for the contact's client company")
    command = cmd.TransferContact(
        agent,
        ContactId(contact),
        to_queue=QueueId(body.queue) if body.queue is not None else None,
        to_agent=AgentId(body.agent) if body.agent is not None else None,
    )
    return await _on_contact(ctx, me, contact, command)


@router.post("/contacts/{contact}/consult", response_model=CommandResult)
async def consult(
    contact: ContactPath, body: ConsultIn, me: AgentCaller, ctx: Ctx
) -> CommandResult:
    """A consult transfer: the caller is held and ``agent``'s desk rings; once they accept,
    the two talk, then the contact is handed over or the caller taken back. The colleague
    must be ready and free, and work for the contact's client company."""
    agent = _me(me)
    if body.agent not in ctx.directory.agent_campaigns:
        raise not_found("agent", body.agent)
    client = ctx.tenancy.client_of_contact(contact)
    if (
        client is not None
        and ctx.tenancy.had_contact(contact, agent)
        and body.agent not in ctx.directory.agents_of(client)
    ):
        raise conflict(f"agent {body.agent!r} does not work for the contact's client company")
    command = cmd.StartConsult(agent, ContactId(contact), AgentId(body.agent))
    return await _on_contact(ctx, me, contact, command)


@router.post("/contacts/{contact}/consult/accept", response_model=CommandResult)
async def accept_consult(contact: ContactPath, me: AgentCaller, ctx: Ctx) -> CommandResult:
    """The consulted agent takes the consult: they and the asker talk, the caller held."""
    return await _on_contact(ctx, me, contact, cmd.AcceptConsult(_me(me), ContactId(contact)))


@router.post("/contacts/{contact}/consult/decline", response_model=CommandResult)
async def decline_consult(contact: ContactPath, me: AgentCaller, ctx: Ctx) -> CommandResult:
    return await _on_contact(ctx, me, contact, cmd.DeclineConsult(_me(me), ContactId(contact)))


@router.post("/contacts/{contact}/consult/hand-over", response_model=CommandResult)
async def hand_over(contact: ContactPath, me: AgentCaller, ctx: Ctx) -> CommandResult:
    """The asker gives the consulted agent the contact; the asker's wrap-up begins."""
    agent = _me(me)
    return await _on_contact(ctx, me, contact, cmd.HandOverContact(agent, ContactId(contact)))


@router.post("/contacts/{contact}/consult/end", response_model=CommandResult)
async def end_consult(contact: ContactPath, me: AgentCaller, ctx: Ctx) -> CommandResult:
    """Either agent ends the consult (a return): the caller is back with the asker."""
    return await _on_contact(ctx, me, contact, cmd.EndConsult(_me(me), ContactId(contact)))


@router.get("/transfer-targets", response_model=TransferTargets)
async def transfer_targets(
    me: AgentCaller,
    ctx: Ctx,
    contact: Annotated[str | None, Query(pattern=CONTACT_PATH)] = None,
) -> TransferTargets:
    """Who and where the contact in hand may be transferred to: the agents of its client
    company (state, skills, free now) and that client's queues with their waiting counts.
    A transfer never leaves the contact's client, so nobody else is listed."""
    agent = _me(me)
    d = ctx.directory

    def read(r: Router) -> tuple[str | None, str | None, dict[str, AgentView], list[QueueView]]:
        mine = r.agent(agent).contact
        if mine is None or (contact is not None and contact != mine):
            return mine, None, {}, []
        client = ctx.tenancy.client_of_contact(mine) or d.queue_client(r.contact(mine).queue)
        if client is None:
            return mine, None, {}, []
        agents = {}
        for a in d.agents_of(client):
            if a != agent and a in r.agent_ids():
                agents[a] = r.agent(a)
        return mine, client, agents, queues_of(r, d.queues_of(client))

    try:
        mine, client, live, queues = await ctx.query(read)
    except UnknownEntity:
        raise not_found("agent", agent) from None
    if contact is not None and contact != mine:
        raise not_found("contact of yours", contact)
    if mine is None:
        raise conflict("you have no contact to transfer")
    if client is None:
        raise conflict(f"contact {mine!r} is not on a client's queue")
    profiles = {str(p.id): p for p in await ctx.db(config_q.agents, ctx.engine)}
    names = {q.id: q.name for q in await ctx.db(config_q.queues, ctx.engine)}
    agents = [
        TransferAgent(
            id=a,
            name=profiles[a].name if a in profiles else "",
            state=str(v.state),
            free=v.state is AgentState.AVAILABLE and v.connected,
            skills=dict(profiles[a].skills) if a in profiles else {},
            campaigns=sorted(profiles[a].campaigns) if a in profiles else [],
        )
        for a, v in sorted(live.items())
        if v.state is not AgentState.RETIRED
    ]
    return TransferTargets(
        contact=mine,
        client_id=client,
        agents=agents,
        queues=[
            TransferQueue(
                id=q.id,
                name=names.get(q.id, ""),
                waiting=q.waiting,
                agents_available=q.agents_available,
            )
            for q in queues
        ],
    )


def queues_of(r: Router, ids: list[str]) -> list[QueueView]:
    out = []
    for q in ids:
        try:
            out.append(r.queue(q))
        except RoutingError:
            continue  # configured a moment ago; the core hears of it with the next batch
    return out


@router.post("/contacts/{contact}/hang-up", response_model=CommandResult)
async def hang_up(contact: ContactPath, me: AgentCaller, ctx: Ctx) -> CommandResult:
    """The agent ends the conversation; the wrap-up begins."""
    agent = _me(me)
    return await _on_contact(ctx, me, contact, cmd.EndContact(agent, ContactId(contact)))


@router.post("/contacts/{contact}/notes", response_model=CommandResult)
async def draft_notes(
    contact: ContactPath, body: DraftIn, me: AgentCaller, ctx: Ctx
) -> CommandResult:
    """Autosave of the notes and form fields (revisions rise; a stale one is refused)."""
    agent = _me(me)
    command = DraftNote(contact, agent, body.revision, body.text, tuple(body.fields.items()))
    return await _on_contact(ctx, me, contact, command)


@router.post("/contacts/{contact}/finish", response_model=CommandResult)
async def finish_notes(
    contact: ContactPath, body: FinishIn, me: AgentCaller, ctx: Ctx
) -> CommandResult:
    """The final note with the outcome (disposition) and the required form fields."""
    agent = _me(me)
    command = FinishNote(contact, agent, body.disposition, body.text, tuple(body.fields.items()))
    return await _on_contact(ctx, me, contact, command)


@router.get("/contacts/{contact}/earlier", response_model=list[EarlierLeg])
async def earlier(contact: ContactPath, me: AgentCaller, ctx: Ctx) -> list[EarlierLeg]:
    """What the call was before this contact, newest first: a caller whose agent's leg
    dropped waits again as a new contact, and the next agent reads the notes taken on
    the earlier legs (read only: each leg's notes are its own agent's)."""
    _me(me)
    await ctx.db(access_contact, ctx.engine, me, contact)
    legs = await ctx.db(earlier_legs, ctx.engine, contact)
    if not legs:
        return []
    names = {str(p.id): p.name for p in await ctx.db(config_q.agents, ctx.engine)}
    return [
        EarlierLeg(**leg.model_dump(), agent_names=[names.get(a) or a for a in leg.agents])
        for leg in legs
    ]


@router.post("/heartbeat", status_code=204)
async def heartbeat(me: AgentCaller, ctx: Ctx) -> None:
    """For pages without a stream: the agent's connection is alive."""
    ctx.presence.beat(_me(me))


def _help_out(row: object) -> HelpOut:
    return HelpOut.model_validate(row, from_attributes=True)


@router.post("/help", response_model=HelpOut, status_code=201)
async def ask_help(body: HelpIn, me: AgentCaller, ctx: Ctx) -> HelpOut:
    """Asks a supervisor for help; the answer comes on the agent's stream."""
    agent = _me(me)
    try:
        view = await ctx.query(lambda r: r.agent(agent))
    except UnknownEntity:
        raise not_found("agent", agent) from None
    row = await ctx.db(
        help_actions.ask,
        ctx.engine,
        at=ctx.now(),
        agent=agent,
        contact=view.contact,
        # The contact's client company owns the request (api/help.py).
        client=None if view.contact is None else ctx.tenancy.client_of_contact(view.contact),
        text=body.text,
    )
    out = _help_out(row)
    notify_help(ctx.hub, out)
    return out


@router.get("/help", response_model=list[HelpOut])
async def my_help(me: AgentCaller, ctx: Ctx) -> list[HelpOut]:
    agent = _me(me)
    rows = await ctx.db(help_q.newest, ctx.engine, limit=50, agents=[agent])
    return [_help_out(r) for r in rows]


@router.get("/my-day", response_model=MyDayOut)
async def day(
    me: AgentCaller,
    ctx: Ctx,
    since: Annotated[float | None, Query(ge=0, le=1e11)] = None,
) -> MyDayOut:
    """Today's figures (from midnight UTC, or ``since``): time up to now, the state the
    agent is in counted so far; outcomes as soon as they are recorded."""
    agent = _me(me)
    now = ctx.now()
    start = since if since is not None else day_start(now)
    if start > now:
        raise ApiError(422, "invalid", "since is in the future")

    def live_rows(state: LiveState) -> LiveRows:
        whole, added = state.part(LiveReports).stats.agent_rows_now(agent, since=start, until=now)
        return LiveRows(whole, added)

    return await ctx.db(
        my_day, ctx.engine, agent=agent, since=start, live=lambda: ctx.writer.query(live_rows)
    )
