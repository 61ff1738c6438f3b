"""The voice benchmark's RTP endpoints: each sends a tone every 20 ms in PCMU or Opus
(plain RTP, no SRTP), decodes what it gets, and notes when a marker arrives.

A marker is one 20 ms frame at MARK_HZ in place of the tone, every MARK_EVERY frames. The
sender notes when each marker left; the receiver notes when the first frame mostly at
MARK_HZ arrived. Their difference over a path through rtpengine, less the same over a
direct path in the same process, is the delay the platform adds to the mouth-to-ear
delay (the process's own scheduling is in both).
"""

from __future__ import annotations

import asyncio
import bisect
import functools
import struct
import time
from typing import cast

import av
import numpy as np

from hearthline.kernel.clock import WallClock

RATE, FRAME = 8000, 160  # the telephone band, 20 ms frames
OPUS_RATE, OPUS_FRAME = 48000, 960
MARK_HZ = 2000.0
MARK_EVERY = 25  # two markers a second: far apart next to any delay measured
_now = time.perf_counter
# Wall-clock seconds where sipp's message log (stamped with the time of day) is compared.
_wall = WallClock().now


# G.711 mu-law --------------------------------------------------------------------------------


def _ulaw_decode_table() -> np.ndarray:
    u = ~np.arange(256, dtype=np.int32) & 0xFF
    magnitude = (((u & 0x0F) << 3) + 0x84) << ((u >> 4) & 0x07)
    return np.where(u & 0x80, 0x84 - magnitude, magnitude - 0x84).astype(np.float64)


ULAW = _ulaw_decode_table()


def ulaw_encode(samples: np.ndarray) -> bytes:
    x = np.clip(samples.astype(np.int32), -32635, 32635)
    sign = np.where(x < 0, 0x80, 0)
    x = np.abs(x) + 0x84
    exponent = np.clip(np.floor(np.log2(x)).astype(np.int32) - 7, 0, 7)
    mantissa = (x >> (exponent + 3)) & 0x0F
    return bytes((~(sign | (exponent << 4) | mantissa) & 0xFF).astype(np.uint8))


def _tone(hz: float, rate: int) -> np.ndarray:
    """A second of ``hz`` (a whole number of periods: it loops cleanly)."""
    return 8000 * np.sin(2 * np.pi * hz * np.arange(rate) / rate)


@functools.cache
def pcmu_frames(hz: float) -> tuple[bytes, ...]:
    encoded = ulaw_encode(_tone(hz, RATE))
    return tuple(encoded[i : i + FRAME] for i in range(0, RATE, FRAME))


@functools.cache
def opus_packets(hz: float) -> tuple[bytes, ...]:
    """A second of ``hz`` as 50 Opus packets (mono, 48 kHz), encoded once: looping them
    costs the sender nothing per packet, so the bench's CPU is not the encoder's."""
    encoder = av.CodecContext.create("libopus", "w")
    encoder.sample_rate = OPUS_RATE
    encoder.layout = "mono"
    encoder.format = "s16"
    encoder.bit_rate = 32000
    pcm = _tone(hz, OPUS_RATE).astype(np.int16)
    packets: list[bytes] = []
    for at in range(0, OPUS_RATE, OPUS_FRAME):
        frame = av.AudioFrame.from_ndarray(
            pcm[at : at + OPUS_FRAME].reshape(1, -1), format="s16", layout="mono"
        )
        frame.sample_rate = OPUS_RATE
        frame.pts = at
        packets += [bytes(p) for p in encoder.encode(frame)]
    return tuple(packets)


class Codec:
    """One endpoint's codec: what it sends, and its received payloads as 8 kHz samples."""

    name = "PCMU"
    pt = 0
    step = FRAME  # RTP timestamp per frame

    def __init__(self, hz: float, marks: bool) -> None:
        self.frames = pcmu_frames(hz)
        self.mark = pcmu_frames(MARK_HZ)[0] if marks else None

    def decode(self, payload: bytes) -> np.ndarray:
        return ULAW[np.frombuffer(payload, dtype=np.uint8)]


class Opus(Codec):
    """Opus at 48 kHz; decoded by libopus (one decoder: it carries state between
    packets) and averaged 6 to 1 to the telephone band."""

    name = "opus"
    step = OPUS_FRAME

    def __init__(self, hz: float, marks: bool, pt: int = 111) -> None:
        self.pt = pt
        self.frames = opus_packets(hz)
        self.mark = opus_packets(MARK_HZ)[0] if marks else None
        self.decoder = av.CodecContext.create("libopus", "r")
        self.decoder.sample_rate = OPUS_RATE
        self.decoder.layout = "mono"

    def decode(self, payload: bytes) -> np.ndarray:
        try:
            frames = self.decoder.decode(av.Packet(payload))
        except av.error.FFmpegError:
            return np.zeros(0)
        if not frames:
            return np.zeros(0)
        wide = np.concatenate([f.to_ndarray().reshape(-1) for f in frames]).astype(np.float64)
        cut = len(wide) - len(wide) % 6
        return cast(np.ndarray, wide[:cut].reshape(-1, 6).mean(axis=1))


