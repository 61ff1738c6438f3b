"""The firm's rule that mandatory bulletins are acknowledged before an agent goes ready."""

from __future__ import annotations

from hearthline.api.deps import AppContext
from hearthline.api.errors import conflict
from hearthline.knowledge.bulletins import ready_refusal
from hearthline.store.queries import knowledge as q


async def require_acknowledged(ctx: AppContext, agent: str) -> None:
    """409 naming the bulletins, when the firm requires them and some wait."""
    if not await ctx.db(q.ack_before_ready, ctx.engine):
        return
    reason = ready_refusal(await ctx.db(q.unacknowledged_mandatory, ctx.engine, agent))
    if reason is not None:
        raise conflict(reason)
