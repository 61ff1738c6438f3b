"""A consult transfer on a real call, on loopback: sipp is the trunk's caller (600 Hz from
the test's RTP endpoint), Maria and Tom are two pages of one Chromium whose microphones are
oscillators (1000 Hz and 1400 Hz). Heard by frequency: the RTP the caller receives, and
each page's audio (its analyser).

Maria asks Tom; while they talk the caller hears the hold music and neither agent, and
each agent hears the other. Tom hangs up the consult (a return): the caller hears Maria
again. Maria asks again and hands the call over: the caller and Tom hear each other, and
Maria is out of the call, in her wrap-up."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Playwright, expect

from hearthline.routing import events as ev
from hearthline.service.domains import CODEC
from hearthline.store.log import read_events
from hearthline.telephony.prompts import HOLD_NOTES
from tests.voice.rig import TONE_MIC, call_in, call_rig, start_voice_server, tone_wav
from tests.voice.rtp import RtpEndpoint, level_at, peak_hz
from tests.voice.test_real_listen import _hears, _poll, _sipp_port
from tests.voice.tools import skip_without_voice_tools
from tests.web.server import WebServer
from tests.web.support import no_page_errors, open_as, start_ready

pytestmark = [pytest.mark.voice, pytest.mark.browser, pytest.mark.slow]

skip_without_voice_tools()

NUMBER = "+15550111"
CALLER_HZ = 600.0
MARIA_HZ = 1000.0
TOM_HZ = 1400.0

# What a page hears from the colleague in the consult, and from its call.
_CONSULT = (
    "(() => { const c = window.hearthlineConsult; return c && c.pc &&"
    " c.pc.connectionState === 'connected' ? c.stream : null; })()"
)
_CALL = (
    "(() => { const p = window.hearthlineSoftphone; return p.pc &&"
    " p.pc.connectionState === 'connected' && p.audio ? p.audio.srcObject : null; })()"
)


# The consult's connections on a page and what the hearing one received, for a failure.
_STATE = """async () => {
  const c = window.hearthlineConsult;
  const inbound = [];
  if (c.pc) (await c.pc.getStats()).forEach((r) => {
    if (r.type === "inbound-rtp") inbound.push([r.packetsReceived, r.audioLevel]);
  });
  const outbound = [];
  if (c.publisher) (await c.publisher.getStats()).forEach((r) => {
    if (r.type === "outbound-rtp") outbound.push(r.packetsSent);
  });
  return {
    publisher: c.publisher && c.publisher.connectionState, outbound,
    hearing: c.pc && c.pc.connectionState, inbound,
    tracks: c.stream && c.stream.getAudioTracks().map((t) => [t.readyState, t.muted]),
    audio: c.audio && [c.audio.paused, c.audio.srcObject === c.stream],
  };
}"""


@pytest.fixture(scope="module")
def voice_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebServer]:
    server = start_voice_server(tmp_path_factory.mktemp("consult"), "real_consult", NUMBER)
    yield server
    server.stop()


def _agent(browser: Browser, server: WebServer, username: str, hz: float) -> Page:
    return open_as(
        browser, server, username, lands_on="/agent", timeout_ms=30_000, init_script=TONE_MIC % hz
    )


def _levels(caller: RtpEndpoint) -> dict[str, float]:
    """What the caller got in the last second: each agent's tone and the music's peak."""
    samples = caller.audio_since(time.monotonic() - 1.0)
    return {
        "maria": level_at(samples, MARIA_HZ),
        "tom": level_at(samples, TOM_HZ),
        "peak": peak_hz(samples) if len(samples) else 0.0,
    }


def _hears_alone(caller: RtpEndpoint, who: str, other: str) -> dict[str, float] | None:
    found = _levels(caller)
    return found if found[who] > 50 and found[other] < found[who] / 30 else None


def _music_only(caller: RtpEndpoint) -> dict[str, float] | None:
    found = _levels(caller)
    music = any(abs(found["peak"] - hz) < 20 for hz in HOLD_NOTES)
    return found if music and found["maria"] < 5 and found["tom"] < 5 else None


def _consult(maria: Page, tom: Page, ringing: Path | None = None) -> None:
    """Maria asks Tom from the directory; his desk rings with the caller's record; he
    accepts; both hear each other (by frequency) while the caller hears only music."""
    maria.click("#consult-button")
    expect(maria.locator("#transfer-title")).to_have_text("Consult an agent first")
    maria.locator('#transfer-directory button[data-agent="a-tom"]').click()
    maria.click("#consult-submit")
    expect(maria.locator("#consult-status")).to_contain_text("Asking Tom Becker")
    expect(tom.locator("#consult-layer")).to_be_visible()
    expect(tom.locator("#consult-title")).to_have_text("Maria Lopez asks you to consult")
    expect(tom.locator("#consult-caller")).not_to_have_text("…")
    if ringing is not None:
        tom.screenshot(path=str(ringing))
    tom.click("#consult-accept")
    expect(tom.locator("#consult-title")).to_have_text("Consulting with Maria Lopez")
    expect(maria.locator("#consult-status")).to_contain_text("Consulting Tom Becker")
    for page, hz in ((maria, TOM_HZ), (tom, MARIA_HZ)):
        try:
            _hears(page, _CONSULT, hz)
        except AssertionError as exc:
            raise AssertionError(
                f"{exc}; the consult's connections: {page.evaluate(_STATE)}"
            ) from None


def test_a_consult_returns_then_hands_the_caller_over(
    voice_server: WebServer, playwright: Playwright, screenshots: Path, tmp_path: Path
) -> None:
    server = voice_server
    # The tone file is unused: each page's microphone is its own oscillator.
    unused = tone_wav(tmp_path / "unused.wav", 300, seconds=1)
    started = time.monotonic()
    with call_rig(playwright, unused, CALLER_HZ) as rig:
        caller = rig.caller
        maria = _agent(rig.browser, server, "maria", MARIA_HZ)
        tom = _agent(rig.browser, server, "tom", TOM_HZ)
        start_ready(maria)
        sipp = rig.track(
            call_in(server, NUMBER, caller.port, timeout_s=120, media_port=_sipp_port())
        )
        expect(maria.locator("#offer-layer")).to_be_visible(timeout=60_000)
        maria.click("#accept-button")
        expect(maria.locator("#softphone-text")).to_have_text("On the call: talking")
        assert _poll(lambda: _hears_alone(caller, "maria", "tom")), _levels(caller)
        start_ready(tom)

        # The consult: music for the caller, the agents hear each other.
        _consult(maria, tom, screenshots / "consult-ringing.png")
        music = _poll(lambda: _music_only(caller))
        assert music is not None, f"the caller hears more than music: {_levels(caller)}"
        expect(maria.locator("#hold-button")).to_be_disabled()
        # Maria does not hear the held caller while she consults.
        assert maria.evaluate("window.hearthlineSoftphone.audio.muted") is True
        maria.screenshot(path=str(screenshots / "consult-asker.png"))
        tom.screenshot(path=str(screenshots / "consult-consulted.png"))

        # Tom hangs up the consult: a return; the caller hears Maria again.
        tom.click("#consult-end")
        expect(tom.locator("#consult-layer")).to_be_hidden()
        expect(tom.locator("#state-pill")).to_have_text("Ready")
        expect(maria.locator("#consult-bar")).to_be_hidden()
        back = _poll(lambda: _hears_alone(caller, "maria", "tom"))
        assert back, f"the caller is not back with Maria: {_levels(caller)}"
        assert maria.evaluate("window.hearthlineConsult.pc === null")
        assert maria.evaluate("window.hearthlineSoftphone.audio.muted") is False

        # Maria notes what the caller wants; asked again, she hands the call over: the
        # caller and Tom hear each other, Maria is out, and Tom's desk has her notes.
        maria.fill("#note-text", "Wants a refund for order 52014")
        expect(maria.locator("#save-state")).to_have_text("Saved")
        _consult(maria, tom)
        assert _poll(lambda: _music_only(caller)), _levels(caller)
        maria.click("#handover-button")
        expect(maria.locator("#state-pill")).to_have_text("Wrap-up")
        expect(tom.locator("#state-pill")).to_have_text("On contact")
        expect(tom.locator("#softphone-text")).to_have_text("On the call: talking")
        handed = _poll(lambda: _hears_alone(caller, "tom", "maria"))
        assert handed, f"the caller does not hear Tom alone: {_levels(caller)}"
        _hears(tom, _CALL, CALLER_HZ)
        expect(tom.locator("#note-text")).to_have_value("Wants a refund for order 52014")
        assert maria.evaluate("window.hearthlineSoftphone.pc === null")
        tom.screenshot(path=str(screenshots / "consult-handed-over.png"))

        tom.click("#hangup-button")
        code = sipp.wait(timeout=30)
        assert code == 0, f"sipp failed ({code}): {sipp.stderr.read() if sipp.stderr else b''!r}"
        elapsed = time.monotonic() - started

        events = [e.event for e in read_events(server.writer.engine, CODEC)]
        consult_kinds = [
            type(e).__name__
            for e in events
            if isinstance(
                e,
                ev.ConsultRequested | ev.ConsultAccepted | ev.ConsultEnded | ev.ContactHandedOver,
            )
        ]
        assert consult_kinds == [
            "ConsultRequested",
            "ConsultAccepted",
            "ConsultEnded",
            "ConsultRequested",
            "ConsultAccepted",
            "ContactHandedOver",
        ]
        ended = next(e for e in events if isinstance(e, ev.ConsultEnded))
        assert (ended.agent, ended.asker, ended.side) == ("a-tom", "a-maria", "consulted")
        # Tom never went into a wrap-up for the consult he returned: only the handed call.
        wraps = [
            e.agent
            for e in events
            if isinstance(e, ev.WrapUpStarted) and e.contact == ended.contact
        ]
        assert wraps == ["a-maria", "a-tom"], wraps
        print(f"consult test: {elapsed:.1f} s from the first page to the BYE")
        no_page_errors(maria)
        no_page_errors(tom)
