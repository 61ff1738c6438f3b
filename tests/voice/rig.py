"""What the voice tests set up alike: for the real calls with a browser, a server with voice
on, a number to the returns queue, a steady tone for a fake microphone, sipp calling in and
the clean-up of all that; for the control plane's tests, a writer on a seeded store."""

from __future__ import annotations

import contextlib
import random
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from playwright.sync_api import Browser, Page, Playwright, expect
from sqlalchemy import insert

from hearthline.kernel.clock import WallClock
from hearthline.service.writer import Writer
from hearthline.store import tables
from hearthline.store.engine import create_store_engine
from hearthline.store.migrate import upgrade
from hearthline.telephony.prompts import HOLD_NOTES
from tests.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.ports import sipp_media_port, voice_settings
from tests.serving import free_port
from tests.voice.rtp import RtpEndpoint, peak_hz
from tests.web.server import WebServer, seed_firm, start_server


@contextlib.contextmanager
def seeded_writer(path: Path, *, seed: int) -> Iterator[Writer]:
    """A started writer on a new SQLite store at ``path``, migrated and holding the test
    firm, on the wall clock with random numbers from ``seed``; stopped after."""
    url = f"sqlite:///{path}"
    engine = create_store_engine(url)
    upgrade(engine)
    seed_firm(engine)
    engine.dispose()
    writer = Writer(
        engine=create_store_engine(url), clock=WallClock(), rng=random.Random(seed), own_engine=True
    )
    writer.start()
    try:
        yield writer
    finally:
        writer.stop()


def start_voice_server(root: Path, slot: str, number: str, **extra: object) -> WebServer:
    """A server on ``root`` with voice on in this worker's ``slot`` of RTP ports (see
    ``tests/ports.py``), ``number`` routed to the returns queue; returned once voice (and
    listening in with it) is up; ``extra`` are more settings."""
    settings = {**voice_settings(root, slot), **extra}
    server = start_server(root / "hearthline.sqlite3", extra=settings)
    with server.writer.engine.begin() as conn:
        conn.execute(
            insert(tables.numbers).values(number=number, queue_id="returns", label="Returns")
        )
    context = server.app.state.app_context
    deadline = time.monotonic() + 20  # voice comes up beside the server
    while context.voice is None or context.listen is None:
        if time.monotonic() > deadline:
            server.stop()
            raise AssertionError("voice did not start")
        time.sleep(0.05)
    return server


def tone_wav(
    path: Path, hz: float, *, seconds: float = 60, rate: int = 48000, volume: float = 0.5
) -> Path:
    """A mono WAV of a sine at ``hz``; at 48 kHz, Chromium's fake microphone plays it."""
    subprocess.run(
        ["sox", "-n", "-r", str(rate), "-c", "1", "-b", "16", str(path), "synth", str(seconds),
         "sine", str(hz), "vol", str(volume)],
        check=True,
    )  # fmt: skip
    return path


def greeting_tone(root: Path, hz: float, *, seconds: float = 1) -> Path:
    """The default greeting of a server on data directory ``root``, made a tone that
    tests tell by frequency (the server makes the spoken one only where it is missing)."""
    greeting = root / "voice" / "prompts" / "default" / "greeting.wav"
    greeting.parent.mkdir(parents=True)
    return tone_wav(greeting, hz, seconds=seconds, rate=8000, volume=0.4)


HERE = Path(__file__).parent

# A page's microphone as a sine from an oscillator (``context.add_init_script(TONE_MIC %
# hz)``), so two pages of one browser speak at different frequencies (a fake capture file
# would be the same for both).
TONE_MIC = """
(() => {
  const hz = %s;
  navigator.mediaDevices.getUserMedia = async () => {
    const ctx = new AudioContext();
    const osc = ctx.createOscillator();
    osc.frequency.value = hz;
    const gain = ctx.createGain();
    gain.gain.value = 0.4;
    const out = ctx.createMediaStreamDestination();
    osc.connect(gain).connect(out);
    osc.start();
    return out.stream;
  };
})();
"""


