"""The children and their control, for real: rtpengine on the project's own config and
ports, the ng client against it, the supervisor restarting it, and the B2BUA process
facing malformed and unknown SIP."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from hearthline.telephony import rtpengine
from hearthline.telephony.ng import NgClient, NgError
from tests.ports import rtp_range
from tests.serving import free_port

pytestmark = pytest.mark.voice
needs_rtpengine = pytest.mark.skipif(
    shutil.which("rtpengine") is None,
    reason="needs rtpengine: `make voice` installs Debian's rtpengine-daemon (as root)",
)


def test_the_config_file_has_the_projects_ports_and_no_inline_comments(tmp_path: Path) -> None:
    text = rtpengine.RtpEngineConfig(ng_port=23001, port_min=43000, port_max=43099).render(tmp_path)
    lines = text.splitlines()
    assert lines[0] == "[rtpengine]"
    assert "listen-ng = 127.0.0.1:23001" in lines and "port-min = 43000" in lines
    assert "table = -1" in lines  # userspace: no kernel module
    assert not any("#" in line or ";" in line for line in lines)


def test_an_absent_engine_is_reported_as_not_answering() -> None:
    async def ask() -> None:
        client = NgClient("127.0.0.1", free_port(), timeout_s=0.05, tries=2)
        try:
            await client.request("ping")
        finally:
            client.close()

    with pytest.raises(NgError, match=r"did not answer ping"):
        asyncio.run(ask())


@needs_rtpengine
def test_rtpengine_answers_refuses_by_name_and_comes_back_after_a_kill(tmp_path: Path) -> None:
    ng_port = free_port()
    config = rtpengine.RtpEngineConfig(ng_port, *rtp_range("processes"))

    async def scenario() -> None:
        child = rtpengine.child(config, tmp_path)
        await child.start()
        client = NgClient("127.0.0.1", ng_port)
        try:
            assert (await client.request("ping"))["result"] == "pong"
            with pytest.raises(NgError, match="refused query: Unknown call-id"):
                await client.request("query", call_id="no-such-call")
            assert child.process is not None
            first = child.process.pid
            os.kill(first, signal.SIGKILL)
            for _ in range(100):
                await asyncio.sleep(0.05)
                if child.process.pid != first and child.process.returncode is None:
                    break
            assert child.restarts == 1
            assert (await client.request("ping"))["result"] == "pong"
        finally:
            client.close()
            await child.stop()
        assert child.process.returncode is not None
        assert not list(tmp_path.glob("core*"))

    asyncio.run(scenario())


def _sip(method: str, port: int, me: int, *, call: str = "x1", to: str = "+15550100") -> bytes:
    return (
        f"{method} sip:{to}@127.0.0.1:{port} SIP/2.0\r\n"
        f"Via: SIP/2.0/UDP 127.0.0.1:{me};branch=z9hG4bK-{call}\r\n"
        f"From: <sip:caller@127.0.0.1:{me}>;tag=t-{call}\r\n"
        f"To: <sip:{to}@127.0.0.1:{port}>\r\n"
        f"Call-ID: {call}\r\nCSeq: 1 {method}\r\n"
        f"Contact: <sip:caller@127.0.0.1:{me};transport=UDP>\r\nMax-Forwards: 70\r\n"
        "Content-Length: 0\r\n\r\n"
    ).encode()


def test_the_b2bua_survives_garbage_and_answers_what_it_knows() -> None:
    port = free_port()
    b2bua = subprocess.Popen(
        [sys.executable, "-m", "hearthline.telephony.b2bua", "--port", str(port)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    assert b2bua.stdout is not None and b2bua.stdin is not None
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.settimeout(5)
    sock.bind(("127.0.0.1", 0))
    me = sock.getsockname()[1]
    try:
        assert json.loads(b2bua.stdout.readline()) == {"event": "ready", "port": port}
        for junk in (b"\x00\xff" * 300, b"INVITE\r\n\r\n", b"SIP/2.0 200 OK\r\n\r\n"):
            sock.sendto(junk, ("127.0.0.1", port))
        sock.sendto(_sip("OPTIONS", port, me), ("127.0.0.1", port))
        assert sock.recv(4096).startswith(b"SIP/2.0 200 OK")
        sock.sendto(_sip("MESSAGE", port, me, call="m1"), ("127.0.0.1", port))
        assert sock.recv(4096).startswith(b"SIP/2.0 501")
        # An INVITE without SDP is not one we can park: refused, and the server never hears.
        sock.sendto(_sip("INVITE", port, me, call="i1"), ("127.0.0.1", port))
        # sippy sends its 100 Trying from a timer, so the two may arrive in either order.
        answers = sorted(sock.recv(4096).split(b"\r\n")[0] for _ in range(2))
        assert answers == [b"SIP/2.0 100 Trying", b"SIP/2.0 488 Not Acceptable Here"]
        # A server's word for a call it does not have changes nothing.
        b2bua.stdin.write(b'{"do": "answer", "call": "nope", "sdp": "v=0"}\nnot json\n')
        b2bua.stdin.flush()
        sock.sendto(_sip("OPTIONS", port, me, call="o2"), ("127.0.0.1", port))
        assert sock.recv(4096).startswith(b"SIP/2.0 200 OK")
        assert b2bua.poll() is None
    finally:
        sock.close()
        b2bua.stdin.close()  # the server is gone: the B2BUA ends itself
        assert b2bua.wait(timeout=10) == 0
        b2bua.stdout.close()
