"""A real caller queued behind another hears their place in line, spoken, at the interval:
sipp callers on loopback, rtpengine and the B2BUA as the server's children, espeak-ng's
sentence checked in the RTP the caller gets. The greeting here is a plain tone, so that
speech (energy across the speech band) and the greeting are told apart by frequency."""

from __future__ import annotations

import subprocess
import time
import wave
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import insert, select

from hearthline.kernel.ids import AgentId, ContactId, QueueId
from hearthline.routing import commands as cmd
from hearthline.routing.domain import LiveRouting
from hearthline.service.state import LiveState
from hearthline.store import tables
from hearthline.telephony.waiting import SpokenPrompts, wait_text
from tests.ports import sipp_media_port, voice_settings
from tests.serving import free_port
from tests.voice.rig import greeting_tone, stop_sipp
from tests.voice.rtp import RATE, RtpEndpoint
from tests.voice.tools import skip_without_voice_tools
from tests.web.server import WebServer, start_server

pytestmark = [pytest.mark.voice, pytest.mark.slow]

skip_without_voice_tools()

HERE = Path(__file__).parent
NUMBER = "+15550300"
EVERY_S = 2.0
GREETING_HZ = 500.0
GREETING_S = 1.0
STAY_MS = 7500  # how long each caller waits before hanging up
WINDOW = RATE // 5  # 0.2 s


@pytest.fixture(scope="module")
def voice_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebServer]:
    root = tmp_path_factory.mktemp("wait")
    greeting_tone(root, GREETING_HZ, seconds=GREETING_S)
    settings = {**voice_settings(root, "real_wait"), "voice_wait_announce_s": EVERY_S}
    server = start_server(root / "hearthline.sqlite3", extra=settings)
    with server.writer.engine.begin() as conn:
        conn.execute(
            insert(tables.numbers).values(number=NUMBER, queue_id="returns", label="Returns")
        )
    deadline = time.monotonic() + 20  # voice comes up beside the server
    while server.app.state.app_context.voice is None:
        assert time.monotonic() < deadline, "voice did not start"
        time.sleep(0.05)
    yield server
    server.stop()


def _windows(audio: np.ndarray) -> list[tuple[float, float]]:
    """Per 0.2 s: (loudness, share of the 100-3500 Hz energy that is the greeting's tone)."""
    out = []
    freqs = np.fft.rfftfreq(WINDOW, 1 / RATE)
    band = (freqs >= 100) & (freqs <= 3500)
    tone = np.abs(freqs - GREETING_HZ) <= 40
    for i in range(0, len(audio) - WINDOW + 1, WINDOW):
        chunk = audio[i : i + WINDOW]
        power = np.abs(np.fft.rfft(chunk * np.hanning(WINDOW))) ** 2
        total = float(power[band].sum()) or 1.0
        out.append((float(chunk.std()), float(power[tone].sum()) / total))
    return out


def _likeness(heard: np.ndarray, wav: Path) -> float:
    """How closely ``heard`` holds the file's audio somewhere (1.0: exactly): the best
    normalised correlation of the file with a stretch of ``heard`` as long as it."""
    with wave.open(str(wav)) as w:
        said = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float64)
    if len(heard) < len(said):
        return 0.0
    n = len(heard) + len(said)
    corr = np.fft.irfft(np.fft.rfft(heard, n) * np.conj(np.fft.rfft(said, n)), n)
    lag = int(np.argmax(corr[: len(heard) - len(said) + 1]))
    part = heard[lag : lag + len(said)]
    return float(np.dot(part, said) / (np.linalg.norm(part) * np.linalg.norm(said) or 1.0))


