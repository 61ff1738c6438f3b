"""Running a real server for the tests: uvicorn on a free loopback port, in a thread."""

from __future__ import annotations

import socket
import subprocess
import threading
import time

import httpx
import uvicorn
from fastapi import FastAPI

from hearthline.api.serving import limits
from hearthline.service.writer import Writer


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def serve_in_thread(
    app: FastAPI, *, port: int, writer: Writer, name: str = "uvicorn"
) -> tuple[uvicorn.Server, threading.Thread]:
    """Starts ``app`` on 127.0.0.1:``port`` and returns once it accepts connections.

    If it does not start, ``center`` is stopped (the caller would never get the chance).
    """
    # The server's own limits (slow headers), as ``hearthline serve`` sets them.
    config = app.state.app_context.settings
    server = uvicorn.Server(
        uvicorn.Config(
            app, host="127.0.0.1", port=port, log_level="warning", lifespan="on", **limits(config)
        )
    )
    thread = threading.Thread(target=server.run, name=name, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            writer.stop()
            raise RuntimeError("the server did not start")
        time.sleep(0.02)
    return server, thread


# A cold `hearthline serve` beside the other test workers on a busy machine can take a while:
# wait on its answer, long, and stop at once if the process has died.
SERVE_TIMEOUT_S = 120.0


def wait_for_health(
    base: str, process: subprocess.Popen[str], *, timeout: float = SERVE_TIMEOUT_S
) -> httpx.Response:
    """Waits until the server ``process`` started answers ``base``/api/health; its answer."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return httpx.get(base + "/api/health", timeout=5)
        except httpx.TransportError:
            if process.poll() is not None:
                out = process.stdout.read() if process.stdout is not None else ""
                raise AssertionError(f"the server exited ({process.returncode}): {out}") from None
            if time.monotonic() > deadline:
                raise AssertionError(f"no answer from {base} within {timeout} s") from None
            time.sleep(0.1)
