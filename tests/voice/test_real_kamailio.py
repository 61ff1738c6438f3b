"""The scale tier's SIP half, real: Kamailio in front of two B2BUA workers
(``voice_b2bua_workers = 2``), all the server's children, with its rtpengine child and
sipp callers from loopback addresses of their own. Calls spread over both workers (told
by the Contact of each 200 OK, which names the worker's port) and each caller hears the
greeting, by frequency; a caller's BYE reaches its dialog's worker through Kamailio, and
so does an agent's (a Chromium agent, audio both ways). A killed worker's call is over
for the server while the other worker's calls carry on, and the worker is started again;
a frozen worker gets no new call until it answers again. At the door, the workers judge
the caller's real address, which Kamailio passes on: a trunk by address is let in, an
unknown source gets 403 even when it names a trunk's address itself, a trunk's digest
credentials work (the challenge and its answer reach different workers), and one
source's flood gets 503 while a trunk's call goes on being answered.

The callers' ACK and BYE follow the dialog's route set ([next_url], [routes]), as any
caller behind a proxy must; the scenarios of the single-B2BUA tests address the B2BUA
itself."""

from __future__ import annotations

import contextlib
import re
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psutil
import pytest
from playwright.sync_api import Playwright, expect

from tests.conftest import VIEWPORT
from tests.serving import free_port
from tests.voice.rig import (
    HERE,
    greeting_tone,
    microphone_browser,
    sipp_calls,
    start_voice_server,
    tone_wav,
)
from tests.voice.rtp import RATE, RtpEndpoint, peak_hz
from tests.voice.test_real_call import _browser_peak
from tests.voice.test_trunk_sip import Peer, _registrar
from tests.voice.tools import skip_without_kamailio, skip_without_voice_tools
from tests.web.server import WebServer
from tests.web.support import no_page_errors, sign_in, start_ready, watch

pytestmark = [pytest.mark.voice, pytest.mark.slow]

skip_without_voice_tools()
skip_without_kamailio()

NUMBER = "+15550400"  # the number ``Peer`` dials
GREETING_HZ = 700.0
CALLER_HZ = 440.0
AGENT_HZ = 1000.0
# Loopback addresses of the callers: a trunk by address, a trunk by digest, strangers.
CARRIER = "127.0.0.2"
BRANCH = "127.0.0.3"
STRANGER = "127.0.0.5"
FLOODER = "127.0.0.6"
TRUNKS = [
    {"name": "carrier", "networks": [f"{CARRIER}/32"]},
    {"name": "branch", "networks": [f"{BRANCH}/32"], "username": "branch-7",
     "password": "s3cret-pass"},
]  # fmt: skip


def _proxied(text: str, *, after: str = "") -> str:
    """A sipp scenario whose ACK and BYE after the 200 OK (after ``after`` in the text, if
    given) go to the answer's Contact with the recorded route, through the proxy."""
    head, marker, tail = text.partition(after) if after else ("", "", text)
    # The Contact's URI (sippy writes a display name before it, which [next_url] keeps).
    tail = re.sub(
        r'(<recv response="200"[^/>]*)/>',
        r'\1><action><ereg regexp="sip:[^&gt;]*" search_in="hdr" header="Contact:"'
        r' assign_to="contact"/></action></recv>',
        tail,
        count=1,
    )
    tail = re.sub(
        r"(ACK|BYE) sip:\[service\]@\[remote_ip\]:\[remote_port\] SIP/2.0",
        r"\1 [$contact] SIP/2.0",
        tail,
    )
    tail = re.sub(r"(CSeq: \d+ (?:ACK|BYE)\n)", r"\1      [routes]\n", tail)
    return head + marker + tail


