"""The snapshot a stream starts from: everything live the user may see, at one event id."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from hearthline.api.deps import AppContext
from hearthline.api.principal import Principal, Role
from hearthline.api.schemas import HelpOut
from hearthline.api.scope import agent_visible, client_visible
from hearthline.api.views import agent_live, agents_live, contact_live, contact_or_none, queues_live
from hearthline.routing.errors import RoutingError
from hearthline.routing.router import Router
from hearthline.store import tables as t


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

        def read_floor(r: Router) -> tuple[int, dict[str, Any]]:
            contacts = [
                contact_live(v, r).model_dump(mode="json")
                for v in r.live_contacts()
                if me.firm_wide or (v.queue is not None and v.queue in shown)
            ]
            return writer.last_event_id, {
                "agents": [a.model_dump(mode="json") for a in agents_live(r, agents)],
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
    h = t.help_requests
    if me.role is Role.AGENT:
        query = select(h).where(h.c.agent_id == (me.agent_id or ""))
    else:
        query = select(h).where(h.c.open.is_(True))
        if not me.firm_wide:
            # Scoped in the query, before the limit: other clients' requests never crowd
            # out this supervisor's own.
            d = ctx.directory
            mine = sorted(a for a in d.agent_campaigns if agent_visible(d, me, a))
            query = query.where(h.c.agent_id.in_(mine))
    query = query.order_by(h.c.id.desc()).limit(100)

    def read() -> list[HelpOut]:
        with ctx.engine.connect() as conn:
            return [HelpOut.model_validate(r) for r in conn.execute(query).mappings()]

    return await ctx.db(read)
