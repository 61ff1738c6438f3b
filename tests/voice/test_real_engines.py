"""The scale tier's media, real: two rtpengine processes run beside the server (not its
children: ``voice_rtpengines``), sipp callers through the B2BUA, each caller's audio
checked by frequency. Calls spread over both engines; when one stops answering on its
control port, new calls go to the other while its own call carries on (a parked caller
hearing its greeting; a caller bridged to a Chromium agent, both ways, and hung up by the
agent); with both silent a new call gets 503; each comes back into the pool when it
answers again.

Engine A's control port is reached through a UDP relay the test can cut: the engine is
then unreachable for the server (as behind a failed link or a firewall) while its media
still flows, which is the case "its own calls carry on" is about. Engine B is frozen
with SIGSTOP, which stops its media too: it shows only that no new call goes to it."""

from __future__ import annotations

import json
import resource
import select
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psutil
import pytest
from playwright.sync_api import Playwright, expect

from hearthline.telephony.engines import EnginePool
from hearthline.telephony.rtpengine import RtpEngineConfig
from hearthline.telephony.waiting import WaitingMedia
from tests.ports import rtp_range
from tests.serving import free_port
from tests.voice.rig import call_in, greeting_tone, microphone_browser, start_voice_server, tone_wav
from tests.voice.rtp import RATE, RtpEndpoint, peak_hz
from tests.voice.test_real_call import _browser_peak
from tests.voice.test_trunk_sip import Peer
from tests.voice.tools import skip_without_voice_tools
from tests.web.server import WebServer
from tests.web.support import no_page_errors, open_as, start_ready

pytestmark = [pytest.mark.voice, pytest.mark.slow]

skip_without_voice_tools()

NUMBER = "+15550400"  # the number ``Peer`` dials
GREETING_HZ = 700.0
CALLER_HZ = 440.0
AGENT_HZ = 1000.0


def _no_core() -> None:
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


class Engine:
    """One rtpengine process on its own ng port and RTP ports (the project's config,
    ``RtpEngineConfig``), asked directly over ng: the test's view, not the server's."""

    def __init__(self, scratch: Path, ports: tuple[int, int], dtmf_port: int) -> None:
        scratch.mkdir(parents=True)
        (scratch / "recordings").mkdir()
        self.ng_port = free_port()
        conf = scratch / "rtpengine.conf"
        conf.write_text(RtpEngineConfig(self.ng_port, *ports, dtmf_port=dtmf_port).render(scratch))
        self.process = subprocess.Popen(
            ["rtpengine", f"--config-file={conf}", f"--pidfile={scratch / 'pid'}"],
            cwd=scratch,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            preexec_fn=_no_core,  # rtpengine 10.5 may dump core on SIGTERM
        )
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.settimeout(0.5)
        self._cookie = 0
        deadline = time.monotonic() + 10
        while True:
            try:
                assert self.ng("ping")["result"] == "pong"
                return
            except TimeoutError:
                assert time.monotonic() < deadline, "rtpengine did not answer ping"

    def ng(self, command: str, **fields: Any) -> dict[str, Any]:
        self._cookie += 1
        cookie = f"t{self._cookie}"
        body = {"command": command, **{k.replace("_", "-"): v for k, v in fields.items()}}
        self.sock.sendto(f"{cookie} {json.dumps(body)}".encode(), ("127.0.0.1", self.ng_port))
        while True:
            got, _, answer = self.sock.recv(1 << 20).partition(b" ")
            if got.decode() == cookie:  # not a late answer to an earlier ask
                result: dict[str, Any] = json.loads(answer)
                return result

    def calls(self) -> set[str]:
        return set(self.ng("list")["calls"])

    def received_from_caller(self, call: str) -> int:
        tag = self.ng("query", call_id=call)["tags"]["caller"]
        return sum(
            int(stream["stats"]["packets"])
            for media in tag["medias"]
            for stream in media["streams"]
            if "RTP" in stream["flags"]
        )

    def stop(self) -> None:
        self.process.send_signal(signal.SIGCONT)
        for call in self.calls():  # 10.5 may crash on SIGTERM with calls open
            self.ng("delete", call_id=call)
        self.process.terminate()
        try:
            self.process.wait(5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.sock.close()


class Relay:
    """A UDP relay on loopback in front of one ng port; ``cut`` drops everything both ways
    (the server then hears nothing from the engine, which goes on as before)."""

    def __init__(self, target: int) -> None:
        self.front = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.front.bind(("127.0.0.1", 0))
        self.port = int(self.front.getsockname()[1])
        self.back = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.back.connect(("127.0.0.1", target))
        self.cut = False
        self.asked: list[str] = []  # the server's commands, in order, also those dropped
        self._client: tuple[str, int] | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="ng-relay", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            ready, _, _ = select.select([self.front, self.back], [], [], 0.05)
            for sock in ready:
                try:
                    data, addr = sock.recvfrom(1 << 20)
                except OSError:
                    continue
                if sock is self.front:
                    self.asked.append(json.loads(data.partition(b" ")[2])["command"])
                if self.cut:
                    continue
                if sock is self.front:
                    self._client = addr
                    self.back.send(data)
                elif self._client is not None:
                    self.front.sendto(data, self._client)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)
        self.front.close()
        self.back.close()