class Caller:
    """A sipp caller from ``source`` with its own RTP endpoint sending ``CALLER_HZ``; its
    messages are traced, to tell which worker answered."""

    def __init__(
        self,
        server: WebServer,
        scratch: Path,
        *,
        source: str = CARRIER,
        scenario: str = "caller.xml",
        extra: tuple[str, ...] = (),
    ) -> None:
        self.name = f"caller-{len(list(scratch.glob('caller-*.xml')))}"
        path = scratch / f"{self.name}.xml"
        path.write_text(_proxied((HERE / scenario).read_text(encoding="utf-8")))
        self.trace = scratch / f"{self.name}.msg"
        self.rtp = RtpEndpoint(CALLER_HZ)
        self.rtp.start()
        self.sipp = sipp_calls(
            server.app.state.app_context.settings.voice_sip_port, NUMBER, self.rtp.port,
            timeout_s=120, scenario=str(path), local_ip=source, stderr=subprocess.DEVNULL,
            extra=("-mi", "127.0.0.1", "-trace_msg", "-message_file", str(self.trace), *extra),
        )  # fmt: skip

    def answered(self, within: float = 10.0) -> str:
        """The 200 OK's text, once it has come."""
        deadline = time.monotonic() + within
        while True:
            text = self.trace.read_text(errors="replace") if self.trace.exists() else ""
            found = re.search(r"SIP/2.0 200 OK.*?(?=\n\n)", text, re.S)
            if found and "INVITE" in found.group(0):
                return found.group(0)
            assert time.monotonic() < deadline, f"{self.name} was not answered"
            time.sleep(0.05)

    def worker(self) -> int:
        """The SIP port of the worker holding the call (its 200 OK's Contact)."""
        found = re.search(r"^(?:Contact|m):[^\n]*?:(\d+)[;>]", self.answered(), re.M | re.I)
        assert found, self.answered()
        return int(found.group(1))

    def call(self) -> str:
        found = re.search(r"^(?:Call-ID|i):\s*(\S+)", self.answered(), re.M | re.I)
        assert found
        return found.group(1)

    def hears(self, seconds: float = 1.0, *, within: float = 10.0) -> float:
        """Waits until ``seconds`` of audio have come since now; its peak frequency."""
        since = time.monotonic()
        deadline = since + within
        while len(self.rtp.audio_since(since)) < seconds * RATE:
            assert time.monotonic() < deadline, f"{self.name} heard nothing"
            time.sleep(0.05)
        return peak_hz(self.rtp.audio_since(since)[: int(seconds * RATE)])

    def hang_up(self) -> None:
        if self.sipp.poll() is None:
            self.sipp.kill()
        self.sipp.wait()
        self.rtp.stop()


def _until(done: Callable[[], Any], what: str, within: float = 10.0) -> None:
    deadline = time.monotonic() + within
    while not done():
        assert time.monotonic() < deadline, what
        time.sleep(0.05)


def _workers() -> dict[int, psutil.Process]:
    """The B2BUA workers running under this test, by SIP port."""
    found = {}
    for process in psutil.Process().children(recursive=True):
        with contextlib.suppress(psutil.Error):  # one that ends meanwhile is not there
            with_args = process.cmdline()
            if "hearthline.telephony.b2bua" in with_args and process.status() != "zombie":
                found[int(with_args[with_args.index("--port") + 1])] = process
    return found


def _kamailio() -> list[psutil.Process]:
    """Kamailio's main process under this test (its own children are its workers)."""
    found = []
    for process in psutil.Process().children(recursive=True):
        with contextlib.suppress(psutil.Error):  # one that ends meanwhile is not there
            parent = process.parent()
            if (
                process.name() == "kamailio"
                and (parent is None or parent.name() != "kamailio")
                and process.status() != "zombie"
            ):
                found.append(process)
    return found


