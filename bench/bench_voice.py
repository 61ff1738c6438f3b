"""Real calls through the whole stack: sipp callers -> B2BUA -> routing core -> rtpengine
-> an agent leg, all on loopback.

    make bench BENCH_ARGS=voice                    # 50 concurrent calls, held 20 s
    python -m bench voice --calls=20 --hold_s=10   # smaller

The trunk is one sipp process (``tests/voice/caller.xml``), each call's media on an RTP
endpoint of this process that sends a 600 Hz tone. Agents are simulated in this process:
they accept each offer through the writer, and answer the media offer with a plain-RTP
PCMU endpoint that sends 1000 Hz (no browser: DTLS-SRTP and Opus are not in these
figures). Measured: INVITE to 200 OK (sipp's message log), INVITE to the first greeting
packet at the caller, accept to the agent's tone at the caller, and the CPU of every
process while all calls are bridged. Audio is checked by frequency on every call.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import random
import re
import shutil
import struct
import tempfile
import time
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, cast

import numpy as np
import psutil

from hearthline.kernel.clock import WallClock

RESULTS = Path(__file__).parent / "results" / "voice.json"
# Wall-clock seconds: sipp's message log is stamped with the time of day.
_now = WallClock().now
SCENARIO = Path(__file__).parents[1] / "tests" / "voice" / "caller.xml"
NUMBER = "+15550100"
CALLER_HZ, AGENT_HZ = 600.0, 1000.0
RATE, FRAME = 8000, 160


def _options(argv: list[str]) -> dict[str, Any]:
    opts: dict[str, Any] = {"calls": 50, "hold_s": 20.0, "rate": 10.0}
    for arg in argv:
        name, _, value = arg.lstrip("-").partition("=")
        if name in opts:
            opts[name] = type(opts[name])(value)
    return opts


# G.711 mu-law --------------------------------------------------------------------------------


def _ulaw_decode_table() -> np.ndarray:
    u = ~np.arange(256, dtype=np.int32) & 0xFF
    magnitude = (((u & 0x0F) << 3) + 0x84) << ((u >> 4) & 0x07)
    return np.where(u & 0x80, 0x84 - magnitude, magnitude - 0x84).astype(np.float64)


ULAW = _ulaw_decode_table()


def _ulaw_encode(samples: np.ndarray) -> bytes:
    x = np.clip(samples.astype(np.int32), -32635, 32635)
    sign = np.where(x < 0, 0x80, 0)
    x = np.abs(x) + 0x84
    exponent = np.clip(np.floor(np.log2(x)).astype(np.int32) - 7, 0, 7)
    mantissa = (x >> (exponent + 3)) & 0x0F
    return bytes((~(sign | (exponent << 4) | mantissa) & 0xFF).astype(np.uint8))


def _tone_frames(hz: float) -> list[bytes]:
    """A second of 20 ms PCMU frames of ``hz`` (a whole number of periods: loops cleanly)."""
    n = np.arange(RATE)
    pcm = 8000 * np.sin(2 * np.pi * hz * n / RATE)
    encoded = _ulaw_encode(pcm)
    return [encoded[i : i + FRAME] for i in range(0, RATE, FRAME)]


def _share_at(payload: bytes, hz: float) -> float:
    """How much of a frame's energy is at ``hz`` (0..1)."""
    x = ULAW[np.frombuffer(payload, dtype=np.uint8)]
    n = np.arange(len(x))
    c = np.dot(x, np.cos(2 * np.pi * hz * n / RATE))
    s = np.dot(x, np.sin(2 * np.pi * hz * n / RATE))
    total = float(np.dot(x, x)) * len(x) / 2 + 1e-9
    return float(c * c + s * s) / total


def _peak_hz(payloads: list[bytes]) -> float:
    x = ULAW[np.frombuffer(b"".join(payloads), dtype=np.uint8)]
    spectrum = np.abs(np.fft.rfft(x * np.hanning(len(x))))
    spectrum[: int(100 * len(x) / RATE)] = 0
    return float(np.argmax(spectrum) * RATE / len(x))


# RTP endpoints -------------------------------------------------------------------------------


