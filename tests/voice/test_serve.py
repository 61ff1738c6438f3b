"""``hearthline serve --voice`` as an operator runs it: rtpengine and the B2BUA come up as
its children on the configured ports, answer, and go away with it."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import psutil
import pytest

from tests.api.test_cli import HEARTHLINE
from tests.ports import rtp_range
from tests.serving import free_port, wait_for_health

pytestmark = [pytest.mark.voice, pytest.mark.slow]

CHEAP_HASH = {"HEARTHLINE_ARGON2_TIME_COST": "1", "HEARTHLINE_ARGON2_MEMORY_KIB": "1024"}
_MISSING = [t for t in ("rtpengine", "espeak-ng", "sox") if shutil.which(t) is None]


@pytest.mark.skipif(bool(_MISSING), reason=f"needs {_MISSING}: `make voice` installs them")
def test_serve_with_voice_starts_and_stops_rtpengine_and_the_b2bua(tmp_path: Path) -> None:
    made = subprocess.run(
        [HEARTHLINE, "init", "--data-dir", str(tmp_path), "--password-stdin"],
        input="a long admin password\n",
        env=os.environ | CHEAP_HASH,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert made.returncode == 0, made.stderr
    port, sip, ng = free_port(), free_port(), free_port()
    rtp_min, rtp_max = rtp_range("serve")
    env = (
        os.environ
        | CHEAP_HASH
        | {
            "HEARTHLINE_VOICE_SIP_PORT": str(sip),
            "HEARTHLINE_VOICE_NG_PORT": str(ng),
            "HEARTHLINE_VOICE_RTP_MIN": str(rtp_min),
            "HEARTHLINE_VOICE_RTP_MAX": str(rtp_max),
        }
    )
    server = subprocess.Popen(
        [HEARTHLINE, "serve", "--voice", "--data-dir", str(tmp_path), "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    children: list[psutil.Process] = []
    try:
        wait_for_health(f"http://127.0.0.1:{port}", server)
        deadline = time.monotonic() + 60
        while True:  # voice comes up beside the server
            children = psutil.Process(server.pid).children()
            names = sorted(" ".join(c.cmdline()[:3]) for c in children)
            if any("rtpengine" in n for n in names) and any("b2bua" in n for n in names):
                break
            assert time.monotonic() < deadline, names
            time.sleep(0.1)
        conf = (tmp_path / "voice" / "rtpengine" / "rtpengine.conf").read_text()
        assert f"listen-ng = 127.0.0.1:{ng}" in conf and f"port-min = {rtp_min}" in conf
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as ask:
            ask.settimeout(3)
            ask.sendto(b'c1 {"command": "ping"}', ("127.0.0.1", ng))
            assert json.loads(ask.recv(512).partition(b" ")[2]) == {"result": "pong"}
            me = ask.getsockname()[1]
            options = (
                f"OPTIONS sip:probe@127.0.0.1:{sip} SIP/2.0\r\n"
                f"Via: SIP/2.0/UDP 127.0.0.1:{me};branch=z9hG4bK-probe\r\n"
                f"From: <sip:probe@127.0.0.1:{me}>;tag=p1\r\nTo: <sip:probe@127.0.0.1:{sip}>\r\n"
                "Call-ID: probe-1\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\n"
                "Content-Length: 0\r\n\r\n"
            )
            ask.settimeout(0.5)
            while True:  # the B2BUA answers once it has started (sippy takes a moment)
                ask.sendto(options.encode(), ("127.0.0.1", sip))
                try:
                    answer = ask.recv(4096)
                    break
                except TimeoutError:
                    assert time.monotonic() < deadline, "the B2BUA never answered OPTIONS"
            assert answer.startswith(b"SIP/2.0 200 OK")
    finally:
        server.send_signal(signal.SIGTERM)
        out, _ = server.communicate(timeout=30)
    assert server.returncode == 0, out
    assert "Traceback" not in out and "voice is off" not in out
    _, alive = psutil.wait_procs(children, timeout=5)
    assert alive == []
