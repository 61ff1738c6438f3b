"""Media silence on an agent's leg, seen by the server: a lost connection.

A page whose tab froze, whose laptop lid closed or whose network went cannot say that its
call's media stopped; rtpengine can. Once a second (at most every quarter of the setting)
each bridged call is asked about once (ng ``query``: the packets rtpengine received from
each tag). An agent's leg whose count has not moved for ``silent_s`` seconds is reported
as the page's own ``voice-lost`` is (``ControlPlane.agent_leg_lost``): the core's grace
period applies. If its packets come again before the grace period ends, the agent is
reported back (``agent_leg_back``) and the call goes on.

Counts are compared on the monotonic clock, not with rtpengine's "last packet" (whole
seconds of the wall clock). A call the engine no longer knows, or a query that fails, is
no evidence of silence and is left alone.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

from hearthline.telephony.control import LiveCall

log = logging.getLogger(__name__)

# (call, tag) -> the RTP packets rtpengine has received from that tag, or None.
Count = Callable[[str, str], Awaitable[int | None]]
# Chrome sends a packet every 20 ms (Opus without DTX, PCMU), also muted and on hold.
DEFAULT_SILENT_S = 5.0
# Queries in flight at once. Each answer is a few KB; all of 100 calls' at once overran
# the ng socket's receive buffer and some were lost (a check then took the client's
# timeout, and a call's own offer or answer could be lost the same way).
AT_ONCE = 8


class Calls(Protocol):
    """What the watch needs of the control plane: its live calls, and where to report."""

    calls: dict[str, LiveCall]

    async def agent_leg_lost(self, agent: str, contact: str) -> None: ...

    async def agent_leg_back(self, agent: str, contact: str) -> None: ...


@dataclass(slots=True)
class _Heard:
    packets: int
    since: float  # when the count last moved (or was first read)
    reported: bool = False


class SilenceWatch:
    def __init__(
        self,
        control: Calls,
        count: Count,
        *,
        silent_s: float = DEFAULT_SILENT_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.control = control
        self.count = count
        self.silent_s = silent_s
        self.clock = clock
        self.period = min(1.0, silent_s / 4)
        self.heard: dict[tuple[str, str], _Heard] = {}
        self.queries = 0  # ng queries sent, for the measurements
        self._slots = asyncio.Semaphore(AT_ONCE)

    async def run(self) -> None:
        if self.silent_s <= 0:
            return  # switched off
        while True:
            await asyncio.sleep(self.period)
            try:
                await self.check()
            except Exception:
                log.exception("voice: the silence check failed")

    async def check(self) -> list[str]:
        """Reads each bridged agent leg's count once; returns the contacts reported lost."""
        legs = {
            (live.call, live.agent_tag): (live.agent, live.contact)
            for live in list(self.control.calls.values())
            if live.bridged and live.agent is not None and live.agent_tag is not None
        }
        for gone in self.heard.keys() - legs.keys():
            del self.heard[gone]  # ended, transferred, dropped: no longer watched
        if not legs:
            return []
        keys = list(legs)
        self.queries += len(keys)
        counts = await asyncio.gather(*(self._count(call, tag) for call, tag in keys))
        now = self.clock()
        lost: list[str] = []
        for key, packets in zip(keys, counts, strict=True):
            if packets is None:
                continue
            agent, contact = legs[key]
            heard = self.heard.get(key)
            if heard is None:
                self.heard[key] = _Heard(packets, now)
            elif packets != heard.packets:
                heard.packets, heard.since = packets, now
                if heard.reported:
                    heard.reported = False
                    log.info("voice: %s's leg of %s is heard again", agent, contact)
                    await self.control.agent_leg_back(agent, contact)
            elif not heard.reported and now - heard.since >= self.silent_s:
                heard.reported = True
                log.info("voice: no media from %s on %s for %.1f s", agent, contact,
                         now - heard.since)  # fmt: skip
                await self.control.agent_leg_lost(agent, contact)
                lost.append(contact)
        return lost

    async def _count(self, call: str, tag: str) -> int | None:
        try:
            async with self._slots:
                return await self.count(call, tag)
        except Exception as exc:  # rtpengine restarting, or the call just ended
            log.debug("voice: query of %s failed: %s", call, exc)
            return None
