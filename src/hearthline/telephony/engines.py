"""Several rtpengines as one media engine: the scale tier's media (docs/voice.md,
"Several media engines").

    pool = EnginePool(parse_addresses("127.0.0.1:22790,127.0.0.1:22792"))
    await pool.check()            # one round of pings; then ``run()`` as a task
    RtpEngine(pool)               # drives the pool as it would one engine

A new call (the ``offer`` that creates its Call-ID: a trunk's caller parked, a callback
dialled, a call page's caller) goes to the engine holding the fewest live calls, ties in
turn; every later command naming that Call-ID goes to the same engine, because the
call's media ports are that engine's: a call never moves. A ``delete`` of the whole call
(no from-tag) forgets it.

Health: every engine is pinged every ``PING_EVERY_S``. One that leaves a ping or a real
command unanswered is down: no new call goes to it, and the calls it holds are left
alone (their commands still go to it, a ``query`` excepted: an engine whose control
port is cut off, or which is only slow, may still carry their media, and tearing them
down from here would end calls that are fine). A ping answered again brings it back.
A new call's offer that goes unanswered marks its engine down and is tried on the next;
with every engine down the call is refused at once (``NoMediaEngine``), without waiting
for a timeout.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from hearthline.telephony.ng import Message, NgClient, NgError, NgTimeout

log = logging.getLogger(__name__)

PING_EVERY_S = 1.0
# A ping is sent twice, half a second apart, before the engine counts as down: one lost
# datagram on a busy host is not an outage.
_PING_TIMEOUT_S = 0.5
_PING_TRIES = 2
# The command that creates a call on an engine; every other names one it already holds.
_CREATES = "offer"
# Asked of a down engine's calls, these fail at once rather than wait for its timeout:
# the silence watch's query every second per call would otherwise hold up the watch of
# every other call (and a query that fails is no evidence to it).
_NOT_WHILE_DOWN = frozenset({"query"})


class NoMediaEngine(NgError):
    """Every media engine is down: a new call cannot be placed."""


class EngineAddressError(ValueError):
    """A media engine's address that is not ``host:port``."""


def parse_addresses(text: str) -> tuple[tuple[str, int], ...]:
    """``"127.0.0.1:22790,[::1]:22792"`` as (host, port) pairs; ``""``: none. Raises
    ``EngineAddressError`` naming the entry that is not ``host:port``, or a repeated one."""
    found: list[tuple[str, int]] = []
    for raw in text.split(","):
        entry = raw.strip()
        if not entry:
            continue
        host, sep, port = entry.rpartition(":")
        if host.startswith("[") and host.endswith("]"):
            host = host[1:-1]
            try:
                ipaddress.IPv6Address(host)
            except ValueError:
                raise EngineAddressError(f"{entry!r} is not host:port") from None
        if not sep or not host or (":" in host and not entry.startswith("[")):
            raise EngineAddressError(f"{entry!r} is not host:port ([::1]:port for IPv6)")
        if not port.isdigit() or not 1 <= int(port) <= 65535:
            raise EngineAddressError(f"{entry!r}: the port must be a number from 1 to 65535")
        if (host, int(port)) in found:
            raise EngineAddressError(f"{entry!r} is listed twice")
        found.append((host, int(port)))
    return tuple(found)


@dataclass(eq=False)
class Engine:
    """One rtpengine of the pool: its commands' client, its pings' own (shorter) one."""

    name: str
    client: NgClient
    pinger: NgClient
    up: bool = True
    calls: set[str] = field(default_factory=set)