def _made_up_dialog_requests(proxy: int, worker: int, *, seconds: float) -> list[str]:
    """BYEs of no dialog from ``STRANGER``, 100 a second for ``seconds``, with a route
    through Kamailio to ``worker``; the final responses."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
    sock.settimeout(5)
    sock.bind((STRANGER, 0))
    me = int(sock.getsockname()[1])
    count = int(seconds * 100)
    try:
        start = time.monotonic()
        for n in range(count):
            time.sleep(max(0.0, start + n / 100 - time.monotonic()))
            sock.sendto(
                (
                    f"BYE sip:hearthline@127.0.0.1:{worker} SIP/2.0\r\n"
                    f"Via: SIP/2.0/UDP {STRANGER}:{me};branch=z9hG4bK-made-up-{n}\r\n"
                    f"Route: <sip:127.0.0.1:{proxy};lr>\r\n"
                    f"From: <sip:caller@{STRANGER}>;tag=f{n}\r\n"
                    f"To: <sip:hearthline@127.0.0.1>;tag=made-up\r\n"
                    f"Call-ID: made-up-{n}\r\nCSeq: 2 BYE\r\nMax-Forwards: 70\r\n"
                    "Content-Length: 0\r\n\r\n"
                ).encode(),
                ("127.0.0.1", proxy),
            )
        answers: dict[str, str] = {}
        while len(answers) < count:
            text = sock.recv(65536).decode()
            found = re.search(r"^Call-ID: (made-up-\d+)", text, re.M)
            if found and not text.startswith("SIP/2.0 1"):
                answers[found.group(1)] = text
        return list(answers.values())
    finally:
        sock.close()


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Callable[..., WebServer]]:
    servers: list[WebServer] = []
    greeting_tone(tmp_path, GREETING_HZ)

    def start(**extra: object) -> WebServer:
        # The slot of test_serve.py: one rtpengine child, and no two modules of one
        # worker run at once.
        server = start_voice_server(
            tmp_path, "serve", NUMBER, voice_b2bua_workers=2, voice_trunks=TRUNKS,
            voice_wait_announce_s=0, voice_agent_silence_s=0, **extra,
        )  # fmt: skip
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()
    # Kamailio's processes lead no group of their own: none is left anywhere.
    assert not [
        p
        for p in psutil.process_iter(["name", "cmdline"])
        if p.info["name"] == "kamailio" and str(tmp_path) in " ".join(p.info["cmdline"] or [])
    ], "a Kamailio process outlived the server"
    assert not _workers(), "a B2BUA worker outlived the server"
    assert not _kamailio(), "kamailio outlived the server"


def test_calls_spread_over_two_workers_and_a_lost_worker_leaves_the_others_calls_on(
    serve: Callable[..., WebServer], tmp_path: Path
) -> None:
    server = serve()
    control = server.app.state.app_context.voice
    sip_port = server.app.state.app_context.settings.voice_sip_port
    ports = {sip_port + 1, sip_port + 2}
    assert set(_workers()) == ports
    assert any(p.name() == "kamailio" for p in psutil.Process().children(recursive=True))
    callers: list[Caller] = []
    try:
        # Two calls: one on each worker, each caller hearing the greeting.
        for _ in range(2):
            callers.append(Caller(server, tmp_path))
            assert abs(callers[-1].hears() - GREETING_HZ) < 20
        assert {c.worker() for c in callers} == ports
        assert {c.call() for c in callers} <= set(control.calls)

        # A caller hangs up: the BYE goes through Kamailio to the worker holding the
        # dialog (another would answer 481, and sipp would fail).
        leaving = Caller(server, tmp_path, scenario="caller_hangs_up.xml", extra=("-d", "1500"))
        assert abs(leaving.hears() - GREETING_HZ) < 20
        assert leaving.sipp.wait(timeout=15) == 0, "the BYE was not answered 200"
        _until(lambda: leaving.call() not in control.calls, "the server kept the ended call")
        leaving.hang_up()

        # The first caller's worker is killed: its call is over for the server, the other
        # worker's call carries on, and the worker is started again on its port.
        lost, kept = callers
        killed = _workers()[lost.worker()]
        killed.send_signal(signal.SIGKILL)
        _until(lambda: lost.call() not in control.calls, "the lost worker's call stayed")
        assert kept.call() in control.calls
        assert abs(kept.hears(2.0) - GREETING_HZ) < 20
        _until(
            lambda: set(_workers()) == ports and _workers()[lost.worker()].pid != killed.pid,
            "the killed worker was not started again",
        )
        for _ in range(2):  # new calls are answered, whichever worker takes them
            callers.append(Caller(server, tmp_path))
            assert abs(callers[-1].hears() - GREETING_HZ) < 20

        # The kept caller's worker freezes: Kamailio's probe finds it silent and new calls
        # go to the other worker only; the frozen worker's call still hears its media.
        frozen = _workers()[kept.worker()]
        frozen.send_signal(signal.SIGSTOP)
        try:
            time.sleep(4)  # a probe a second, each given 2 s
            fresh = [Caller(server, tmp_path) for _ in range(2)]
            callers.extend(fresh)
            for caller in fresh:
                assert abs(caller.hears() - GREETING_HZ) < 20
            assert {c.worker() for c in fresh} == ports - {kept.worker()}
            assert abs(kept.hears(1.0) - GREETING_HZ) < 20
        finally:
            frozen.send_signal(signal.SIGCONT)
        # Back: once its probe is answered, calls go to both again.
        time.sleep(3)
        again = [Caller(server, tmp_path) for _ in range(2)]
        callers.extend(again)
        for caller in again:
            # A thawed worker first works off what queued while it was frozen: on a
            # loaded machine its first call's greeting took more than 10 s once.
            assert abs(caller.hears(within=30.0) - GREETING_HZ) < 20
        assert {c.worker() for c in again} == ports

        # Kamailio itself killed: started again by its supervisor; it keeps no dialog, so
        # a call from before still ends with its caller's BYE through the new one.
        (proxy,) = _kamailio()
        its_own = proxy.children()
        assert its_own, "Kamailio runs processes of its own"
        proxy.send_signal(signal.SIGKILL)
        _until(lambda: [p.pid for p in _kamailio()] not in ([], [proxy.pid]), "no new kamailio")
        # Its own processes went with it (its supervisor ends the group): none holds the port.
        _until(lambda: not any(p.is_running() for p in its_own), "Kamailio's processes stayed")
        late = Caller(server, tmp_path, scenario="caller_hangs_up.xml", extra=("-d", "4000"))
        assert abs(late.hears() - GREETING_HZ) < 20
        (proxy,) = _kamailio()
        proxy.send_signal(signal.SIGKILL)
        _until(lambda: [p.pid for p in _kamailio()] not in ([], [proxy.pid]), "no new kamailio")
        assert late.sipp.wait(timeout=15) == 0, "the BYE after the restart was not answered"
        _until(lambda: late.call() not in control.calls, "the server kept the ended call")
        late.hang_up()
        assert abs(again[0].hears(1.0) - GREETING_HZ) < 20
    finally:
        for caller in callers:
            caller.hang_up()


def test_the_workers_judge_the_real_source_behind_kamailio(
    serve: Callable[..., WebServer], tmp_path: Path
) -> None:
    server = serve(voice_sip_invites_per_s=2)  # 1 a second for each worker
    sip_port = server.app.state.app_context.settings.voice_sip_port
    key = tmp_path / "voice" / "b2bua-nonce.key"  # the workers' shared digest nonce key
    assert key.stat().st_mode & 0o777 == 0o600
    assert key.stat().st_size == 64
    stranger = Peer(sip_port, STRANGER)
    callers: list[Caller] = []
    try:
        # Kamailio's own address is loopback, no trunk's: a stranger is refused, also when
        # it names the carrier's address in Kamailio's header (removed on the way).
        stranger.send("INVITE", "stranger-1", sdp=True)
        assert stranger.final("stranger-1").startswith("SIP/2.0 403 Forbidden")
        claim = f"X-Hearthline-Source: {CARRIER}:5060\r\n"
        stranger.send("INVITE", "stranger-2", sdp=True, extra=claim)
        assert stranger.final("stranger-2").startswith("SIP/2.0 403 Forbidden")
        # Sent to a worker directly, the header is not believed either: not from Kamailio.
        direct = Peer(sip_port + 1, STRANGER)
        try:
            direct.send("INVITE", "direct-1", sdp=True, extra=claim)
            assert direct.final("direct-1").startswith("SIP/2.0 403 Forbidden")
        finally:
            direct.close()

        # The carrier, by its address: answered.
        callers.append(Caller(server, tmp_path))
        assert abs(callers[-1].hears() - GREETING_HZ) < 20

        # The branch's digest credentials: challenged by one worker, the answer taken by
        # the other (round robin), which knows the nonce; a wrong password gets 403.
        for password, final in (("s3cret-pass", 200), ("wrong-pass", 403)):
            text = (HERE / "caller_digest.xml").read_text(encoding="utf-8")
            text = text.replace('response="FINAL"', f'response="{final}" rrs="true"')
            scenario = tmp_path / f"digest-{final}.xml"
            # The ACK of the 401 (and of a 403) stays as it is: it goes where the INVITE went.
            scenario.write_text(_proxied(text, after="CSeq: 2 INVITE") if final == 200 else text)
            trace = tmp_path / f"digest-{final}.msg"
            sipp = sipp_calls(
                sip_port, NUMBER, 0, scenario=str(scenario), local_ip=BRANCH,
                timeout_s=20, stderr=subprocess.DEVNULL,
                extra=("-au", "branch-7", "-ap", password, "-trace_msg", "-message_file",
                       str(trace)),
            )  # fmt: skip
            try:
                assert sipp.wait(timeout=30) == 0, trace.read_text(errors="replace")[-2000:]
            finally:
                if sipp.poll() is None:
                    sipp.kill()
                sipp.wait()
            seen = trace.read_text(errors="replace")
            assert "SIP/2.0 401 Unauthorized" in seen and f"SIP/2.0 {final} " in seen

        # A flood from one stranger: past its bound it gets 503, while the carrier's new
        # call is answered as before: the bounds count real sources. Each worker has half
        # the bound, so the two together let the burst of one B2BUA through (4).
        flooder = Peer(sip_port, FLOODER)
        try:
            for n in range(60):
                flooder.send("INVITE", f"flood-{n}", sdp=True)
            answers: dict[str, str] = {}  # by Call-ID: the two workers answer in any order
            while len(answers) < 60:
                text = flooder.sock.recv(65536).decode()
                found = re.search(r"^Call-ID: (flood-\d+)", text, re.M)
                if found and not text.startswith("SIP/2.0 1"):
                    answers[found.group(1)] = text
        finally:
            flooder.close()
        finals = list(answers.values())
        busy = [f for f in finals if f.startswith("SIP/2.0 503")]
        refused = [f for f in finals if f.startswith("SIP/2.0 403")]
        assert 4 <= len(refused) <= 6, [f[:40] for f in finals]  # 60 sent in well under 1 s
        assert len(busy) == 60 - len(refused)
        assert all("Retry-After: 5" in f for f in busy), busy[0]
        callers.append(Caller(server, tmp_path))
        assert abs(callers[-1].hears() - GREETING_HZ) < 20

        # Made-up requests of no dialog for 3 s, routed through Kamailio to a worker (it
        # names their sender on them too): 481, and past the bound 503 with Retry-After;
        # the worker stays in the rotation, and the next two calls go one to each.
        finals = _made_up_dialog_requests(sip_port, sip_port + 1, seconds=3.0)
        assert {f.partition("\r\n")[0] for f in finals} == {
            "SIP/2.0 481 Call Leg/Transaction Does Not Exist",
            "SIP/2.0 503 Too Many Requests From This Address",
        }, {f[:40] for f in finals}
        assert all("Retry-After: 5" in f for f in finals if f.startswith("SIP/2.0 503"))
        fresh = [Caller(server, tmp_path) for _ in range(2)]
        callers.extend(fresh)
        for caller in fresh:
            assert abs(caller.hears() - GREETING_HZ) < 20
        assert {c.worker() for c in fresh} == {sip_port + 1, sip_port + 2}
    finally:
        stranger.close()
        for caller in callers:
            caller.hang_up()


@pytest.mark.browser
def test_an_agent_talks_to_a_caller_through_kamailio_and_hangs_up(
    serve: Callable[..., WebServer],
    playwright: Playwright,
    tmp_path: Path,
    screenshots: Path,
) -> None:
    server = serve()
    browser = microphone_browser(playwright, tone_wav(tmp_path / "agent.wav", AGENT_HZ))
    callers: list[Caller] = []
    try:
        page = watch(browser.new_context(viewport=VIEWPORT, base_url=server.url).new_page())
        page.set_default_timeout(15_000)
        sign_in(page, "maria", lands_on="/agent")
        start_ready(page)
        # The second call, on the other worker than the first (which another agent would
        # take): the agent's hang-up must find the dialog's worker, not the first one.
        for _ in range(2):
            callers.append(Caller(server, tmp_path))
            callers[-1].answered()
        expect(page.locator("#offer-layer")).to_be_visible()
        page.click("#accept-button")
        expect(page.locator("#softphone-text")).to_have_text("On the call: talking")
        talking = next(c for c in callers if abs(c.hears(1.0) - AGENT_HZ) < 30)
        heard = _browser_peak(page)
        assert abs(heard["hz"] - CALLER_HZ) < 30, f"the agent heard {heard}"
        page.screenshot(path=str(screenshots / "voice-kamailio-talking.png"))

        page.click("#hangup-button")
        expect(page.locator("#state-pill")).to_have_text("Wrap-up")
        assert talking.sipp.wait(timeout=15) == 0, "the caller got the BYE"
        other = next(c for c in callers if c is not talking)
        assert other.sipp.poll() is None, "the other caller is still on the line"
        assert other.worker() != talking.worker()
        no_page_errors(page)
    finally:
        for caller in callers:
            caller.hang_up()
        browser.close()


def test_one_worker_registers_for_all_naming_kamailios_port(
    serve: Callable[..., WebServer], tmp_path: Path
) -> None:
    port = free_port()
    trace = tmp_path / "registrar.msg"
    registrar = _registrar(port, "hearthline-1", "prov-pass", trace)
    try:
        _until(trace.exists, "sipp's registrar did not start")
        server = serve(
            voice_registrations=[
                {"registrar": f"127.0.0.1:{port}", "username": "hearthline-1",
                 "password": "prov-pass", "domain": "provider.test", "expires": 120}
            ]
        )  # fmt: skip
        sip_port = server.app.state.app_context.settings.voice_sip_port
        assert registrar.wait(timeout=15) == 0, "the registration did not succeed"
        log = trace.read_text(errors="replace")
        # One registration (a REGISTER and its answer to the challenge, one Call-ID), whose
        # Contact is Kamailio's port: the provider's calls come through it.
        registers = re.findall(r"^REGISTER .*?\n\n", log, re.M | re.S)
        assert len(registers) == 2, log
        call_ids = {re.search(r"^Call-ID: (\S+)", r, re.M).group(1) for r in registers}  # type: ignore[union-attr]
        assert len(call_ids) == 1
        for register in registers:
            assert re.search(rf"^Contact: .*@127\.0\.0\.1:{sip_port}[;>]", register, re.M)
    finally:
        if registrar.poll() is None:
            registrar.kill()
        registrar.wait()
        if registrar.stderr is not None:
            registrar.stderr.close()
