"""The B2BUA at the door, for real: its own process on loopback with a trunks file, sipp
as the peer for digest authentication (challenge, right and wrong password), raw UDP
for the source-address refusal, the per-source bound and the trunk's call cap. The test
plays the server's part on the B2BUA's stdin and stdout."""

from __future__ import annotations

import contextlib
import json
import queue
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from hearthline.telephony import trunks
from hearthline.telephony.trunks import Bounds
from tests.ports import sipp_media_port
from tests.serving import free_port
from tests.voice.rig import stop_sipp

pytestmark = pytest.mark.voice

HERE = Path(__file__).parent
SDP = (
    "v=0\r\no=caller 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
    "m=audio 40000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n"
)


@dataclass
class B2bua:
    process: subprocess.Popen[bytes]
    port: int
    events: queue.Queue[dict[str, object]]

    def tell(self, message: dict[str, object]) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps(message).encode() + b"\n")
        self.process.stdin.flush()

    def next_event(self, timeout: float = 5.0) -> dict[str, object]:
        return self.events.get(timeout=timeout)


@contextlib.contextmanager
def _start(tmp_path: Path, listed: list[trunks.Trunk], bounds: Bounds) -> Iterator[B2bua]:
    path = tmp_path / "b2bua-trunks.json"
    trunks.dump(path, listed, bounds)
    with _start_file(path) as b2bua:
        yield b2bua


