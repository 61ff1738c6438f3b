"""Assembling a recording from pcaps as rtpengine writes them (one per recording span):
each leg on its channel whatever its codec, the gap between spans silent at its time,
RTCP and unknown payloads left out, two legs with the same SSRC kept apart. The pcaps are
written here, packet by packet, in rtpengine's framing (Ethernet, IPv4, UDP)."""

from __future__ import annotations

import struct
from pathlib import Path

import av
import numpy as np
import pytest

from hearthline.telephony.recording import drawn, safe_name
from hearthline.telephony.recording_file import (
    RecordingError,
    assemble,
    audio_address,
    audio_port,
    codecs_of,
    decode,
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
