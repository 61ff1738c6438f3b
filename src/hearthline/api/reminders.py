"""Shift reminders pushed on the agent's own stream, the firm's ``reminder_s`` before each
shift they hold starts.

The agent page also works the reminder out from the week it reads (every minute); the
push reaches it at once, names the shift, and covers one picked or traded in since the
page last read its week. Each shift is reminded once per server process: a restart
within the reminder time reminds again, which is harmless.
"""

from __future__ import annotations

import asyncio
import logging

from hearthline.api.deps import AppContext
from hearthline.api.routes.schedules import shift_out
from hearthline.service.state import LiveState
from hearthline.wfm.contracts import Shift
from hearthline.wfm.domain import LiveSchedules

log = logging.getLogger(__name__)
PERIOD_S = 15.0


class ShiftReminders:
    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx
        self.sent: dict[str, float] = {}  # shift id -> its start, until it has started

    async def run(self) -> None:
        while True:
            await asyncio.sleep(PERIOD_S)
            try:
                await self.tick()
            except Exception:  # the store or the writer is down: try again next period
                log.exception("shift reminders")

    async def tick(self) -> int:
        """Pushes the reminders now due; returns how many."""
        now = self.ctx.now()

        def due(state: LiveState) -> tuple[str, list[tuple[str, Shift]]]:
            board = state.part(LiveSchedules).board
            ahead = board.rules.reminder_s
            starting = board.starting(now, now + ahead) if ahead > 0 else []
            return board.time_zone, [(a, s) for a, s in starting if s.id not in self.sent]

        zone, found = await asyncio.to_thread(self.ctx.writer.query, due)
        self.sent = {k: start for k, start in self.sent.items() if start > now}
        for agent, shift in found:
            self.sent[shift.id] = shift.start
            message: dict[str, object] = {
                "type": "shift-reminder",
                "shift": shift_out(shift).model_dump(),
                "time_zone": zone,
            }
            self.ctx.hub.notify_agents(message, [agent])
        return len(found)
