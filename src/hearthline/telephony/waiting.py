"""Callers waiting in a queue hear their place and expected wait at intervals.

Every ``every_s`` seconds of waiting the caller hears "You are number N in line. Your
expected wait is about M minutes." once, between two plays of what they were hearing
(the greeting, the reconnect message, the music after a transfer), then that loop again
from its start. N and M are the routing core's own (``Router.position``,
``Router.estimated_wait``: position x smoothed handle time / agents staffed), read on
the writer like any other view; without a staffed agent there is no estimate, and the
caller hears their place alone.

    WaitingMedia   wraps the media engine: the control plane's own ``play`` and
                   ``stop_play`` tell it which loop each caller hears, and since when,
                   so the control plane needs no hooks
    WaitAnnouncer  at each announcement due: the caller still waiting (no agent, not in
                   a menu, still queued)? -> the sentence spoken (espeak-ng, cached per
                   text, made off the event loop) -> played once -> the loop again when
                   it ends, unless an agent took the call meanwhile

The announcement waits for the end of the loop's current play (a sentence cut in half is
worse than a few seconds' delay), unless one play is longer than ``MAX_DEFER_S``. Times
come from the ``Clock`` it is given: the media plays in real seconds, so the server's is
monotonic, even where the writer's clock is sped up (the demo); a test moves its own.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from hearthline.kernel.clock import Clock
from hearthline.routing.domain import LiveRouting
from hearthline.routing.errors import RoutingError
from hearthline.service.state import LiveState
from hearthline.telephony import prompts
from hearthline.telephony.media import MediaEngine

if TYPE_CHECKING:
    from hearthline.telephony.control import ControlPlane

log = logging.getLogger(__name__)

DEFAULT_EVERY_S = 45.0
# A loop longer than this is interrupted at the due time rather than waited for.
MAX_DEFER_S = 15.0
# A contact ringing an agent has no place in line: asked again this much later.
RETRY_S = 5.0
# Beyond this the estimate says "more than an hour" (and the cache of texts stays small).
MAX_MINUTES = 60

Speak = Callable[[str], Awaitable[str]]  # a text -> the WAV file saying it
Seconds = Callable[[str], float]  # a WAV file -> its length


class MonotonicClock:
    """Real seconds that never jump: how long the caller has been hearing something."""

    def now(self) -> float:
        return time.monotonic()


def wait_text(position: int, wait_s: float | None) -> str:
    """The sentence a caller at ``position`` hears (``wait_s``: the core's estimate)."""
    text = f"You are number {position} in line."
    if wait_s is None:
        return text
    minutes = max(1, round(wait_s / 60))
    if minutes > MAX_MINUTES:
        return f"{text} Your expected wait is more than an hour."
    unit = "minute" if minutes == 1 else "minutes"
    return f"{text} Your expected wait is about {minutes} {unit}."


@dataclass
class Loop:
    """What a waiting caller hears over and over, and when the latest play began."""

    wav: str
    started: float
    seconds: float
    # When the next announcement plays (at the end of one play of the loop).
    at: float = math.inf
    # Set while an announcement plays: the loop comes back then.
    resume_at: float | None = None


class WaitingMedia:
    """A media engine that remembers each caller's loop (``play``) until something else
    plays or the call ends; everything is passed to the engine it wraps."""

    def __init__(self, inner: MediaEngine, *, clock: Clock, seconds: Seconds) -> None:
        self.inner = inner
        self.clock = clock
        self.seconds = seconds
        self.every_s = 0.0  # set by the WaitAnnouncer: 0 plans no announcement
        self.loops: dict[str, Loop] = {}

    def _forget(self, call: str) -> None:
        self.loops.pop(call, None)

    async def park(self, call: str, sdp: str) -> str:
        return await self.inner.park(call, sdp)

    async def park_browser(self, call: str, sdp: str) -> str:
        return await self.inner.park_browser(call, sdp)

    async def dial(self, call: str) -> str:
        return await self.inner.dial(call)

    async def dialled(self, call: str, sdp: str) -> None:
        await self.inner.dialled(call, sdp)

    async def play(self, call: str, wav: str) -> None:
        await self.inner.play(call, wav)
        now = self.clock.now()
        loop = Loop(wav, now, self.seconds(wav))
        if self.every_s > 0:
            loop.at = first_play_end(loop, now + self.every_s)
        self.loops[call] = loop

    async def play_once(self, call: str, wav: str) -> None:
        self._forget(call)  # a menu's prompt replaces whatever played
        await self.inner.play_once(call, wav)

    async def record(self, call: str) -> None:
        await self.inner.record(call)

    async def stop_play(self, call: str) -> None:
        self._forget(call)
        await self.inner.stop_play(call)

    async def offer_agent(self, call: str, caller_sdp: str, agent_tag: str) -> str:
        return await self.inner.offer_agent(call, caller_sdp, agent_tag)

    async def answer_agent(self, call: str, agent_tag: str, sdp: str) -> None:
        await self.inner.answer_agent(call, agent_tag, sdp)

    async def restart_agent(self, call: str, caller_sdp: str, agent_tag: str) -> str:
        return await self.inner.restart_agent(call, caller_sdp, agent_tag)

    async def end(self, call: str) -> None:
        self._forget(call)
        await self.inner.end(call)


def first_play_end(loop: Loop, due: float) -> float:
    """The end of the loop's first play at or after ``due`` (``due`` itself for a long or
    unknown loop)."""
    if loop.seconds <= 0 or loop.seconds > MAX_DEFER_S or due <= loop.started:
        return due
    plays = math.ceil((due - loop.started) / loop.seconds - 1e-9)
    return loop.started + plays * loop.seconds


class WaitAnnouncer:
    def __init__(
        self,
        control: ControlPlane,
        media: WaitingMedia,
        *,
        every_s: float,
        speak: Speak,
    ) -> None:
        self.control = control
        self.media = media
        self.every_s = every_s
        media.every_s = every_s
        self.speak = speak

    @property
    def clock(self) -> Clock:
        return self.media.clock

    async def run(self) -> None:
        """Announces as they fall due until cancelled (nothing when ``every_s`` is 0)."""
        if self.every_s <= 0:
            return
        while True:
            try:
                await self.check()
            except Exception:
                log.exception("voice: the wait announcements failed")
            await asyncio.sleep(self._pause())

    def _pause(self) -> float:
        # At most a second: a caller who starts waiting meanwhile is seen within it.
        now = self.clock.now()
        soonest = min(
            (
                lp.resume_at if lp.resume_at is not None else lp.at
                for lp in self.media.loops.values()
            ),
            default=math.inf,
        )
        return min(1.0, max(0.02, soonest - now))

    async def check(self) -> None:
        """Brings back the loops whose announcement has ended, and announces to the
        callers whose turn it is."""
        if self.every_s <= 0:
            return
        now = self.clock.now()
        due: list[tuple[str, Loop]] = []
        for call, loop in list(self.media.loops.items()):
            live = self.control.calls.get(call)
            if live is None:
                self.media.loops.pop(call, None)
            elif loop.resume_at is not None:
                if now >= loop.resume_at:
                    await self._resume(call, loop)
            elif now >= loop.at:
                if self._waiting(call):
                    due.append((call, loop))
                else:  # the music on hold, say: looked at again later, not every pause
                    loop.at = first_play_end(loop, now + self.every_s)
        if not due:
            return
        contacts = [self.control.calls[call].contact for call, _ in due]
        places = await asyncio.to_thread(self.control.writer.query, _places(contacts))
        for (call, loop), contact in zip(due, contacts, strict=True):
            position, wait_s = places[contact]
            if position is None:  # ringing an agent: not in line now
                loop.at = first_play_end(loop, now + RETRY_S)
                continue
            await self._announce(call, loop, wait_text(position, wait_s))

    def _waiting(self, call: str) -> bool:
        live = self.control.calls.get(call)
        return (
            live is not None
            and live.agent is None
            and live.menu is None
            and not live.overflowed  # leaving a message: in no line
            and not live.caller_gone
            and not live.bridged
        )

    async def _announce(self, call: str, loop: Loop, text: str) -> None:
        try:
            wav = await self.speak(text)
        except Exception:
            log.exception("voice: could not speak %r", text)
            loop.at = self.clock.now() + self.every_s
            return
        # The sentence took a moment to make: still this caller's loop, still waiting?
        if self.media.loops.get(call) is not loop or not self._waiting(call):
            return
        await self.media.inner.play_once(call, wav)
        loop.resume_at = self.clock.now() + self.media.seconds(wav)

    async def _resume(self, call: str, loop: Loop) -> None:
        if not self._waiting(call):
            self.media.loops.pop(call, None)  # an agent took the call: no greeting over them
            return
        with contextlib.suppress(Exception):
            await self.media.play(call, loop.wav)  # a new loop, from its start


def _places(
    contacts: list[str],
) -> Callable[[LiveState], dict[str, tuple[int | None, float | None]]]:
    def read(state: LiveState) -> dict[str, tuple[int | None, float | None]]:
        router = state.part(LiveRouting).router
        out: dict[str, tuple[int | None, float | None]] = {}
        for contact in contacts:
            try:
                out[contact] = (router.position(contact), router.estimated_wait(contact))
            except RoutingError:
                out[contact] = (None, None)  # over already: the call ends with it
        return out

    return read


class SpokenPrompts:
    """Texts spoken by espeak-ng into ``directory`` (one file per text, named by it), made
    on a worker thread the first time a text is asked for."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._making: dict[str, asyncio.Future[str]] = {}

    def path(self, text: str) -> Path:
        return self.directory / f"{hashlib.sha256(text.encode()).hexdigest()[:24]}.wav"

    async def __call__(self, text: str) -> str:
        wav = self.path(text)
        if wav.exists():
            return str(wav)
        making = self._making.get(text)
        if making is None:  # two callers at once asking for one text: one espeak run
            making = asyncio.ensure_future(asyncio.to_thread(self._make, text, wav))
            self._making[text] = making
            making.add_done_callback(lambda _: self._making.pop(text, None))
        return await asyncio.shield(making)

    @staticmethod
    def _make(text: str, wav: Path) -> str:
        # Made beside it and renamed: a run cut short leaves no half file to be played.
        part = wav.with_suffix(".part.wav")
        part.unlink(missing_ok=True)
        prompts.speak(text, part)
        part.replace(wav)
        return str(wav)
