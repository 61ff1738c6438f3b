"""One call's recording as one stereo file: the caller on the left, the agent on the right.

rtpengine (userspace) writes a pcap per recording span: every leg's inbound RTP, decrypted,
stamped with the time it arrived. A span ends when recording stops (an agent's pause, a
hold) and the next one starts in a new file, so the gaps between spans are silence in the
file, at the times they happened.

Each stream (one SSRC in one span) is placed by its RTP timestamps, anchored at the arrival
time of its first packet: jitter does not move the audio, and a stream that resets its
timestamps is anchored again. PCMU and PCMA are decoded here (a table each); Opus with
PyAV. The file is Opus in Ogg at 16 kHz (the telephone band and a little above it, the
agent's wideband voice kept), about 180 KB a minute.
"""

from __future__ import annotations

import math
import re
import socket
import struct
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import av
import numpy as np
import numpy.typing as npt

RATE = 16_000
_BITRATE = 24_000
# An anchor further than this from the arrival time: the stream's timestamps jumped.
_REANCHOR_S = 1.0
_MAX_SECONDS = 4 * 3600  # a bound on the file a pcap can ask for
_STATIC = {0: "PCMU", 8: "PCMA", 13: "CN", 9: "G722"}
_RTPMAP = re.compile(r"^a=rtpmap:(\d+) ([A-Za-z0-9_.-]+)/(\d+)", re.MULTILINE)

Samples = npt.NDArray[np.float32]


class RecordingError(ValueError):
    """A pcap that cannot be read as rtpengine's recording."""


@dataclass(frozen=True, slots=True)
class Packet:
    at: float  # arrival, seconds since the epoch
    source: tuple[str, int]  # the sender's address and port
    dst_port: int  # rtpengine's port the leg sends to
    payload_type: int
    seq: int
    timestamp: int
    ssrc: int
    payload: bytes


@dataclass(frozen=True, slots=True)
class Assembled:
    path: Path
    seconds: float
    started_at: float


def codecs_of(*sdps: str) -> dict[int, str]:
    """Payload type -> codec name, from the legs' SDPs (static types are known)."""
    found: dict[int, str] = {}
    for sdp in sdps:
        for pt, name, _ in _RTPMAP.findall(sdp):
            found.setdefault(int(pt), name.upper())
    return found


def audio_port(sdp: str) -> int | None:
    """The port of an SDP's audio stream (what rtpengine told the caller to send to)."""
    for line in sdp.splitlines():
        if line.startswith("m=audio "):
            parts = line.split()
            if len(parts) > 1 and parts[1].isdigit():
                return int(parts[1])
    return None


def audio_address(sdp: str) -> tuple[str, int] | None:
    """Where an SDP says its audio comes from (its connection address and audio port)."""
    port = audio_port(sdp)
    for line in sdp.splitlines():
        if line.startswith("c=IN IP"):
            parts = line.split()
            if len(parts) == 3 and port is not None:
                return parts[2], port
    return None


