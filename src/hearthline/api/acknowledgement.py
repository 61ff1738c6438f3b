"""The firm's rule that mandatory bulletins are acknowledged before an agent goes ready.

The routes that make an agent ready refuse while such bulletins wait
(``require_acknowledged``). A timed wrap-up, though, ends in ready inside the routing
core, with no request to refuse. So when an agent's wrap-up starts and the rule applies
to them, ``BulletinHold`` asks the core to make them not ready once it is over
(``HoldAfterContact`` with ``unread-bulletins``, a system reason: reading the firm's
bulletins is not held against the agent). Their own Ready, admitted once the bulletins
are acknowledged, lifts the hold.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from hearthline.api.deps import AppContext
from hearthline.api.errors import conflict
from hearthline.kernel.envelope import Envelope
from hearthline.kernel.ids import AgentId
from hearthline.knowledge.bulletins import ready_refusal
from hearthline.routing import commands as cmd
from hearthline.routing import events as ev
from hearthline.routing.config import UNREAD_BULLETINS
from hearthline.store.queries import knowledge as q

log = logging.getLogger(__name__)


async def waiting_bulletins(ctx: AppContext, agent: str) -> list[str]:
    """Titles of the mandatory bulletins that keep ``agent`` from ready (none if the firm
    does not require them)."""
    if not await ctx.db(q.ack_before_ready, ctx.engine):
        return []
    return await ctx.db(q.unacknowledged_mandatory, ctx.engine, agent)


async def require_acknowledged(ctx: AppContext, agent: str) -> None:
    """409 naming the bulletins, when the firm requires them and some wait."""
    reason = ready_refusal(await waiting_bulletins(ctx, agent))
    if reason is not None:
        raise conflict(reason)


class BulletinHold:
    """Holds back, after their contact, an agent whose mandatory bulletins wait."""

    def __init__(self, ctx: AppContext, loop: asyncio.AbstractEventLoop) -> None:
        self.ctx = ctx
        self.loop = loop
        self._tasks: set[asyncio.Task[bool]] = set()

    def receive(self, envelope: Envelope) -> None:
        """The writer's subscriber (its thread, after commit): only wrap-ups concern it."""
        event = envelope.event
        if isinstance(event, ev.WrapUpStarted):
            with contextlib.suppress(RuntimeError):  # the loop closed while stopping
                self.loop.call_soon_threadsafe(self._spawn, event.agent)

    def _spawn(self, agent: AgentId) -> None:
        task = self.loop.create_task(self.check(agent))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def check(self, agent: AgentId) -> bool:
        """Holds ``agent`` if bulletins keep them from ready; True if it asked the core."""
        try:
            if not await waiting_bulletins(self.ctx, agent):
                return False
            await self.ctx.send(cmd.HoldAfterContact(agent, UNREAD_BULLETINS))
        except Exception as exc:  # refused (signed out meanwhile) or store down: not fatal
            log.warning("bulletin hold for %s not applied: %s", agent, exc)
            return False
        return True
