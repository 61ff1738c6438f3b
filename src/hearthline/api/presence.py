"""Connection health: agents' heartbeats, and what happens when they stop.

An agent's page sends a heartbeat every few seconds (over its stream, or
``POST /api/agent/heartbeat``). When none has come for ``timeout_s`` the monitor
reports the connection lost (``ReportConnectionLost``): the core makes the agent not
ready with the system reason ``connection-lost`` and holds a call in progress for the
grace period. The first heartbeat after that reports the agent back
(``ReportReconnected``). The core records both as system events, so none of it counts
against the agent.

Heartbeats are timed on the monotonic clock: a wall-clock step must not make a whole
floor look disconnected.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

from hearthline.kernel.ids import AgentId
from hearthline.routing import commands as cmd

log = logging.getLogger(__name__)
Send = Callable[[cmd.Command], Awaitable[object]]


class Presence:
    def __init__(self, send: Send, *, timeout_s: float) -> None:
        self.send = send
        self.timeout_s = timeout_s
        self.last_seen: dict[str, float] = {}
        self.lost: set[str] = set()
        self._tasks: set[asyncio.Task[None]] = set()

    def watch(self, agent: str) -> None:
        """Starts (or restarts) the clock for an agent who just signed in."""
        self.last_seen[agent] = time.monotonic()
        self.lost.discard(agent)

    def forget(self, agent: str) -> None:
        """The agent signed out: their page may close without anyone being alarmed."""
        self.last_seen.pop(agent, None)
        self.lost.discard(agent)

    def beat(self, agent: str) -> None:
        first = agent not in self.last_seen
        self.last_seen[agent] = time.monotonic()
        if first or agent in self.lost:
            # Back after a loss, or first seen since this server started (a restart
            # parks every agent as disconnected): the core ignores it if nothing changes.
            self.lost.discard(agent)
            self._spawn(cmd.ReportReconnected(AgentId(agent)))

    def expect_back(self, agent: str) -> None:
        """The core holds the agent disconnected for a reason of its own (their call's
        media was lost, and the call dropped), while their page may still be beating: the
        next heartbeat reports them back, so they can take calls again."""
        if agent in self.last_seen:
            self.lost.add(agent)

    def check(self) -> list[str]:
        """Reports every agent silent for longer than the timeout; returns them."""
        deadline = time.monotonic() - self.timeout_s
        silent = [a for a, t in self.last_seen.items() if t < deadline and a not in self.lost]
        for agent in silent:
            self.lost.add(agent)
            self._spawn(cmd.ReportConnectionLost(AgentId(agent)))
        return silent

    async def run(self) -> None:
        period = min(1.0, self.timeout_s / 4)
        while True:
            await asyncio.sleep(period)
            self.check()

    def _spawn(self, command: cmd.Command) -> None:
        task = asyncio.get_running_loop().create_task(self._send(command))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _send(self, command: cmd.Command) -> None:
        try:
            await self.send(command)
        except Exception as exc:  # refused (agent gone) or store down: logged, not fatal
            log.warning("presence: %s for %s refused: %s", type(command).__name__, command, exc)
