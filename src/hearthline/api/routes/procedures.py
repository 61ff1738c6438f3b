"""The agent's procedures for offline reading (see ``api/procedures.py``): the desk keeps
them in the browser and sends their ETag back in If-None-Match; an unchanged set is a
304 that reads no text."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Response

from hearthline.api.deps import AgentCaller, Ctx
from hearthline.api.errors import ERROR_RESPONSES, forbidden
from hearthline.api.procedures import agent_set
from hearthline.api.schemas.guides import Procedures
from hearthline.store.queries import knowledge as knowledge_q

desk = APIRouter(prefix="/api/agent", tags=["knowledge"], responses=ERROR_RESPONSES)


@desk.get(
    "/procedures",
    response_model=Procedures,
    responses={304: {"description": "Not modified: the desk's copy is current"}},
)
async def procedures(
    me: AgentCaller,
    ctx: Ctx,
    response: Response,
    if_none_match: Annotated[str | None, Header(max_length=200)] = None,
) -> Procedures | Response:
    """The agent's current articles (for their campaigns and skills, in the clients of
    their own campaigns) and their campaigns' call guides, as sanitized HTML and text."""
    if me.agent_id is None:
        raise forbidden("this user is not linked to an agent")
    agent = me.agent_id
    known = {t.strip() for t in (if_none_match or "").split(",") if t.strip()}
    etag, found = await ctx.db(
        agent_set,
        ctx.engine,
        agent=agent,
        campaigns=ctx.directory.agent_campaigns.get(agent, frozenset()),
        campaign_client=dict(ctx.directory.campaign_client),
        skills=await ctx.db(knowledge_q.agent_skills, ctx.engine, agent),
        now=ctx.now(),
        known_etag=next(iter(known)) if len(known) == 1 else None,
    )
    headers = {"ETag": etag, "Cache-Control": "no-cache"}
    if found is None or etag in known:
        return Response(status_code=304, headers=headers)
    response.headers.update(headers)
    return found
