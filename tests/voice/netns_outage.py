"""An agent's home network fails them during a call, for real, inside a network namespace
of its own (``scripts/voice-outage.sh``, as root; ``test_real_outage.py`` runs it in the
suite): loopback and a veth pair whose address, 10.99.0.1, is the page's side of the
call. Not collected by itself (no ``test_`` prefix): outside that namespace iptables and
the address change would touch the whole machine.

- The path goes away for OUTAGE_S and comes back on the same addresses, as when Wi-Fi
  returns: Chromium's ICE went "disconnected" 7.5 to 7.6 s into an outage and, without
  restarts, "failed" for good; the page's restarts bring it back.
- The page's address changes during the call (Wi-Fi to mobile): the old one is gone, a
  new one comes up, and the page's restart finds it.
Measured in docs/voice.md, "Dropped legs, measured".
"""

from __future__ import annotations

import contextlib
import re
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Page, Playwright, expect

from tests.ports import rtp_range
from tests.voice.rig import call_rig, start_voice_server, tone_wav
from tests.voice.rtp import RtpEndpoint, peak_hz
from tests.voice.test_real_call import (
    AGENT_HZ,
    CALLER_HZ,
    NUMBER,
    _answer_call,
    _call,
    _log,
    _talks_both_ways,
)
from tests.web.server import WebServer
from tests.web.support import no_page_errors, open_as, start_ready

# Longer than Chromium waits between "disconnected" and "failed" (about 10 s): only the
# page's restarts bring this call back.
OUTAGE_S = 20.0


@pytest.fixture
def voice_server(tmp_path: Path) -> Iterator[WebServer]:
    server = start_voice_server(tmp_path, "real_call", NUMBER)
    yield server
    server.stop()


@pytest.fixture
def agent_tone(tmp_path: Path) -> Path:
    return tone_wav(tmp_path / "agent.wav", AGENT_HZ, seconds=60)


def _iptables(*args: str) -> None:
    subprocess.run(["iptables", *args], check=True)


@dataclass
class OnCall:
    page: Page
    caller: RtpEndpoint
    sipp: subprocess.Popen[bytes]


@contextlib.contextmanager
def _on_a_call(
    server: WebServer,
    playwright: Playwright,
    agent_tone: Path,
    before: Callable[[RtpEndpoint], object] = lambda caller: None,
) -> Iterator[OnCall]:
    """Maria on a real call, heard both ways, with the page's connection states and what
    it sends over its socket kept in ``window.states`` and ``window.sent``; ``before``
    runs once the caller's endpoint is up, before the call."""
    with call_rig(playwright, agent_tone, CALLER_HZ) as rig:
        caller = rig.caller
        before(caller)
        page = open_as(rig.browser, server, "maria", lands_on="/agent")
        start_ready(page)
        sipp = rig.track(_call(server, caller))
        expect(page.locator("#offer-layer")).to_be_visible()
        _answer_call(page)
        _talks_both_ways(page, caller)
        page.evaluate(
            """() => {
              const phone = window.hearthlineSoftphone;
              const send = phone.send;
              window.sent = [];
              phone.send = (m) => { window.sent.push(m.type); send(m); };
              window.states = [];
              phone.pc.addEventListener("connectionstatechange",
                () => window.states.push(phone.pc.connectionState));
            }"""
        )
        yield OnCall(page, caller, sipp)


def _back_both_ways(call: OnCall, server: WebServer) -> None:
    """The call is up again and heard both ways, and it was never dropped: a lost
    connection while it lasted at most, back within the grace period."""
    page, caller = call.page, call.caller
    expect(page.locator("#softphone-text")).to_have_text("On the call: talking")
    states: list[str] = page.evaluate("() => window.states")
    assert states[0] == "disconnected" and states[-1] == "connected", states
    assert "failed" not in states, states
    # The page hears the caller at once; what reaches the caller may lag the page's
    # "connected": give it up to 10 s, then check both ways.
    back = time.monotonic()
    while time.monotonic() - back < 10:
        heard = caller.audio_since(time.monotonic() - 0.5)
        if len(heard) >= 2000 and abs(peak_hz(heard) - AGENT_HZ) < 30:
            break
        time.sleep(0.2)
    _talks_both_ways(page, caller)
    kinds = [k for k, _ in _log(server)]
    if "AgentConnectionLost" in kinds:
        assert kinds.index("AgentReconnected") > kinds.index("AgentConnectionLost")
    assert "ContactDropped" not in kinds and "CallRequeued" not in kinds
    page.click("#hangup-button")
    assert call.sipp.wait(timeout=15) == 0
    no_page_errors(page)


