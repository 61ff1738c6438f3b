"""The "call the center" page on real media: one Chromium, two pages. The caller page
calls the returns line over WebRTC, is parked on rtpengine and hears the greeting; Maria
accepts on her desk and they hear each other (each page's microphone is a WebAudio
oscillator at its own frequency, each side's audio checked by an analyser). Maria hangs
up and the caller page says so; a second call hangs up from the page while queued."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, Playwright, expect
from sqlalchemy import insert, select
from websockets.sync.client import connect

from hearthline.service.actions import menus as actions
from hearthline.store import tables
from hearthline.voice.domain import LiveVoice
from tests.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.voice.rig import TONE_MIC, start_voice_server
from tests.voice.tools import skip_without_voice_tools
from tests.web.server import WebServer
from tests.web.support import new_context, no_page_errors, open_as, start_ready, watch

pytestmark = [pytest.mark.voice, pytest.mark.browser, pytest.mark.slow]

skip_without_voice_tools()

NUMBER = "+15550100"
MENU_NUMBER = "+15550109"
CALLER_HZ = 700.0
AGENT_HZ = 1100.0


# The loudest frequency of what an <audio> element plays, and its level (dB).
_PEAK = """async (audio) => {
  const ctx = new AudioContext();
  const source = ctx.createMediaStreamSource(audio.srcObject);
  const analyser = ctx.createAnalyser();
  analyser.fftSize = 8192;
  source.connect(analyser);
  await new Promise((r) => setTimeout(r, 1200));
  const bins = new Float32Array(analyser.frequencyBinCount);
  analyser.getFloatFrequencyData(bins);
  let best = 5;
  for (let i = 5; i < bins.length; i++) if (bins[i] > bins[best]) best = i;
  ctx.close();
  return { hz: best * ctx.sampleRate / analyser.fftSize, db: bins[best] };
}"""


@dataclass(frozen=True)
class _Admin:
    user_id: int = 1
    username: str = "admin"


@pytest.fixture(scope="module")
def voice_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebServer]:
    server = start_voice_server(
        tmp_path_factory.mktemp("voice"), "call_page", NUMBER, voice_call_page="local"
    )
    # A number whose menu sends "1" to the returns queue (the page's keypad presses it).
    flow = {
        "start": "main",
        "operator": "returns",
        "nodes": [
            {"id": "main", "kind": "menu", "prompt": "greeting", "timeout_s": 8.0,
             "retries": 0, "options": {"1": "returns"}},
            {"id": "returns", "kind": "queue", "queue": "returns",
             "sets": {"service_type": "returns"}},
        ],
    }  # fmt: skip
    engine = server.writer.engine
    at = time.time()  # noqa: TID251 -- the audit record's time, as the server's clock gives
    actions.put_flow(engine, _Admin(), at=at, number=MENU_NUMBER, client="acme", flow=flow)
    with engine.begin() as conn:
        conn.execute(insert(tables.numbers).values(number=MENU_NUMBER, queue_id=None, label="Menu"))
    yield server
    server.stop()


def _page(browser: Browser, server: WebServer, hz: float) -> Page:
    """A page of its own context whose microphone is a sine at ``hz``."""
    context = new_context(browser, server)
    context.add_init_script(TONE_MIC % hz)
    return watch(context.new_page())


def _caller_peak(page: Page) -> dict[str, float]:
    found: dict[str, float] = page.evaluate(f"() => ({_PEAK})(window.hearthlineCaller.audio)")
    return found


def _agent_peak(page: Page) -> dict[str, float]:
    found: dict[str, float] = page.evaluate(f"() => ({_PEAK})(window.hearthlineSoftphone.audio)")
    return found


def test_the_page_lists_the_numbers_and_refuses_what_it_cannot_call(
    voice_server: WebServer,
) -> None:
    listed = httpx.get(f"{voice_server.url}/api/call-page", timeout=10).json()
    assert listed == {
        "numbers": [
            {"number": NUMBER, "label": "Returns", "client": "Acme Retail"},
            {"number": MENU_NUMBER, "label": "Menu", "client": "Acme Retail"},
        ],
        "live": True,
    }
    url = voice_server.url.replace("http://", "ws://") + "/api/call-page/ws"
    with connect(url, open_timeout=5) as ws:
        for sent, answer in [
            (
                "not json",
                {"type": "error", "message": 'expected a "call", "key" or "hangup" message'},
            ),
            (
                '{"type": "key", "key": "1"}',
                {"type": "error", "message": "no call to send a key to"},
            ),
            (
                json.dumps(
                    {"type": "call", "number": "+19990000", "sdp": "v=0\r\nm=audio 9 RTP/AVP 0\r\n"}
                ),
                {"type": "refused", "message": "'+19990000' is not one of the center's numbers"},
            ),
            (
                json.dumps({"type": "call", "number": NUMBER, "sdp": "hello"}),
                {"type": "refused", "message": "sdp: expected an audio SDP offer"},
            ),
            (
                json.dumps({"type": "call", "number": "", "sdp": "m=audio"}),
                {"type": "refused", "message": "number: expected the number to call"},
            ),
        ]:
            ws.send(sent)
            assert json.loads(ws.recv(timeout=10)) == answer
    assert voice_server.app.state.app_context.web_callers.calls == {}


def _arrived(server: WebServer, service_type: str) -> bool:
    """Whether a contact arrived with the menu's data."""
    with server.writer.engine.connect() as conn:
        payloads = conn.execute(
            select(tables.events.c.payload).where(tables.events.c.type == "ContactArrived")
        ).scalars()
        return any(service_type in str(p) and "service_type" in str(p) for p in payloads)


