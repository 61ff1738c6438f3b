"""One call's recording as one stereo file: the caller on the left, the agent on the right.

rtpengine (userspace) writes a pcap per recording span: every leg's inbound RTP, decrypted,
stamped with the time it arrived. A span ends when recording stops (an agent's pause, a
hold) and the next one starts in a new file, so the gaps between spans are silence in the
file, at the times they happened.

Each stream (one SSRC in one span) is placed by its RTP timestamps, anchored at the arrival
time of its first packet: jitter does not move the audio, and a stream that resets its
timestamps is anchored again. PCMU and PCMA are decoded here (a table each); Opus by
FFmpeg's own Opus decoder (through PyAV).
The file is Opus in Ogg at 8 kHz (the telephone band a trunk's G.711 carries; libopus
encodes it about a sixth faster than 16 kHz), about 180 KB a minute.

A pcap is read as columns (NumPy arrays, one entry a packet) rather than packet by packet:
a minute of a call is 6,000 packets, and the per-packet Python it replaced cost as much
as encoding the file (docs/PERFORMANCE.md, "Voice: assembling a recorded call").
"""

from __future__ import annotations

import math
import re
import socket
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np
import numpy.typing as npt

RATE = 8_000
# Both channels, about 180 KB a minute: below about 24 kbit/s libopus folds the two
# channels into one (it measured 2 dB between them at 16 kbit/s, 16 dB at 24).
_BITRATE = 24_000
_MONO_BITRATE = 16_000  # a voicemail: the caller alone
# libopus's cheapest settings (60 ms frames: 20 ms cost a quarter more); its encoder is
# most of the assembly's time.
_ENCODER = {"compression_level": "0", "frame_duration": "60", "application": "audio"}
# An anchor further than this from the arrival time: the stream's timestamps jumped.
_REANCHOR_S = 1.0
_MAX_SECONDS = 4 * 3600  # a bound on the file a pcap can ask for
_STATIC = {0: "PCMU", 8: "PCMA", 13: "CN", 9: "G722"}
_RTPMAP = re.compile(r"^a=rtpmap:(\d+) ([A-Za-z0-9_.-]+)/(\d+)", re.MULTILINE)
_LINK_HEADER = {1: 14, 101: 0, 228: 0, 229: 0, 113: 16}  # Ethernet, raw IP, Linux cooked
_PCMU, _PCMA, _OPUS = 1, 2, 3  # what a payload type is decoded as (0: left out)
_PLANE_TYPES = {"fltp": np.float32, "flt": np.float32, "s16p": np.int16, "s16": np.int16}

Samples = npt.NDArray[np.float32]
Ints = npt.NDArray[np.int64]
Times = npt.NDArray[np.float64]


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


def audio_lines(sdp: str) -> str:
    """The lines of an SDP the assembly reads (its audio port and address, its payload
    types' names): what is kept of it in the log."""
    keep = ("m=audio ", "c=IN IP", "a=rtpmap:")
    return "\r\n".join(line for line in sdp.splitlines() if line.startswith(keep))


@dataclass(frozen=True, slots=True)
class _Table:
    """One pcap's RTP packets as columns: entry i of each array is packet i (file order)."""

    data: bytes
    at: Times  # arrival, seconds since the epoch
    v6: npt.NDArray[np.bool_]
    src: Ints  # where the sender's address starts in ``data``
    src_port: Ints
    dst_port: Ints
    payload_type: Ints
    seq: Ints
    timestamp: Ints
    ssrc: Ints
    start: Ints  # the payload is data[start:end]
    end: Ints

    def __len__(self) -> int:
        return len(self.at)

    def source(self, i: int) -> tuple[str, int]:
        s = int(self.src[i])
        if self.v6[i]:
            address = socket.inet_ntop(socket.AF_INET6, self.data[s : s + 16])
        else:
            address = socket.inet_ntop(socket.AF_INET, self.data[s : s + 4])
        return address, int(self.src_port[i])


def read_pcap(path: Path) -> Iterator[Packet]:
    """The RTP packets of one pcap (Ethernet or raw IP framing, IPv4 or IPv6, UDP)."""
    table = _read(path)
    for i in range(len(table)):
        yield Packet(
            float(table.at[i]),
            table.source(i),
            int(table.dst_port[i]),
            int(table.payload_type[i]),
            int(table.seq[i]),
            int(table.timestamp[i]),
            int(table.ssrc[i]),
            table.data[int(table.start[i]) : int(table.end[i])],
        )