def call_in(
    server: WebServer,
    number: str,
    rtp_port: int,
    *,
    timeout_s: int = 60,
    media_port: int | None = None,
    stderr: int = subprocess.PIPE,
) -> subprocess.Popen[bytes]:
    """sipp calls ``number`` (``caller.xml``) with its media on the test's RTP endpoint at
    ``rtp_port``; it exits 0 on the server's BYE."""
    sip_port = server.app.state.app_context.settings.voice_sip_port
    return sipp_calls(
        sip_port, number, rtp_port, timeout_s=timeout_s, media_port=media_port, stderr=stderr
    )


def sipp_calls(
    sip_port: int,
    number: str,
    rtp_port: int,
    *,
    timeout_s: int = 60,
    media_port: int | None = None,
    stderr: int = subprocess.PIPE,
    scenario: str = "caller.xml",
    extra: tuple[str, ...] = (),
    local_ip: str = "127.0.0.1",
) -> subprocess.Popen[bytes]:
    """``call_in`` for a server on ``sip_port`` (one run as a process of its own), with
    another of this directory's ``scenario`` (or one at an absolute path) and sipp
    arguments if need be; ``local_ip``: the loopback address it calls from."""
    media = sipp_media_port() if media_port is None else media_port
    return subprocess.Popen(
        ["sipp", f"127.0.0.1:{sip_port}", "-sf", str(HERE / scenario), "-s", number, *extra,
         "-i", local_ip, "-p", str(free_port()), "-mp", str(media),
         "-m", "1", "-l", "1", "-key", "rtpport", str(rtp_port),
         "-timeout", f"{timeout_s}s", "-nostdin"],
        stdout=subprocess.DEVNULL,
        stderr=stderr,
    )  # fmt: skip


def microphone_browser(playwright: Playwright, tone: Path) -> Browser:
    """Chromium whose fake microphone plays ``tone`` (granted without asking), allowed
    WebRTC on loopback, playing audio without a click."""
    return playwright.chromium.launch(
        executable_path=CHROMIUM,
        headless=True,
        args=[
            *CHROMIUM_ARGS,
            "--allow-loopback-in-peer-connection",
            "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-audio-capture={tone}",
            "--autoplay-policy=no-user-gesture-required",
        ],
    )


def stop_sipp(sipp: subprocess.Popen[bytes] | None) -> None:
    """A test's clean-up of a sipp it started (or None, if it never got that far): killed
    if it still runs, its stderr pipe closed."""
    if sipp is None:
        return
    if sipp.poll() is None:
        sipp.kill()
        sipp.wait()
    if sipp.stderr is not None:
        sipp.stderr.close()


@dataclass
class CallRig:
    """A Chromium with a tone microphone, the caller's RTP endpoint (started), and the sipp
    processes ``track`` is given: all stopped together when the test ends."""

    browser: Browser
    caller: RtpEndpoint
    sipps: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def track(self, sipp: subprocess.Popen[bytes]) -> subprocess.Popen[bytes]:
        """``sipp``, to be stopped with the rest at the end."""
        self.sipps.append(sipp)
        return sipp


@contextlib.contextmanager
def call_rig(playwright: Playwright, tone: Path, caller_hz: float) -> Iterator[CallRig]:
    """``microphone_browser`` playing ``tone`` and an ``RtpEndpoint`` sending ``caller_hz``,
    up for the ``with`` block; then the caller stopped, every tracked sipp stopped and the
    browser closed, whatever happened."""
    browser = microphone_browser(playwright, tone)
    rig = CallRig(browser, RtpEndpoint(caller_hz))
    rig.caller.start()
    try:
        yield rig
    finally:
        rig.caller.stop()
        for sipp in rig.sipps:
            stop_sipp(sipp)
        browser.close()


def hold_and_resume(page: Page, caller: RtpEndpoint, agent_hz: float) -> np.ndarray:
    """The desk holds its call: the caller hears the hold music (its notes), not the
    agent; resumed, the agent's tone at ``agent_hz`` again. What the caller got after
    the resume."""
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
    assert abs(peak_hz(talking) - agent_hz) < 30, f"the caller heard {peak_hz(talking)} Hz"
    return talking


def wrap_up_a_return(page: Page) -> None:
    """The desk's wrap-up of a returns call: an order number and an outcome, finished;
    the agent is Ready again."""
    expect(page.locator("#state-pill")).to_have_text("Wrap-up")
    page.get_by_label("Order number").fill("52014")
    page.get_by_label("Return prevented by exchange").check()
    page.click("#finish-button")
    expect(page.locator("#state-pill")).to_have_text("Ready")
