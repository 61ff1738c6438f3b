"""Real calls through the whole stack: sipp callers -> B2BUA -> routing core -> rtpengine
-> an agent leg, all on loopback.

    make bench BENCH_ARGS=voice                    # 50 concurrent calls, held 20 s
    python -m bench voice --calls=20 --hold_s=10   # smaller
    python -m bench voice --calls=40 --agent=opus  # agent legs in Opus: rtpengine transcodes
    python -m bench voice --calls=300 --rate=10    # 300 at once (this process is the limit)

The trunk is one sipp process (``tests/voice/caller.xml``), each call's media on an RTP
endpoint of this process that sends a 600 Hz tone with a 2 kHz marker frame twice a
second. Agents are simulated in this process: they accept each offer through the writer,
and answer the media offer with a plain-RTP endpoint (bench/voice_rtp.py) that sends
1000 Hz in PCMU, or with ``--agent=opus`` in Opus only, so rtpengine transcodes both ways
(no browser: DTLS-SRTP is not in these figures). Measured: INVITE to 200 OK (sipp's
message log), INVITE to the first greeting packet at the caller, accept to the caller's
tone at the agent leg, the markers' delay caller -> rtpengine -> agent against the same
sender straight to a receiver in this process (the difference is what the platform adds),
and the CPU of every process while all calls are bridged (CPU seconds from /proc over
``hold_s``). Audio is checked by frequency on every call.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import random
import re
import shutil
import tempfile
import time
from collections.abc import Coroutine
from pathlib import Path
from typing import Any

import psutil

from bench.voice_rtp import Codec, Endpoint, Opus, endpoint, mark_delays_ms, peak_hz
from hearthline.kernel.clock import WallClock

RESULTS = Path(__file__).parent / "results" / "voice.json"
# Wall-clock seconds: sipp's message log is stamped with the time of day.
_now = WallClock().now
SCENARIO = Path(__file__).parents[1] / "tests" / "voice" / "caller.xml"
NUMBER = "+15550100"
CALLER_HZ, AGENT_HZ = 600.0, 1000.0
RATE, FRAME = 8000, 160
# Caller -> receiver pairs straight over loopback, in this process: the baseline the
# delay through rtpengine is compared with.
DIRECT_PAIRS = 5


def _options(argv: list[str]) -> dict[str, Any]:
    opts: dict[str, Any] = {"calls": 50, "hold_s": 20.0, "rate": 10.0, "agent": "pcmu"}
    for arg in argv:
        name, _, value = arg.lstrip("-").partition("=")
        if name in opts:
            opts[name] = type(opts[name])(value)
    if opts["agent"] not in ("pcmu", "opus"):
        raise SystemExit(f"--agent={opts['agent']}: pcmu or opus")
    return opts


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
    from hearthline.telephony import trunks
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
    caller_of: dict[str, int] = {}  # contact -> its caller's RTP port
    stack: VoiceStack

    async def accept(agent: str, contact: str) -> None:
        await writer.execute_async(cmd.AcceptOffer(agent_id(int(agent[1:])), ContactId(contact)))
        accepted[contact] = _now()

    def offered(envelope: Envelope) -> None:
        event = envelope.event
        if isinstance(event, ev.ContactOffered):
            loop.call_soon_threadsafe(lambda: loop.create_task(accept(event.agent, event.contact)))

    async def answer(agent: str, contact: str, offer: str) -> None:
        if opts["agent"] == "opus":
            # rtpengine offers Opus by transcoding (the browser-leg flags): the agent
            # takes only Opus, so rtpengine decodes the caller's PCMU and encodes Opus.
            pt = re.search(r"^a=rtpmap:(\d+) opus/48000", offer, re.M | re.I)
            assert pt is not None, "rtpengine offered no Opus"
            codec: Codec = Opus(AGENT_HZ, marks=False, pt=int(pt.group(1)))
            rtpmap = f"{codec.pt}\r\na=rtpmap:{codec.pt} opus/48000/2"
        else:
            codec = Codec(AGENT_HZ, marks=False)
            rtpmap = "0\r\na=rtpmap:0 PCMU/8000"
        agent_media = await endpoint(codec, CALLER_HZ)
        port = re.search(r"^m=audio (\d+)", offer, re.M)
        assert port is not None
        agent_media.peer = ("127.0.0.1", int(port.group(1)))
        agents_media[contact] = agent_media
        live = stack.control.by_contact.get(contact)
        caller_port = re.search(r"^m=audio (\d+)", live.caller_sdp if live else "", re.M)
        if caller_port is not None:
            caller_of[contact] = int(caller_port.group(1))
        sdp = (
            f"v=0\r\no=agent 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
            f"m=audio {agent_media.port} RTP/AVP {rtpmap}\r\na=sendrecv\r\n"
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
    # One sipp is the whole trunk, from one address: the default per-address bounds (10
    # INVITEs a second) and a trunk's 200 calls would refuse the bench's own load.
    bench_trunk = trunks.trunk_from_dict(
        {"name": "bench", "networks": ["127.0.0.0/8"], "max_calls": calls}
    )
    bounds = trunks.Bounds(
        requests_per_s=max(50.0, 10 * opts["rate"]), invites_per_s=max(10.0, 2 * opts["rate"])
    )
    stack = VoiceStack(
        writer,
        VoiceConfig(scratch=scratch / "voice", sip_port=sip_port, ng_port=_free_udp_port(),
                    rtp_min=46000, rtp_max=46000 + max(2000, 16 * calls),
                    trunks=(bench_trunk,), bounds=bounds),
        find_number=find_number,
        tell_agent=tell_agent,
    )  # fmt: skip
    await stack.start()
    for i in range(calls):
        await writer.execute_async(cmd.SignIn(agent_id(i), ready=True))
    unsubscribe = writer.subscribe(offered)

    callers = [await endpoint(Codec(CALLER_HZ, marks=True), AGENT_HZ) for _ in range(calls)]
    direct = [
        (await endpoint(Codec(CALLER_HZ, marks=True), AGENT_HZ),
         await endpoint(Codec(AGENT_HZ, marks=False), CALLER_HZ))
        for _ in range(DIRECT_PAIRS)
    ]  # fmt: skip
    for sender, receiver in direct:
        sender.peer = ("127.0.0.1", receiver.port)
    stop = asyncio.Event()
    senders = [*callers, *(pair[0] for pair in direct)]
    pacer = loop.create_task(_pace(senders, stop))
    agent_pacer = loop.create_task(_pace(agents_media, stop))
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
        "-trace_err", "-error_file", str(scratch / "sipp-errors.log"),
        "-timeout", str(int(opts["hold_s"]) + 120) + "s", "-nostdin",
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    deadline = _now() + calls / opts["rate"] + 30
    while _now() < deadline and sum(c.heard_at is not None for c in callers) < calls:
        await asyncio.sleep(0.2)
    bridged = sum(c.heard_at is not None for c in callers)
    print(
        f"  {bridged} of {calls} calls bridged both ways after {_now() - started:.1f} s "
        f"({len(accepted)} offers accepted, {len(agents_media)} agent legs answered, "
        f"{sum(c.first_at is not None for c in callers)} callers got media)"
    )

    procs = {
        "rtpengine": psutil.Process(stack.rtpengine.process.pid),  # type: ignore[union-attr]
        "b2bua": psutil.Process(stack.b2bua.process.pid),  # type: ignore[union-attr]
        "sipp": psutil.Process(sipp.pid),
        "server + simulated agents and RTP endpoints (this process)": psutil.Process(),
    }
    before = {name: p.cpu_times() for name, p in procs.items()}
    window = (time.perf_counter(), time.perf_counter() + opts["hold_s"])
    await asyncio.sleep(opts["hold_s"])
    cpu = {
        name: 100.0 * (sum(p.cpu_times()[:2]) - sum(before[name][:2])) / opts["hold_s"]
        for name, p in procs.items()
    }

    # Audio checked on every call: each side's last second, by its loudest frequency.
    caller_ok = sum(abs(peak_hz(c.tail) - AGENT_HZ) < 30 for c in callers if c.tail)
    agent_ok = sum(abs(peak_hz(a.tail) - CALLER_HZ) < 30 for a in agents_media.values() if a.tail)

    # Markers heard in the steady window only: caller -> rtpengine -> agent, and direct.
    by_caller_port = {c.port: c for c in callers}
    through = [
        d
        for contact, agent_media in agents_media.items()
        if (caller := by_caller_port.get(caller_of.get(contact, -1))) is not None
        for d in mark_delays_ms(caller, agent_media, *window)
    ]
    straight = [d for sender, receiver in direct for d in mark_delays_ms(sender, receiver, *window)]

    for contact in list(accepted):
        live = stack.control.by_contact.get(contact)
        if live is not None and live.agent is not None:
            await writer.execute_async(
                cmd.EndContact(agent_id(int(live.agent[1:])), ContactId(contact))
            )
    try:
        code = await asyncio.wait_for(sipp.wait(), 60)
    except TimeoutError:
        # Calls never answered keep sipp waiting (its -timeout): stop it, so the stack and
        # the writer's thread are stopped below and the process can end.
        print("  sipp still had calls after 60 s: stopped")
        sipp.kill()
        code = await sipp.wait()
    errors = scratch / "sipp-errors.log"
    if code != 0 and errors.exists():
        # sipp exits 1 when any call failed: say which message it did not expect.
        print("  sipp's errors (last lines):", *errors.read_text().splitlines()[-6:], sep="\n    ")
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
        "marker_delay_ms": {
            "through_rtpengine": {"p50": _pct(through, 0.5), "p95": _pct(through, 0.95),
                                  "n": len(through)},
            "direct": {"p50": _pct(straight, 0.5), "p95": _pct(straight, 0.95),
                       "n": len(straight)},
            "added_p50": _pct(through, 0.5) - _pct(straight, 0.5),
            "added_p95": _pct(through, 0.95) - _pct(straight, 0.95),
        },
        "agent_codec": opts["agent"],
        "cpu_percent_of_a_core": cpu,
        "rtpengine_cpu_per_call_percent": cpu["rtpengine"] / max(bridged, 1),
    }  # fmt: skip


_TASKS: set[asyncio.Task[None]] = set()


def _spawn(work: Coroutine[Any, Any, None]) -> None:
    task = asyncio.get_running_loop().create_task(work)
    _TASKS.add(task)
    task.add_done_callback(_TASKS.discard)


async def _pace(endpoints: list[Endpoint] | dict[str, Endpoint], stop: asyncio.Event) -> None:
    tick = time.monotonic()
    while not stop.is_set():
        for sender in list(endpoints.values() if isinstance(endpoints, dict) else endpoints):
            sender.send_frame()
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
    load_start = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="hearthline-bench-voice-") as tmp:
        result = asyncio.run(_run(opts, Path(tmp)))
    result["machine"] = (
        f"{os.cpu_count()} cores, load average {load_start:.1f} at start, "
        f"{os.getloadavg()[0]:.1f} at end"
    )
    result["options"] = opts
    cpu = result["cpu_percent_of_a_core"]
    marks = result["marker_delay_ms"]
    pair = "PCMU<->Opus, transcoded" if opts["agent"] == "opus" else "PCMU<->PCMU"
    goal = 60 if opts["agent"] == "opus" else 300
    print(
        f"  INVITE->200 OK p50 {result['invite_to_200_ms']['p50']:.1f} ms, "
        f"p99 {result['invite_to_200_ms']['p99']:.1f} ms (goal p99 < 20 ms)\n"
        f"  INVITE->first greeting packet p50 {result['invite_to_first_prompt_ms']['p50']:.0f} ms, "
        f"p95 {result['invite_to_first_prompt_ms']['p95']:.0f} ms (goal < 300 ms)\n"
        f"  accept->agent leg hears the caller p50 "
        f"{result['accept_to_agent_hears_caller_ms']['p50']:.0f} ms, p95 "
        f"{result['accept_to_agent_hears_caller_ms']['p95']:.0f} ms ({pair} plain-RTP agent leg; "
        f"goal with a browser: p95 < 400 ms)\n"
        f"  audio by frequency: caller hears agent on "
        f"{result['audio_checked']['caller_hears_agent']}, agent hears caller on "
        f"{result['audio_checked']['agent_hears_caller']} of "
        f"{result['calls']} calls\n"
        f"  marker caller->agent through rtpengine p50 {marks['through_rtpengine']['p50']:.1f} ms, "
        f"p95 {marks['through_rtpengine']['p95']:.1f} ms (n {marks['through_rtpengine']['n']}); "
        f"direct p50 {marks['direct']['p50']:.1f} ms, p95 {marks['direct']['p95']:.1f} ms "
        f"(n {marks['direct']['n']}); added p50 {marks['added_p50']:.1f} ms, "
        f"p95 {marks['added_p95']:.1f} ms (goal < 40 ms)\n"
        f"  CPU while {result['bridged_both_ways']} calls were bridged (% of one core): "
        + ", ".join(f"{name} {value:.1f}" for name, value in cpu.items())
        + f"\n  rtpengine per call {result['rtpengine_cpu_per_call_percent']:.2f}% of a core "
        f"({pair}, plain RTP) -> about "
        f"{80 / max(result['rtpengine_cpu_per_call_percent'], 1e-6):.0f} calls per core at 80% "
        f"(goal {goal})\n  {result['machine']}",
        flush=True,
    )
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2, default=float))
    return 0 if result["sipp_exit"] == 0 and result["bridged_both_ways"] == result["calls"] else 1
