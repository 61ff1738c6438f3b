"""What the real-call tests with a browser set up alike: a server with voice on, a number
to the returns queue, a steady tone for a fake microphone, and sipp calling in."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

from playwright.sync_api import Browser, Playwright
from sqlalchemy import insert

from hearthline.store import tables
from tests.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.ports import sipp_media_port, voice_settings
from tests.serving import free_port
from tests.web.server import WebServer, start_server


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


def tone_wav(path: Path, hz: float, *, seconds: float = 60) -> Path:
    """A 48 kHz mono WAV of a sine at ``hz`` (Chromium's fake microphone plays it)."""
    subprocess.run(
        ["sox", "-n", "-r", "48000", "-c", "1", "-b", "16", str(path), "synth", str(seconds),
         "sine", str(hz), "vol", "0.5"],
        check=True,
    )  # fmt: skip
    return path


HERE = Path(__file__).parent


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
