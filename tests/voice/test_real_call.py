"""A real call, end to end, on loopback: sipp is the trunk's caller, the B2BUA and
rtpengine run as the server's children, Chromium is the agent. Audio is checked both
ways by its frequency, then the agent hangs up and the caller gets the BYE. And an agent
leg that dies for real: the server hears its silence, the caller hears the reconnect
message and goes first to the next agent, who reads the notes taken so far.

The server watches agent legs' silence at ``SILENT_S`` (2 s): hold and mute, in both
tests, must not trip it."""

from __future__ import annotations

import contextlib
import logging
import subprocess
import time
import wave
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from playwright.sync_api import Page, Playwright, expect
from sqlalchemy import select

from hearthline.kernel.ids import AgentId
from hearthline.reports.stats import StatsProjection
from hearthline.routing import commands as cmd
from hearthline.routing.config import CONNECTION_LOST, MISSED_OFFER, CenterSettings
from hearthline.routing.domain import LiveRouting
from hearthline.routing.errors import RoutingError
from hearthline.routing.states import AgentState
from hearthline.service.domains import CODEC
from hearthline.store import tables
from hearthline.store.log import read_events
from hearthline.voice.domain import LiveVoice
from tests.voice.rig import call_in, call_rig, hold_and_resume, start_voice_server, tone_wav
from tests.voice.rtp import RATE, RtpEndpoint, level_at, peak_hz
from tests.voice.tools import skip_without_voice_tools
from tests.web.server import WebServer
from tests.web.support import no_page_errors, open_as, start_ready

pytestmark = [pytest.mark.voice, pytest.mark.browser, pytest.mark.slow]

skip_without_voice_tools()

NUMBER = "+15550100"
CALLER_HZ = 600.0
AGENT_HZ = 1000.0
# A bridged agent leg that sends nothing this long is a lost connection; the core's
# grace period then drops the call on the agent's side.
SILENT_S = 2.0
GRACE_S = 3.0


@pytest.fixture(scope="module")
def voice_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebServer]:
    server = start_voice_server(
        tmp_path_factory.mktemp("voice"), "real_call", NUMBER,
        voice_agent_silence_s=SILENT_S,
    )  # fmt: skip
    yield server
    server.stop()


@pytest.fixture(scope="module")
def agent_tone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tone_wav(tmp_path_factory.mktemp("tone") / "agent.wav", AGENT_HZ, seconds=30)


def _browser_peak(page: Page) -> dict[str, float]:
    """The loudest frequency of the call's audio in the page, and the RTP it got."""
    result: dict[str, float] = page.evaluate(
        """async () => {
          const phone = window.hearthlineSoftphone;
          const ctx = new AudioContext();
          const source = ctx.createMediaStreamSource(phone.audio.srcObject);
          const analyser = ctx.createAnalyser();
          analyser.fftSize = 8192;
          source.connect(analyser);
          await new Promise((r) => setTimeout(r, 1200));
          const bins = new Float32Array(analyser.frequencyBinCount);
          analyser.getFloatFrequencyData(bins);
          let best = 0;
          for (let i = 5; i < bins.length; i++) if (bins[i] > bins[best]) best = i;
          let packets = 0;
          (await phone.pc.getStats()).forEach((s) => {
            if (s.type === "inbound-rtp" && s.kind === "audio") packets = s.packetsReceived;
          });
          return { hz: best * ctx.sampleRate / analyser.fftSize, db: bins[best], packets };
        }"""
    )
    return result


def _call(server: WebServer, caller: RtpEndpoint) -> subprocess.Popen[bytes]:
    """sipp calls ``NUMBER`` with its media on ``caller``; it exits 0 on the server's BYE."""
    return call_in(server, NUMBER, caller.port)