def test_an_agent_leg_cut_off_for_20_s_comes_back_by_ice_restarts_and_the_call_goes_on(
    voice_server: WebServer, playwright: Playwright, agent_tone: Path
) -> None:
    with _on_a_call(voice_server, playwright, agent_tone) as call:
        sdp = call.page.evaluate("() => window.hearthlineSoftphone.pc.remoteDescription.sdp")
        found = re.search(r"m=audio (\d+)", sdp)
        assert found is not None
        port = found.group(1)  # rtpengine's port facing the page: the leg's every packet
        rules = [
            ["INPUT", "-p", "udp", flag, port, "-j", "DROP"] for flag in ("--dport", "--sport")
        ]
        for rule in rules:
            _iptables("-I", *rule)
        try:
            time.sleep(OUTAGE_S)
        finally:
            for rule in rules:
                _iptables("-D", *rule)
        sent: list[str] = call.page.evaluate("() => window.sent")
        assert sent.count("voice-restart") >= 3 and "voice-lost" in sent, sent
        _back_both_ways(call, voice_server)
        # Past 8 s down the page reported the loss, and the silence watch heard nothing.
        kinds = [k for k, _ in _log(voice_server)]
        assert "AgentConnectionLost" in kinds and "AgentReconnected" in kinds, kinds


def _local_address(page: Page) -> str:
    """The page's own address on the connection's selected candidate pair."""
    found: str = page.evaluate(
        """async () => {
          const stats = await window.hearthlineSoftphone.pc.getStats();
          let pair = null;
          stats.forEach((s) => { if (s.type === "transport") pair = s.selectedCandidatePairId; });
          return stats.get(stats.get(pair).localCandidateId).address;
        }"""
    )
    return found


def test_an_agent_whose_address_changes_mid_call_is_found_again_and_the_call_goes_on(
    voice_server: WebServer, playwright: Playwright, agent_tone: Path
) -> None:
    # The page's side of the call must be the veth's address, as a home agent's is their
    # router's: its loopback candidates cannot reach rtpengine's ports (the caller's
    # media, from its endpoint on loopback too, still can).
    first, last = rtp_range("real_call")
    with contextlib.ExitStack() as undo:

        def only_the_veth(caller: RtpEndpoint) -> None:
            rule = ["INPUT", "-p", "udp", "-s", "127.0.0.1", "--dport", f"{first}:{last}",
                    "!", "--sport", str(caller.port), "-j", "DROP"]  # fmt: skip
            _iptables("-I", *rule)
            undo.callback(_iptables, "-D", *rule)

        with _on_a_call(voice_server, playwright, agent_tone, only_the_veth) as call:
            page = call.page
            assert _local_address(page) == "10.99.0.1"
            # Wi-Fi to mobile: a new interface comes up with its address, the old one goes.
            for step in (["link", "add", "hl2", "type", "veth", "peer", "name", "hl3"],
                         ["addr", "add", "10.98.0.2/24", "dev", "hl2"],
                         ["link", "set", "hl2", "up"], ["link", "set", "hl3", "up"],
                         ["addr", "del", "10.99.0.1/24", "dev", "hl0"]):  # fmt: skip
                subprocess.run(["ip", *step], check=True)
            undo.callback(
                subprocess.run, ["ip", "addr", "add", "10.99.0.1/24", "dev", "hl0"], check=False
            )
            undo.callback(subprocess.run, ["ip", "link", "del", "hl2"], check=False)
            page.wait_for_function("() => window.states.includes('disconnected')", timeout=20_000)
            page.wait_for_function(
                "() => window.hearthlineSoftphone.pc.connectionState === 'connected'",
                timeout=30_000,
            )
            assert _local_address(page) == "10.98.0.2"
            assert "voice-restart" in page.evaluate("() => window.sent")
            _back_both_ways(call, voice_server)
