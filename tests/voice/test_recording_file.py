"""Assembling a recording from pcaps as rtpengine writes them (one per recording span):
each leg on its channel whatever its codec, the gap between spans silent at its time,
RTCP and unknown payloads left out, two legs with the same SSRC kept apart. The pcaps are
written here, packet by packet, in rtpengine's framing (Ethernet, IPv4, UDP)."""

from __future__ import annotations

import socket
import struct
from pathlib import Path

import av
import numpy as np
import pytest

from hearthline.telephony import recording_file
from hearthline.telephony.recording import drawn, safe_name
from hearthline.telephony.recording_file import (
    RecordingError,
    assemble,
    audio_address,
    audio_port,
    codecs_of,
    decode,
    read_pcap,
)
from tests.voice.rtp import peak_hz, ulaw_encode

CALLER_PORT, AGENT_PORT = 30010, 30020  # rtpengine's ports facing each leg
CALLER_FROM = ("127.0.0.1", 40000)
T0 = 1_800_000_000.0
SSRC = 0x1234ABCD  # both legs: rtpengine keeps them apart by port, so must we


def _frame(at: float, src_port: int, dst_port: int, rtp: bytes) -> bytes:
    udp = struct.pack("!HHHH", src_port, dst_port, 8 + len(rtp), 0) + rtp
    ip = struct.pack(
        "!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0, 64, 17, 0,
        bytes([127, 0, 0, 1]), bytes([127, 0, 0, 1]),
    ) + udp  # fmt: skip
    eth = b"\x00" * 12 + b"\x08\x00" + ip
    return (
        struct.pack("<IIII", int(at), round((at % 1) * 1e6) % 1_000_000, len(eth), len(eth)) + eth
    )


def _rtp(pt: int, seq: int, ts: int, payload: bytes, ssrc: int = SSRC) -> bytes:
    return struct.pack("!BBHII", 0x80, pt, seq & 0xFFFF, ts & 0xFFFFFFFF, ssrc) + payload


def _pcap(path: Path, frames: list[bytes]) -> Path:
    header = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1)
    path.write_bytes(header + b"".join(frames))
    return path


def _opus_packets(hz: float, seconds: float) -> list[bytes]:
    encoder = av.CodecContext.create("libopus", "w")
    encoder.sample_rate = 48000
    encoder.layout = "mono"
    encoder.format = "s16"
    encoder.bit_rate = 32000
    n = int(48000 * seconds)
    tone = (8000 * np.sin(2 * np.pi * hz * np.arange(n) / 48000)).astype(np.int16)
    frame = av.AudioFrame.from_ndarray(tone.reshape(1, -1), format="s16", layout="mono")
    frame.sample_rate = 48000
    packets = [bytes(p) for p in encoder.encode(frame)]
    packets += [bytes(p) for p in encoder.encode(None)]
    return packets


def _span(start: float, seconds: float, *, caller_hz: float, agent_hz: float) -> list[bytes]:
    """``seconds`` of both legs from ``start``: the caller PCMU, the agent Opus (PT 111),
    20 ms apart, with a little arrival jitter, an RTCP report and a stray payload type."""
    frames: list[bytes] = []
    n = np.arange(160)
    for i in range(int(seconds / 0.02)):
        at = start + i * 0.02 + (0.004 if i % 3 else 0.0)
        tone = 8000 * np.sin(2 * np.pi * caller_hz * (n + i * 160) / 8000)
        frames.append(
            _frame(at, CALLER_FROM[1], CALLER_PORT, _rtp(0, i, i * 160, ulaw_encode(tone)))
        )
    for i, packet in enumerate(_opus_packets(agent_hz, seconds)):
        at = start + i * 0.02 + 0.001
        frames.append(_frame(at, 50000, AGENT_PORT, _rtp(111, i, 5000 + i * 960, packet)))
    rtcp = bytes([0x81, 201, 0, 7]) + struct.pack("!I", SSRC) + b"\x00" * 24
    frames.append(_frame(start + 0.5, 50000, AGENT_PORT, rtcp))
    frames.append(_frame(start + 0.6, 50000, AGENT_PORT, _rtp(99, 1, 1, b"\x01\x02\x03\x04")))
    frames.sort(
        key=lambda f: struct.unpack_from("<II", f)[0] + struct.unpack_from("<II", f)[1] / 1e6
    )
    return frames