def read_pcap(path: Path) -> Iterator[Packet]:
    """The RTP packets of one pcap (Ethernet or raw IP framing, IPv4 or IPv6, UDP)."""
    data = path.read_bytes()
    if len(data) < 24:
        raise RecordingError(f"{path.name}: not a pcap (too short)")
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        order = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        order = ">"
    else:
        raise RecordingError(f"{path.name}: not a pcap (magic {magic.hex()})")
    fraction = 1e-9 if magic in (b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d") else 1e-6
    (link,) = struct.unpack_from(order + "I", data, 20)
    record = struct.Struct(order + "IIII")
    offset = 24
    while offset + 16 <= len(data):
        seconds, part, length, _ = record.unpack_from(data, offset)
        offset += 16
        frame = data[offset : offset + length]
        offset += length
        packet = _rtp(frame, link, seconds + part * fraction)
        if packet is not None:
            yield packet


def _rtp(frame: bytes, link: int, at: float) -> Packet | None:
    if link == 1:  # Ethernet
        if len(frame) < 14:
            return None
        ip = frame[14:]
    elif link in (101, 228, 229):  # raw IP
        ip = frame
    elif link == 113:  # Linux cooked
        ip = frame[16:]
    else:
        return None
    if not ip:
        return None
    version = ip[0] >> 4
    if version == 4:
        header = (ip[0] & 0x0F) * 4
        if len(ip) < header + 8 or ip[9] != 17:
            return None
        udp = ip[header:]
    elif version == 6:
        if len(ip) < 48 or ip[6] != 17:
            return None
        udp = ip[40:]
    else:
        return None
    if version == 4:
        source = (socket.inet_ntop(socket.AF_INET, ip[12:16]), 0)
    else:
        source = (socket.inet_ntop(socket.AF_INET6, ip[8:24]), 0)
    src_port, dst_port = struct.unpack_from("!HH", udp, 0)
    rtp = udp[8:]
    if len(rtp) < 12 or rtp[0] >> 6 != 2:
        return None
    skip = 12 + 4 * (rtp[0] & 0x0F)
    if rtp[0] & 0x10:  # a header extension
        if len(rtp) < skip + 4:
            return None
        (words,) = struct.unpack_from("!H", rtp, skip + 2)
        skip += 4 + 4 * words
    end = len(rtp)
    if rtp[0] & 0x20 and end > skip:  # padding
        end -= rtp[-1]
    if end <= skip:
        return None
    if 72 <= rtp[1] & 0x7F <= 79:  # RTCP on a muxed port (packet types 200-207)
        return None
    seq, timestamp, ssrc = struct.unpack_from("!HII", rtp, 2)
    return Packet(
        at, (source[0], src_port), dst_port, rtp[1] & 0x7F, seq, timestamp, ssrc, rtp[skip:end]
    )


def _g711_tables() -> tuple[Samples, Samples]:
    codes = np.arange(256, dtype=np.int32)
    u = ~codes & 0xFF
    exponent = (u >> 4) & 0x07
    magnitude = ((((u & 0x0F) << 3) + 0x84) << exponent) - 0x84
    ulaw = np.where(u & 0x80, -magnitude, magnitude)
    a = codes ^ 0x55
    seg = (a >> 4) & 0x07
    mant = (a & 0x0F) << 4
    value = np.where(seg == 0, mant + 8, (mant + 0x108) << np.maximum(seg - 1, 0))
    alaw = np.where(a & 0x80, value, -value)
    return (ulaw / 32768.0).astype(np.float32), (alaw / 32768.0).astype(np.float32)


_ULAW, _ALAW = _g711_tables()


@dataclass
class _Track:
    """One channel being filled at its codecs' rates (8 kHz for G.711, 48 kHz for Opus)."""

    narrow: dict[int, Samples] = field(default_factory=dict)  # 8 kHz, by position
    wide: dict[int, Samples] = field(default_factory=dict)  # 48 kHz, by position

    def mix(self, frames: int) -> Samples:
        out = np.zeros(frames, dtype=np.float32)
        for rate, chunks in ((8000, self.narrow), (48000, self.wide)):
            if not chunks:
                continue
            length = max(start + len(s) for start, s in chunks.items())
            native = np.zeros(length, dtype=np.float32)
            for start, s in chunks.items():
                native[start : start + len(s)] = s
            out_part = _to_rate(native, rate)
            n = min(frames, len(out_part))
            out[:n] += out_part[:n]
        return out


def _to_rate(native: Samples, rate: int) -> Samples:
    if rate == 48000:  # 3 to 1, averaged: a low-pass enough for speech
        cut = len(native) - len(native) % 3
        narrowed: Samples = native[:cut].reshape(-1, 3).mean(axis=1).astype(np.float32)
        return narrowed
    # 8 kHz -> 16 kHz by linear interpolation (its images stay 40 dB down for speech)
    out = np.empty(len(native) * 2, dtype=np.float32)
    out[0::2] = native
    out[1:-1:2] = (native[:-1] + native[1:]) / 2
    if len(native):
        out[-1] = native[-1]
    return out


def _streams(packets: Iterable[Packet]) -> dict[tuple[int, int], list[Packet]]:
    """A span's packets by leg and SSRC (two legs may well use the same SSRC)."""
    streams: dict[tuple[int, int], list[Packet]] = {}
    for p in packets:
        streams.setdefault((p.dst_port, p.ssrc), []).append(p)
    for found in streams.values():
        found.sort(key=lambda p: p.at)
    return streams


def assemble(
    pcaps: list[Path],
    out: Path,
    *,
    caller_ports: frozenset[int],
    codecs: dict[int, str],
    started_at: float | None = None,
    caller_from: tuple[str, int] | None = None,
    agent_codecs: dict[int, str] | None = None,
) -> Assembled:
    """Writes ``out`` (Ogg Opus, stereo) from a call's pcaps; the caller is what came from
    ``caller_from`` (the address of their SDP) or was sent to ``caller_ports`` (rtpengine's
    ports facing them), the agent everything else. Time 0 is ``started_at`` or the first
    packet. ``codecs`` names the caller's payload types (their SDP), ``agent_codecs`` the
    agents' (theirs; by default the same): a type may mean one codec on one leg and
    another on the other."""
    maps = (codecs, codecs if agent_codecs is None else agent_codecs)
    spans = [list(read_pcap(p)) for p in sorted(pcaps)]
    packets = [p for span in spans for p in span]
    if started_at is None:
        started_at = min((p.at for p in packets), default=0.0)
    tracks = (_Track(), _Track())
    decoders: dict[tuple[int, int, int], av.AudioCodecContext] = {}
    last = 0.0
    for index, span in enumerate(spans):
        for (port, ssrc), stream in _streams(span).items():
            side = 0 if port in caller_ports or stream[0].source == caller_from else 1
            end = _place(
                stream, tracks[side], started_at, maps[side], decoders, (index, port, ssrc)
            )
            last = max(last, end)
    seconds = min(max(last, 0.0), _MAX_SECONDS)
    frames = math.ceil(seconds * RATE)
    left, right = tracks[0].mix(frames), tracks[1].mix(frames)
    _write(out, left, right)
    return Assembled(out, frames / RATE, started_at)


def _place(
    stream: list[Packet],
    track: _Track,
    t0: float,
    codecs: dict[int, str],
    decoders: dict[tuple[int, int, int], av.AudioCodecContext],
    key: tuple[int, int, int],
) -> float:
    """Decodes one stream into ``track``; the time (from ``t0``) its audio ends."""
    anchor_at: float | None = None
    anchor_ts = 0
    end = 0.0
    for p in stream:
        name = codecs.get(p.payload_type) or _STATIC.get(p.payload_type, "")
        if name in ("PCMU", "PCMA"):
            rate, samples = (
                8000,
                (_ULAW if name == "PCMU" else _ALAW)[np.frombuffer(p.payload, dtype=np.uint8)],
            )
        elif name == "OPUS":
            rate, samples = 48000, _opus(decoders, key, p.payload)
        else:
            continue  # comfort noise, DTMF events, codecs we never offer
        clock = 48000 if name == "OPUS" else 8000
        if anchor_at is not None:
            offset = ((p.timestamp - anchor_ts) & 0xFFFFFFFF) / clock
            if offset > 2**31 / clock or abs(anchor_at + offset - p.at) > _REANCHOR_S:
                anchor_at = None
        if anchor_at is None:
            anchor_at, anchor_ts, offset = p.at, p.timestamp, 0.0
        start_s = anchor_at + offset - t0
        if start_s < 0 or start_s > _MAX_SECONDS or not len(samples):
            continue
        start = round(start_s * rate)
        chunks = track.narrow if rate == 8000 else track.wide
        chunks[start] = samples
        end = max(end, start_s + len(samples) / rate)
    return end


def _opus(
    decoders: dict[tuple[int, int, int], av.AudioCodecContext],
    key: tuple[int, int, int],
    payload: bytes,
) -> Samples:
    decoder = decoders.get(key)
    if decoder is None:
        decoder = av.CodecContext.create("libopus", "r")
        decoder.sample_rate = 48000
        decoder.layout = "mono"
        decoders[key] = decoder
    try:
        frames = decoder.decode(av.Packet(payload))
    except av.error.FFmpegError:
        return np.zeros(0, dtype=np.float32)  # a damaged packet: a gap, not a failed file
    parts = [f.to_ndarray().reshape(-1) for f in frames]
    if not parts:
        return np.zeros(0, dtype=np.float32)
    joined = np.concatenate(parts)
    scale = 1 / 32768.0 if joined.dtype == np.int16 else 1.0
    out: Samples = joined.astype(np.float32) * np.float32(scale)
    return out


def _write(out: Path, left: Samples, right: Samples) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    stereo = np.stack([left, right], axis=1)
    pcm = (np.clip(stereo, -1.0, 1.0) * 32767).astype(np.int16).reshape(1, -1)
    with av.open(str(partial), "w", format="ogg") as container:
        stream = container.add_stream(
            "libopus",
            rate=RATE,
            layout="stereo",
            options={"compression_level": "0", "frame_duration": "60"},
        )
        stream.bit_rate = _BITRATE
        if pcm.shape[1]:
            frame = av.AudioFrame.from_ndarray(pcm, format="s16", layout="stereo")
            frame.sample_rate = RATE
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    partial.replace(out)


def decode(path: Path) -> tuple[int, npt.NDArray[np.float32]]:
    """A recording's sample rate and its samples, channels first (for checks and tests)."""
    with av.open(str(path)) as container:
        stream = container.streams.audio[0]
        parts = [f.to_ndarray() for f in container.decode(stream)]
        rate = stream.rate
    if not parts:
        return rate, np.zeros((2, 0), dtype=np.float32)
    joined = np.concatenate(parts, axis=1)
    if joined.shape[0] == 1 and joined.ndim == 2:  # interleaved (packed) samples
        joined = joined.reshape(-1, 2).T
    return rate, joined.astype(np.float32)