class Endpoint(asyncio.DatagramProtocol):
    """One side's media: sends its tone to ``peer`` every 20 ms, keeps what it gets."""

    def __init__(self, hz: float, listen_for: float) -> None:
        self.frames = _tone_frames(hz)
        self.listen_for = listen_for
        self.peer: tuple[str, int] | None = None
        self.transport: asyncio.DatagramTransport | None = None
        self.first_at: float | None = None
        self.heard_at: float | None = None  # first frame mostly at ``listen_for``
        self.tail: list[bytes] = []
        self.seq = 0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.DatagramTransport, transport)

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        if len(data) <= 12 or data[1] & 0x7F != 0:
            return
        now = _now()
        if self.first_at is None:
            self.first_at = now
        if self.peer is None:
            self.peer = addr  # symmetric RTP: answer where rtpengine sends from
        payload = data[12:]
        if self.heard_at is None and _share_at(payload, self.listen_for) > 0.6:
            self.heard_at = now
        if self.heard_at is not None:
            self.tail = [*self.tail[-49:], payload]

    def send_frame(self) -> None:
        if self.peer is None or self.transport is None:
            return
        header = struct.pack("!BBHII", 0x80, 0, self.seq & 0xFFFF, self.seq * FRAME, 0x51CE)
        self.transport.sendto(header + self.frames[self.seq % len(self.frames)], self.peer)
        self.seq += 1

    @property
    def port(self) -> int:
        assert self.transport is not None
        port: int = self.transport.get_extra_info("sockname")[1]
        return port


async def _endpoint(hz: float, listen_for: float) -> Endpoint:
    loop = asyncio.get_running_loop()
    _, protocol = await loop.create_datagram_endpoint(
        lambda: Endpoint(hz, listen_for), local_addr=("127.0.0.1", 0)
    )
    return protocol


async def _pace(endpoints: list[Endpoint], stop: asyncio.Event) -> None:
    tick = time.monotonic()
    while not stop.is_set():
        for endpoint in endpoints:
            endpoint.send_frame()
        tick += FRAME / RATE
        await asyncio.sleep(max(0.0, tick - time.monotonic()))


# sipp's message log --------------------------------------------------------------------------

_STAMP = re.compile(r"^-+ (\d{4}-\d\d-\d\d)\s+(\d\d:\d\d:\d\d\.\d+)")


def _sip_times(log: Path) -> dict[str, dict[str, float]]:
    """Per Call-ID: when the INVITE went out (and its media port), when the 200 came."""
    calls: dict[str, dict[str, float]] = {}
    at = 0.0
    sent = False
    block: list[str] = []

    def flush() -> None:
        if not block:
            return
        text = "\n".join(block)
        call = re.search(r"^Call-ID:\s*(\S+)", text, re.M)
        if call is None:
            return
        entry = calls.setdefault(call.group(1), {})
        first = next((line for line in block if line.strip()), "")
        if sent and first.startswith("INVITE"):
            entry["invite"] = at
            port = re.search(r"^m=audio (\d+)", text, re.M)
            if port:
                entry["port"] = float(port.group(1))
        elif not sent and first.startswith("SIP/2.0 200") and "INVITE" in text:
            entry.setdefault("ok", at)

    for line in log.read_text(errors="replace").splitlines():
        stamp = _STAMP.match(line)
        if stamp:
            flush()
            block = []
            at = dt.datetime.fromisoformat(f"{stamp.group(1)}T{stamp.group(2)}").timestamp()
            continue
        if line.startswith(("UDP message sent", "UDP message received")):
            sent = line.startswith("UDP message sent")
            continue
        block.append(line.strip())
    flush()
    return calls