def _caller(server: WebServer, ear: RtpEndpoint) -> subprocess.Popen[bytes]:
    sip_port = server.app.state.app_context.settings.voice_sip_port
    return subprocess.Popen(
        ["sipp", f"127.0.0.1:{sip_port}", "-sf", str(HERE / "caller_hangs_up.xml"), "-s", NUMBER,
         "-i", "127.0.0.1", "-p", str(free_port()), "-mp", str(sipp_media_port()),
         "-m", "1", "-l", "1", "-d", str(STAY_MS), "-key", "rtpport", str(ear.port),
         "-timeout", "30s", "-nostdin"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )  # fmt: skip


def test_a_caller_behind_another_hears_their_place_spoken_between_plays_of_the_greeting(
    voice_server: WebServer,
) -> None:
    server = voice_server
    writer = server.writer
    # Maria is busy with another contact of the queue: staffed, so there is an estimate.
    maria = AgentId("a-maria")
    writer.execute(cmd.SignIn(maria, ready=True))
    writer.execute(cmd.ArriveContact(ContactId("c-busy"), caller="x", queue=QueueId("returns")))
    writer.execute(cmd.AcceptOffer(maria, ContactId("c-busy")))
    control = server.app.state.app_context.voice
    first, second = RtpEndpoint(600.0), RtpEndpoint(600.0)
    first.start()
    second.start()
    callers: list[subprocess.Popen[bytes]] = []
    try:
        callers.append(_caller(server, first))
        deadline = time.monotonic() + 10
        while not first.received:  # the first caller is queued and hears the greeting
            assert time.monotonic() < deadline, "the first caller was not answered"
            time.sleep(0.02)
        callers.append(_caller(server, second))
        for sipp in callers:
            code = sipp.wait(timeout=30)
            errors = sipp.stderr.read() if sipp.stderr else b""
            assert code == 0, f"sipp failed ({code}): {errors[-1500:]!r}"

        audio = second.audio_since(0)
        windows = _windows(audio)
        heard = [
            "speech" if loud > 300 and share < 0.5 else "tone" if share > 0.8 else "quiet"
            for loud, share in windows
        ]
        assert heard[:5] == ["tone"] * 5, f"the greeting first, not {heard[:10]}"
        spoken_at = heard.index("speech") * 0.2
        # Due EVERY_S after the greeting began, at the end of a play of it (every 1 s),
        # then made by espeak-ng: late by at most a play and that run on a busy machine.
        assert EVERY_S - 0.3 <= spoken_at <= EVERY_S + GREETING_S + 1.5, (spoken_at, heard)
        speech = heard.index("speech")
        back = heard.index("tone", speech)
        assert heard[speech:back].count("speech") >= 5, f"a sentence, not a blip: {heard}"
        assert (back - speech) * 0.2 >= 1.5, heard
        assert "tone" in heard[back:], "the greeting comes back after the sentence"

        # What was said: number 2, with the core's estimate; not the first caller's words.
        def estimate(state: LiveState) -> float:
            return state.part(LiveRouting).router.queue("returns").handle_time_s

        aht = writer.query(estimate)
        spoken = SpokenPrompts(
            Path(server.app.state.app_context.settings.data_dir) / "voice" / "prompts" / "spoken"
        )
        second_words = spoken.path(wait_text(2, 2 * aht))
        first_words = spoken.path(wait_text(1, aht))
        assert second_words.exists() and first_words.exists()
        ours, theirs = _likeness(audio, second_words), _likeness(audio, first_words)
        assert ours > 0.9 and theirs < ours - 0.3, (ours, theirs)  # measured 0.99 and 0.24
    finally:
        first.stop()
        second.stop()
        for sipp in callers:
            stop_sipp(sipp)

    # Both gave up waiting: abandoned, and the calls ended by the caller.
    assert control is not None
    deadline = time.monotonic() + 10
    while control.calls:  # the BYEs are answered before the center has followed them
        assert time.monotonic() < deadline, "the calls did not end"
        time.sleep(0.05)
    with writer.engine.connect() as conn:
        ended = conn.execute(
            select(tables.events.c.type).where(
                tables.events.c.type.in_(("ContactAbandoned", "CallEnded"))
            )
        ).scalars()
        assert sorted(ended) == ["CallEnded", "CallEnded", "ContactAbandoned", "ContactAbandoned"]
