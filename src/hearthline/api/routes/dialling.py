"""The agent dials their callback again (after busy, no answer or a failure); the first
dial follows the Accept by itself (docs/voice.md, "Callbacks dialled out")."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import BaseModel

from hearthline.api.deps import AgentCaller, Ctx
from hearthline.api.errors import ERROR_RESPONSES, ApiError, conflict, not_found
from hearthline.api.schemas.common import CONTACT_PATTERN
from hearthline.api.scope import contact_visible
from hearthline.kernel.ids import AgentId

router = APIRouter(tags=["voice"], responses=ERROR_RESPONSES)

ContactPath = Annotated[str, Path(pattern=CONTACT_PATTERN)]


class DialOut(BaseModel):
    contact_id: str
    state: str


@router.post("/api/agent/contacts/{contact}/dial", response_model=DialOut, status_code=202)
async def dial(contact: ContactPath, me: AgentCaller, ctx: Ctx) -> DialOut:
    """Dials the customer of the agent's open callback again through the trunk; what
    follows (ringing, answered, busy, ...) comes over the agent's stream."""
    agent = me.agent_id or ""
    voice = ctx.voice
    if voice is None:
        # Someone else's contact does not exist for this agent, voice or not (with voice
        # on, the core's open callback says whose it is).
        if not ctx.tenancy.had_contact(contact, AgentId(agent)) and not await ctx.db(
            contact_visible, ctx.engine, me, contact
        ):
            raise not_found("open callback of yours", contact)
        raise conflict("voice is not on in this server: call the customer another way")
    refusal = await voice.dialout.redial(agent, contact)
    if refusal is not None:
        status, reason = refusal
        if status == 404:
            raise not_found("open callback of yours", contact)
        raise ApiError(status, "conflict", reason)
    return DialOut(contact_id=contact, state="dialling")