def share_at(x: np.ndarray, hz: float) -> float:
    """How much of a frame's energy is at ``hz`` (0..1)."""
    if len(x) == 0:
        return 0.0
    n = np.arange(len(x))
    c = np.dot(x, np.cos(2 * np.pi * hz * n / RATE))
    s = np.dot(x, np.sin(2 * np.pi * hz * n / RATE))
    total = float(np.dot(x, x)) * len(x) / 2 + 1e-9
    return float(c * c + s * s) / total


def peak_hz(chunks: list[np.ndarray]) -> float:
    x = np.concatenate(chunks) if chunks else np.zeros(RATE)
    spectrum = np.abs(np.fft.rfft(x * np.hanning(len(x))))
    spectrum[: int(100 * len(x) / RATE)] = 0
    return float(np.argmax(spectrum) * RATE / len(x))


class Endpoint(asyncio.DatagramProtocol):
    """One side's media: sends its tone to ``peer`` every 20 ms (a marker among it if
    the codec has one), keeps the last second it got once ``listen_for`` was heard."""

    def __init__(self, codec: Codec, listen_for: float) -> None:
        self.codec = codec
        self.listen_for = listen_for
        self.peer: tuple[str, int] | None = None
        self.transport: asyncio.DatagramTransport | None = None
        self.first_at: float | None = None  # wall clock (wall clock), as sipp's log
        self.heard_at: float | None = None  # first frame mostly at ``listen_for``
        self.tail: list[np.ndarray] = []
        self.seq = 0
        self.marks_sent: list[float] = []  # perf_counter when each marker left
        self.marks_heard: list[float] = []  # perf_counter when each marker arrived
        self._in_mark = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.DatagramTransport, transport)

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        if len(data) <= 12 or data[1] & 0x7F != self.codec.pt:
            return
        arrived = _now()
        if self.first_at is None:
            self.first_at = _wall()
        if self.peer is None:
            self.peer = addr  # symmetric RTP: answer where rtpengine sends from
        x = self.codec.decode(data[12:])
        # A marker may straddle two frames after a transcoder: its first one counts.
        marked = share_at(x, MARK_HZ) > 0.3
        if marked and not self._in_mark:
            self.marks_heard.append(arrived)
        self._in_mark = marked
        if self.heard_at is None and share_at(x, self.listen_for) > 0.6:
            self.heard_at = _wall()
        if self.heard_at is not None:
            self.tail = [*self.tail[-49:], x]

    def send_frame(self) -> None:
        if self.peer is None or self.transport is None:
            return
        codec = self.codec
        header = struct.pack(
            "!BBHII", 0x80, codec.pt, self.seq & 0xFFFF, (self.seq * codec.step) & 0xFFFFFFFF,
            0x51CE,
        )  # fmt: skip
        marking = codec.mark is not None and self.seq % MARK_EVERY == MARK_EVERY - 1
        payload = codec.mark if marking and codec.mark else codec.frames[self.seq % 50]
        self.transport.sendto(header + payload, self.peer)
        if marking:
            self.marks_sent.append(_now())
        self.seq += 1

    @property
    def port(self) -> int:
        assert self.transport is not None
        port: int = self.transport.get_extra_info("sockname")[1]
        return port


def mark_delays_ms(
    sender: Endpoint, receiver: Endpoint, since: float = 0.0, until: float = float("inf")
) -> list[float]:
    """Each marker ``receiver`` heard between ``since`` and ``until`` (perf_counter),
    less when the last one before it left ``sender`` (markers are 500 ms apart: far more
    than any delay measured here)."""
    delays = []
    for heard in receiver.marks_heard:
        if not since <= heard <= until:
            continue
        i = bisect.bisect_right(sender.marks_sent, heard)
        if i:
            delays.append(1000 * (heard - sender.marks_sent[i - 1]))
    return delays


async def endpoint(codec: Codec, listen_for: float) -> Endpoint:
    loop = asyncio.get_running_loop()
    _, protocol = await loop.create_datagram_endpoint(
        lambda: Endpoint(codec, listen_for), local_addr=("127.0.0.1", 0)
    )
    return protocol
