"""`hearthline demo` as a real process on a free loopback port."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from tests.serving import free_port

PASSWORD = "hearthline-demo"


@dataclass
class Demo:
    proc: subprocess.Popen[str]
    url: str
    lines: list[str] = field(default_factory=list)
    _reader: threading.Thread | None = None

    def read_output(self) -> None:
        """Collects what the demo prints, line by line, as it prints it."""

        def read() -> None:
            assert self.proc.stdout is not None
            for line in self.proc.stdout:
                self.lines.append(line)

        self._reader = threading.Thread(target=read, daemon=True)
        self._reader.start()

    def printed(self) -> str:
        return "".join(self.lines)

    def stop(self) -> str:
        """Ctrl-C, as a person stops it; returns what it printed."""
        self.proc.send_signal(2)
        self.proc.wait(timeout=30)
        self.close()
        return self.printed()

    def close(self) -> None:
        if self._reader is not None:
            self._reader.join(10)
        if self.proc.stdout is not None:
            self.proc.stdout.close()


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
def start_demo(tmp_path: Path) -> Iterator[Callable[..., Demo]]:
    started: list[Demo] = []

    def start(speed: float, *more: str) -> Demo:
        port = free_port()
        proc = subprocess.Popen(
            [sys.executable, "-u", "-m", "hearthline.cli", "demo", "--port", str(port),
             "--speed", str(speed), "--data-dir", str(tmp_path / "demo"),
             # Timing checks on a busy machine: real calls are tested in tests/voice.
             "--no-voice", *more],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )  # fmt: skip
        demo = Demo(proc, f"http://127.0.0.1:{port}")
        demo.read_output()
        started.append(demo)
        # A cold start on a busy machine (other test workers, other work) can take a while.
        wait_until(lambda: _healthy(demo.url), what="the demo server to answer", timeout=120)
        return demo

    yield start
    for demo in started:
        if demo.proc.poll() is None:
            demo.proc.kill()
            demo.proc.wait()
        demo.close()