def _read(path: Path) -> _Table:
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
    # The records' lengths chain them: only this walk is per packet.
    record = struct.Struct(order + "IIII").unpack_from
    seconds: list[int] = []
    parts: list[int] = []
    offsets: list[int] = []
    lengths: list[int] = []
    offset, size = 24, len(data)
    while offset + 16 <= size:
        whole, part, length, _ = record(data, offset)
        seconds.append(whole)
        parts.append(part)
        offsets.append(offset + 16)
        lengths.append(length)
        offset += 16 + length
    frame = np.array(offsets, dtype=np.int64)
    end = np.minimum(frame + np.array(lengths, dtype=np.int64), size)  # the last may be cut
    at = np.array(seconds, dtype=np.float64) + np.array(parts, dtype=np.float64) * fraction
    return _columns(data, link, at, frame, end)


def _columns(data: bytes, link: int, at: Times, frame: Ints, end: Ints) -> _Table:
    """The RTP of each frame ``data[frame:end]``, as ``_rtp`` read one frame before:
    frames that are not RTP over UDP (or are RTCP on a muxed port) are left out."""
    buf = np.frombuffer(data, dtype=np.uint8)
    top = len(buf) - 1

    def byte(i: Ints) -> Ints:  # out of the frame only where ``ok`` is already false
        return buf[np.minimum(i, top)].astype(np.int64)

    def be16(i: Ints) -> Ints:
        return (byte(i) << 8) | byte(i + 1)

    def be32(i: Ints) -> Ints:
        return (be16(i) << 16) | be16(i + 2)

    header = _LINK_HEADER.get(link)
    ip = frame + (header if header is not None else 0)
    ok = end > ip if header is not None else np.zeros(len(frame), dtype=np.bool_)
    version = byte(ip) >> 4
    ip_header = (byte(ip) & 0x0F) * 4
    v4 = ok & (version == 4) & (end - ip >= ip_header + 8) & (byte(ip + 9) == 17)
    v6 = ok & (version == 6) & (end - ip >= 48) & (byte(ip + 6) == 17)
    ok = v4 | v6
    udp = np.where(v4, ip + ip_header, ip + 40)
    rtp = udp + 8
    size = end - rtp
    first = byte(rtp)
    ok &= (size >= 12) & (first >> 6 == 2)
    skip = 12 + 4 * (first & 0x0F)
    extended = (first & 0x10) != 0
    ok &= ~extended | (size >= skip + 4)
    skip = np.where(extended, skip + 4 + 4 * be16(rtp + skip + 2), skip)
    padded = ((first & 0x20) != 0) & (size > skip)
    stop = np.where(padded, size - byte(end - 1), size)
    ok &= stop > skip
    payload_type = byte(rtp + 1) & 0x7F
    ok &= (payload_type < 72) | (payload_type > 79)  # RTCP: packet types 200-207
    keep = np.flatnonzero(ok)
    return _Table(
        data,
        at[keep],
        v6[keep],
        np.where(v4, ip + 12, ip + 8)[keep],
        be16(udp)[keep],
        be16(udp + 2)[keep],
        payload_type[keep],
        be16(rtp + 2)[keep],
        be32(rtp + 4)[keep],
        be32(rtp + 8)[keep],
        (rtp + skip)[keep],
        (rtp + stop)[keep],
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


def _ranges(starts: Ints, lengths: Ints) -> Ints:
    """The indices start, start + 1, ... start + length - 1 of each range, one after
    another."""
    total = int(lengths.sum())
    before = np.cumsum(lengths) - lengths
    return np.repeat(starts - before, lengths) + np.arange(total, dtype=np.int64)


@dataclass(frozen=True, slots=True)
class _Piece:
    """One stream's audio at RATE: packet i's samples go at starts[i] in the channel."""

    starts: Ints
    lengths: Ints
    samples: Samples  # every packet's samples, one after another
    end: float  # seconds from time 0 where its audio ends


def assemble(
    pcaps: list[Path],
    out: Path,
    *,
    caller_ports: frozenset[int],
    codecs: dict[int, str],
    started_at: float | None = None,
    caller_from: tuple[str, int] | None = None,
    agent_codecs: dict[int, str] | None = None,
    mono: bool = False,
    until: float | None = None,
) -> Assembled:
    """Writes ``out`` (Ogg Opus, stereo) from a call's pcaps; the caller is what came from
    ``caller_from`` (the address of their SDP) or was sent to ``caller_ports`` (rtpengine's
    ports facing them), the agent everything else. Time 0 is ``started_at`` or the first
    packet. ``codecs`` names the caller's payload types (their SDP), ``agent_codecs`` the
    agents' (theirs; by default the same): a type may mean one codec on one leg and
    another on the other. ``mono``: the caller's channel alone (a voicemail has no agent;
    what rtpengine played to the caller is left out). ``until`` (when the call ended)
    cuts what came after."""
    kinds = (_kinds(codecs), _kinds(codecs if agent_codecs is None else agent_codecs))
    spans = [_read(p) for p in sorted(pcaps)]
    if started_at is None:
        started_at = min((float(s.at.min()) for s in spans if len(s)), default=0.0)
    pieces: tuple[list[_Piece], list[_Piece]] = ([], [])
    last = 0.0
    for span in spans:
        for rows in _streams(span):
            first = int(rows[0])
            caller = int(span.dst_port[first]) in caller_ports or (
                caller_from is not None and span.source(first) == caller_from
            )
            if mono and not caller:
                continue
            side = 0 if caller else 1
            piece = _place(span, rows, started_at, kinds[side])
            if piece is not None:
                pieces[side].append(piece)
                last = max(last, piece.end)
    seconds = min(max(last, 0.0), _MAX_SECONDS)
    if until is not None:
        seconds = max(0.0, min(seconds, until - started_at))
    frames = math.ceil(seconds * RATE)
    left, right = (_mix(side, frames) for side in pieces)
    _write(out, left, None if mono else right)
    return Assembled(out, frames / RATE, started_at)


def _kinds(codecs: dict[int, str]) -> Ints:
    """Payload type (0-127) -> how it is decoded (_PCMU, _PCMA, _OPUS, 0: left out)."""
    by_name = {"PCMU": _PCMU, "PCMA": _PCMA, "OPUS": _OPUS}
    kinds = np.zeros(128, dtype=np.int64)
    for pt in range(128):
        kinds[pt] = by_name.get(codecs.get(pt) or _STATIC.get(pt, ""), 0)
    return kinds


def _streams(span: _Table) -> list[Ints]:
    """A span's packets by leg and SSRC (two legs may well use the same SSRC), each in
    order of arrival; the streams in the order they start in the file."""
    if not len(span):
        return []
    key = (span.dst_port << 32) | span.ssrc
    order = np.lexsort((span.at, key)).astype(np.int64)  # stable: ties keep file order
    cuts = np.flatnonzero(np.diff(key[order])) + 1
    streams = np.split(order, cuts)
    streams.sort(key=lambda rows: int(rows.min()))
    return streams


def _place(span: _Table, rows: Ints, t0: float, kinds: Ints) -> _Piece | None:
    """One stream's audio and where it goes (comfort noise, DTMF events and codecs we
    never offer are left out); None when it has none."""
    kind = kinds[span.payload_type[rows]]
    rows, kind = rows[kind > 0], kind[kind > 0]
    if not len(rows):
        return None
    opus = kind == _OPUS
    clock = np.where(opus, 48000, 8000)
    start_s = _anchored(span.at[rows], span.timestamp[rows], clock) - t0
    first, stop = span.start[rows], span.end[rows]
    lengths = stop - first  # G.711: a sample a byte
    decoded, lengths[opus] = _decode_opus(span.data, first[opus], stop[opus])
    at = np.cumsum(lengths) - lengths  # where each packet's samples go in ``samples``
    samples = np.empty(int(lengths.sum()), dtype=np.float32)
    samples[_ranges(at[opus], lengths[opus])] = decoded
    g711 = ~opus
    codes = np.frombuffer(span.data, dtype=np.uint8)[_ranges(first[g711], lengths[g711])]
    pcma = kind[g711] == _PCMA
    if pcma.any():
        alaw = np.repeat(pcma, lengths[g711])
        g711_samples = np.where(alaw, _ALAW[codes], _ULAW[codes])
    else:  # the usual stream, one codec: one table, no choosing
        g711_samples = _ULAW[codes]
    if opus.any():
        samples[_ranges(at[g711], lengths[g711])] = g711_samples
    else:
        samples = g711_samples
    keep = (start_s >= 0) & (start_s <= _MAX_SECONDS) & (lengths > 0)
    if not keep.any():
        return None
    kept = samples if keep.all() else samples[_ranges(at[keep], lengths[keep])]
    starts = np.rint(start_s[keep] * RATE).astype(np.int64)
    end = float((start_s[keep] + lengths[keep] / RATE).max())
    return _Piece(starts, lengths[keep], kept, end)


def _anchored(at: Times, ts: Ints, clock: Ints) -> Times:
    """When each packet's audio starts (seconds since the epoch): its RTP timestamp from
    the stream's anchor, the first packet's arrival; anchored again at a packet whose
    timestamp lands more than _REANCHOR_S from its arrival (or runs backwards)."""
    out = np.empty(len(at), dtype=np.float64)
    anchor, count = 0, len(at)
    while anchor < count:
        moved = count  # the first packet past the anchor that leaves it
        low, width = anchor + 1, 64  # looked for in growing windows: jumps are rare
        while low < count:
            high = min(count, low + width)
            offset = ((ts[low:high] - ts[anchor]) & 0xFFFFFFFF) / clock[low:high]
            off = (offset > 2**31 / clock[low:high]) | (
                np.abs(at[anchor] + offset - at[low:high]) > _REANCHOR_S
            )
            hits = np.flatnonzero(off)
            if len(hits):
                moved = low + int(hits[0])
                break
            low, width = high, width * 2
        span = slice(anchor, moved)
        out[span] = at[anchor] + ((ts[span] - ts[anchor]) & 0xFFFFFFFF) / clock[span]
        anchor = moved
    return out


def _mix(pieces: list[_Piece], frames: int) -> Samples:
    out = np.zeros(frames, dtype=np.float32)
    for piece in pieces:  # later streams over earlier ones, later packets over earlier
        where = _ranges(piece.starts, piece.lengths)
        inside = where < frames
        out[where[inside]] = piece.samples[inside]
    return out


def _decode_opus(data: bytes, starts: Ints, ends: Ints) -> tuple[Samples, Ints]:
    """One stream's Opus packets decoded in order (one decoder: it carries state from
    packet to packet) at RATE: their samples one after another, and how many each gave
    (0 for a damaged packet: a gap, not a failed file). Both of FFmpeg's Opus decoders
    give 48 kHz when asked for 8 (libopus itself could; FFmpeg's wrapper sets 48 kHz), so
    it is averaged 6 to 1 down to the file's 8 kHz (a low-pass enough for speech).
    FFmpeg's own decoder rather than its libopus wrapper: floats, and about a third less
    time a packet. Only the decoding is per packet: converting and averaging per packet
    cost as much as decoding, so they are done once on the stream."""
    decoder = av.CodecContext.create("opus", "r")
    decoder.sample_rate = 48000
    decoder.layout = "mono"
    raw: list[npt.NDArray[np.generic]] = []
    counts = np.zeros(len(starts), dtype=np.int64)
    for i, (s, e) in enumerate(zip(starts.tolist(), ends.tolist(), strict=True)):
        try:
            frames = decoder.decode(av.Packet(data[s:e]))
        except av.error.FFmpegError:
            continue
        for frame in frames:  # mono: the first plane is the samples (to_ndarray stacks)
            dtype = _PLANE_TYPES[frame.format.name]
            raw.append(np.frombuffer(memoryview(frame.planes[0]), dtype, frame.samples))
            counts[i] += frame.samples
    if not raw:
        return np.zeros(0, dtype=np.float32), counts
    wide = np.concatenate(raw)
    if wide.dtype == np.int16:
        wide = wide.astype(np.float32) / np.float32(32768.0)
    whole = counts - counts % 6  # a packet's samples are a multiple of 2.5 ms: no cut
    if (whole != counts).any():
        wide = wide[_ranges(np.cumsum(counts) - counts, whole)]
    narrow = wide.astype(np.float32, copy=False).reshape(-1, 6).mean(axis=1, dtype=np.float32)
    return narrow, whole // 6


def _write(out: Path, left: Samples, right: Samples | None) -> None:
    """Stereo, or mono (the left alone) when ``right`` is None."""
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    layout = "mono" if right is None else "stereo"
    stereo = left[:, None] if right is None else np.stack([left, right], axis=1)
    pcm = (np.clip(stereo, -1.0, 1.0) * 32767).astype(np.int16).reshape(1, -1)
    with av.open(str(partial), "w", format="ogg") as container:
        stream = container.add_stream("libopus", rate=RATE, layout=layout, options=_ENCODER)
        stream.bit_rate = _BITRATE if right is not None else _MONO_BITRATE
        if pcm.shape[1]:
            frame = av.AudioFrame.from_ndarray(pcm, format="s16", layout=layout)
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
        channels = stream.codec_context.channels
        parts = [planar(f.to_ndarray(), channels) for f in container.decode(stream)]
        rate = stream.rate
    if not parts:
        return rate, np.zeros((channels, 0), dtype=np.float32)
    return rate, np.concatenate(parts, axis=1)


def planar(samples: npt.NDArray[np.generic], channels: int) -> npt.NDArray[np.float32]:
    """A decoded frame's samples as (channels, n) floats in -1..1, whether PyAV gave them
    planar or packed (left, right, left, ...), as floats or 16-bit integers."""
    values = samples.astype(np.float32)
    if samples.dtype == np.int16:
        values /= 32768.0
    if values.shape[0] == 1 and channels == 2:  # packed
        values = values.reshape(-1, 2).T
    return values
