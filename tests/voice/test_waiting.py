"""Queued callers' position and wait announcements on the control plane: a real writer
(SQLite), the fake media engine, espeak-ng for the sentences, and the test's own clock
for the announcements' timing (no sleeps)."""

from __future__ import annotations

import asyncio
import shutil
import wave
from collections.abc import Iterator
from pathlib import Path

import pytest

from hearthline.kernel.clock import ManualClock
from hearthline.kernel.ids import AgentId, ContactId
from hearthline.routing import commands as cmd
from hearthline.routing.domain import LiveRouting
from hearthline.service.state import LiveState
from hearthline.service.writer import Writer
from hearthline.telephony.menu_calls import PromptCache
from hearthline.telephony.waiting import SpokenPrompts, WaitAnnouncer, WaitingMedia, wait_text
from tests.voice.rig import seeded_writer
from tests.voice.test_control import MARIA, NUMBER, SDP, Rig

if shutil.which("espeak-ng") is None or shutil.which("sox") is None:
    pytest.skip(
        "the announcements need espeak-ng and sox: `make voice` installs them (as root)",
        allow_module_level=True,
    )

TOM = AgentId("a-tom")
EVERY_S = 10.0
GREETING_S = 3.0
START = 1000.0


@pytest.fixture
def writer(tmp_path: Path) -> Iterator[Writer]:
    with seeded_writer(tmp_path / "waiting.sqlite3", seed=5) as writer:
        yield writer


def _silence(path: Path, seconds: float) -> Path:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(b"\0\0" * int(8000 * seconds))
    return path


class Waiting:
    """The control plane with the announcer between it and the fake media engine."""

    def __init__(self, writer: Writer, root: Path, every_s: float = EVERY_S) -> None:
        self.clock = ManualClock(START)
        root.mkdir(parents=True, exist_ok=True)
        self.rig = Rig(writer)
        self.greeting = str(_silence(root / "greeting.wav", GREETING_S))
        self.rig.control.prompt = self.greeting
        self.lengths = PromptCache(root / "joined")
        self.spoken = SpokenPrompts(root / "spoken")
        self.media = WaitingMedia(self.rig.media, clock=self.clock, seconds=self.lengths.seconds)
        self.rig.control.media = self.media
        self.announcer = WaitAnnouncer(
            self.rig.control, self.media, every_s=every_s, speak=self.spoken
        )
        self.writer = writer

    async def invite(self, call: str) -> str:
        await self.rig.control.on_signal(
            {"event": "invite", "call": call, "from": "+441632960001", "to": NUMBER, "sdp": SDP}
        )
        await self.rig.settle()
        return self.rig.control.calls[call].contact

    async def at(self, t: float) -> list[tuple[str, ...]]:
        """Moves the clock to START + t and lets the announcer act: what it asked of the media."""
        self.clock.set(START + t)
        before = len(self.rig.media.log)
        await self.announcer.check()
        return self.rig.media.log[before:]

    def said(self, text: str) -> str:
        return str(self.spoken.path(text))

    def minutes(self, contact: str, staffed: int) -> str:
        """The wait the caller should hear, from the queue's handle time (not the
        announcer's own arithmetic)."""

        def read(state: LiveState) -> tuple[int | None, float]:
            router = state.part(LiveRouting).router
            return router.position(contact), router.queue("returns").handle_time_s

        position, aht = self.writer.query(read)
        assert position is not None
        m = max(1, round(position * aht / staffed / 60))
        return f"Your expected wait is about {m} minute{'' if m == 1 else 's'}."


def test_queued_callers_hear_their_place_and_wait_between_plays_of_the_greeting(
    writer: Writer, tmp_path: Path
) -> None:
    async def scenario() -> None:
        w = Waiting(writer, tmp_path)
        runner = asyncio.get_running_loop().create_task(w.rig.control.run())
        # Maria takes the first call: one agent staffed and busy, two callers behind.
        await writer.execute_async(cmd.SignIn(MARIA, ready=True))
        first = await w.invite("call-1")
        await writer.execute_async(cmd.AcceptOffer(MARIA, ContactId(first)))
        await w.rig.settle()
        second = await w.invite("call-2")  # at START: the greeting loops from then
        w.clock.set(START + 1)
        third = await w.invite("call-3")

        # Due 10 s after the loop began, and played when the greeting's current play
        # ends (every 3 s): 12 s for call-2, 13 s for call-3.
        assert await w.at(11.9) == []
        in_line_1 = f"You are number 1 in line. {w.minutes(second, staffed=1)}"
        assert await w.at(12.0) == [("play_once", "call-2", w.said(in_line_1))]
        in_line_2 = f"You are number 2 in line. {w.minutes(third, staffed=1)}"
        assert await w.at(13.0) == [("play_once", "call-3", w.said(in_line_2))]
        assert Path(w.said(in_line_1)).exists() and Path(w.said(in_line_2)).exists()

        # The greeting again once the sentence has been said, from its start.
        said_2 = w.lengths.seconds(w.said(in_line_1))
        assert said_2 > 1.5, "the sentence is spoken, not a blip"
        assert await w.at(12.0 + said_2 - 0.05) == []
        assert await w.at(12.0 + said_2) == [("play", "call-2", w.greeting)]
        said_3 = w.lengths.seconds(w.said(in_line_2))
        assert await w.at(13.0 + said_3) == [("play", "call-3", w.greeting)]

        # The next one: EVERY_S after the greeting came back, at the end of a play.
        again = 12.0 + said_2 + 12.0
        assert await w.at(again - 0.05) == []
        assert await w.at(again) == [("play_once", "call-2", w.said(in_line_1))]

        # Tom takes call-2 while it hears its place: the greeting does not come back
        # over the agent, and call-3 is now first in line, with two agents staffed.
        await writer.execute_async(cmd.SignIn(TOM, ready=True))
        await writer.execute_async(cmd.AcceptOffer(TOM, ContactId(second)))
        await w.rig.settle()
        assert w.rig.control.calls["call-2"].agent == "a-tom"
        third_again = 13.0 + said_3 + 12.0
        assert third_again < again + said_2, "call-3's turn comes while call-2 hears its place"
        now_first = f"You are number 1 in line. {w.minutes(third, staffed=2)}"
        assert await w.at(third_again) == [("play_once", "call-3", w.said(now_first))]
        after = await w.at(again + said_2 + 0.5)
        assert ("play", "call-2", w.greeting) not in after
        assert "call-2" not in w.media.loops
        runner.cancel()

    asyncio.run(scenario())