AGENT_SDP = "v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111 0\r\na=rtpmap:111 opus/48000/2\r\n"
# The trunk names 111 telephone-event, the agent's browser Opus: each leg by its own SDP.
CALLER_SDP = (
    "v=0\r\nc=IN IP4 127.0.0.1\r\nm=audio 40000 RTP/AVP 0 111\r\n"
    "a=rtpmap:0 PCMU/8000\r\na=rtpmap:111 telephone-event/8000\r\n"
)


def _rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(x.astype(np.float64) ** 2))) if len(x) else 0.0


@pytest.mark.parametrize("by", ["source", "port"])
def test_two_spans_make_one_stereo_file_with_the_gap_silent(tmp_path: Path, by: str) -> None:
    first = _pcap(tmp_path / "c1-aaaa.pcap", _span(T0, 2.0, caller_hz=600, agent_hz=1000))
    second = _pcap(tmp_path / "c1-bbbb.pcap", _span(T0 + 3.5, 1.5, caller_hz=600, agent_hz=1000))
    made = assemble(
        [second, first],  # in any order: placed by time
        tmp_path / "out" / "k1.ogg",
        caller_ports=frozenset({CALLER_PORT}) if by == "port" else frozenset(),
        caller_from=CALLER_FROM if by == "source" else None,
        codecs=codecs_of(CALLER_SDP),
        agent_codecs=codecs_of(AGENT_SDP),
        started_at=T0,
    )
    assert made.path.exists() and not list((tmp_path / "out").glob("*.partial"))
    assert 4.9 < made.seconds < 5.2
    rate, audio = decode(made.path)
    assert audio.shape[0] == 2
    assert abs(audio.shape[1] / rate - made.seconds) < 0.1

    def span(a: float, b: float) -> np.ndarray:
        return audio[:, int(a * rate) : int(b * rate)]

    for a, b in ((0.2, 1.8), (3.7, 4.9)):
        left, right = span(a, b)
        assert abs(peak_hz(left, rate) - 600) < 15, (a, peak_hz(left, rate))
        assert abs(peak_hz(right, rate) - 1000) < 15, (a, peak_hz(right, rate))
        assert _rms(left) > 0.05 and _rms(right) > 0.05
    for channel in span(2.2, 3.3):  # between the spans: a pause, as time and silence
        assert _rms(channel) < 1e-3
    # The agent's tone is not on the caller's channel, nor the other way round.
    left, right = span(0.2, 1.8)
    assert abs(peak_hz(left, rate) - 1000) > 100 and abs(peak_hz(right, rate) - 600) > 100


def test_a_damaged_or_foreign_file_is_refused_by_name(tmp_path: Path) -> None:
    short = tmp_path / "short.pcap"
    short.write_bytes(b"\x00" * 10)
    with pytest.raises(RecordingError, match=r"short\.pcap: not a pcap"):
        assemble([short], tmp_path / "x.ogg", caller_ports=frozenset(), codecs={})
    other = tmp_path / "other.pcap"
    other.write_bytes(b"GIF89a" + b"\x00" * 40)
    with pytest.raises(RecordingError, match="magic"):
        assemble([other], tmp_path / "x.ogg", caller_ports=frozenset(), codecs={})


