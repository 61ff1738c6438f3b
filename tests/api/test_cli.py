"""``hearthline init`` and ``hearthline serve`` as an operator runs them."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import httpx

from hearthline.cli import main
from tests.serving import free_port, wait_for_health

PASSWORD = "a long admin password"
# The console script, as installed beside this interpreter.
HEARTHLINE = str(Path(sys.executable).with_name("hearthline"))


def _init(data: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [HEARTHLINE, "init", "--data-dir", str(data), *extra, "--password-stdin"],
        input=PASSWORD + "\n",
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_init_then_serve_then_the_administrator_signs_in(tmp_path: Path) -> None:
    made = _init(tmp_path, "--firm-id", "hearth", "--admin", "root")
    assert made.returncode == 0, made.stderr
    again = _init(tmp_path)
    assert again.returncode == 2
    assert "already initialised" in again.stderr and "Traceback" not in again.stderr
    port = free_port()
    env = os.environ | {"HEARTHLINE_HEARTBEAT_TIMEOUT_S": "5"}
    server = subprocess.Popen(
        [HEARTHLINE, "serve", "--data-dir", str(tmp_path), "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        health = wait_for_health(base, server)
        assert health.json()["status"] == "ok"
        with httpx.Client(base_url=base) as c:
            r = c.post("/api/auth/login", json={"username": "root", "password": PASSWORD})
            assert r.status_code == 200
            assert r.json()["user"]["role"] == "admin"
            r = c.put(
                "/api/admin/clients/acme",
                json={"name": "Acme"},
                headers={"X-CSRF-Token": r.json()["csrf_token"]},
            )
            assert r.status_code == 200
            # The browser pages are served too.
            page = c.get("/agent")
            assert page.status_code == 200
            assert "text/html" in page.headers["content-type"]
    finally:
        server.send_signal(signal.SIGTERM)  # as a service manager stops it: cleanly too
        out, _ = server.communicate(timeout=30)
    assert server.returncode == 0, out
    assert "Traceback" not in out


def test_bad_settings_are_one_clear_line(tmp_path: Path, capsys: object) -> None:
    config = tmp_path / "server.toml"
    config.write_text("[server]\nport = 'eighty'\n")
    code = main(["serve", "--data-dir", str(tmp_path), "--config", str(config)])
    assert code == 2
    err = capsys.readouterr().err  # type: ignore[attr-defined]
    assert "setting port" in err and "Traceback" not in err


def test_serve_on_a_port_in_use_says_to_choose_another_and_exits_2(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        run = subprocess.run(
            [HEARTHLINE, "serve", "--data-dir", str(tmp_path), "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert run.returncode == 2, run.stderr
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1, run.stderr  # one clear line, no traceback, no Errno
    assert f"port {port} is in use" in lines[0] and "--port" in lines[0]
    assert not (tmp_path / "hearthline.sqlite3").exists()  # stopped before it did anything
