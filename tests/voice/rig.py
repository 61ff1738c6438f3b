"""What the real-call tests with a browser set up alike: a server with voice on, a number
to the returns queue, and a steady tone for a fake microphone."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

from sqlalchemy import insert

from hearthline.store import tables
from tests.ports import voice_settings
from tests.web.server import WebServer, start_server


def start_voice_server(
    root: Path, slot: str, number: str, *, extra: dict[str, object] | None = None
) -> WebServer:
    """A server on ``root`` with voice on in this worker's ``slot`` of RTP ports (see
    ``tests/ports.py``) and the ``extra`` settings, ``number`` routed to the returns queue;
    returned once voice (and listening in with it) is up."""
    settings = {**voice_settings(root, slot), **(extra or {})}
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