def test_the_sdp_helpers_and_the_share_draw() -> None:
    assert audio_port(CALLER_SDP) == 40000 and audio_address(CALLER_SDP) == CALLER_FROM
    assert codecs_of(CALLER_SDP) == {0: "PCMU", 111: "TELEPHONE-EVENT"}
    assert codecs_of(AGENT_SDP, CALLER_SDP) == {0: "PCMU", 111: "OPUS"}  # the first SDP wins
    contacts = [f"v{i:05d}" for i in range(4000)]
    assert all(drawn(c, 100) for c in contacts) and not any(drawn(c, 0) for c in contacts)
    share = sum(drawn(c, 30) for c in contacts) / len(contacts)
    assert 0.27 < share < 0.33  # uniform over contacts
    assert [drawn(c, 30) for c in contacts[:50]] == [drawn(c, 30) for c in contacts[:50]]
    assert safe_name("../etc") == ".._etc" and safe_name("..") == "_"


def _alaw_encode(samples: np.ndarray) -> bytes:
    """A-law by the nearest code of the reader's own table (its decoding is checked by the
    tone coming back, not by this)."""
    table = recording_file._ALAW * 32768.0
    return bytes(np.argmin(np.abs(samples[:, None] - table[None, :]), axis=1).astype(np.uint8))


def test_a_timestamp_jump_is_anchored_again_and_a_damaged_opus_packet_is_a_gap(
    tmp_path: Path,
) -> None:
    """The caller's PCMU stream restarts its timestamps after a second of silence (placed by
    arrival, not by the jump); the agent sends A-law (PT 8), then Opus with one packet
    libopus refuses (a frame count byte missing)."""
    frames: list[bytes] = []
    n = np.arange(160)
    for i in range(50):  # 0-1 s, then 2-3 s with timestamps from elsewhere
        for at, ts in ((T0 + i * 0.02, i * 160), (T0 + 2 + i * 0.02, 0x7FFF0000 + i * 160)):
            tone = 8000 * np.sin(2 * np.pi * 600 * (n + i * 160) / 8000)
            frames.append(_frame(at, 40000, CALLER_PORT, _rtp(0, i, ts, ulaw_encode(tone))))
        tone = 8000 * np.sin(2 * np.pi * 1400 * (n + i * 160) / 8000)
        rtp = _rtp(8, i, i * 160, _alaw_encode(tone), ssrc=7)
        frames.append(_frame(T0 + i * 0.02, 50000, AGENT_PORT, rtp))
    for i, packet in enumerate(_opus_packets(1000, 1.0)):
        payload = b"\x03" if i == 20 else packet  # code 3: the count byte must follow
        rtp = _rtp(111, i, i * 960, payload, ssrc=8)
        frames.append(_frame(T0 + 2 + i * 0.02, 50000, AGENT_PORT, rtp))
    frames.sort(key=lambda f: struct.unpack_from("<II", f))
    pcap = _pcap(tmp_path / "c2-aaaa.pcap", frames)
    made = assemble(
        [pcap],
        tmp_path / "k2.ogg",
        caller_ports=frozenset({CALLER_PORT}),
        codecs=codecs_of(CALLER_SDP),
        agent_codecs=codecs_of(AGENT_SDP),
        started_at=T0,
    )
    assert 2.9 < made.seconds < 3.1
    rate, audio = decode(made.path)

    def span(a: float, b: float) -> np.ndarray:
        return audio[:, int(a * rate) : int(b * rate)]

    left, right = span(0.2, 0.8)
    assert abs(peak_hz(left, rate) - 600) < 15 and abs(peak_hz(right, rate) - 1400) < 15
    assert _rms(left) > 0.05 and _rms(right) > 0.05
    for channel in span(1.2, 1.8):
        assert _rms(channel) < 1e-3
    left, right = span(2.1, 2.35)  # before the damaged packet (at 2.4 s)
    assert abs(peak_hz(left, rate) - 600) < 15 and abs(peak_hz(right, rate) - 1000) < 15
    left, right = span(2.5, 2.9)  # after it: the decoder went on
    assert abs(peak_hz(left, rate) - 600) < 15 and abs(peak_hz(right, rate) - 1000) < 15
    assert _rms(right) > 0.05