def _signed_out(server: WebServer, *agents: str) -> None:
    """Each agent signed out, whatever the module's other test left them doing."""
    for agent in agents:
        ident = AgentId(agent)
        state = server.writer.query(lambda s, a=ident: s.part(LiveRouting).router.agent(a).state)
        with contextlib.suppress(RoutingError):
            if state is AgentState.WRAP_UP:
                server.writer.execute(cmd.FinishWrapUp(ident))
            server.writer.execute(cmd.SignOut(ident))


def test_a_trunk_caller_talks_to_a_browser_agent_and_the_agent_hangs_up(
    voice_server: WebServer, playwright: Playwright, agent_tone: Path, screenshots: Path
) -> None:
    server = voice_server
    _signed_out(server, "a-maria")
    before = server.writer.last_event_id  # the module's other test may have run first
    with call_rig(playwright, agent_tone, CALLER_HZ) as rig:
        caller = rig.caller
        page = open_as(rig.browser, server, "maria", lands_on="/agent")
        expect(page.locator("#state-pill")).to_have_text("Signed out")
        start_ready(page)

        sipp = rig.track(_call(server, caller))

        # Parked: the caller hears the greeting while the offer rings on the desktop.
        expect(page.locator("#offer-layer")).to_be_visible()
        deadline = time.monotonic() + 5
        while len(caller.received) < 25 and time.monotonic() < deadline:
            time.sleep(0.05)
        prompt = caller.audio_since(0)
        assert len(prompt) >= 25 * 160, "the caller heard no greeting while queued"
        assert prompt.std() > 100, "the greeting the caller heard is silence"

        page.click("#accept-button")
        expect(page.locator("#state-pill")).to_have_text("On contact")
        expect(page.locator("#softphone-text")).to_have_text("On the call: talking")
        bridged_at = time.monotonic()
        page.screenshot(path=str(screenshots / "voice-agent-on-call.png"))

        heard = _browser_peak(page)
        assert heard["packets"] > 20, heard
        assert abs(heard["hz"] - CALLER_HZ) < 30, f"the agent heard {heard}, not {CALLER_HZ} Hz"

        time.sleep(1.0)
        spoken = caller.audio_since(bridged_at + 0.3)
        assert len(spoken) >= 4000, "the caller got no audio from the agent"
        assert abs(peak_hz(spoken) - AGENT_HZ) < 30, f"the caller heard {peak_hz(spoken)} Hz"

        # Hold: the caller hears the music (its notes), not the agent; resume brings them back.
        talking = hold_and_resume(page, caller, AGENT_HZ)

        # Mute: the desk says so and the caller gets silence, not the agent's tone; M
        # (the key) brings the agent back.
        page.click("#mute-button")
        expect(page.locator("#mute-flag")).to_have_text("Muted")
        expect(page.locator("#mute-button")).to_contain_text("Unmute")
        muted_at = time.monotonic()
        time.sleep(1.0)
        silence = caller.audio_since(muted_at + 0.3)
        assert level_at(silence, AGENT_HZ) < level_at(talking, AGENT_HZ) / 30, (
            "the caller still hears the agent"
        )
        page.keyboard.press("m")
        expect(page.locator("#mute-flag")).to_be_hidden()
        expect(page.locator("#mute-button")).to_contain_text("Mute")
        unmuted_at = time.monotonic()
        time.sleep(1.0)
        assert abs(peak_hz(caller.audio_since(unmuted_at + 0.3)) - AGENT_HZ) < 30

        page.click("#hangup-button")
        expect(page.locator("#state-pill")).to_have_text("Wrap-up")
        code = sipp.wait(timeout=15)
        assert code == 0, f"sipp failed ({code}): {sipp.stderr.read() if sipp.stderr else ''}"
        expect(page.locator("#softphone-text")).to_have_text("Call ended")
        expect(page.locator("#mute-button")).to_be_hidden()

        # The log holds the legs: answered, bridged to Maria, ended by the agent.
        e = tables.events.c
        with server.writer.engine.connect() as conn:
            legs = conn.execute(
                select(e.type, e.agent_id).where(e.type.like("Call%"), e.id > before).order_by(e.id)
            ).all()
            types = set(conn.execute(select(e.type).where(e.id > before)).scalars())
        assert not any("Mute" in t for t in types), "mute is the agent's own, not logged"
        assert "AgentConnectionLost" not in types, "hold or mute passed for a dropped leg"
        assert [tuple(row) for row in legs] == [
            ("CallAnswered", None),
            ("CallBridged", "a-maria"),
            ("CallEnded", "a-maria"),
        ]
        assert server.writer.part(LiveVoice).switchboard.calls == {}
        no_page_errors(page)


