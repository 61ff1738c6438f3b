"""`hearthline demo` as a person runs it: a real process, a browser's requests, Ctrl-C."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import httpx
import pytest

from tests.api.support import free_port

PASSWORD = "hearthline-demo"


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], str]]:
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-u",
            "-m",
            "hearthline.cli",
            "demo",
            "--port",
            str(port),
            "--speed",
            "300",
            "--data-dir",
            str(tmp_path / "demo"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until(lambda: _healthy(base), what="the demo server to answer")
        yield proc, base
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()


def _healthy(base: str) -> bool:
    try:
        return httpx.get(f"{base}/api/health", timeout=1).status_code == 200
    except httpx.TransportError:
        return False


def _wait_until(check, *, what: str, timeout: float = 30.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def _signed_in(base: str, username: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=5)
    r = client.post("/api/auth/login", json={"username": username, "password": PASSWORD})
    if r.status_code != 200:
        client.close()
        raise AssertionError(f"{username} could not sign in: {r.text}")
    return client


def test_demo_serves_a_live_day_and_stops_cleanly(
    demo: tuple[subprocess.Popen[str], str],
) -> None:
    proc, base = demo
    with (
        closing(_signed_in(base, "supervisor")) as supervisor,
        closing(_signed_in(base, "northwind")) as northwind,
        closing(_signed_in(base, "you")) as you,
    ):
        _check_the_day(supervisor, northwind, you)

    proc.send_signal(signal.SIGINT)
    out, _ = proc.communicate(timeout=30)
    assert proc.returncode == 0, out
    assert "Open http://127.0.0.1:" in out and "demo stopped" in out


def _check_the_day(supervisor: httpx.Client, northwind: httpx.Client, you: httpx.Client) -> None:

    def busy() -> bool:
        agents = supervisor.get("/api/supervisor/agents").json()
        return sum(a["state"] == "on-contact" for a in agents) >= 5

    _wait_until(busy, what="simulated agents to be on calls")
    queues = {q["id"] for q in supervisor.get("/api/supervisor/queues").json()}
    assert queues == {"sales", "returns", "help"}

    # A client company's own staff see their lines' figures only, and not the floor.
    assert northwind.get("/api/supervisor/queues").status_code == 403
    rows = northwind.get("/api/reports/queues").json()
    assert rows
    assert {r["queue_id"] for r in rows} <= {"sales", "returns"}
    assert {r["client_id"] for r in rows} == {"northwind"}

    # The person at the desk is there, signed out until they sign in.
    assert you.get("/api/auth/me").json()["user"]["agent_id"] == "you"
