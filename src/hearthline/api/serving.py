"""Running uvicorn in the foreground so that an interrupt always ends in a clean stop."""

from __future__ import annotations

import contextlib
import signal
from types import FrameType

import uvicorn


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def run_until_stopped(server: uvicorn.Server) -> None:
    """Serves until Ctrl-C or SIGTERM, and returns (rather than dying) either way.

    uvicorn shuts down gracefully on both signals and then re-raises the one it caught.
    With Python's default SIGTERM handler that would end the process on the spot, and the
    caller's clean-up (stopping the writer, its last snapshot) would never run; answered
    by this handler it becomes an interrupt like Ctrl-C.
    """
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        with contextlib.suppress(KeyboardInterrupt):
            server.run()
    finally:
        signal.signal(signal.SIGTERM, previous)