class Caller:
    """A sipp caller with its own RTP endpoint: sends ``CALLER_HZ``, keeps what it hears."""

    def __init__(self, server: WebServer) -> None:
        self.rtp = RtpEndpoint(CALLER_HZ)
        self.rtp.start()
        self.sipp = call_in(server, NUMBER, self.rtp.port, timeout_s=120, stderr=subprocess.DEVNULL)

    def hears(self, seconds: float = 1.0, *, within: float = 10.0) -> float:
        """Waits until ``seconds`` of audio have come since now; its peak frequency."""
        since = time.monotonic()
        deadline = since + within
        while len(self.rtp.audio_since(since)) < seconds * RATE:
            assert time.monotonic() < deadline, "the caller heard nothing"
            time.sleep(0.05)
        return peak_hz(self.rtp.audio_since(since)[: int(seconds * RATE)])

    def hang_up(self) -> None:
        self.sipp.kill()
        self.sipp.wait()
        self.rtp.stop()


def _pool(server: WebServer) -> EnginePool:
    media = server.app.state.app_context.voice.media
    assert isinstance(media, WaitingMedia)
    pool = media.inner.ng  # type: ignore[attr-defined]
    assert isinstance(pool, EnginePool)
    return pool


def _until(done: Any, what: str, within: float = 10.0) -> None:
    deadline = time.monotonic() + within
    while not done():
        assert time.monotonic() < deadline, what
        time.sleep(0.05)


@pytest.fixture
def tier(tmp_path: Path) -> Iterator[tuple[WebServer, Engine, Engine, Relay]]:
    first, last = rtp_range("engines")
    half = (last - first + 1) // 2
    dtmf = free_port()
    a = Engine(tmp_path / "engine-a", (first, first + half - 1), dtmf)
    b = Engine(tmp_path / "engine-b", (first + half, last), dtmf)
    relay = Relay(a.ng_port)
    greeting_tone(tmp_path, GREETING_HZ)
    server = start_voice_server(
        tmp_path, "engines", NUMBER,
        voice_rtpengines=f"127.0.0.1:{relay.port},127.0.0.1:{b.ng_port}",
        voice_dtmf_port=dtmf, voice_wait_announce_s=0, voice_agent_silence_s=0,
    )  # fmt: skip
    try:
        yield server, a, b, relay
    finally:
        if server.thread.is_alive():  # a test may have stopped it
            server.stop()
        relay.close()
        a.stop()
        b.stop()