def _reference(path: Path) -> list[recording_file.Packet]:
    """The packet-by-packet reading the columns replaced (kept here as their oracle)."""
    data = path.read_bytes()
    order = "<" if data[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    (link,) = struct.unpack_from(order + "I", data, 20)
    found, offset = [], 24
    while offset + 16 <= len(data):
        seconds, part, length, _ = struct.unpack_from(order + "IIII", data, offset)
        offset += 16
        frame = data[offset : offset + length]
        offset += length
        ip = frame[14:] if link == 1 else frame
        if not ip or (link == 1 and len(frame) < 14):
            continue
        if ip[0] >> 4 == 4:
            header = (ip[0] & 0x0F) * 4
            if len(ip) < header + 8 or ip[9] != 17:
                continue
            udp, source = ip[header:], socket.inet_ntop(socket.AF_INET, ip[12:16])
        elif ip[0] >> 4 == 6:
            if len(ip) < 48 or ip[6] != 17:
                continue
            udp, source = ip[40:], socket.inet_ntop(socket.AF_INET6, ip[8:24])
        else:
            continue
        src_port, dst_port = struct.unpack_from("!HH", udp, 0)
        rtp = udp[8:]
        if len(rtp) < 12 or rtp[0] >> 6 != 2:
            continue
        skip = 12 + 4 * (rtp[0] & 0x0F)
        if rtp[0] & 0x10:
            if len(rtp) < skip + 4:
                continue
            skip += 4 + 4 * struct.unpack_from("!H", rtp, skip + 2)[0]
        end = len(rtp)
        if rtp[0] & 0x20 and end > skip:
            end -= rtp[-1]
        if end <= skip or 72 <= rtp[1] & 0x7F <= 79:
            continue
        seq, timestamp, ssrc = struct.unpack_from("!HII", rtp, 2)
        at = seconds + part * 1e-6
        found.append(
            recording_file.Packet(
                at,
                (source, src_port),
                dst_port,
                rtp[1] & 0x7F,
                seq,
                timestamp,
                ssrc,
                rtp[skip:end],
            )
        )
    return found


def _ip6(src_port: int, dst_port: int, rtp: bytes) -> bytes:
    udp = struct.pack("!HHHH", src_port, dst_port, 8 + len(rtp), 0) + rtp
    source = socket.inet_pton(socket.AF_INET6, "::1")
    return struct.pack("!IHBB", 6 << 28, len(udp), 17, 64) + source + source + udp


def _ip4(rtp: bytes, *, protocol: int = 17, options: bytes = b"") -> bytes:
    udp = struct.pack("!HHHH", 40000, 30010, 8 + len(rtp), 0) + rtp
    first = 0x45 + len(options) // 4
    return struct.pack(
        "!BBHHHBBH4s4s", first, 0, 20 + len(options) + len(udp), 0, 0, 64, protocol, 0,
        bytes([127, 0, 0, 2]), bytes([127, 0, 0, 1]),
    ) + options + udp  # fmt: skip


@pytest.mark.parametrize("link", [1, 101])
def test_the_columns_read_what_packet_by_packet_reading_read(tmp_path: Path, link: int) -> None:
    """Every framing the reader meets or must refuse, against the per-packet reading."""
    plain = _rtp(0, 1, 160, b"\xff" * 160)
    ips = [
        _ip4(plain),
        _ip4(plain, options=b"\x01\x01\x01\x01"),  # a longer IPv4 header
        _ip6(50000, 30020, _rtp(111, 2, 960, b"\x78" * 40)),
        _ip4(bytes([0x82]) + plain[1:12] + b"\x00" * 8 + b"\x01" * 20),  # two CSRCs
        _ip4(bytes([0x90]) + plain[1:12] + b"\xbe\xde\x00\x01" + b"\x00" * 4 + b"\x02" * 20),
        _ip4(bytes([0xA0]) + plain[1:12] + b"\x03" * 20 + b"\x00\x00\x03"),  # 3 of padding
        _ip4(bytes([0xA0]) + plain[1:12] + b"\x03\x00\x09"),  # padding past the payload
        _ip4(bytes([0x90]) + plain[1:12] + b"\xbe\xde"),  # an extension cut short
        _ip4(bytes([0x81, 200]) + b"\x00" * 26),  # RTCP
        _ip4(plain, protocol=6),  # TCP
        _ip4(bytes([0x40]) + plain[1:]),  # RTP version 1
        _ip4(plain[:12]),  # a header and no payload
        b"\x45",
    ]
    frames = [(b"\x00" * 12 + b"\x08\x00" if link == 1 else b"") + ip for ip in ips]
    if link == 1:
        frames.append(b"\x00" * 10)  # shorter than Ethernet's header
    records = [
        struct.pack("<IIII", 1_800_000_000 + i, 250_000 * (i % 4), len(f), len(f)) + f
        for i, f in enumerate(frames)
    ]
    cut = struct.pack("<IIII", 1_800_000_100, 0, 300, 300) + frames[0]  # the last, cut short
    path = tmp_path / "framings.pcap"
    header = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, link)
    path.write_bytes(header + b"".join(records) + cut)
    expected = _reference(path)
    assert len(expected) == 7  # the first six framings and the cut record
    assert {p.source for p in expected} == {("127.0.0.2", 40000), ("::1", 50000)}
    assert list(read_pcap(path)) == expected


