"""Assembling a recorded call: CPU seconds per recorded call-minute, from real pcaps.

    make bench BENCH_ARGS=recording             # 20 s of each call recorded
    python -m bench recording --seconds=60      # a full minute each

rtpengine (as the server runs it: userspace, ``recording-method = pcap``) records two
calls for real on loopback, each as two spans (a pause in the middle, as an agent's
pause makes): a caller sending PCMU at 600 Hz and an agent sending either PCMU (what
Chromium answered with in the real-call tests) or Opus (PyAV-encoded) at 1000 Hz. Each
call's pcaps are then assembled into the stereo Ogg Opus file (``telephony.
recording_file.assemble``) several times; the CPU time of this process per assembly,
scaled to one minute of call, is the figure (goal: under 0.05 s). The file is decoded
back and checked by frequency on each channel.

    python -m bench recording --seconds=60 --peer=/tmp/old_recording_file.py

also times a peer on the same pcaps, in the same run: another version of
``recording_file.py`` (``git show main:src/hearthline/telephony/recording_file.py``),
loaded from that path.
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import shutil
import socket
import struct
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import av
import numpy as np

from hearthline.kernel.clock import WallClock
from hearthline.telephony import recording_peaks, rtpengine
from hearthline.telephony.ng import NgClient
from hearthline.telephony.recording_file import (
    assemble,
    audio_port,
    codecs_of,
    decode,
    read_pcap,
)

RESULTS = Path(__file__).parent / "results" / "recording.json"
CALLER_HZ, AGENT_HZ = 600.0, 1000.0
REPEATS = 5
_LEG = {
    "ICE": "remove",
    "transport-protocol": "RTP/AVP",
    "replace": ["origin", "session-connection"],
    "flags": ["trust-address"],
}


def _options(argv: list[str]) -> dict[str, Any]:
    opts: dict[str, Any] = {"seconds": 20.0, "peer": ""}
    for arg in argv:
        name, _, value = arg.lstrip("-").partition("=")
        if name in opts:
            opts[name] = type(opts[name])(value)
    return opts


def _sdp(port: int, codecs: str) -> str:
    pts = " ".join(line.split()[0].split(":")[1] for line in codecs.splitlines())
    return (
        "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
        f"m=audio {port} RTP/AVP {pts}\r\n{codecs}a=sendrecv\r\n"
    )


PCMU = "a=rtpmap:0 PCMU/8000\r\n"
OPUS = "a=rtpmap:111 opus/48000/2\r\n"


def _ulaw(samples: np.ndarray) -> bytes:
    x = np.clip(samples.astype(np.int32), -32635, 32635)
    sign = np.where(x < 0, 0x80, 0)
    x = np.abs(x) + 0x84
    exponent = np.clip(np.floor(np.log2(x)).astype(np.int32) - 7, 0, 7)
    mantissa = (x >> (exponent + 3)) & 0x0F
    return bytes((~(sign | (exponent << 4) | mantissa) & 0xFF).astype(np.uint8))


def _pcmu_frames(hz: float) -> list[bytes]:
    n = np.arange(8000)
    encoded = _ulaw(8000 * np.sin(2 * np.pi * hz * n / 8000))
    return [encoded[i : i + 160] for i in range(0, 8000, 160)]


def _opus_frames(hz: float) -> list[bytes]:
    encoder = av.CodecContext.create("libopus", "w")
    encoder.sample_rate = 48000
    encoder.layout = "mono"
    encoder.format = "s16"
    encoder.bit_rate = 32000
    tone = (8000 * np.sin(2 * np.pi * hz * np.arange(48000) / 48000)).astype(np.int16)
    frame = av.AudioFrame.from_ndarray(tone.reshape(1, -1), format="s16", layout="mono")
    frame.sample_rate = 48000
    return [bytes(p) for p in encoder.encode(frame)][:50]


class _Sender:
    """Sends ``frames`` (a second of them, over and over) every 20 ms to ``target``."""

    def __init__(self, frames: list[bytes], pt: int, step: int, ssrc: int) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.frames, self.pt, self.step, self.ssrc = frames, pt, step, ssrc
        self.target: tuple[str, int] | None = None
        self.sending = threading.Event()
        self.stopped = threading.Event()
        threading.Thread(target=self._run, daemon=True).start()

    @property
    def port(self) -> int:
        port: int = self.sock.getsockname()[1]
        return port

    def _run(self) -> None:
        seq = 0
        next_at = time.monotonic()
        while not self.stopped.is_set():
            if self.sending.is_set() and self.target is not None:
                payload = self.frames[seq % len(self.frames)]
                header = struct.pack(
                    "!BBHII", 0x80, self.pt, seq & 0xFFFF, (seq * self.step) & 0xFFFFFFFF, self.ssrc
                )
                self.sock.sendto(header + payload, self.target)
                seq += 1
            next_at += 0.02
            time.sleep(max(0.0, next_at - time.monotonic()))
        self.sock.close()


async def _record(ng: NgClient, call: str, agent_opus: bool, seconds: float) -> None:
    caller = _Sender(_pcmu_frames(CALLER_HZ), 0, 160, 0x1111)
    agent = (
        _Sender(_opus_frames(AGENT_HZ), 111, 960, 0x2222)
        if agent_opus
        else _Sender(_pcmu_frames(AGENT_HZ), 0, 160, 0x2222)
    )
    try:
        flags: dict[str, Any] = dict(_LEG)
        if agent_opus:
            flags["codec"] = {"transcode": ["opus"]}
        offer = await ng.request(
            "offer", call_id=call, from_tag="caller", sdp=_sdp(caller.port, PCMU), **flags
        )
        answer = await ng.request(
            "answer", call_id=call, from_tag="caller", to_tag="agent",
            sdp=_sdp(agent.port, OPUS if agent_opus else PCMU), **_LEG,
        )  # fmt: skip
        agent.target = ("127.0.0.1", audio_port(str(offer["sdp"])) or 0)
        caller.target = ("127.0.0.1", audio_port(str(answer["sdp"])) or 0)
        caller.sending.set()
        agent.sending.set()
        await asyncio.sleep(0.2)
        for span in (seconds / 2, seconds / 2):
            await ng.request("start recording", call_id=call)
            await asyncio.sleep(span)
            await ng.request("stop recording", call_id=call)
            await asyncio.sleep(0.5)  # the pause
        await ng.request("delete", call_id=call)
    finally:
        caller.stopped.set()
        agent.stopped.set()


def _peer(path: str) -> Callable[..., Any]:
    """``assemble`` of another version of recording_file.py (the figure before a change)."""
    spec = importlib.util.spec_from_file_location("bench_recording_peer", path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"--peer: cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look themselves up there
    spec.loader.exec_module(module)
    found: Callable[..., Any] = module.assemble
    return found


def _measure(
    pcaps: list[Path],
    out: Path,
    caller_sdp: str,
    agent_sdp: str,
    assembler: Callable[..., Any] = assemble,
) -> dict[str, Any]:
    codecs, agent_codecs = codecs_of(caller_sdp), codecs_of(agent_sdp)
    ports = _caller_ports(pcaps)
    cpu: list[float] = []
    made = None
    for _ in range(REPEATS):
        start = time.process_time()
        made = assembler(pcaps, out, caller_ports=ports, codecs=codecs, agent_codecs=agent_codecs)
        cpu.append(time.process_time() - start)
    assert made is not None
    rate, audio = decode(out)
    talk = audio[:, int(1.0 * rate) : int(3.0 * rate)]
    left_hz = float(np.argmax(np.abs(np.fft.rfft(talk[0]))) * rate / talk.shape[1])
    right_hz = float(np.argmax(np.abs(np.fft.rfft(talk[1]))) * rate / talk.shape[1])
    best = min(cpu)
    # The waveform the quality page draws: the file's peaks (uncached: decoded each time).
    peaks_cpu: list[float] = []
    for _ in range(REPEATS):
        start = time.process_time()
        found = recording_peaks._peaks.__wrapped__(str(out), 0, 0, 1200)
        peaks_cpu.append(time.process_time() - start)
    peaks_json = json.dumps({"caller": found.caller, "agent": found.agent}, separators=(",", ":"))
    return {
        "peaks_cpu_s_per_call_minute": min(peaks_cpu) * 60.0 / made.seconds,
        "peaks_json_bytes_1200": len(peaks_json),
        "seconds": made.seconds,
        "file_bytes": out.stat().st_size,
        "cpu_s_min": best,
        "cpu_s_median": float(np.median(cpu)),
        "cpu_s_per_call_minute": best * 60.0 / made.seconds,
        "cpu_s_per_call_minute_median": float(np.median(cpu)) * 60.0 / made.seconds,
        "kbytes_per_minute": out.stat().st_size / 1024 * 60.0 / made.seconds,
        "left_hz": left_hz,
        "right_hz": right_hz,
        "channels_right": abs(left_hz - CALLER_HZ) < 20 and abs(right_hz - AGENT_HZ) < 20,
    }


def _caller_ports(pcaps: list[Path]) -> frozenset[int]:
    """rtpengine's port that the caller (SSRC 0x1111) sent to, read from the pcap (the
    server knows it from the SDP; it is not part of the figure)."""
    ports = {p.dst_port for f in pcaps for p in read_pcap(f) if p.ssrc == 0x1111}
    return frozenset(ports)


def main(argv: list[str]) -> int:
    if shutil.which("rtpengine") is None:
        print("skipped: needs rtpengine (`make voice` installs it as root)")
        return 0
    opts = _options(argv)
    seconds = float(opts["seconds"])
    peer = _peer(str(opts["peer"])) if opts["peer"] else None
    scratch = Path(tempfile.mkdtemp(prefix="hl-bench-recording-"))
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    probe.bind(("127.0.0.1", 0))
    ng_port = probe.getsockname()[1]
    probe.close()
    config = rtpengine.RtpEngineConfig(ng_port, 48000, 48099)
    result: dict[str, Any] = {
        "at": WallClock().now(),
        "recorded_seconds_per_call": seconds,
        "repeats": REPEATS,
        "peer": str(opts["peer"]) or None,
    }

    async def run() -> None:
        child = rtpengine.child(config, scratch / "rtpengine")
        await child.start()
        ng = NgClient("127.0.0.1", ng_port)
        try:
            await _record(ng, "bench-pcmu", False, seconds)
            await _record(ng, "bench-opus", True, seconds)
        finally:
            ng.close()
            await child.stop()

    try:
        asyncio.run(run())
        pcaps = scratch / "rtpengine" / "recordings" / "pcaps"
        for name, agent_sdp in (("pcmu", _sdp(9, PCMU)), ("opus", _sdp(9, OPUS))):
            files = sorted(pcaps.glob(f"bench-{name}-*.pcap"))
            runs = [("", assemble)] + ([("peer_", peer)] if peer is not None else [])
            for prefix, assembler in runs:
                result[f"{prefix}agent_{name}"] = {
                    "pcaps": len(files),
                    "pcap_bytes": sum(f.stat().st_size for f in files),
                    **_measure(
                        files, scratch / f"{prefix}{name}.ogg", _sdp(9, PCMU), agent_sdp, assembler
                    ),
                }
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    for key in [k for k in result if "agent_" in k]:
        r = result[key]
        print(
            f"{key.replace('_', ' ')}: {r['seconds']:.1f} s from {r['pcaps']} pcaps "
            f"({r['pcap_bytes'] / 1024:.0f} KB) -> {r['file_bytes'] / 1024:.0f} KB "
            f"({r['kbytes_per_minute']:.0f} KB/min); CPU {r['cpu_s_min']:.3f} s best, "
            f"{r['cpu_s_median']:.3f} s median of {REPEATS} = "
            f"{r['cpu_s_per_call_minute']:.3f} s per call-minute best, "
            f"{r['cpu_s_per_call_minute_median']:.3f} s median; channels "
            f"{r['left_hz']:.0f}/{r['right_hz']:.0f} Hz "
            f"{'right' if r['channels_right'] else 'WRONG'}; waveform peaks "
            f"{r['peaks_cpu_s_per_call_minute']:.3f} s per call-minute best, "
            f"{r['peaks_json_bytes_1200'] / 1024:.1f} KB of JSON for 1200 slices"
        )
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2, default=float))
    ok = all(result[f"agent_{n}"]["channels_right"] for n in ("pcmu", "opus"))
    return 0 if ok else 1
