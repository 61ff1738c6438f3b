"""The B2BUA dialling a callback, alone (no server): its JSON lines in, a provider behind
the trunk's outbound target. A provider's digest challenge is answered with the trunk's
outbound credentials (a wrong password gets the provider's 403 back as the outcome); the
trunk's cap holds for calls going out (sipp as the customer's phone)."""

from __future__ import annotations

import hashlib
import re
import socket
import subprocess
import threading
from pathlib import Path

import pytest

from hearthline.telephony import trunks
from hearthline.telephony.trunks import Bounds
from tests.ports import sipp_media_port
from tests.serving import free_port
from tests.voice.test_trunk_sip import HERE, SDP, _finished, _start, needs_sipp

pytestmark = [pytest.mark.voice, needs_sipp]


def _provider(port: int, scenario: str, *more: str) -> subprocess.Popen[bytes]:
    sipp = subprocess.Popen(
        ["sipp", "-sf", str(HERE / scenario), "-i", "127.0.0.1", "-p", str(port),
         "-mp", str(sipp_media_port()), "-m", "1", "-timeout", "20s", "-nostdin", *more],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        sipp.wait(timeout=0.5)  # it binds at once, or exits saying why
    except subprocess.TimeoutExpired:
        return sipp
    raise AssertionError(f"sipp did not start: {sipp.stderr.read() if sipp.stderr else ''!r}")


def _trunk(port: int, password: str, max_calls: int = 200) -> trunks.Trunk:
    return trunks.trunk_from_dict(
        {"name": "carrier", "networks": ["127.0.0.1"], "max_calls": max_calls,
         "outbound": f"127.0.0.1:{port}", "outbound_username": "hearthline-out",
         "outbound_password": password}
    )  # fmt: skip


def _dial(call: str) -> dict[str, object]:
    return {"do": "dial", "call": call, "trunk": "carrier", "to": "+441632960001",
            "from": "+15550100", "sdp": SDP}  # fmt: skip


class DigestProvider:
    """A provider on a UDP socket: challenges each INVITE without credentials (401,
    realm provider.test), checks the digest answer (RFC 2617 without qop), and answers
    486 when right, 403 when wrong. ACKs are taken and dropped. ``seen`` notes each
    INVITE's Authorization (or None)."""

    USER, PASSWORD, REALM, NONCE = "hearthline-out", "0ut-secret", "provider.test", "n0nce7"

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port = int(self.sock.getsockname()[1])
        self.seen: list[str | None] = []
        self.running = True
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _md5(self, text: str) -> str:
        return hashlib.md5(text.encode()).hexdigest()

    def _serve(self) -> None:
        while self.running:
            try:
                data, peer = self.sock.recvfrom(65536)
            except TimeoutError:
                continue
            text = data.decode(errors="replace")
            if not text.startswith("INVITE "):
                continue
            head = text.split("\r\n\r\n", 1)[0].split("\r\n")
            wanted = ("via:", "from:", "to:", "call-id:", "cseq:")
            echo = [line for line in head[1:] if line.lower().startswith(wanted)]
            auth = next((h for h in head if h.lower().startswith("authorization:")), None)
            self.seen.append(auth)
            if auth is None:
                status = "401 Unauthorized"
                more = [f'WWW-Authenticate: Digest realm="{self.REALM}", nonce="{self.NONCE}"']
            else:
                fields = dict(re.findall(r'(\w+)="([^"]*)"', auth))
                ha1 = self._md5(f"{fields.get('username')}:{self.REALM}:{self.PASSWORD}")
                ha2 = self._md5(f"INVITE:{fields.get('uri')}")
                right = self._md5(f"{ha1}:{self.NONCE}:{ha2}") == fields.get("response")
                status = (
                    "486 Busy Here"
                    if right and fields.get("username") == self.USER
                    else ("403 Forbidden")
                )
                more = []
            lines = [f"SIP/2.0 {status}"]
            for line in echo:
                lines.append(f"{line};tag=p1" if line.lower().startswith("to:") else line)
            lines += [*more, "Content-Length: 0", "", ""]
            self.sock.sendto("\r\n".join(lines).encode(), peer)

    def close(self) -> None:
        self.running = False
        self.thread.join(timeout=2)
        self.sock.close()


@pytest.mark.parametrize(("password", "outcome"), [("0ut-secret", 486), ("wrong", 403)])
def test_a_providers_challenge_is_answered_with_the_trunks_outbound_credentials(
    tmp_path: Path, password: str, outcome: int
) -> None:
    provider = DigestProvider()
    try:
        with _start(tmp_path, [_trunk(provider.port, password)], Bounds()) as b2bua:
            b2bua.tell(_dial("out-1@hearthline"))
            event = b2bua.next_event(timeout=15)
            assert event["event"] == "failed" and event["call"] == "out-1@hearthline"
            assert event["code"] == outcome, event
    finally:
        provider.close()
    assert provider.seen[0] is None, "the first INVITE carries no credentials"
    assert provider.seen[1] is not None and 'username="hearthline-out"' in provider.seen[1]
    assert password not in provider.seen[1], "the password never goes over the wire"


def test_calls_going_out_count_against_the_trunks_cap(tmp_path: Path) -> None:
    port = free_port()
    provider = _provider(port, "customer_silent.xml")
    with _start(tmp_path, [_trunk(port, "x", max_calls=1)], Bounds()) as b2bua:
        b2bua.tell(_dial("out-1@hearthline"))
        assert b2bua.next_event(timeout=15) == {"event": "ringing", "call": "out-1@hearthline"}
        b2bua.tell(_dial("out-2@hearthline"))
        refused = b2bua.next_event()
        assert (refused["call"], refused["code"]) == ("out-2@hearthline", 503)
        # The first is cancelled (the provider answers 487 to its INVITE) and gives its
        # place back: a third goes out.
        b2bua.tell({"do": "hangup", "call": "out-1@hearthline"})
        _finished(provider)
        provider = _provider(port, "customer_busy.xml")
        b2bua.tell(_dial("out-3@hearthline"))
        busy = b2bua.next_event(timeout=15)
        assert (busy["event"], busy["call"], busy["code"]) == ("failed", "out-3@hearthline", 486)
        _finished(provider)
