"""`hearthline demo` as a real process on a free loopback port."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.serving import free_port

PASSWORD = "hearthline-demo"


@dataclass
class Demo:
    proc: subprocess.Popen[str]
    url: str

    def stop(self) -> str:
        """Ctrl-C, as a person stops it; returns what it printed."""
        self.proc.send_signal(2)
        out, _ = self.proc.communicate(timeout=30)
        return out


def wait_until(check: Callable[[], bool], *, what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def _healthy(url: str) -> bool:
    try:
        return httpx.get(f"{url}/api/health", timeout=1).status_code == 200
    except httpx.TransportError:
        return False


@pytest.fixture
def start_demo(tmp_path: Path) -> Iterator[Callable[[float], Demo]]:
    started: list[Demo] = []

    def start(speed: float) -> Demo:
        port = free_port()
        proc = subprocess.Popen(
            [sys.executable, "-u", "-m", "hearthline.cli", "demo", "--port", str(port),
             "--speed", str(speed), "--data-dir", str(tmp_path / "demo")],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )  # fmt: skip
        demo = Demo(proc, f"http://127.0.0.1:{port}")
        started.append(demo)
        wait_until(lambda: _healthy(demo.url), what="the demo server to answer")
        return demo

    yield start
    for demo in started:
        if demo.proc.poll() is None:
            demo.proc.kill()
            demo.proc.communicate()