class EnginePool:
    def __init__(
        self,
        addresses: Sequence[tuple[str, int]],
        *,
        timeout_s: float = 1.0,
        tries: int = 3,
        ping_every_s: float = PING_EVERY_S,
        ping_timeout_s: float = _PING_TIMEOUT_S,
    ) -> None:
        if not addresses:
            raise ValueError("a pool of media engines needs at least one")
        self.engines = [
            Engine(
                f"{host}:{port}",
                NgClient(host, port, timeout_s=timeout_s, tries=tries),
                NgClient(host, port, timeout_s=ping_timeout_s, tries=_PING_TRIES),
            )
            for host, port in addresses
        ]
        self.ping_every_s = ping_every_s
        self._placed: dict[str, Engine] = {}  # Call-ID -> the engine holding it
        self._turn = 0  # where the next tie is broken from

    def holding(self, call: str) -> Engine | None:
        """The engine ``call`` is on (None: on none)."""
        return self._placed.get(call)

    async def request(self, command: str, **fields: Any) -> Message:
        """``command`` sent to the engine holding ``fields["call_id"]``; a new call's
        ``offer`` is placed first. Raises NgError as ``NgClient`` does, NoMediaEngine
        when a new call finds every engine down."""
        call = fields.get("call_id")
        if not isinstance(call, str):
            raise NgError(f"{command} names no call: no engine to send it to")
        engine = self._placed.get(call)
        if engine is None:
            if command != _CREATES:
                raise NgError(f"no media engine holds call {call} ({command})")
            return await self._place(call, command, fields)
        if not engine.up and command in _NOT_WHILE_DOWN:
            raise NgError(f"rtpengine {engine.name} holding call {call} is down ({command})")
        try:
            return await engine.client.request(command, **fields)
        except NgTimeout:
            self._down(engine, f"did not answer {command}")
            raise
        finally:
            if command == "delete" and "from_tag" not in fields:
                self._forget(call)  # over for us, whether or not the engine answered

    async def _place(self, call: str, command: str, fields: dict[str, Any]) -> Message:
        tried: set[Engine] = set()
        while (engine := self._choose(tried)) is not None:
            self._placed[call] = engine
            engine.calls.add(call)
            try:
                answer = await engine.client.request(command, **fields)
            except NgTimeout:
                # Not placed after all: the next engine is tried (the call has no media
                # yet, so nothing moves).
                self._forget(call)
                self._down(engine, f"did not answer {command}")
                tried.add(engine)
                continue
            log.debug("voice: call %s on rtpengine %s", call, engine.name)
            return answer
        down = ", ".join(e.name for e in self.engines)
        raise NoMediaEngine(f"no media engine answers (down: {down})")

    def _choose(self, tried: set[Engine]) -> Engine | None:
        """The up engine with the fewest live calls; among equals, the first from the
        turn on, and the turn moves past it."""
        ready = [(i, e) for i, e in enumerate(self.engines) if e.up and e not in tried]
        if not ready:
            return None
        fewest = min(len(e.calls) for _, e in ready)
        count = len(self.engines)
        index, engine = min(
            ((i, e) for i, e in ready if len(e.calls) == fewest),
            key=lambda pair: (pair[0] - self._turn) % count,
        )
        self._turn = (index + 1) % count
        return engine

    def _forget(self, call: str) -> None:
        engine = self._placed.pop(call, None)
        if engine is not None:
            engine.calls.discard(call)

    def _down(self, engine: Engine, why: str) -> None:
        if engine.up:
            engine.up = False
            log.warning(
                "voice: rtpengine %s %s: down, no new calls go to it; its %d live calls "
                "are left on it",
                engine.name, why, len(engine.calls),
            )  # fmt: skip

    async def _ping(self, engine: Engine) -> None:
        try:
            await engine.pinger.request("ping")
        except NgError:
            self._down(engine, "did not answer ping")
            return
        if not engine.up:
            engine.up = True
            log.warning("voice: rtpengine %s answers again: back in the pool", engine.name)

    async def check(self) -> None:
        """One round of pings, all engines at once."""
        await asyncio.gather(*(self._ping(e) for e in self.engines))

    async def run(self) -> None:
        """Pings every engine every ``ping_every_s`` until cancelled."""
        while True:
            await asyncio.sleep(self.ping_every_s)
            await self.check()

    def close(self) -> None:
        for engine in self.engines:
            engine.client.close()
            engine.pinger.close()
