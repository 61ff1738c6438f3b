"""A flood of INVITEs from the source of a call in progress: the call carries on, the
flood gets 503 past the source's bound, the B2BUA stays up with its memory bounded.
sipp is both the real caller (queued, hearing the greeting, hanging up with BYE) and the
flood (``-r 200``), on loopback, with rtpengine and the B2BUA as the server's children."""

from __future__ import annotations

import itertools
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import insert, select

from hearthline.store import tables
from tests.ports import sipp_media_port, voice_settings
from tests.serving import free_port
from tests.voice.rig import stop_sipp
from tests.voice.rtp import RtpEndpoint
from tests.voice.tools import skip_without_voice_tools
from tests.web.server import WebServer, start_server

pytestmark = [pytest.mark.voice, pytest.mark.slow]

skip_without_voice_tools()

HERE = Path(__file__).parent
NUMBER = "+15550500"
FLOOD_RATE = 200
FLOOD_CALLS = 600  # 3 s at 200 a second
INVITES_PER_S = 10.0
STAY_MS = 9000


@pytest.fixture(scope="module")
def voice_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebServer]:
    root = tmp_path_factory.mktemp("flood")
    settings = {**voice_settings(root, "sip_flood"), "voice_sip_invites_per_s": INVITES_PER_S}
    server = start_server(root / "hearthline.sqlite3", extra=settings)
    with server.writer.engine.begin() as conn:
        conn.execute(
            insert(tables.numbers).values(number=NUMBER, queue_id="returns", label="Returns")
        )
    deadline = time.monotonic() + 20
    while server.app.state.app_context.voice is None:
        assert time.monotonic() < deadline, "voice did not start"
        time.sleep(0.05)
    yield server
    server.stop()


def _rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


def _options_answer(sip_port: int) -> str:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(2)
        sock.bind(("127.0.0.1", 0))
        me = sock.getsockname()[1]
        call = f"after-{time.monotonic_ns()}"
        sock.sendto(
            (
                f"OPTIONS sip:+15550500@127.0.0.1:{sip_port} SIP/2.0\r\n"
                f"Via: SIP/2.0/UDP 127.0.0.1:{me};branch=z9hG4bK-{call}\r\n"
                f"From: <sip:probe@127.0.0.1:{me}>;tag=t-{call}\r\n"
                f"To: <sip:+15550500@127.0.0.1:{sip_port}>\r\n"
                f"Call-ID: {call}\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\n"
                "Content-Length: 0\r\n\r\n"
            ).encode(),
            ("127.0.0.1", sip_port),
        )
        return sock.recv(4096).decode().split("\r\n")[0]