@contextlib.contextmanager
def _start_file(path: Path) -> Iterator[B2bua]:
    listed, _, registrations = trunks.load(path)
    secrets = [t.password for t in listed if t.password] + [r.password for r in registrations]
    for _ in range(3):
        port = free_port()
        process = subprocess.Popen(
            [sys.executable, "-m", "hearthline.telephony.b2bua", "--port", str(port),
             "--trunks", str(path)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )  # fmt: skip
        assert process.stdout is not None and process.stdin is not None
        first = process.stdout.readline()
        if first:
            break
        # It exited before it was ready: a port another run took between free_port() and
        # the bind is tried again; anything else is the failure, with what it said.
        why = process.communicate(timeout=10)[1].decode(errors="replace")
        assert "in use" in why, why
    assert json.loads(first) == {"event": "ready", "port": port}
    events: queue.Queue[dict[str, object]] = queue.Queue()

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            events.put(json.loads(line))

    threading.Thread(target=read, daemon=True).start()
    try:
        yield B2bua(process, port, events)
    finally:
        process.stdin.close()
        assert process.wait(timeout=10) == 0
        assert process.stderr is not None
        logged = process.stderr.read()
        process.stderr.close()
        process.stdout.close()
        # Whatever it wrote, no password is in it.
        for secret in secrets:
            assert secret.encode() not in logged


@pytest.fixture
def digest_b2bua(tmp_path: Path) -> Iterator[B2bua]:
    # Loopback may call with credentials only: no trunk admits it by address.
    listed = [
        trunks.trunk_from_dict({"name": "carrier", "networks": ["198.51.100.0/24"]}),
        trunks.trunk_from_dict(
            {"name": "branch", "networks": ["127.0.0.1"], "username": "branch-7",
             "password": "s3cret-pass", "max_calls": 2}
        ),
    ]  # fmt: skip
    with _start(tmp_path, listed, Bounds()) as b2bua:
        yield b2bua


def _digest_scenario(tmp_path: Path, final: int) -> Path:
    """sipp's caller that answers the 401 with [authentication] and expects ``final``."""
    text = (HERE / "caller_digest.xml").read_text(encoding="utf-8")
    path = tmp_path / f"caller_digest_{final}.xml"
    path.write_text(text.replace('response="FINAL"', f'response="{final}"'), encoding="utf-8")
    return path


def _sipp(b2bua: B2bua, scenario: Path, password: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        ["sipp", f"127.0.0.1:{b2bua.port}", "-sf", str(scenario), "-s", "+15550400",
         "-i", "127.0.0.1", "-p", str(free_port()), "-mp", str(sipp_media_port()),
         "-au", "branch-7", "-ap", password, "-m", "1", "-l", "1",
         "-timeout", "20s", "-nostdin"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )  # fmt: skip


def _finished(sipp: subprocess.Popen[bytes]) -> None:
    code = sipp.wait(timeout=30)
    errors = sipp.stderr.read() if sipp.stderr else b""
    if sipp.stderr is not None:
        sipp.stderr.close()
    assert code == 0, f"sipp failed ({code}): {errors[-1500:]!r}"


needs_sipp = pytest.mark.skipif(
    shutil.which("sipp") is None,
    reason="needs sipp: `make voice` installs Debian's sip-tester (as root)",
)


@needs_sipp
def test_a_digest_trunk_is_challenged_and_its_right_password_reaches_the_server(
    digest_b2bua: B2bua, tmp_path: Path
) -> None:
    sipp = _sipp(digest_b2bua, _digest_scenario(tmp_path, 404), "s3cret-pass")
    try:
        # Only the INVITE with good credentials reaches the server, once.
        event = digest_b2bua.next_event(timeout=15)
        assert event["event"] == "invite" and event["to"] == "+15550400"
        digest_b2bua.tell({"do": "reject", "call": event["call"], "code": 404,
                           "reason": "Not Found"})  # fmt: skip
        _finished(sipp)
    finally:
        stop_sipp(sipp)
    with pytest.raises(queue.Empty):
        digest_b2bua.next_event(timeout=0.3)


@needs_sipp
def test_a_wrong_password_is_refused_after_the_challenge_and_never_reaches_the_server(
    digest_b2bua: B2bua, tmp_path: Path
) -> None:
    sipp = _sipp(digest_b2bua, _digest_scenario(tmp_path, 403), "not-the-password")
    try:
        _finished(sipp)
    finally:
        stop_sipp(sipp)
    with pytest.raises(queue.Empty):
        digest_b2bua.next_event(timeout=0.3)


class Peer:
    """A raw SIP peer on loopback for what sipp does not make easy."""

    def __init__(self, port: int, host: str = "127.0.0.1") -> None:
        self.port = port
        self.host = host  # the loopback address it sends from
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.settimeout(5)
        self.sock.bind((host, 0))
        self.me = int(self.sock.getsockname()[1])

    def send(self, method: str, call: str, *, sdp: bool = False, extra: str = "") -> None:
        body = SDP if sdp else ""
        kind = "Content-Type: application/sdp\r\n" if sdp else ""
        self.sock.sendto(
            (
                f"{method} sip:+15550400@127.0.0.1:{self.port} SIP/2.0\r\n"
                f"Via: SIP/2.0/UDP {self.host}:{self.me};branch=z9hG4bK-{call}\r\n"
                f"From: <sip:caller@{self.host}:{self.me}>;tag=t-{call}\r\n"
                f"To: <sip:+15550400@127.0.0.1:{self.port}>\r\n"
                f"Call-ID: {call}\r\nCSeq: 1 {method}\r\n"
                f"Contact: <sip:caller@{self.host}:{self.me}>\r\nMax-Forwards: 70\r\n"
                f"{extra}{kind}Content-Length: {len(body)}\r\n\r\n{body}"
            ).encode(),
            ("127.0.0.1", self.port),
        )

    def final(self, call: str) -> str:
        """The final response to ``call`` (provisional ones skipped), whole."""
        while True:
            text = self.sock.recv(65536).decode()
            if f"Call-ID: {call}" not in text and f"i: {call}" not in text:
                continue
            if not text.startswith("SIP/2.0 1"):
                return text

    def close(self) -> None:
        self.sock.close()


def test_an_unknown_source_is_refused_and_a_wrong_realm_of_credentials_too(
    tmp_path: Path,
) -> None:
    listed = [
        trunks.trunk_from_dict({"name": "carrier", "networks": ["198.51.100.0/24"]}),
        trunks.trunk_from_dict(
            {"name": "branch", "networks": ["203.0.113.7"], "username": "b", "password": "pw"}
        ),
    ]
    with _start(tmp_path, listed, Bounds()) as b2bua:
        peer = Peer(b2bua.port)
        try:
            peer.send("INVITE", "u1", sdp=True)
            assert peer.final("u1").startswith("SIP/2.0 403 Forbidden")  # no challenge
            # Made-up credentials from a source no trunk has: the same, unread.
            auth = (
                'Authorization: Digest username="b",realm="x",nonce="n",uri="sip:x",'
                'response="r"\r\n'
            )
            peer.send("INVITE", "u2", sdp=True, extra=auth)
            assert peer.final("u2").startswith("SIP/2.0 403 Forbidden")
            peer.send("OPTIONS", "u3")  # not an INVITE: answered as before
            assert peer.final("u3").startswith("SIP/2.0 200 OK")
        finally:
            peer.close()
        with pytest.raises(queue.Empty):
            b2bua.next_event(timeout=0.3)


def test_a_forged_nonce_is_challenged_again_and_an_unknown_user_refused(
    digest_b2bua: B2bua,
) -> None:
    peer = Peer(digest_b2bua.port)
    try:
        peer.send("INVITE", "f1", sdp=True)
        challenge = peer.final("f1")
        assert challenge.startswith("SIP/2.0 401 Unauthorized")
        assert 'WWW-Authenticate: Digest realm="hearthline"' in challenge
        forged = (
            'Authorization: Digest username="branch-7",realm="hearthline",nonce="forged",'
            'uri="sip:+15550400@127.0.0.1",response="00000000000000000000000000000000"\r\n'
        )
        peer.send("INVITE", "f2", sdp=True, extra=forged)
        assert peer.final("f2").startswith("SIP/2.0 401 Unauthorized")
        stranger = forged.replace("branch-7", "somebody")
        peer.send("INVITE", "f3", sdp=True, extra=stranger)
        assert peer.final("f3").startswith("SIP/2.0 403 Forbidden")
    finally:
        peer.close()
    with pytest.raises(queue.Empty):
        digest_b2bua.next_event(timeout=0.3)


def test_one_source_past_its_bound_gets_503_with_retry_after(tmp_path: Path) -> None:
    listed = [trunks.loopback_trunk()]
    bounds = Bounds(requests_per_s=1.0, invites_per_s=1.0, retry_after_s=7)
    with _start(tmp_path, listed, bounds) as b2bua:
        peer = Peer(b2bua.port)
        try:
            began = time.monotonic()
            answers = []
            for i in range(8):
                peer.send("OPTIONS", f"o{i}")
                answers.append(peer.final(f"o{i}"))
            took = time.monotonic() - began
            ok = [a for a in answers if a.startswith("SIP/2.0 200")]
            busy = [a for a in answers if a.startswith("SIP/2.0 503")]
            assert len(ok) + len(busy) == 8
            # A burst of 2, then one a second for however long the loop took.
            assert 2 <= len(ok) <= 2 + int(took) + 1, (len(ok), took)
            assert busy and all("Retry-After: 7" in a for a in busy), busy[:1]
        finally:
            peer.close()


def test_a_trunk_at_its_call_cap_gets_503_until_a_call_ends(tmp_path: Path) -> None:
    listed = [trunks.trunk_from_dict({"name": "lo", "networks": ["127.0.0.1"], "max_calls": 1})]
    with _start(tmp_path, listed, Bounds()) as b2bua:
        peer = Peer(b2bua.port)
        try:
            peer.send("INVITE", "c1", sdp=True)
            first = b2bua.next_event()
            assert first["event"] == "invite" and first["call"] == "c1"
            peer.send("INVITE", "c2", sdp=True)
            refused = peer.final("c2")
            assert refused.startswith("SIP/2.0 503 Trunk At Its Call Limit"), refused
            assert "Retry-After:" in refused
            b2bua.tell({"do": "reject", "call": "c1", "code": 480, "reason": "Later"})
            assert peer.final("c1").startswith("SIP/2.0 480")
            peer.send("INVITE", "c3", sdp=True)  # its place is free again
            third = b2bua.next_event()
            assert third["event"] == "invite" and third["call"] == "c3"
            b2bua.tell({"do": "reject", "call": "c3", "code": 480, "reason": "Later"})
        finally:
            peer.close()


def _registrar(port: int, user: str, password: str, trace: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        ["sipp", "-sf", str(HERE / "registrar.xml"), "-i", "127.0.0.1", "-p", str(port),
         "-mp", str(sipp_media_port()), "-key", "user", user, "-key", "password", password,
         "-key", "expires", "120", "-m", "1", "-trace_msg", "-message_file", str(trace),
         "-timeout", "20s", "-nostdin"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )  # fmt: skip


@needs_sipp
@pytest.mark.parametrize("right", [True, False], ids=["right-password", "wrong-password"])
def test_hearthline_registers_to_a_providers_registrar_with_digest(
    tmp_path: Path, right: bool
) -> None:
    port = free_port()
    trace = tmp_path / "registrar.log"
    registrar = _registrar(port, "hearthline-1", "prov-pass", trace)
    registration = trunks.registration_from_dict(
        {"registrar": f"127.0.0.1:{port}", "username": "hearthline-1",
         "password": "prov-pass" if right else "old-pass", "domain": "provider.test",
         "expires": 120}
    )  # fmt: skip
    path = tmp_path / "b2bua-trunks.json"
    trunks.dump(path, [trunks.loopback_trunk()], Bounds(), [registration])
    try:
        # The registrar listens before the B2BUA starts and registers.
        deadline = time.monotonic() + 10
        while not trace.exists():
            assert time.monotonic() < deadline, "sipp's registrar did not start"
            time.sleep(0.05)
        with _start_file(path) as b2bua:
            told = b2bua.next_event(timeout=15)
            if right:
                assert told == {"event": "registered", "registrar": registration.registrar,
                                "expires": 120}  # fmt: skip
            else:
                assert told == {"event": "registration-failed",
                                "registrar": registration.registrar,
                                "status": "SIP/2.0 403 Forbidden"}  # fmt: skip
            _finished(registrar)
            stderr = b2bua.process.stderr
            assert stderr is not None
        log = trace.read_text(errors="replace")
        # The REGISTER was for the account at the provider's domain, answered with digest.
        assert "REGISTER sip:provider.test:" in log
        assert 'Authorization: Digest username="hearthline-1",realm="provider.test"' in log
        assert "prov-pass" not in log and "old-pass" not in log
    finally:
        if registrar.poll() is None:
            registrar.kill()
            registrar.wait()
        if registrar.stderr is not None:
            registrar.stderr.close()
