"""The snapshot a stream starts from: everything live the user may see, at one event id."""

from __future__ import annotations

from typing import Any

from hearthline.api.deps import AppContext
from hearthline.api.help import help_scope
from hearthline.api.live import agent_live, agents_live, contact_live, contact_or_none, queues_live
from hearthline.api.principal import Principal, Role
from hearthline.api.schemas import HelpOut
from hearthline.api.scope import agent_visible, client_visible, live_contact_visible
from hearthline.routing.errors import RoutingError
from hearthline.routing.router import Router
from hearthline.store.queries import help as help_q


async def take(ctx: AppContext, me: Principal) -> tuple[int, dict[str, Any]]:
    """(the id of the last event it includes, the data); events after that id follow."""
    d = ctx.directory
    writer = ctx.writer
    if me.role is Role.AGENT:
        agent = me.agent_id or ""

        def read_agent(r: Router) -> tuple[int, dict[str, Any]]:
            try:
                view = r.agent(agent)
            except RoutingError:
                return writer.last_event_id, {"me": None, "contact": None}
            contact = contact_or_none(r, view.contact)
            return writer.last_event_id, {
                "me": agent_live(view, me.display_name).model_dump(mode="json"),
                "contact": contact.model_dump(mode="json") if contact is not None else None,
            }

        last, data = await ctx.query(read_agent)
    else:
        staff = me.role in (Role.ADMIN, Role.SUPERVISOR)
        agents = sorted(a for a in d.agent_campaigns if staff and agent_visible(d, me, a))
        queues = sorted(q for q in d.queue_campaign if client_visible(d, me, d.queue_client(q)))
        shown = set(queues)
        own = live_contact_visible(ctx.tenancy, me)

        def read_floor(r: Router) -> tuple[int, dict[str, Any]]:
            contacts = [
                contact_live(v, r).model_dump(mode="json")
                for v in r.live_contacts()
                if me.firm_wide or (v.queue is not None and v.queue in shown)
            ]
            return writer.last_event_id, {
                "agents": [a.model_dump(mode="json") for a in agents_live(r, agents, own=own)],
                "queues": [q.model_dump(mode="json") for q in queues_live(r, queues)],
                "contacts": contacts,
            }

        last, data = await ctx.query(read_floor)
    data["help"] = [h.model_dump(mode="json") for h in await help_for(ctx, me)]
    return last, data


async def help_for(ctx: AppContext, me: Principal) -> list[HelpOut]:
    """An agent's own recent requests; a supervisor's open ones in scope."""
    if me.role not in (Role.AGENT, Role.ADMIN, Role.SUPERVISOR):
        return []
    agents: list[str] | None
    client: str | None = None
    if me.role is Role.AGENT:
        agents = [me.agent_id or ""]
    else:
        agents, client = help_scope(ctx.directory, me)
    rows = await ctx.db(
        help_q.newest,
        ctx.engine,
        limit=100,
        agents=agents,
        client=client,
        open_only=me.role is not Role.AGENT,
    )
    return [HelpOut.model_validate(r, from_attributes=True) for r in rows]