def test_a_flood_from_the_callers_own_address_does_not_disturb_the_call(
    voice_server: WebServer, tmp_path: Path
) -> None:
    server = voice_server
    context = server.app.state.app_context
    sip_port = context.settings.voice_sip_port
    before = len(_voice_events(server))
    ear = RtpEndpoint(600.0)
    ear.start()
    caller = flood = None
    trace = tmp_path / "flood-messages.log"
    try:
        caller = subprocess.Popen(
            ["sipp", f"127.0.0.1:{sip_port}", "-sf", str(HERE / "caller_hangs_up.xml"),
             "-s", NUMBER, "-i", "127.0.0.1", "-p", str(free_port()),
             "-mp", str(sipp_media_port()), "-m", "1", "-l", "1", "-d", str(STAY_MS),
             "-key", "rtpport", str(ear.port), "-timeout", "60s", "-nostdin"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while len(ear.received) < 10:  # queued: the greeting flows
            assert time.monotonic() < deadline, "the caller was not answered"
            time.sleep(0.02)
        b2bua_pid = _b2bua_pid(sip_port)
        rss_before = _rss_kib(b2bua_pid)

        flood_began = time.monotonic()
        flood = subprocess.Popen(
            ["sipp", f"127.0.0.1:{sip_port}", "-sf", str(HERE / "flood.xml"),
             "-s", "+15559999", "-i", "127.0.0.1", "-p", str(free_port()),
             "-mp", str(sipp_media_port()), "-r", str(FLOOD_RATE), "-m", str(FLOOD_CALLS),
             "-l", str(FLOOD_CALLS), "-trace_msg", "-message_file", str(trace),
             "-timeout", "60s", "-nostdin"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )  # fmt: skip
        flood_code = flood.wait(timeout=90)
        flood_ended = time.monotonic()
        flood_errors = flood.stderr.read() if flood.stderr else b""
        assert flood_code == 0, f"a flood call got neither 503 nor 404: {flood_errors[-1500:]!r}"
        rss_after = _rss_kib(b2bua_pid)

        # The call went on: its RTP kept coming through the flood, and it ends with the
        # caller's BYE answered (sipp's exit code 0).
        during = [t for t, _ in ear.received if flood_began <= t <= flood_ended]
        assert len(during) >= 0.8 * (flood_ended - flood_began) / 0.02, len(during)
        gaps = [b - a for a, b in itertools.pairwise(during)]
        assert max(gaps) < 0.5, f"the caller's audio stopped for {max(gaps):.2f} s"
        code = caller.wait(timeout=60)
        errors = caller.stderr.read() if caller.stderr else b""
        assert code == 0, f"the call did not end normally ({code}): {errors[-1500:]!r}"

        # The flood: past a burst and the rate, 503 with Retry-After; the few admitted
        # reached the server and got its 404 for a number it does not have.
        log = trace.read_text(errors="replace")
        busy = log.count("SIP/2.0 503 Too Many Requests From This Address")
        unknown = log.count("SIP/2.0 404")
        took = flood_ended - flood_began
        assert busy + unknown >= FLOOD_CALLS
        assert unknown <= 2 * INVITES_PER_S + INVITES_PER_S * took + 5, (unknown, took)
        assert busy >= FLOOD_CALLS - unknown
        assert "Retry-After: 5" in log

        # The B2BUA is the same process, its memory bounded, and the source may send
        # again once its bucket refills.
        assert _b2bua_pid(sip_port) == b2bua_pid
        assert rss_after - rss_before < 20 * 1024, (rss_before, rss_after)
        deadline = time.monotonic() + 10
        while (answer := _options_answer(sip_port)) != "SIP/2.0 200 OK":
            assert time.monotonic() < deadline, answer
            time.sleep(0.2)
        print(
            f"flood: {FLOOD_CALLS} INVITEs in {took:.2f} s, {busy} x 503, {unknown} x 404; "
            f"caller's RTP gap at most {max(gaps) * 1000:.0f} ms; "
            f"B2BUA RSS {rss_before} -> {rss_after} KiB"
        )
    finally:
        ear.stop()
        stop_sipp(caller)
        stop_sipp(flood)

    # One call was ever a contact (the flood's never were); it ended by the caller and
    # was abandoned in the queue.
    deadline = time.monotonic() + 10
    while (seen := _voice_events(server)[before:]) != [
        "ContactArrived", "ContactAbandoned", "CallEnded"
    ]:  # fmt: skip
        assert time.monotonic() < deadline, seen
        time.sleep(0.1)


def _voice_events(server: WebServer) -> list[str]:
    kinds = ("ContactArrived", "ContactAbandoned", "CallEnded")
    with server.writer.engine.connect() as conn:
        return list(
            conn.execute(
                select(tables.events.c.type)
                .where(tables.events.c.type.in_(kinds))
                .order_by(tables.events.c.id)
            ).scalars()
        )


def _b2bua_pid(sip_port: int) -> int:
    """The pid of the B2BUA listening on ``sip_port`` (the server's child)."""
    wanted = ["hearthline.telephony.b2bua", "--port", str(sip_port)]
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().decode(errors="replace").split("\0")
        except OSError:
            continue
        if all(part in argv for part in wanted) and argv[argv.index("--port") + 1 :][:1] == [
            str(sip_port)
        ]:
            found.append(int(entry.name))
    assert len(found) == 1, found
    return found[0]
