"""A browser agent's accept to two-way audio, timed over several real calls: sipp is the
trunk's caller (600 Hz), Chromium the agent (a fake microphone at 1000 Hz). Each call:
the click on Accept, then when the page's inbound audio has a level (the agent hears the
caller) and when the caller's first frame mostly at 1000 Hz arrives (the caller hears the
agent); the later of the two is the two-way time. The issue's goal is p95 < 400 ms; the
figures are printed (run with -s) and docs/PERFORMANCE.md records them."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from playwright.sync_api import Playwright, expect

from tests.voice.rig import (
    call_in,
    microphone_browser,
    start_voice_server,
    stop_sipp,
    tone_wav,
    wrap_up_a_return,
)
from tests.voice.rtp import RATE, ULAW, RtpEndpoint
from tests.voice.tools import skip_without_voice_tools
from tests.web.server import WebServer
from tests.web.support import no_page_errors, open_as, start_ready

pytestmark = [pytest.mark.voice, pytest.mark.browser, pytest.mark.slow]

skip_without_voice_tools()

NUMBER = "+15550100"
CALLER_HZ, AGENT_HZ = 600.0, 1000.0
CALLS = 20

# Clicks Accept and waits, in the page, for the call's inbound audio to have a level:
# the milliseconds between the two, measured by the page's own clock.
_ACCEPT_AND_LISTEN = """async () => {
  const started = performance.now();
  document.querySelector("#accept-button").click();
  while (performance.now() - started < 10000) {
    const pc = window.hearthlineSoftphone && window.hearthlineSoftphone.pc;
    if (pc) {
      let level = 0;
      (await pc.getStats()).forEach((s) => {
        if (s.type === "inbound-rtp" && s.kind === "audio") level = s.audioLevel || 0;
      });
      if (level > 0.01) return performance.now() - started;
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  return -1;
}"""


@pytest.fixture(scope="module")
def voice_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebServer]:
    server = start_voice_server(tmp_path_factory.mktemp("voice"), "real_call", NUMBER)
    yield server
    server.stop()


def _share_at(payload: bytes, hz: float) -> float:
    x = ULAW[np.frombuffer(payload, dtype=np.uint8)]
    n = np.arange(len(x))
    c = np.dot(x, np.cos(2 * np.pi * hz * n / RATE))
    s = np.dot(x, np.sin(2 * np.pi * hz * n / RATE))
    return float(c * c + s * s) / (float(np.dot(x, x)) * len(x) / 2 + 1e-9)


def _caller_hears_agent(caller: RtpEndpoint, since: float) -> float | None:
    """When the caller's first frame mostly at the agent's tone arrived (monotonic)."""
    for at, payload in list(caller.received):
        if at >= since and _share_at(payload, AGENT_HZ) > 0.5:
            return at
    return None


def test_accept_to_two_way_audio_over_several_calls(
    voice_server: WebServer, playwright: Playwright, tmp_path: Path, screenshots: Path
) -> None:
    server = voice_server
    tone = tone_wav(tmp_path / "agent.wav", AGENT_HZ, seconds=120)
    browser = microphone_browser(playwright, tone)
    agent_hears: list[float] = []
    caller_hears: list[float] = []
    try:
        page = open_as(browser, server, "maria", lands_on="/agent")
        start_ready(page)
        for _ in range(CALLS):
            caller = RtpEndpoint(CALLER_HZ)
            caller.start()
            sipp = call_in(server, NUMBER, caller.port, stderr=subprocess.DEVNULL)
            try:
                expect(page.locator("#offer-layer")).to_be_visible()
                clicked = time.monotonic()
                heard_ms: float = page.evaluate(_ACCEPT_AND_LISTEN)
                assert heard_ms >= 0, "the agent's page never heard the caller"
                deadline = time.monotonic() + 5
                while (at := _caller_hears_agent(caller, clicked)) is None:
                    assert time.monotonic() < deadline, "the caller never heard the agent"
                    time.sleep(0.02)
                agent_hears.append(heard_ms)
                caller_hears.append(1000 * (at - clicked))
                expect(page.locator("#softphone-text")).to_have_text("On the call: talking")
                page.click("#hangup-button")
                assert sipp.wait(timeout=15) == 0
                wrap_up_a_return(page)
            finally:
                caller.stop()
                stop_sipp(sipp)
        page.screenshot(path=str(screenshots / "voice-accept-timing-last.png"))
        no_page_errors(page)
    finally:
        browser.close()
    two_way = sorted(max(a, c) for a, c in zip(agent_hears, caller_hears, strict=True))
    p50, p95 = two_way[len(two_way) // 2], two_way[min(len(two_way) - 1, int(0.95 * CALLS))]
    print(
        f"\naccept -> two-way audio over {CALLS} calls (ms): p50 {p50:.0f}, p95 {p95:.0f}; "
        f"agent hears caller {sorted(round(v) for v in agent_hears)}; "
        f"caller hears agent {sorted(round(v) for v in caller_hears)}"
    )
    assert len(two_way) == CALLS
    # A bound far above the goal (p95 < 400 ms): a busy machine must not fail the test.
    assert p95 < 3000, two_way
