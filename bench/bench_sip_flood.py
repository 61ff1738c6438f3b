"""The B2BUA under an INVITE flood from one address: its memory and CPU, with the
per-source bounds as shipped and, its peer in the same run, with bounds too high to bite.

    make bench BENCH_ARGS=sip_flood                        # 200 INVITEs a second for 70 s
    python -m bench sip_flood --rate=100 --seconds=40      # smaller

One sipp process (``tests/voice/flood.xml``) floods the B2BUA, its own process on
loopback with a trunks file; this process plays the server and refuses every INVITE that
reaches it with 404 (the server's answer to an unknown number). sippy keeps each answer
32 to 64 s for retransmissions, so the run lasts past that to show where memory levels
off. Measured every 5 s: the B2BUA's RSS; at the end its CPU time, and how many INVITEs
reached the server.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import psutil

from hearthline.telephony import trunks
from hearthline.telephony.trunks import Bounds

SCENARIO = Path(__file__).parents[1] / "tests" / "voice" / "flood.xml"


def _options(argv: list[str]) -> dict[str, Any]:
    opts: dict[str, Any] = {"rate": 200, "seconds": 70}
    for arg in argv:
        name, _, value = arg.lstrip("-").partition("=")
        if name in opts:
            opts[name] = type(opts[name])(value)
    return opts


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _run(bounds: Bounds, rate: int, seconds: int, scratch: Path) -> dict[str, Any]:
    path = scratch / f"trunks-{bounds.invites_per_s:g}.json"
    trunks.dump(path, [trunks.loopback_trunk()], bounds)
    port = _free_port()
    b2bua = subprocess.Popen(
        [sys.executable, "-m", "hearthline.telephony.b2bua", "--port", str(port),
         "--trunks", str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )  # fmt: skip
    assert b2bua.stdin is not None
    assert b2bua.stdout is not None
    first = json.loads(b2bua.stdout.readline())
    assert first["event"] == "ready", first
    reached = [0]

    def serve() -> None:  # the server's part: every number is unknown
        assert b2bua.stdout is not None
        assert b2bua.stdin is not None
        for line in b2bua.stdout:
            message = json.loads(line)
            if message.get("event") == "invite":
                reached[0] += 1
                reply = {"do": "reject", "call": message["call"], "code": 404,
                         "reason": "Not Found"}  # fmt: skip
                b2bua.stdin.write(json.dumps(reply).encode() + b"\n")
                b2bua.stdin.flush()

    threading.Thread(target=serve, daemon=True).start()
    proc = psutil.Process(b2bua.pid)
    rss_start = proc.memory_info().rss
    cpu_start = proc.cpu_times()
    calls = rate * seconds
    began = time.monotonic()
    sipp = subprocess.Popen(
        ["sipp", f"127.0.0.1:{port}", "-sf", str(SCENARIO), "-s", "+15559999",
         "-i", "127.0.0.1", "-p", str(_free_port()), "-mp", str(_free_port()),
         "-r", str(rate), "-m", str(calls), "-l", str(calls), "-timeout", f"{seconds + 60}s",
         "-nostdin"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    samples: list[tuple[float, int]] = []
    while sipp.poll() is None:
        samples.append((time.monotonic() - began, proc.memory_info().rss))
        with contextlib.suppress(subprocess.TimeoutExpired):
            sipp.wait(timeout=5)
    took = time.monotonic() - began
    samples.append((took, proc.memory_info().rss))
    cpu_end = proc.cpu_times()
    alive = b2bua.poll() is None
    b2bua.stdin.close()
    b2bua.wait(timeout=10)
    mib = 1024 * 1024
    return {
        "invites_per_s_bound": bounds.invites_per_s,
        "sent": calls,
        "sipp_exit": sipp.returncode,
        "took_s": round(took, 1),
        "reached_server": reached[0],
        "b2bua_alive": alive,
        "b2bua_cpu_s": round(
            (cpu_end.user + cpu_end.system) - (cpu_start.user + cpu_start.system), 2
        ),
        "rss_start_mib": round(rss_start / mib, 1),
        "rss_peak_mib": round(max(r for _, r in samples) / mib, 1),
        "rss_end_mib": round(samples[-1][1] / mib, 1),
        "rss_by_5s_mib": [round(r / mib, 1) for _, r in samples],
    }


def main(argv: list[str]) -> int:
    if shutil.which("sipp") is None:
        print("skipped: needs sipp (Debian's sip-tester)")
        return 0
    opts = _options(argv)
    rate, seconds = int(opts["rate"]), int(opts["seconds"])
    print(f"load: {os.getloadavg()[0]:.1f} {os.getloadavg()[1]:.1f} on {os.cpu_count()} cores")
    wall, cpu = time.monotonic(), os.times()
    with tempfile.TemporaryDirectory(prefix="bench-flood-") as scratch:
        results = []
        for bounds in (Bounds(), Bounds(requests_per_s=1e6, invites_per_s=1e6)):
            result = _run(bounds, rate, seconds, Path(scratch))
            results.append(result)
            print(json.dumps(result), flush=True)
    spent = os.times()
    used = sum(spent[:4]) - sum(cpu[:4])
    print(
        f"run: {time.monotonic() - wall:.1f} s wall, {used:.1f} s CPU "
        "(this process, the B2BUAs and sipp)"
    )
    bounded, open_ = results
    if bounded["b2bua_cpu_s"] and open_["b2bua_cpu_s"]:
        print(
            f"B2BUA CPU, bounded / unbounded: {bounded['b2bua_cpu_s'] / open_['b2bua_cpu_s']:.2f}; "
            f"INVITEs that reached the server: {bounded['reached_server']} of {bounded['sent']} "
            f"against {open_['reached_server']}"
        )
    return 0 if bounded["b2bua_alive"] and open_["b2bua_alive"] else 1