def test_a_ringing_caller_waits_for_their_place_and_zero_turns_announcements_off(
    writer: Writer, tmp_path: Path
) -> None:
    async def scenario() -> None:
        w = Waiting(writer, tmp_path)
        runner = asyncio.get_running_loop().create_task(w.rig.control.run())
        await writer.execute_async(cmd.SignIn(MARIA, ready=True))
        ringing = await w.invite("call-1")  # offered to Maria: in no line while it rings
        assert await w.at(12.0) == []
        await writer.execute_async(cmd.DeclineOffer(MARIA, ContactId(ringing)))
        await writer.execute_async(cmd.SignOut(MARIA))
        await w.rig.settle()
        # Asked again 5 s later (17 s), at the end of a play of the greeting: 18 s.
        assert await w.at(17.9) == []
        alone = "You are number 1 in line."  # nobody staffed: no estimate to give
        assert await w.at(18.0) == [("play_once", "call-1", w.said(alone))]

        # Taken, talking, then held: the music loops, and nobody is told their place.
        await writer.execute_async(cmd.SignIn(TOM, ready=True))
        await writer.execute_async(cmd.AcceptOffer(TOM, ContactId(ringing)))
        await w.rig.settle()
        assert await w.rig.control.browser_answer("a-tom", ringing, SDP) is None
        await writer.execute_async(cmd.HoldContact(TOM, ContactId(ringing)))
        await w.rig.settle()
        assert w.media.loops["call-1"].wav == "/prompts/hold.wav"
        assert await w.at(60.0) == [] and await w.at(200.0) == []
        assert w.media.loops["call-1"].at > START + 200.0  # not looked at on every pass
        runner.cancel()

        off = Waiting(writer, tmp_path / "off", every_s=0)
        runner = asyncio.get_running_loop().create_task(off.rig.control.run())
        await off.invite("call-9")
        assert await off.at(3600.0) == []
        assert off.media.loops["call-9"].wav == off.greeting
        await asyncio.wait_for(off.announcer.run(), 1.0)  # returns at once: nothing to do
        runner.cancel()

    asyncio.run(scenario())


def test_wait_text_says_the_place_and_whole_minutes() -> None:
    assert wait_text(3, None) == "You are number 3 in line."
    assert wait_text(1, 20.0) == "You are number 1 in line. Your expected wait is about 1 minute."
    assert wait_text(2, 150.0).endswith("about 2 minutes.")  # 2.5 rounds to even
    assert wait_text(4, 3 * 3600.0).endswith("more than an hour.")


def test_spoken_prompts_are_made_once_per_text_and_off_the_event_loop(tmp_path: Path) -> None:
    async def scenario() -> None:
        spoken = SpokenPrompts(tmp_path / "spoken")
        ticks = 0
        done = asyncio.Event()

        async def ticker() -> None:
            nonlocal ticks
            while not done.is_set():
                ticks += 1
                await asyncio.sleep(0.001)

        tick = asyncio.get_running_loop().create_task(ticker())
        text = "You are number 7 in line."
        a, b = await asyncio.gather(spoken(text), spoken(text))
        done.set()
        await tick
        assert a == b == str(spoken.path(text))
        assert ticks > 1, "the event loop stood still while espeak-ng ran"
        made = Path(a).stat().st_mtime_ns
        assert await spoken(text) == a and Path(a).stat().st_mtime_ns == made
        with wave.open(a) as wav:
            assert (wav.getframerate(), wav.getnchannels()) == (8000, 1)
            assert wav.getnframes() > 8000
        assert sorted(p.name for p in (tmp_path / "spoken").iterdir()) == [Path(a).name]

    asyncio.run(scenario())