# The run ------------------------------------------------------------------------------------


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def _run(opts: dict[str, Any], scratch: Path) -> dict[str, Any]:
    from sqlalchemy import insert

    from hearthline.demo.sample import agent_id, seed
    from hearthline.kernel.clock import WallClock
    from hearthline.kernel.envelope import Envelope
    from hearthline.kernel.ids import ContactId
    from hearthline.routing import commands as cmd
    from hearthline.routing import events as ev
    from hearthline.service.writer import Writer
    from hearthline.store import tables
    from hearthline.store.engine import create_store_engine
    from hearthline.store.migrate import upgrade
    from hearthline.telephony.stack import VoiceConfig, VoiceStack

    calls = opts["calls"]
    url = f"sqlite:///{scratch / 'voice.sqlite3'}"
    engine = create_store_engine(url)
    upgrade(engine)
    seed(engine, agents=calls)
    with engine.begin() as conn:
        conn.execute(insert(tables.numbers).values(number=NUMBER, queue_id="returns", label="b"))
    engine.dispose()
    writer = Writer(
        engine=create_store_engine(url), clock=WallClock(), rng=random.Random(1), own_engine=True
    )
    writer.start()
    loop = asyncio.get_running_loop()
    accepted: dict[str, float] = {}
    agents_media: dict[str, Endpoint] = {}
    stack: VoiceStack

    async def accept(agent: str, contact: str) -> None:
        await writer.execute_async(cmd.AcceptOffer(agent_id(int(agent[1:])), ContactId(contact)))
        accepted[contact] = _now()

    def offered(envelope: Envelope) -> None:
        event = envelope.event
        if isinstance(event, ev.ContactOffered):
            loop.call_soon_threadsafe(lambda: loop.create_task(accept(event.agent, event.contact)))

    async def answer(agent: str, contact: str, offer: str) -> None:
        endpoint = await _endpoint(AGENT_HZ, CALLER_HZ)
        port = re.search(r"^m=audio (\d+)", offer, re.M)
        assert port is not None
        endpoint.peer = ("127.0.0.1", int(port.group(1)))
        agents_media[contact] = endpoint
        sdp = (
            f"v=0\r\no=agent 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
            f"m=audio {endpoint.port} RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=sendrecv\r\n"
        )
        refusal = await stack.control.browser_answer(agent, contact, sdp)
        assert refusal is None, refusal

    def tell_agent(agent: str, message: dict[str, object]) -> None:
        if message.get("type") == "voice-offer":
            contact, sdp = str(message["contact"]), str(message["sdp"])
            _spawn(answer(agent, contact, sdp))

    async def find_number(number: str) -> tuple[str, str] | None:
        return ("returns", "acme") if number == NUMBER else None

    sip_port = _free_udp_port()
    stack = VoiceStack(
        writer,
        VoiceConfig(scratch=scratch / "voice", sip_port=sip_port, ng_port=_free_udp_port(),
                    rtp_min=46000, rtp_max=47999),
        find_number=find_number,
        tell_agent=tell_agent,
    )  # fmt: skip
    await stack.start()
    for i in range(calls):
        await writer.execute_async(cmd.SignIn(agent_id(i), ready=True))
    unsubscribe = writer.subscribe(offered)

    callers = [await _endpoint(CALLER_HZ, AGENT_HZ) for _ in range(calls)]
    stop = asyncio.Event()
    pacer = loop.create_task(_pace(callers, stop))
    agent_pacer = loop.create_task(_pace_dict(agents_media, stop))
    inf = scratch / "ports.csv"
    inf.write_text("SEQUENTIAL\n" + "".join(f"{c.port}\n" for c in callers))
    messages = scratch / "sipp-messages.log"
    # The scenario reads its media port from the CSV (field0) in place of -key rtpport.
    scenario = scratch / "caller.xml"
    scenario.write_text(SCENARIO.read_text().replace("[rtpport]", "[field0]"))
    started = _now()
    sipp = await asyncio.create_subprocess_exec(
        "sipp", f"127.0.0.1:{sip_port}", "-sf", str(scenario), "-inf", str(inf), "-s", NUMBER,
        "-i", "127.0.0.1", "-p", str(_free_udp_port()), "-m", str(calls), "-l", str(calls),
        "-r", str(opts["rate"]), "-trace_msg", "-message_file", str(messages),
        "-timeout", str(int(opts["hold_s"]) + 120) + "s", "-nostdin",
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    deadline = _now() + calls / opts["rate"] + 30
    while _now() < deadline and sum(c.heard_at is not None for c in callers) < calls:
        await asyncio.sleep(0.2)
    bridged = sum(c.heard_at is not None for c in callers)
    print(f"  {bridged} of {calls} calls bridged both ways after {_now() - started:.1f} s")

    procs = {
        "rtpengine": psutil.Process(stack.rtpengine.process.pid),  # type: ignore[union-attr]
        "b2bua": psutil.Process(stack.b2bua.process.pid),  # type: ignore[union-attr]
        "sipp": psutil.Process(sipp.pid),
        "server + simulated agents and RTP endpoints (this process)": psutil.Process(),
    }
    before = {name: p.cpu_times() for name, p in procs.items()}
    await asyncio.sleep(opts["hold_s"])
    cpu = {
        name: 100.0 * (sum(p.cpu_times()[:2]) - sum(before[name][:2])) / opts["hold_s"]
        for name, p in procs.items()
    }

    # Audio checked on every call: each side's last second, by its loudest frequency.
    caller_ok = sum(abs(_peak_hz(c.tail) - AGENT_HZ) < 30 for c in callers if c.tail)
    agent_ok = sum(abs(_peak_hz(a.tail) - CALLER_HZ) < 30 for a in agents_media.values() if a.tail)

    for contact in list(accepted):
        live = stack.control.by_contact.get(contact)
        if live is not None and live.agent is not None:
            await writer.execute_async(
                cmd.EndContact(agent_id(int(live.agent[1:])), ContactId(contact))
            )
    code = await asyncio.wait_for(sipp.wait(), 60)
    stop.set()
    await asyncio.gather(pacer, agent_pacer)
    unsubscribe()
    await stack.stop()
    writer.stop()

    times = _sip_times(messages)
    by_port = {int(t["port"]): t for t in times.values() if "port" in t}
    invite_to_ok = [
        1000 * (t["ok"] - t["invite"]) for t in times.values() if "ok" in t and "invite" in t
    ]
    first_prompt = [
        1000 * (c.first_at - by_port[c.port]["invite"])
        for c in callers
        if c.first_at is not None and c.port in by_port
    ]
    contacts_by_agent_port = {a.port: contact for contact, a in agents_media.items()}
    accept_to_two_way = [
        1000 * (a.heard_at - accepted[contact])
        for port, contact in contacts_by_agent_port.items()
        if (a := agents_media[contact]).heard_at is not None and contact in accepted
    ]
    return {
        "calls": calls,
        "bridged_both_ways": bridged,
        "sipp_exit": code,
        "audio_checked": {"caller_hears_agent": caller_ok, "agent_hears_caller": agent_ok},
        "invite_to_200_ms": {"p50": _pct(invite_to_ok, 0.5), "p99": _pct(invite_to_ok, 0.99),
                             "n": len(invite_to_ok)},
        "invite_to_first_prompt_ms": {"p50": _pct(first_prompt, 0.5),
                                      "p95": _pct(first_prompt, 0.95), "n": len(first_prompt)},
        "accept_to_agent_hears_caller_ms": {"p50": _pct(accept_to_two_way, 0.5),
                                            "p95": _pct(accept_to_two_way, 0.95),
                                            "n": len(accept_to_two_way)},
        "cpu_percent_of_a_core": cpu,
        "rtpengine_cpu_per_call_percent": cpu["rtpengine"] / max(bridged, 1),
    }  # fmt: skip


_TASKS: set[asyncio.Task[None]] = set()


def _spawn(work: Coroutine[Any, Any, None]) -> None:
    task = asyncio.get_running_loop().create_task(work)
    _TASKS.add(task)
    task.add_done_callback(_TASKS.discard)


async def _pace_dict(endpoints: dict[str, Endpoint], stop: asyncio.Event) -> None:
    tick = time.monotonic()
    while not stop.is_set():
        for endpoint in list(endpoints.values()):
            endpoint.send_frame()
        tick += FRAME / RATE
        await asyncio.sleep(max(0.0, tick - time.monotonic()))


def _free_udp_port() -> int:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def main(argv: list[str]) -> int:
    missing = [t for t in ("rtpengine", "sipp", "espeak-ng", "sox") if shutil.which(t) is None]
    if missing:
        print(f"skipped: needs {', '.join(missing)} (`make voice` installs them as root)")
        return 0
    opts = _options(argv)
    with tempfile.TemporaryDirectory(prefix="hearthline-bench-voice-") as tmp:
        result = asyncio.run(_run(opts, Path(tmp)))
    result["machine"] = f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}"
    result["options"] = opts
    cpu = result["cpu_percent_of_a_core"]
    print(
        f"  INVITE->200 OK p50 {result['invite_to_200_ms']['p50']:.1f} ms, "
        f"p99 {result['invite_to_200_ms']['p99']:.1f} ms (goal p99 < 20 ms)\n"
        f"  INVITE->first greeting packet p50 {result['invite_to_first_prompt_ms']['p50']:.0f} ms, "
        f"p95 {result['invite_to_first_prompt_ms']['p95']:.0f} ms (goal < 300 ms)\n"
        f"  accept->agent leg hears the caller p50 "
        f"{result['accept_to_agent_hears_caller_ms']['p50']:.0f} ms, p95 "
        f"{result['accept_to_agent_hears_caller_ms']['p95']:.0f} ms (plain RTP agent leg; "
        f"goal with a browser: p95 < 400 ms)\n"
        f"  audio by frequency: caller hears agent on "
        f"{result['audio_checked']['caller_hears_agent']}, agent hears caller on "
        f"{result['audio_checked']['agent_hears_caller']} of "
        f"{result['calls']} calls\n"
        f"  CPU while {result['bridged_both_ways']} calls were bridged (% of one core): "
        + ", ".join(f"{name} {value:.1f}" for name, value in cpu.items())
        + f"\n  rtpengine per call {result['rtpengine_cpu_per_call_percent']:.2f}% of a core "
        f"(PCMU<->PCMU, plain RTP) -> about "
        f"{80 / max(result['rtpengine_cpu_per_call_percent'], 1e-6):.0f} calls per core at 80% "
        f"(goal 300)\n  {result['machine']}",
        flush=True,
    )
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2, default=float))
    return 0 if result["sipp_exit"] == 0 and result["bridged_both_ways"] == result["calls"] else 1