def _grace(server: WebServer, seconds: float) -> None:
    """The center's grace period for lost connections, set as an administrator does."""
    admin = server.api("admin")
    try:
        r = admin.put("/api/admin/settings", json={"connection_grace_s": seconds})
    finally:
        admin.close()
    assert r.status_code == 200, r.text


def _log(server: WebServer) -> list[tuple[str, Any]]:
    """The whole log, each event with its type."""
    return [(type(e.event).__name__, e.event) for e in read_events(server.writer.engine, CODEC)]


def _wait_for(server: WebServer, kind: str, *, timeout_s: float, after: int = 0) -> float:
    """Waits for the log's first ``kind`` event past its ``after``-th; its time (monotonic)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if sum(1 for k, _ in _log(server) if k == kind) > after:
            return time.monotonic()
        time.sleep(0.1)
    raise AssertionError(f"no {kind} in the log within {timeout_s} s: {_log(server)[-8:]}")


def _likeness(heard: np.ndarray, wav: Path, *, seconds: float) -> float:
    """The best normalised correlation of the first ``seconds`` of the file's sound (from
    where it stops being silent) with a stretch of ``heard`` as long (1.0: exactly)."""
    with wave.open(str(wav)) as w:
        said = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float64)
    start = int(np.argmax(np.abs(said) > 500))
    said = said[start : start + int(seconds * RATE)]
    if len(heard) < len(said):
        return 0.0
    n = len(heard) + len(said)
    corr = np.fft.irfft(np.fft.rfft(heard, n) * np.conj(np.fft.rfft(said, n)), n)
    lag = int(np.argmax(corr[: len(heard) - len(said) + 1]))
    part = heard[lag : lag + len(said)]
    return float(np.dot(part, said) / (np.linalg.norm(part) * np.linalg.norm(said) or 1.0))


def _ice(page: Page) -> dict[str, str]:
    """The ICE username fragments of the page's call: its own and rtpengine's."""
    found: dict[str, str] = page.evaluate(
        """() => {
          const pc = window.hearthlineSoftphone.pc;
          const ufrag = (d) => /a=ice-ufrag:(\\S+)/.exec(d.sdp)[1];
          return { local: ufrag(pc.localDescription), remote: ufrag(pc.remoteDescription) };
        }"""
    )
    return found


def _answer_call(page: Page) -> None:
    page.click("#accept-button")
    expect(page.locator("#state-pill")).to_have_text("On contact")
    expect(page.locator("#softphone-text")).to_have_text("On the call: talking")


def _talks_both_ways(page: Page, caller: RtpEndpoint) -> None:
    since = time.monotonic()
    heard = _browser_peak(page)
    assert heard["packets"] > 20, heard
    assert abs(heard["hz"] - CALLER_HZ) < 30, f"the agent heard {heard}, not {CALLER_HZ} Hz"
    spoken = caller.audio_since(since)
    assert len(spoken) >= 4000, "the caller got no audio from the agent"
    assert abs(peak_hz(spoken) - AGENT_HZ) < 30, f"the caller heard {peak_hz(spoken)} Hz"


def test_an_agent_leg_gone_silent_is_a_lost_connection_and_the_next_agent_takes_the_caller(
    voice_server: WebServer,
    playwright: Playwright,
    agent_tone: Path,
    screenshots: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    server = voice_server
    _signed_out(server, "a-maria", "a-tom")
    _grace(server, GRACE_S)
    caplog.set_level(logging.INFO, logger="hearthline.telephony.silence")
    before = len(_log(server))
    with contextlib.ExitStack() as stack:
        # Undone last, whatever happened: the agents signed out, the grace period as it was.
        stack.callback(_signed_out, server, "a-maria", "a-tom")
        stack.callback(_grace, server, CenterSettings().connection_grace_s)
        rig = stack.enter_context(call_rig(playwright, agent_tone, CALLER_HZ))
        caller = rig.caller
        pages: dict[str, Page] = {}
        for who in ("maria", "tom"):
            page = pages[who] = open_as(rig.browser, server, who, lands_on="/agent")
            expect(page.locator("#state-pill")).to_have_text("Signed out")
            page.click("#start-button")
            expect(page.locator("#state-pill")).to_have_text("Not ready")
        maria, tom = pages["maria"], pages["tom"]
        maria.click("#ready-button")
        expect(maria.locator("#state-pill")).to_have_text("Ready")

        sipp = rig.track(_call(server, caller))
        expect(maria.locator("#offer-layer")).to_be_visible()
        _answer_call(maria)
        _talks_both_ways(maria, caller)

        # An ICE restart (what the page asks for when its connection falters): a fresh
        # offer with new ICE credentials, answered on the same connection; the transport
        # runs on the new credentials and the call carries on both ways.
        before_restart = _ice(maria)
        maria.evaluate("() => window.hearthlineSoftphone.restart()")
        maria.wait_for_function(
            """old => {
              const pc = window.hearthlineSoftphone.pc;
              const ufrag = (d) => /a=ice-ufrag:(\\S+)/.exec(d.sdp)[1];
              return ufrag(pc.remoteDescription) !== old.remote
                && ufrag(pc.localDescription) !== old.local;
            }""",
            arg=before_restart,
        )
        expect(maria.locator("#softphone-text")).to_have_text("On the call: talking")
        restarted = _ice(maria)
        maria.wait_for_function(
            """local => new Promise(async (done) => {
              const stats = await window.hearthlineSoftphone.pc.getStats();
              let used = null;
              stats.forEach((s) => {
                if (s.type === "transport") used = s.iceLocalUsernameFragment;
              });
              done(used === local);
            })""",
            arg=restarted["local"],
        )
        _talks_both_ways(maria, caller)
        maria.fill("#note-text", "Parcel 7731 came damaged; she wants a refund, not a swap.")
        expect(maria.locator("#save-state")).to_have_attribute("data-status", "saved")

        # Held and muted for longer than the silence setting: the page still sends
        # packets (silence, at 50 a second), so it is no lost connection.
        maria.click("#hold-button")
        expect(maria.locator("#hold-button")).to_contain_text("Resume")
        maria.click("#mute-button")
        expect(maria.locator("#mute-flag")).to_have_text("Muted")
        time.sleep(SILENT_S + 1.5)
        assert "AgentConnectionLost" not in [k for k, _ in _log(server)[before:]]
        maria.click("#mute-button")
        maria.click("#hold-button")
        expect(maria.locator("#hold-button")).to_contain_text("Hold")
        expect(maria.locator("#state-pill")).to_have_text("On contact")

        # The tab's media dies and nobody tells the server (the page's connection closed
        # and its microphone stopped, as in a crashed or frozen tab); the page itself
        # goes on beating, so only the server's silence watch can see it.
        maria.evaluate(
            """() => {
              const phone = window.hearthlineSoftphone;
              phone.pc.onconnectionstatechange = null;
              for (const t of phone.mic.getTracks()) t.stop();
              phone.pc.close();
            }"""
        )
        died, died_at = time.monotonic(), server.writer.clock.now()
        _wait_for(server, "AgentConnectionLost", timeout_s=SILENT_S + 6)
        lost_at = next(e.at for k, e in _log(server)[before:] if k == "AgentConnectionLost")
        assert lost_at - died_at >= SILENT_S - 0.3, (
            "reported before the leg fell silent long enough"
        )
        assert any("no media from a-maria" in r.getMessage() for r in caplog.records)
        requeued = _wait_for(server, "CallRequeued", timeout_s=GRACE_S + 6)

        # The caller is still on the line and hears the reconnect message.
        deadline = time.monotonic() + 8
        while len(caller.audio_since(requeued)) < 3 * RATE and time.monotonic() < deadline:
            time.sleep(0.1)
        context = server.app.state.app_context
        reconnect = Path(context.settings.data_dir) / "voice/prompts/default/reconnect.wav"
        likeness = _likeness(caller.audio_since(died), reconnect, seconds=1.5)
        assert likeness > 0.9, f"the caller did not hear the reconnect message ({likeness:.2f})"
        assert sipp.poll() is None, "the caller was hung up on"
        expect(maria.locator("#softphone-text")).to_have_text("Call ended")

        # The next agent gets the caller first, talks both ways, and reads Maria's notes.
        tom.click("#ready-button")
        expect(tom.locator("#offer-layer")).to_be_visible()
        _answer_call(tom)
        _talks_both_ways(tom, caller)
        earlier = tom.locator("#earlier-notes")
        expect(earlier).to_be_visible()
        expect(earlier).to_contain_text("Parcel 7731 came damaged; she wants a refund")
        expect(earlier).to_contain_text("Noted by Maria Lopez before the call dropped")
        tom.screenshot(path=str(screenshots / "voice-dropped-leg-next-agent.png"))

        tom.click("#hangup-button")
        expect(tom.locator("#state-pill")).to_have_text("Wrap-up")
        code = sipp.wait(timeout=15)
        assert code == 0, f"sipp failed ({code}): {sipp.stderr.read() if sipp.stderr else ''}"

        log = _log(server)[before:]
        legs = [(k, getattr(e, "agent", None)) for k, e in log if k.startswith("Call")]
        assert legs == [
            ("CallAnswered", None),
            ("CallBridged", "a-maria"),
            ("CallRequeued", None),
            ("CallBridged", "a-tom"),
            ("CallEnded", "a-tom"),
        ], legs
        # A new contact at the head of the queue, naming the dropped one; the callback the
        # core owed for the drop was cancelled once Tom took the caller on the line.
        first = next(e.contact for k, e in log if k == "ContactArrived")
        again = [e for k, e in log if k == "ContactArrived" and e.data]
        assert [dict(e.data) for e in again] == [{"previous_contact": first}]
        queued = [
            e.priority for k, e in log if k == "ContactQueued" and e.contact == again[0].contact
        ]
        assert queued == [1000]
        assert [e.contact for k, e in log if k == "ContactAbandoned"] == [f"{first}~cb"]

        # Not against Maria: a lost connection (a system reason), the call dropped by a
        # fault, no missed offer; her page, still there, reports her back.
        kinds = [k for k, _ in log]
        dropped = [e for k, e in log if k == "ContactDropped"]
        assert [(e.contact, e.side) for e in dropped] == [(first, "agent")]
        reasons = [e.reason for k, e in log if k == "AgentWentNotReady" and e.agent == "a-maria"]
        assert CONNECTION_LOST in reasons and MISSED_OFFER not in reasons, reasons
        assert "OfferTimedOut" not in kinds
        assert kinds.index("AgentReconnected") > kinds.index("ContactDropped")
        stats = StatsProjection(interval_s=86_400)
        stats.apply_all(e.event for e in read_events(server.writer.engine, CODEC))
        rows = stats.agent_rows(until=server.writer.clock.now())
        hers = [r for r in rows if r.agent == "a-maria"]
        assert sum(r.dropped for r in hers) == 1
        assert sum(r.missed + r.declined for r in hers) == 0
        assert not any(CONNECTION_LOST in r.not_ready_s for r in hers)
        assert any(CONNECTION_LOST in r.system_not_ready_s for r in hers)
        assert server.writer.part(LiveVoice).switchboard.calls == {}
        no_page_errors(maria, tom)