def test_calls_spread_over_two_engines_and_one_that_stops_answering_keeps_its_call(
    tier: tuple[WebServer, Engine, Engine, Relay],
) -> None:
    server, a, b, relay = tier
    pool = _pool(server)
    engines = [p for p in psutil.Process().children(recursive=True) if p.name() == "rtpengine"]
    assert {p.pid for p in engines} == {a.process.pid, b.process.pid}, "no rtpengine child"
    callers: list[Caller] = []
    try:
        # Two calls: one on each engine, each caller hearing the greeting from it.
        for _ in range(2):
            callers.append(Caller(server))
            assert abs(callers[-1].hears() - GREETING_HZ) < 20
        on_a, on_b = a.calls(), b.calls()
        assert len(on_a) == 1 and len(on_b) == 1, (on_a, on_b)
        (call_a,) = on_a
        assert pool.holding(call_a) is pool.engines[0]
        assert [len(e.calls) for e in pool.engines] == [1, 1]

        # A's control port goes silent (the relay drops everything); A itself runs on.
        relay.cut = True
        _until(lambda: not pool.engines[0].up, "engine A was not marked down", within=5)
        before = a.received_from_caller(call_a)
        # Its call carries on: the caller still hears A's greeting and A still hears them.
        assert abs(callers[0].hears(2.0) - GREETING_HZ) < 20
        assert a.received_from_caller(call_a) >= before + 50  # 2 s of 20 ms packets, and more
        assert a.calls() == {call_a}, "the server left A's call alone"

        # New calls go to B only.
        for _ in range(2):
            callers.append(Caller(server))
            assert abs(callers[-1].hears() - GREETING_HZ) < 20
        assert len(b.calls()) == 3 and a.calls() == {call_a}
        assert abs(callers[0].hears(1.0) - GREETING_HZ) < 20  # still going

        # B frozen too: no engine answers, and a new call is refused with 503.
        b.process.send_signal(signal.SIGSTOP)
        _until(lambda: not pool.engines[1].up, "engine B was not marked down", within=5)
        peer = Peer(server.app.state.app_context.settings.voice_sip_port)
        try:
            peer.send("INVITE", "refused-1", sdp=True)
            final = peer.final("refused-1")
        finally:
            peer.close()
        assert final.startswith("SIP/2.0 503 Service Unavailable"), final[:80]

        # Both answer again and are back in the pool; A has the fewest calls: the next.
        b.process.send_signal(signal.SIGCONT)
        relay.cut = False
        _until(lambda: all(e.up for e in pool.engines), "the engines did not come back")
        callers.append(Caller(server))
        assert abs(callers[-1].hears() - GREETING_HZ) < 20
        assert len(a.calls()) == 2 and call_a in a.calls() and len(b.calls()) == 3
        # The first call went on all along, and still does.
        assert abs(callers[0].hears(1.0) - GREETING_HZ) < 20
        assert callers[0].sipp.poll() is None, "the first caller is still on the line"

        # The server stops while A is cut off again: B's calls are deleted as ever, A's
        # are left to it (no delete sent its way, none waited for).
        relay.cut = True
        _until(lambda: not pool.engines[0].up, "engine A was not marked down", within=5)
        asked = len(relay.asked)
        server.stop()
        assert "delete" not in relay.asked[asked:]
        assert len(a.calls()) == 2 and b.calls() == set()
    finally:
        for caller in callers:
            caller.hang_up()


@pytest.mark.browser
def test_a_bridged_call_on_an_engine_cut_off_from_the_server_talks_on_and_hangs_up(
    tier: tuple[WebServer, Engine, Engine, Relay],
    playwright: Playwright,
    tmp_path: Path,
    screenshots: Path,
) -> None:
    server, a, _b, relay = tier
    pool = _pool(server)
    browser = microphone_browser(playwright, tone_wav(tmp_path / "agent.wav", AGENT_HZ))
    caller: Caller | None = None
    try:
        page = open_as(browser, server, "maria", lands_on="/agent")
        start_ready(page)
        caller = Caller(server)  # the first call: engine A (no calls anywhere, A's turn)
        expect(page.locator("#offer-layer")).to_be_visible()
        (call,) = a.calls()
        page.click("#accept-button")
        expect(page.locator("#softphone-text")).to_have_text("On the call: talking")

        # A's control port goes silent; the call's media runs on A without a command.
        relay.cut = True
        _until(lambda: not pool.engines[0].up, "engine A was not marked down", within=5)
        cut_at = time.monotonic()
        time.sleep(1.5)
        assert abs(caller.hears(1.0) - AGENT_HZ) < 30, "the caller hears the agent"
        heard = _browser_peak(page)
        assert abs(heard["hz"] - CALLER_HZ) < 30, f"the agent heard {heard}"
        assert caller.rtp.audio_since(cut_at).size >= 2 * RATE, "no gap in the caller's audio"
        assert a.calls() == {call}
        page.screenshot(path=str(screenshots / "voice-engine-cut-off.png"))

        # The agent hangs up: A does not answer the delete, the caller gets the BYE anyway.
        page.click("#hangup-button")
        expect(page.locator("#state-pill")).to_have_text("Wrap-up")
        assert caller.sipp.wait(timeout=15) == 0, "the caller got the BYE"
        assert pool.holding(call) is None
        # A is back once it answers; the call it was not told to end is still on it.
        relay.cut = False
        _until(lambda: pool.engines[0].up, "engine A did not come back")
        assert a.calls() == {call}
        no_page_errors(page)
    finally:
        if caller is not None:
            caller.hang_up()
        browser.close()
