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
import time
from collections.abc import Generator
from pathlib import Path

import pytest

from hearthline.telephony import rtpengine
from hearthline.telephony.ng import NgClient, NgError
from hearthline.telephony.processes import Child
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


def _invite_with_sdp(port: int, me: int, call: str) -> bytes:
    sdp = (
        "v=0\r\no=c 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
        "m=audio 40000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n"
    )
    head = _sip("INVITE", port, me, call=call).decode().replace("Content-Length: 0\r\n\r\n", "")
    return (
        f"{head}Content-Type: application/sdp\r\nContent-Length: {len(sdp)}\r\n\r\n{sdp}"
    ).encode()


def _lines(conn: socket.socket) -> Generator[dict[str, object]]:
    with conn.makefile("r") as lines:
        for line in lines:
            yield json.loads(line)


def test_the_b2bua_on_its_socket_outlives_its_server_and_tells_the_next_one(
    tmp_path: Path,
) -> None:
    """``--socket``: a server goes, the B2BUA stays with its dialog and the note kept with
    it, keeps what happens meanwhile (the caller's BYE), and tells the next server."""
    port, path = free_port(), tmp_path / "b2bua.sock"
    b2bua = subprocess.Popen(
        [sys.executable, "-m", "hearthline.telephony.b2bua", "--port", str(port),
         "--socket", str(path)],
        stdin=subprocess.DEVNULL,
    )  # fmt: skip
    sip = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sip.settimeout(5)
    sip.bind(("127.0.0.1", 0))
    me = sip.getsockname()[1]

    def connect() -> tuple[socket.socket, Generator[dict[str, object]]]:
        for _ in range(200):
            try:
                conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                conn.connect(str(path))
                conn.settimeout(5)
                return conn, _lines(conn)
            except OSError:
                conn.close()
                time.sleep(0.05)
        raise AssertionError("the B2BUA's socket never answered")

    try:
        first, events = connect()
        assert next(events) == {"event": "ready", "port": port}
        assert oct(path.stat().st_mode & 0o777) == "0o600"
        for call in ("a1", "a2"):
            sip.sendto(_invite_with_sdp(port, me, call), ("127.0.0.1", port))
            invite = next(events)
            assert invite["event"] == "invite" and invite["call"] == call
        answer = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
        answer += "m=audio 40002 RTP/AVP 0\r\n"
        for call in ("a1", "a2"):
            first.sendall(
                json.dumps({"do": "answer", "call": call, "sdp": answer}).encode() + b"\n"
            )
        first.sendall(b'{"do": "keep", "call": "a1", "note": {"contact": "v1"}}\n')
        first.sendall(b'{"do": "keep", "call": "a2", "note": {"contact": "v2"}}\n')
        first.sendall(b'{"do": "list"}\n')
        listed = next(events)
        assert listed["event"] == "dialogs"
        dialogs = {d["call"]: d for d in listed["dialogs"]}  # type: ignore[union-attr]
        assert dialogs["a1"]["note"] == {"contact": "v1"} and dialogs["a1"]["answered"]
        events.close()
        first.close()  # the server is gone (killed): the B2BUA is not

        to_of: dict[str, str] = {}
        while len(to_of) < 2:  # the 200 OKs (100 Trying before them): the dialogs' To tags
            reply = sip.recv(4096).decode()
            if reply.startswith("SIP/2.0 200 OK"):
                headers = dict(h.split(": ", 1) for h in reply.split("\r\n")[1:] if ": " in h)
                to_of[headers["Call-ID"]] = headers["To"]
        bye = _sip("BYE", port, me, call="a2").decode()
        bye = bye.replace("CSeq: 1 BYE", "CSeq: 2 BYE")
        bye = "\r\n".join(
            f"To: {to_of['a2']}" if line.startswith("To: ") else line for line in bye.split("\r\n")
        )
        sip.sendto(bye.encode(), ("127.0.0.1", port))
        time.sleep(0.5)
        assert b2bua.poll() is None

        second, events = connect()
        assert next(events) == {"event": "ready", "port": port}
        second.sendall(b'{"do": "list"}\n')
        # What happened while no server was there comes first, then the answer.
        assert next(events) == {"event": "hangup", "call": "a2"}
        listed = next(events)
        assert [d["call"] for d in listed["dialogs"]] == ["a1"]  # type: ignore[union-attr]
        assert listed["dialogs"][0]["note"] == {"contact": "v1"}  # type: ignore[index]
        events.close()
        second.close()
    finally:
        sip.close()
        b2bua.terminate()
        assert b2bua.wait(timeout=10) in (0, -signal.SIGTERM)


def test_a_child_that_outlives_the_server_is_adopted_unless_its_settings_changed(
    tmp_path: Path,
) -> None:
    """``outlives``: left running by a server that goes, adopted by the next with the same
    settings (and watched: started again when it dies), stopped and replaced by one with
    other settings."""
    sleeper = shutil.which("sleep")
    assert sleeper is not None

    def child(fingerprint: str) -> Child:
        return Child("sleeper", [sleeper, "60"], cwd=tmp_path, outlives=True,
                     fingerprint=fingerprint)  # fmt: skip

    def running(pid: int) -> bool:
        try:
            return Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] != "Z"
        except FileNotFoundError:
            return False

    async def scenario() -> None:
        first = child("a")
        await first.start()
        assert first.pid is not None and not first.adopted
        await first.detach()  # the server goes
        assert running(first.pid)

        second = child("a")
        await second.start()
        assert second.adopted and second.pid == first.pid
        os.kill(first.pid, signal.SIGKILL)  # it dies under the next server: started again
        for _ in range(100):
            await asyncio.sleep(0.05)
            if second.restarts == 1 and second.pid != first.pid:
                break
        assert second.restarts == 1 and second.pid is not None and running(second.pid)
        await second.detach()

        third = child("b")  # settings changed: the old one is stopped, a new one starts
        await third.start()
        assert not third.adopted and third.pid not in (None, second.pid)
        assert not running(second.pid)
        replaced = third.pid
        assert replaced is not None
        await third.stop()
        assert not running(replaced) and not third.pidfile.exists()

    asyncio.run(scenario())
