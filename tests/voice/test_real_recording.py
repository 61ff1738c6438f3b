"""A recorded real call, end to end on loopback: sipp's caller sends one tone, a Chromium
agent (a fake microphone) another; the agent pauses the recording for a while and then
hangs up. The stored file decodes to the caller's tone on the left, the agent's on the
right, and silence on both where the recording was paused; it plays to the client's
supervisor (audited) and to no one of another client."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from playwright.sync_api import Playwright, expect
from sqlalchemy import select

from hearthline.store import tables
from hearthline.telephony.recording_file import decode
from tests.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.voice.rig import call_in, call_rig, start_voice_server, tone_wav
from tests.voice.rtp import RtpEndpoint, peak_hz
from tests.voice.tools import skip_without_voice_tools
from tests.web.server import WebServer
from tests.web.support import no_page_errors, open_as, score_returns_calls, start_ready

pytestmark = [pytest.mark.voice, pytest.mark.browser, pytest.mark.slow]

skip_without_voice_tools()

NUMBER = "+15550177"
CALLER_HZ = 600.0
AGENT_HZ = 1000.0


@pytest.fixture(scope="module")
def voice_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebServer]:
    server = start_voice_server(tmp_path_factory.mktemp("voice"), "recording", NUMBER)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def agent_tone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tone_wav(tmp_path_factory.mktemp("tone") / "agent.wav", AGENT_HZ, seconds=60)


def _rms(samples: np.ndarray) -> float:
    return float(np.sqrt(np.mean(samples.astype(np.float64) ** 2))) if len(samples) else 0.0


def _wait(what: str, check: object, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():  # type: ignore[operator]
        assert time.monotonic() < deadline, f"waited {timeout} s for {what}"
        time.sleep(0.1)


def test_a_recorded_call_has_each_side_on_its_channel_and_the_pause_silent(
    voice_server: WebServer, playwright: Playwright, agent_tone: Path, screenshots: Path
) -> None:
    server = voice_server
    # Every call of the returns campaign recorded; the caller hears the consent first.
    with closing(server.api("admin")) as admin:
        policy = admin.put(
            "/api/admin/campaigns/acme-returns/recording-policy", json={"mode": "all"}
        )
    assert policy.status_code == 204, policy.text
    with call_rig(playwright, agent_tone, CALLER_HZ) as rig:
        caller = rig.caller
        page = open_as(rig.browser, server, "maria", lands_on="/agent", timeout_ms=20_000)
        start_ready(page)

        sipp = rig.track(call_in(server, NUMBER, caller.port, timeout_s=90))

        # The consent prompt plays before the call is queued: the offer rings after it.
        try:
            expect(page.locator("#offer-layer")).to_be_visible(timeout=30_000)
        except AssertionError:
            code = sipp.poll()
            said = sipp.stderr.read() if code is not None and sipp.stderr else b""
            raise AssertionError(f"no offer rang; sipp exited {code}: {said[-800:]!r}") from None
        page.click("#accept-button")
        expect(page.locator("#softphone-text")).to_have_text("On the call: talking")
        contact = page.evaluate("() => window.hearthlineSoftphone.contact")
        assert isinstance(contact, str) and contact

        # Both sides are heard (the caller's RTP carries the agent's tone) before pausing.
        bridged_at = time.monotonic()
        _wait("the agent's tone at the caller", lambda: _heard(caller, bridged_at, AGENT_HZ))
        time.sleep(1.5)  # talking, recorded

        button = page.locator("#recording-button")
        expect(button).to_have_text("Pause recording")
        button.click()
        expect(button).to_have_text("Resume recording")
        expect(page.locator("#recording-flag")).to_have_text("Recording paused")
        page.screenshot(path=str(screenshots / "voice-recording-paused.png"))
        time.sleep(2.0)  # paused: not in the file
        button.click()
        expect(button).to_have_text("Pause recording")
        time.sleep(2.0)  # talking again, recorded

        page.click("#hangup-button")
        expect(page.locator("#state-pill")).to_have_text("Wrap-up")
        code = sipp.wait(timeout=30)
        assert code == 0, f"sipp failed ({code}): {sipp.stderr.read() if sipp.stderr else b''!r}"
        no_page_errors(page)

    # The file is assembled off the event loop after the call: wait for its index row.
    engine = server.writer.engine

    def stored() -> list[Any]:
        with engine.connect() as conn:
            return list(
                conn.execute(
                    select(tables.recordings).where(tables.recordings.c.contact_id == contact)
                ).all()
            )

    _wait("the recording's index row", lambda: len(stored()) == 1, timeout=60)
    [row] = stored()
    assert row.client_id == "acme"
    path = Path(server.app.state.app_context.settings.data_dir).resolve() / "recordings" / row.file
    assert path.suffix == ".ogg" and path.stat().st_size > 1000
    rate, audio = decode(path)
    assert audio.shape[0] == 2, "a stereo file"
    assert abs(audio.shape[1] / rate - row.seconds) < 0.2

    # Where the pause is: from the log's events, on the file's time line.
    with engine.connect() as conn:
        marks = dict(
            conn.execute(
                select(tables.events.c.type, tables.events.c.at).where(
                    tables.events.c.contact_id == contact,
                    tables.events.c.type.in_(("RecordingPaused", "RecordingResumed")),
                )
            ).all()
        )
    assert set(marks) == {"RecordingPaused", "RecordingResumed"}, marks
    paused = marks["RecordingPaused"] - row.started_at
    resumed = marks["RecordingResumed"] - row.started_at
    assert 0.5 < paused < resumed < row.seconds

    def span(a: float, b: float) -> np.ndarray:
        return audio[:, int(a * rate) : int(b * rate)]

    before = span(0.3, paused - 0.2)
    during = span(paused + 0.3, resumed - 0.3)
    after = span(resumed + 0.5, row.seconds - 0.3)
    for part, name in ((before, "before the pause"), (after, "after the pause")):
        assert part.shape[1] > rate // 2, f"too little audio {name}"
        left, right = part
        assert abs(peak_hz(left, rate) - CALLER_HZ) < 30, f"left {name}: {peak_hz(left, rate)}"
        assert abs(peak_hz(right, rate) - AGENT_HZ) < 30, f"right {name}: {peak_hz(right, rate)}"
        assert _rms(left) > 0.01 and _rms(right) > 0.01, name
    assert during.shape[1] > rate, "the pause is in the file, as time"
    for channel in during:
        assert _rms(channel) < 0.001, f"the paused span is not silent: {_rms(channel)}"

    # Acme's viewer plays it (audited); Globex's does not see it at all.
    with closing(server.api("acme-viewer")) as sup, closing(server.api("globex-viewer")) as other:
        _listen(sup, other, row.id, contact, path)
    with engine.connect() as conn:
        audits = conn.execute(
            select(tables.audit_log.c.username, tables.audit_log.c.action).where(
                tables.audit_log.c.action.like("recording.play%")
            )
        ).all()
    assert [tuple(a) for a in audits] == [("acme-viewer", "recording.played")]


def _listen(sup: Any, other: Any, ident: int, contact: str, path: Path) -> None:
    """Acme's viewer lists and plays it (whole and a range); Globex's sees nothing."""
    listed = sup.get("/api/recordings", params={"contact": contact})
    assert listed.status_code == 200 and [r["id"] for r in listed.json()] == [ident]
    played = sup.get(f"/api/recordings/{ident}/audio")
    assert played.status_code == 200 and played.headers["content-type"] == "audio/ogg"
    assert played.content == path.read_bytes()
    ranged = sup.get(f"/api/recordings/{ident}/audio", headers={"Range": "bytes=100-199"})
    assert ranged.status_code == 206 and ranged.content == path.read_bytes()[100:200]
    assert other.get(f"/api/recordings/{ident}/audio").status_code == 404
    assert other.get("/api/recordings", params={"contact": contact}).json() == []


def test_the_evaluation_page_plays_the_recording_and_seeks_by_the_timeline(
    voice_server: WebServer, playwright: Playwright, screenshots: Path
) -> None:
    """After the recorded call above: a supervisor opens the contact on the quality page;
    the player loads the file (Chromium decodes it) and a timeline event seeks to it."""
    server = voice_server
    engine = server.writer.engine
    with engine.connect() as conn:
        row = conn.execute(select(tables.recordings)).first()
        assert row is not None, "needs the recorded call of the test before"
        resumed_at = conn.execute(
            select(tables.events.c.at).where(
                tables.events.c.contact_id == row.contact_id,
                tables.events.c.type == "RecordingResumed",
            )
        ).scalar_one()
    score_returns_calls(server)
    browser = playwright.chromium.launch(
        executable_path=CHROMIUM,
        headless=True,
        args=[*CHROMIUM_ARGS, "--autoplay-policy=no-user-gesture-required"],
    )
    try:
        page = open_as(browser, server, "super", lands_on="/supervisor", timeout_ms=20_000)
        page.goto("/quality")
        page.fill("#contact-id", row.contact_id)
        page.click("#load-contact")
        audio = page.locator("audio.recording")
        expect(audio).to_have_count(1)
        page.wait_for_function(
            "() => { const a = document.querySelector('audio.recording');"
            " return a && a.readyState >= 1 && a.duration > 0; }"
        )
        loaded = float(audio.evaluate("a => a.duration"))
        assert abs(loaded - row.seconds) < 0.5, (loaded, row.seconds)
        item = page.locator("ol.timeline li", has_text="Recording resumed")
        item.locator("button.seek").click()
        want = resumed_at - row.started_at
        page.wait_for_function(
            f"() => Math.abs(document.querySelector('audio.recording').currentTime - {want}) < 0.3"
        )
        # The real file's waveform, the agent's pause shaded on it and marked at its ends.
        expect(page.locator(".wave")).to_have_attribute("data-drawn", "true")
        expect(page.locator(".wave-paused")).to_have_count(1)
        expect(page.locator(".wave-mark-RecordingResumed")).to_have_count(1)
        page.locator(".wave").evaluate("el => el.scrollIntoView({ block: 'center' })")
        page.screenshot(path=str(screenshots / "quality-recording.png"), full_page=True)
        no_page_errors(page)
    finally:
        browser.close()
    with engine.connect() as conn:
        who = (
            conn.execute(
                select(tables.audit_log.c.username).where(
                    tables.audit_log.c.action == "recording.played"
                )
            )
            .scalars()
            .all()
        )
    assert "super" in who, "the page's playback is audited"


def _heard(caller: RtpEndpoint, since: float, hz: float) -> bool:
    got = caller.audio_since(since + 0.2)
    return len(got) >= 4000 and abs(peak_hz(got[-4000:]) - hz) < 30
