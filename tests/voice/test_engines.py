"""The pool of media engines (``telephony/engines.py``) against fake engines: small UDP
servers that speak the ng protocol as rtpengine does (``<cookie> <JSON>``), note each
command and can fall silent. Where calls go, that they stay, and what a silent engine
changes. The real engines are in ``test_real_engines.py``."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest

from hearthline.api.settings import ServerSettings, SettingsError
from hearthline.telephony.engines import (
    EngineAddressError,
    EnginePool,
    NoMediaEngine,
    parse_addresses,
)
from hearthline.telephony.media import RtpEngine
from hearthline.telephony.ng import NgError, NgTimeout
from tests.voice.test_control import NUMBER, SDP, Rig, writer  # noqa: F401 (a fixture)

_SDP = "v=0\r\nm=audio 30000 RTP/AVP 0\r\n"


@dataclass
class FakeEngine(asyncio.DatagramProtocol):
    """Answers every ng command ``ok`` (``pong`` to a ping, an SDP to an offer or answer)
    unless ``silent``; ``heard`` lists (command, call) as they came, also while silent."""

    silent: bool = False
    heard: list[tuple[str, str]] = field(default_factory=list)
    port: int = 0
    transport: asyncio.DatagramTransport | None = None

    def datagram_received(self, data: bytes, addr: Any) -> None:
        cookie, _, body = data.partition(b" ")
        message = json.loads(body)
        command = message["command"]
        if command != "ping":
            self.heard.append((command, message.get("call-id", "")))
        if self.silent:
            return
        answer: dict[str, Any] = {"result": "pong" if command == "ping" else "ok"}
        if command in ("offer", "answer", "subscribe request", "publish"):
            answer["sdp"] = _SDP
        if command == "query":
            answer["tags"] = {}
        assert self.transport is not None
        self.transport.sendto(cookie + b" " + json.dumps(answer).encode(), addr)

    def calls(self, command: str = "offer") -> list[str]:
        return [call for c, call in self.heard if c == command]


@asynccontextmanager
async def engines(count: int) -> AsyncIterator[tuple[list[FakeEngine], EnginePool]]:
    """``count`` fake engines and a pool of them with short timeouts."""
    loop = asyncio.get_running_loop()
    fakes: list[FakeEngine] = []
    for _ in range(count):
        fake = FakeEngine()
        transport, _ = await loop.create_datagram_endpoint(
            lambda f=fake: f,  # type: ignore[misc]
            local_addr=("127.0.0.1", 0),
        )
        fake.transport, fake.port = transport, transport.get_extra_info("sockname")[1]
        fakes.append(fake)
    pool = EnginePool(
        [("127.0.0.1", f.port) for f in fakes], timeout_s=0.1, tries=2, ping_timeout_s=0.05
    )
    try:
        yield fakes, pool
    finally:
        pool.close()
        for fake in fakes:
            assert fake.transport is not None
            fake.transport.close()


def run(scenario: Callable[[], Awaitable[None]]) -> None:
    asyncio.run(scenario())  # type: ignore[arg-type]


def test_a_new_call_goes_to_the_engine_with_the_fewest_calls_ties_in_turn() -> None:
    async def scenario() -> None:
        async with engines(3) as (fakes, pool):
            media = RtpEngine(pool)
            for call in ("c1", "c2", "c3"):
                await media.park(call, SDP)
            assert [f.calls() for f in fakes] == [["c1"], ["c2"], ["c3"]]
            await media.end("c2")
            await media.park("c4", SDP)  # the one engine with no call
            await media.park("c5", SDP)  # all hold one: the turn goes on after c4's engine
            await media.park("c6", SDP)
            assert [f.calls() for f in fakes] == [["c1", "c6"], ["c2", "c4"], ["c3", "c5"]]
            assert [len(e.calls) for e in pool.engines] == [2, 1, 2]

    run(scenario)


def test_every_later_command_on_a_call_goes_to_the_engine_holding_it() -> None:
    async def scenario() -> None:
        async with engines(2) as (fakes, pool):
            media = RtpEngine(pool)
            await media.park("first", SDP)
            await media.dial("second")  # a callback dialled out is a new call too
            for call in ("first", "second"):
                await media.play(call, "/greeting.wav")
                await media.offer_agent(call, SDP, "agent-1")
                await media.answer_agent(call, "agent-1", SDP)
                await media.subscribe(call, "caller", "listener")
                await media.received(call, "agent-1")  # the silence watch's query
                await pool.request("start recording", call_id=call)  # the recorder's
                await media.unpublish(call, "coach")  # a branch ends; the call goes on
                await media.stop_play(call)
            await media.end("first")
            await media.end("second")
            expected = [
                "offer", "answer", "play media", "offer", "answer", "subscribe request",
                "query", "start recording", "delete", "stop media", "delete",
            ]  # fmt: skip
            assert fakes[0].heard == [(c, "first") for c in expected]
            assert fakes[1].heard == [(c, "second") for c in ["offer", *expected[2:]]]
            assert pool.holding("first") is None and pool.holding("second") is None

    run(scenario)


def test_a_command_naming_no_call_or_one_no_engine_holds_is_refused() -> None:
    async def scenario() -> None:
        async with engines(2) as (fakes, pool):
            with pytest.raises(NgError, match="names no call"):
                await pool.request("list")
            with pytest.raises(NgError, match="no media engine holds call gone"):
                await pool.request("query", call_id="gone")
            assert fakes[0].heard == fakes[1].heard == []

    run(scenario)


def test_an_engine_silent_to_pings_takes_no_new_call_keeps_its_own_and_comes_back() -> None:
    async def scenario() -> None:
        async with engines(2) as (fakes, pool):
            media = RtpEngine(pool)
            await media.park("on-a", SDP)
            await media.park("on-b", SDP)
            fakes[0].silent = True
            await pool.check()
            assert [e.up for e in pool.engines] == [False, True]
            for call in ("new-1", "new-2", "new-3"):
                await media.park(call, SDP)
            assert fakes[0].calls() == ["on-a"]
            assert fakes[1].calls() == ["on-b", "new-1", "new-2", "new-3"]
            # Its own call is still its: commands go to it (and wait for it), never elsewhere.
            with pytest.raises(NgTimeout):
                await media.play("on-a", "/hold.wav")
            assert ("play media", "on-a") in fakes[0].heard
            # The silence watch's query fails at once, not after the timeout.
            with pytest.raises(NgError, match="is down"):
                await media.received("on-a", "agent-1")
            assert ("query", "on-a") not in fakes[0].heard
            assert pool.holding("on-a") is pool.engines[0]
            fakes[0].silent = False
            await pool.check()
            assert [e.up for e in pool.engines] == [True, True]
            await media.play("on-a", "/hold.wav")
            await media.park("new-4", SDP)  # the fewest calls again
            assert fakes[0].calls() == ["on-a", "new-4"]

    run(scenario)


def test_a_new_call_an_engine_leaves_unanswered_goes_to_the_next_and_that_one_is_down(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def scenario() -> None:
        async with engines(2) as (fakes, pool):
            fakes[0].silent = True  # no ping has seen it yet
            answer = await RtpEngine(pool).park("c1", SDP)
            assert answer == _SDP
            assert fakes[0].calls() == ["c1", "c1"]  # sent again, as to a lost datagram
            assert fakes[1].calls() == ["c1"]
            assert pool.holding("c1") is pool.engines[1]
            assert [e.up for e in pool.engines] == [False, True]
            assert pool.engines[0].calls == set()

    with caplog.at_level(logging.WARNING, "hearthline.telephony.engines"):
        run(scenario)
    assert any("did not answer offer: down" in r.getMessage() for r in caplog.records)


def test_with_every_engine_down_a_new_call_is_refused_at_once() -> None:
    async def scenario() -> None:
        async with engines(2) as (fakes, pool):
            for fake in fakes:
                fake.silent = True
            await pool.check()
            loop = asyncio.get_running_loop()
            began = loop.time()
            with pytest.raises(NoMediaEngine, match="no media engine answers"):
                await RtpEngine(pool).park("c1", SDP)
            assert loop.time() - began < 0.05  # no command sent, no timeout waited for
            assert fakes[0].heard == fakes[1].heard == []
            assert pool.holding("c1") is None

    run(scenario)


def test_the_control_plane_refuses_a_call_with_503_and_one_line_when_all_are_down(
    writer: Any,  # noqa: F811
    caplog: pytest.LogCaptureFixture,
) -> None:
    rig = Rig(writer)

    async def scenario() -> None:
        async with engines(2) as (fakes, pool):
            for fake in fakes:
                fake.silent = True
            await pool.check()
            rig.control.media = RtpEngine(pool)
            await rig.control.on_signal({"event": "invite", "call": "c9", "to": NUMBER, "sdp": SDP})

    with caplog.at_level(logging.WARNING):
        run(scenario)
    assert rig.signals == [
        {"do": "reject", "call": "c9", "code": 503, "reason": "Service Unavailable"}
    ]
    refused = [r for r in caplog.records if "c9 refused (503)" in r.getMessage()]
    assert len(refused) == 1 and refused[0].exc_info is None, "one line, no traceback"
    assert "no media engine answers" in refused[0].getMessage()
    assert rig.control.calls == {}


def test_engine_addresses_are_read_and_bad_ones_named() -> None:
    assert parse_addresses("") == ()
    assert parse_addresses(" 127.0.0.1:22790 , [::1]:22792,") == (
        ("127.0.0.1", 22790),
        ("::1", 22792),
    )
    for bad, words in [
        ("127.0.0.1", "'127.0.0.1' is not host:port"),
        ("127.0.0.1:port", "the port must be a number"),
        ("127.0.0.1:70000", "the port must be a number"),
        ("::1:22790", "is not host:port"),
        ("[nope]:22790", "is not host:port"),
        ("a:1,a:1", "'a:1' is listed twice"),
    ]:
        with pytest.raises(EngineAddressError, match=words):
            parse_addresses(bad)
    with pytest.raises(SettingsError, match=r"setting voice_rtpengines: .*'nowhere' is not"):
        ServerSettings.load(flags={"voice_rtpengines": "nowhere"}, environ={})
    settings = ServerSettings.load(
        environ={"HEARTHLINE_VOICE_RTPENGINES": "127.0.0.1:1,127.0.0.1:2"}
    )
    assert parse_addresses(settings.voice_rtpengines) == (("127.0.0.1", 1), ("127.0.0.1", 2))