def test_opus_packets_longer_than_20_ms_are_decoded_whole() -> None:
    """Room for 20 ms a packet is made first; 120 ms packets need more, as it goes."""
    encoder = av.CodecContext.create("libopus", "w")
    encoder.sample_rate = 48000
    encoder.layout = "mono"
    encoder.format = "s16"
    encoder.options = {"frame_duration": "120"}
    tone = (8000 * np.sin(2 * np.pi * 1000 * np.arange(48000 * 2) / 48000)).astype(np.int16)
    frame = av.AudioFrame.from_ndarray(tone.reshape(1, -1), format="s16", layout="mono")
    frame.sample_rate = 48000
    packets = [bytes(p) for p in encoder.encode(frame)]
    data = b"".join(packets)
    lengths = np.array([len(p) for p in packets], dtype=np.int64)
    ends = np.cumsum(lengths)
    samples, counts = recording_file._decode_opus(data, ends - lengths, ends)
    assert len(packets) >= 16 and set(counts.tolist()) == {960}  # 120 ms at 8 kHz
    assert len(samples) == 960 * len(packets)
    assert abs(peak_hz(samples[2000:], 8000) - 1000) < 15 and _rms(samples[2000:]) > 0.1


def test_a_voicemail_is_the_caller_alone_in_one_channel(tmp_path: Path) -> None:
    # Whatever else is in the pcap (here an agent-side 1000 Hz stream) is left out.
    pcap = _pcap(tmp_path / "c2-aaaa.pcap", _span(T0, 2.0, caller_hz=600, agent_hz=1000))
    made = assemble(
        [pcap], tmp_path / "vm.ogg", caller_ports=frozenset({CALLER_PORT}),
        codecs=codecs_of(CALLER_SDP), agent_codecs=codecs_of(AGENT_SDP), started_at=T0,
        mono=True,
    )  # fmt: skip
    rate, audio = decode(made.path)
    assert audio.shape[0] == 1 and 1.9 < made.seconds < 2.2
    heard = audio[0, int(0.2 * rate) : int(1.8 * rate)]
    assert abs(peak_hz(heard, rate) - 600) < 15 and _rms(heard) > 0.05
    spectrum = np.abs(np.fft.rfft(heard * np.hanning(len(heard))))
    at = lambda hz: spectrum[int(hz * len(heard) / rate)]  # noqa: E731
    assert at(1000) < at(600) / 100  # no agent in it
