"""The silence watch on agent legs: what one ng ``query`` a live call a second costs.

    make bench BENCH_ARGS=silence               # 100 calls, 20 checks
    python -m bench silence --calls=300 --checks=20

rtpengine (as the server runs it) holds ``calls`` calls, each a caller and an agent leg
(plain RTP on loopback, each leg having sent a few packets). ``SilenceWatch.check`` (the
server's code, ``telephony/silence.py``) then runs ``checks`` times: one query per call
each time, all at once, as the server does once a second. The figures: this process's
CPU and rtpengine's (``/proc/<pid>/stat``) per query, and the wall time of one check;
at one check a second, the CPU per query is also the CPU per live call and second.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import socket
import struct
import tempfile
import time
from pathlib import Path
from typing import Any

from hearthline.kernel.clock import WallClock
from hearthline.telephony import rtpengine
from hearthline.telephony.control import LiveCall
from hearthline.telephony.media import RtpEngine
from hearthline.telephony.ng import NgClient
from hearthline.telephony.silence import SilenceWatch

RESULTS = Path(__file__).parent / "results" / "silence.json"
_LEG = {
    "ICE": "remove",
    "transport-protocol": "RTP/AVP",
    "replace": ["origin", "session-connection"],
    "flags": ["trust-address"],
}


def _sdp(port: int) -> str:
    return (
        "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=bench\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
        f"m=audio {port} RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=sendrecv\r\n"
    )


class _Calls:
    """The control plane as the watch sees it: live calls, nothing reported."""

    def __init__(self) -> None:
        self.calls: dict[str, LiveCall] = {}
        self.lost = 0

    async def agent_leg_lost(self, agent: str, contact: str) -> None:
        self.lost += 1

    async def agent_leg_back(self, agent: str, contact: str) -> None:
        return None


def _cpu_of(pid: int) -> float:
    """CPU seconds (user + system) the process has used."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def _set_up(ng: NgClient, calls: int, live: _Calls) -> list[socket.socket]:
    socks: list[socket.socket] = []
    packet = struct.pack("!BBHII", 0x80, 0, 1, 160, 7) + b"\xff" * 160
    for i in range(calls):
        caller, agent = (
            socket.socket(socket.AF_INET, socket.SOCK_DGRAM),
            socket.socket(socket.AF_INET, socket.SOCK_DGRAM),
        )
        for s in (caller, agent):
            s.bind(("127.0.0.1", 0))
            socks.append(s)
        call, tag = f"bench-{i}", f"agent-{i}"
        offer = await ng.request(
            "offer", call_id=call, from_tag="caller", sdp=_sdp(caller.getsockname()[1]), **_LEG
        )
        answer = await ng.request(
            "answer", call_id=call, from_tag="caller", to_tag=tag,
            sdp=_sdp(agent.getsockname()[1]), **_LEG,
        )  # fmt: skip
        to_agent_side = int(re.findall(r"m=audio (\d+)", str(offer["sdp"]))[0])
        to_caller_side = int(re.findall(r"m=audio (\d+)", str(answer["sdp"]))[0])
        for _ in range(3):
            caller.sendto(packet, ("127.0.0.1", to_caller_side))
            agent.sendto(packet, ("127.0.0.1", to_agent_side))
        live.calls[call] = LiveCall(call, f"c-{i}", "", agent=f"a-{i}", agent_tag=tag, bridged=True)
    return socks


def main(argv: list[str]) -> int:
    if shutil.which("rtpengine") is None:
        print("skipped: needs rtpengine (`make voice` installs it as root)")
        return 0
    opts = dict(a.removeprefix("--").split("=", 1) for a in argv if "=" in a)
    calls, checks = int(opts.get("calls", 100)), int(opts.get("checks", 20))
    scratch = Path(tempfile.mkdtemp(prefix="hl-bench-silence-"))
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    probe.bind(("127.0.0.1", 0))
    ng_port = probe.getsockname()[1]
    probe.close()
    # Two ports a leg (RTP and RTCP), two legs a call, and room to spare.
    config = rtpengine.RtpEngineConfig(ng_port, 46000, 46000 + 4 * calls + 99)
    result: dict[str, Any] = {"at": WallClock().now(), "calls": calls, "checks": checks}

    async def run() -> None:
        child = rtpengine.child(config, scratch / "rtpengine")
        await child.start()
        process = child.process
        assert process is not None
        ng = NgClient("127.0.0.1", ng_port, timeout_s=5.0)
        live = _Calls()
        socks = await _set_up(ng, calls, live)
        try:
            watch = SilenceWatch(live, RtpEngine(ng).received, silent_s=3600)
            await watch.check()  # the first read of each leg, not timed
            walls: list[float] = []
            own, engine = time.process_time(), _cpu_of(process.pid)
            for _ in range(checks):
                started = time.perf_counter()
                await watch.check()
                walls.append(time.perf_counter() - started)
            own, engine = time.process_time() - own, _cpu_of(process.pid) - engine
            queries = calls * checks
            assert watch.queries == queries + calls
            assert live.lost == 0
            walls.sort()
            result.update(
                queries=queries,
                server_cpu_us_per_query=round(own / queries * 1e6, 1),
                rtpengine_cpu_us_per_query=round(engine / queries * 1e6, 1),
                check_wall_ms_median=round(walls[len(walls) // 2] * 1e3, 2),
                check_wall_ms_max=round(walls[-1] * 1e3, 2),
            )
        finally:
            for i in range(calls):
                await ng.request("delete", call_id=f"bench-{i}")
            for s in socks:
                s.close()
            ng.close()
            await child.stop()
            shutil.rmtree(scratch, ignore_errors=True)

    asyncio.run(run())
    print(
        f"{calls} calls, {checks} checks: server {result['server_cpu_us_per_query']} us and "
        f"rtpengine {result['rtpengine_cpu_us_per_query']} us of CPU per query; a check "
        f"takes {result['check_wall_ms_median']} ms (median), {result['check_wall_ms_max']} "
        "ms at most"
    )
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    return 0
