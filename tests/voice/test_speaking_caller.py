"""The demo's caller who speaks (``demo/speaking.py``) against the real B2BUA and rtpengine:
its sentence is spoken once by espeak-ng; the demo's loop calls nobody while the agent is
signed out and rings once they sign in: sipp dials the returns line and streams it;
Chromium's agent accepts and hears speech (energy in the speech band, changing over
time, where a parked caller's line would be silent); the agent hangs up and the caller
process ends cleanly (it answered the BYE)."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Playwright, expect
from sqlalchemy import select

from hearthline.demo import speaking
from hearthline.kernel.ids import AgentId
from hearthline.store import tables
from tests.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.voice.rig import start_voice_server
from tests.voice.tools import skip_without_voice_tools
from tests.web.server import WebServer
from tests.web.support import new_context, no_page_errors, sign_in, start_ready, watch

pytestmark = [pytest.mark.voice, pytest.mark.browser, pytest.mark.slow]

skip_without_voice_tools()

NUMBER = "+15550101"

# Eight looks, 0.4 s apart, at what the agent's page plays: the loudest bin in the
# speech band (80-4000 Hz) and its level, and the packets received.
_LISTEN = """async () => {
  const phone = window.hearthlineSoftphone;
  const ctx = new AudioContext();
  const analyser = ctx.createAnalyser();
  analyser.fftSize = 4096;
  ctx.createMediaStreamSource(phone.audio.srcObject).connect(analyser);
  const looks = [];
  for (let n = 0; n < 8; n++) {
    await new Promise((r) => setTimeout(r, 400));
    const bins = new Float32Array(analyser.frequencyBinCount);
    analyser.getFloatFrequencyData(bins);
    const hz = (i) => i * ctx.sampleRate / analyser.fftSize;
    let best = -Infinity, at = 0;
    for (let i = 1; i < bins.length; i++) {
      if (hz(i) < 80 || hz(i) > 4000) continue;
      if (bins[i] > best) { best = bins[i]; at = hz(i); }
    }
    looks.push({ db: best, hz: at });
  }
  let packets = 0;
  (await phone.pc.getStats()).forEach((s) => {
    if (s.type === "inbound-rtp" && s.kind === "audio") packets = s.packetsReceived;
  });
  ctx.close();
  return { looks, packets };
}"""


@pytest.fixture(scope="module")
def voice_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebServer]:
    server = start_voice_server(tmp_path_factory.mktemp("voice"), "demo_caller", NUMBER)
    yield server
    server.stop()


def test_the_speaking_caller_is_heard_by_the_agent_who_hangs_up(
    voice_server: WebServer, playwright: Playwright, tmp_path: Path
) -> None:
    server = voice_server
    [line] = speaking.prepare([(NUMBER, "returns", "northwind-returns")], tmp_path)
    assert len(line.scenarios) == len(speaking.SENTENCES["northwind-returns"])
    spoken = tmp_path / "northwind-returns-0.ulaw.wav"
    # What sipp streams: 8 kHz mu-law (payload type 0), seconds of it.
    info = subprocess.run(["soxi", str(spoken)], capture_output=True, text=True, check=True)
    assert "Sample Rate    : 8000" in info.stdout
    assert "u-law" in info.stdout
    seconds = float(
        subprocess.run(["soxi", "-D", str(spoken)], capture_output=True, text=True).stdout
    )
    assert seconds > 2
    browser = playwright.chromium.launch(
        executable_path=CHROMIUM,
        headless=True,
        args=[
            *CHROMIUM_ARGS,
            "--allow-loopback-in-peer-connection",
            "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream",
            "--autoplay-policy=no-user-gesture-required",
        ],
    )
    callers: speaking.SpeakingCallers | None = None
    try:
        page = watch(new_context(browser, server).new_page())
        # The demo's loop, for Maria: nobody is called while she is signed out.
        callers = speaking.SpeakingCallers(
            server.writer,
            lambda: [line],
            sip_port=server.app.state.app_context.settings.voice_sip_port,
            callers=["+447900123456"],
            seed=1,
            agent=AgentId("a-maria"),
        )
        callers.start()
        time.sleep(2.5)
        assert callers.placed == 0
        sign_in(page, "maria", lands_on="/agent")
        start_ready(page)

        expect(page.locator("#offer-layer")).to_be_visible()
        page.click("#accept-button")
        expect(page.locator("#softphone-text")).to_have_text("On the call: talking")

        heard = page.evaluate(_LISTEN)
        assert heard["packets"] > 50, heard
        # Speech has pauses (between words, and where the sentence starts again), and the
        # first look may precede the audio: most looks, not all, hear it.
        loud = [look for look in heard["looks"] if look["db"] > -65]
        assert len(loud) >= 4, f"the agent heard no speech: {heard}"
        # Speech moves through the band (vowels, consonants): a steady tone would not.
        assert len({round(look["hz"] / 50) for look in loud}) > 1, f"not speech: {heard}"

        assert callers.placed == 1
        sipp = callers.process
        assert sipp is not None
        page.click("#hangup-button")
        expect(page.locator("#state-pill")).to_have_text("Wrap-up")
        assert sipp.wait(timeout=15) == 0, "the caller did not end on the agent's BYE"
        callers.close()
        with server.writer.engine.connect() as conn:
            ended = conn.execute(
                select(tables.events.c.agent_id).where(tables.events.c.type == "CallEnded")
            ).all()
        assert [tuple(r) for r in ended] == [("a-maria",)]
        no_page_errors(page)
    finally:
        if callers is not None:
            callers.close()  # stops its caller too
        browser.close()
