"""A real call, end to end, on loopback: sipp is the trunk's caller, the B2BUA and
rtpengine run as the server's children, Chromium is the agent. Audio is checked both
ways by its frequency, then the agent hangs up and the caller gets the BYE."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from playwright.sync_api import Page, Playwright, expect
from sqlalchemy import select

from hearthline.store import tables
from hearthline.telephony.prompts import HOLD_NOTES
from hearthline.voice.domain import LiveVoice
from tests.conftest import CHROMIUM, CHROMIUM_ARGS, VIEWPORT
from tests.ports import sipp_media_port
from tests.serving import free_port
from tests.voice.rig import start_voice_server, tone_wav
from tests.voice.rtp import RATE, RtpEndpoint, peak_hz
from tests.voice.tools import skip_without_voice_tools
from tests.web.server import WebServer
from tests.web.support import no_page_errors, sign_in, watch

pytestmark = [pytest.mark.voice, pytest.mark.browser, pytest.mark.slow]

skip_without_voice_tools()

HERE = Path(__file__).parent
NUMBER = "+15550100"
CALLER_HZ = 600.0
AGENT_HZ = 1000.0


@pytest.fixture(scope="module")
def voice_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebServer]:
    server = start_voice_server(tmp_path_factory.mktemp("voice"), "real_call", NUMBER)
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


def _level(samples: np.ndarray, hz: float) -> float:
    """The amplitude of ``hz`` in ``samples`` (0 for no audio at all)."""
    if len(samples) == 0:
        return 0.0
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(len(samples)))) / len(samples)
    freqs = np.fft.rfftfreq(len(samples), 1 / RATE)
    return float(spectrum[np.abs(freqs - hz) <= 30].max())


def test_a_trunk_caller_talks_to_a_browser_agent_and_the_agent_hangs_up(
    voice_server: WebServer, playwright: Playwright, agent_tone: Path, screenshots: Path
) -> None:
    server = voice_server
    browser = playwright.chromium.launch(
        executable_path=CHROMIUM,
        headless=True,
        args=[
            *CHROMIUM_ARGS,
            "--allow-loopback-in-peer-connection",
            "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-audio-capture={agent_tone}",
            "--autoplay-policy=no-user-gesture-required",
        ],
    )
    caller = RtpEndpoint(CALLER_HZ)
    caller.start()
    sipp: subprocess.Popen[bytes] | None = None
    try:
        context = browser.new_context(viewport=VIEWPORT, base_url=server.url)
        context.set_default_timeout(15_000)
        page = watch(context.new_page())
        sign_in(page, "maria", lands_on="/agent")
        expect(page.locator("#state-pill")).to_have_text("Signed out")
        page.click("#start-button")
        expect(page.locator("#state-pill")).to_have_text("Not ready")
        page.click("#ready-button")
        expect(page.locator("#state-pill")).to_have_text("Ready")

        sip_port = server.app.state.app_context.settings.voice_sip_port
        sipp = subprocess.Popen(
            ["sipp", f"127.0.0.1:{sip_port}", "-sf", str(HERE / "caller.xml"), "-s", NUMBER,
             "-i", "127.0.0.1", "-p", str(free_port()), "-mp", str(sipp_media_port()),
             "-m", "1", "-l", "1", "-key", "rtpport", str(caller.port),
             "-timeout", "60s", "-nostdin"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )  # fmt: skip

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
        page.click("#hold-button")
        expect(page.locator("#hold-button")).to_contain_text("Resume")
        held_at = time.monotonic()
        time.sleep(1.3)
        music = caller.audio_since(held_at + 0.3)
        assert any(abs(peak_hz(music) - hz) < 20 for hz in HOLD_NOTES), peak_hz(music)
        page.click("#hold-button")
        expect(page.locator("#hold-button")).to_contain_text("Hold")
        resumed_at = time.monotonic()
        time.sleep(1.0)
        talking = caller.audio_since(resumed_at + 0.3)
        assert abs(peak_hz(talking) - AGENT_HZ) < 30

        # Mute: the desk says so and the caller gets silence, not the agent's tone; M
        # (the key) brings the agent back.
        page.click("#mute-button")
        expect(page.locator("#mute-flag")).to_have_text("Muted")
        expect(page.locator("#mute-button")).to_contain_text("Unmute")
        muted_at = time.monotonic()
        time.sleep(1.0)
        silence = caller.audio_since(muted_at + 0.3)
        assert _level(silence, AGENT_HZ) < _level(talking, AGENT_HZ) / 30, (
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
        with server.writer.engine.connect() as conn:
            legs = conn.execute(
                select(tables.events.c.type, tables.events.c.agent_id)
                .where(tables.events.c.type.like("Call%"))
                .order_by(tables.events.c.id)
            ).all()
            types = set(conn.execute(select(tables.events.c.type)).scalars())
        assert not any("Mute" in t for t in types), "mute is the agent's own, not logged"
        assert [tuple(row) for row in legs] == [
            ("CallAnswered", None),
            ("CallBridged", "a-maria"),
            ("CallEnded", "a-maria"),
        ]
        assert server.writer.part(LiveVoice).switchboard.calls == {}
        no_page_errors(page)
    finally:
        caller.stop()
        if sipp is not None:
            if sipp.poll() is None:
                sipp.kill()
                sipp.wait()
            if sipp.stderr is not None:
                sipp.stderr.close()
        browser.close()