def test_a_person_calls_from_the_call_page_and_talks_to_the_agent(
    voice_server: WebServer, playwright: Playwright, screenshots: Path
) -> None:
    server = voice_server
    browser = playwright.chromium.launch(
        executable_path=CHROMIUM,
        headless=True,
        args=[
            *CHROMIUM_ARGS,
            "--allow-loopback-in-peer-connection",
            "--use-fake-ui-for-media-stream",
            "--autoplay-policy=no-user-gesture-required",
        ],
    )
    try:
        desk = open_as(browser, server, "maria", lands_on="/agent", init_script=TONE_MIC % AGENT_HZ)
        start_ready(desk)

        caller = _page(browser, server, CALLER_HZ)
        # The sign-in page links to it where it is on for this visitor.
        caller.goto("/")
        caller.click("#call-link a")
        caller.wait_for_url("**/call")
        expect(caller.locator("#number option")).to_have_count(2)
        caller.select_option("#number", NUMBER)
        caller.click("#call-button")

        # Parked: the page hears the greeting (not silence) while the desk rings.
        expect(desk.locator("#offer-layer")).to_be_visible()
        expect(caller.locator("#call-status")).to_contain_text("Connected")
        greeting = _caller_peak(caller)
        deadline = time.monotonic() + 6  # a busy machine: the first packets may lag
        while greeting["db"] <= -70 and time.monotonic() < deadline:
            greeting = _caller_peak(caller)
        assert greeting["db"] > -70, f"the caller heard no greeting: {greeting}"
        caller.screenshot(path=str(screenshots / "call-page-queued.png"))

        desk.click("#accept-button")
        expect(desk.locator("#softphone-text")).to_have_text("On the call: talking")
        time.sleep(0.5)
        heard_by_agent = _agent_peak(desk)
        heard_by_caller = _caller_peak(caller)
        assert abs(heard_by_agent["hz"] - CALLER_HZ) < 30, heard_by_agent
        assert abs(heard_by_caller["hz"] - AGENT_HZ) < 30, heard_by_caller
        desk.screenshot(path=str(screenshots / "call-page-agent-on-call.png"))

        # The agent hangs up: the page hears of it.
        desk.click("#hangup-button")
        expect(caller.locator("#call-status")).to_have_text("The center hung up")
        expect(caller.locator("#call-button")).to_be_visible()
        caller.screenshot(path=str(screenshots / "call-page-ended.png"))

        # A second call, to the menu: the keypad's 1 queues it (Maria is in wrap-up), and
        # the page hangs up while it waits.
        caller.select_option("#number", MENU_NUMBER)
        caller.click("#call-button")
        expect(caller.locator("#call-status")).to_contain_text("Connected")
        caller.click("#keypad button:text-is('1')")
        deadline = time.monotonic() + 10
        while not _arrived(server, "returns") and time.monotonic() < deadline:
            time.sleep(0.1)
        arrived = _arrived(server, "returns")
        assert arrived, "the menu did not queue the caller on their key"
        caller.screenshot(path=str(screenshots / "call-page-menu.png"))
        caller.click("#hangup-button")
        expect(caller.locator("#call-status")).to_have_text("Call ended")

        voice = server.writer.part(LiveVoice)

        def read() -> tuple[list[tuple[Any, ...]], int]:
            with server.writer.engine.connect() as conn:
                legs = conn.execute(
                    select(tables.events.c.type, tables.events.c.agent_id)
                    .where(tables.events.c.type.like("Call%"))
                    .order_by(tables.events.c.id)
                ).all()
                abandoned = conn.execute(
                    select(tables.events.c.id).where(tables.events.c.type == "ContactAbandoned")
                ).all()
            return [tuple(row) for row in legs], len(abandoned)

        # The hang-up reaches the log a moment after the page says so (the page's socket,
        # the control plane, the writer's commit): read until it is there, or 10 s.
        deadline = time.monotonic() + 10
        legs, abandoned = read()
        while (len(legs) < 5 or voice.switchboard.calls) and time.monotonic() < deadline:
            time.sleep(0.1)
            legs, abandoned = read()
        assert voice.switchboard.calls == {}
        assert legs == [
            ("CallAnswered", None),
            ("CallBridged", "a-maria"),
            ("CallEnded", "a-maria"),
            ("CallAnswered", None),
            ("CallEnded", None),
        ]
        assert abandoned == 1
        with server.writer.engine.connect() as conn:
            visits = conn.execute(
                select(tables.events.c.payload).where(tables.events.c.type == "MenuVisited")
            ).scalars()
            assert any("option:1" in str(v) for v in visits)
        no_page_errors(desk, caller)
    finally:
        browser.close()
