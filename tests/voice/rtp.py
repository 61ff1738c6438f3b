"""A caller's media for the voice tests: a UDP endpoint that sends PCMU RTP of a tone and
keeps what it receives, and the arithmetic to tell which tone a recording holds."""

from __future__ import annotations

import socket
import struct
import threading
import time
from dataclasses import dataclass, field

import numpy as np

RATE = 8000
FRAME = 160  # 20 ms of PCMU


def _ulaw_table() -> np.ndarray:
    codes = np.arange(256, dtype=np.int32)
    u = ~codes & 0xFF
    sign = u & 0x80
    exponent = (u >> 4) & 0x07
    mantissa = u & 0x0F
    magnitude = ((mantissa << 3) + 0x84) << exponent
    return np.where(sign != 0, 0x84 - magnitude, magnitude - 0x84).astype(np.float64)


ULAW = _ulaw_table()


def ulaw_encode(samples: np.ndarray) -> bytes:
    """G.711 mu-law of 16-bit samples (the standard segment encoding)."""
    x = np.clip(samples.astype(np.int32), -32635, 32635)
    sign = np.where(x < 0, 0x80, 0)
    x = np.abs(x) + 0x84
    exponent = np.floor(np.log2(x)).astype(np.int32) - 7
    exponent = np.clip(exponent, 0, 7)
    mantissa = (x >> (exponent + 3)) & 0x0F
    return bytes((~(sign | (exponent << 4) | mantissa) & 0xFF).astype(np.uint8))


def peak_hz(samples: np.ndarray, rate: int = RATE) -> float:
    windowed = samples * np.hanning(len(samples))
    spectrum = np.abs(np.fft.rfft(windowed))
    spectrum[: int(100 * len(samples) / rate)] = 0  # below 100 Hz: hum and DC
    return float(np.argmax(spectrum) * rate / len(samples))


def level_at(samples: np.ndarray, hz: float, rate: int = RATE) -> float:
    """The amplitude of ``hz`` (within 30 Hz) in ``samples`` (0 for no audio at all)."""
    if len(samples) == 0:
        return 0.0
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(len(samples)))) / len(samples)
    freqs = np.fft.rfftfreq(len(samples), 1 / rate)
    return float(spectrum[np.abs(freqs - hz) <= 30].max())


@dataclass
class RtpEndpoint:
    """Sends ``tone_hz`` to whoever sends to it first (symmetric RTP, as rtpengine does)."""

    tone_hz: float
    sock: socket.socket = field(init=False)
    received: list[tuple[float, bytes]] = field(default_factory=list)
    peer: tuple[str, int] | None = None
    _stop: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.005)

    @property
    def port(self) -> int:
        port: int = self.sock.getsockname()[1]
        return port

    def start(self) -> None:
        threading.Thread(target=self._run, name="rtp-caller", daemon=True).start()

    def stop(self) -> None:
        self._stop.set()

    def _run(self) -> None:
        seq, ts, ssrc = 1, 0, 0x1234ABCD
        n = np.arange(FRAME)
        next_send = time.monotonic()
        while not self._stop.is_set():
            try:
                data, addr = self.sock.recvfrom(2048)
                if len(data) > 12 and (data[1] & 0x7F) == 0:  # PCMU only, not events
                    self.received.append((time.monotonic(), data[12:]))
                    self.peer = addr
            except TimeoutError:
                pass
            now = time.monotonic()
            if self.peer is not None and now >= next_send:
                tone = 8000 * np.sin(2 * np.pi * self.tone_hz * (n + ts) / RATE)
                header = struct.pack("!BBHII", 0x80, 0, seq & 0xFFFF, ts & 0xFFFFFFFF, ssrc)
                self.sock.sendto(header + ulaw_encode(tone), self.peer)
                seq, ts = seq + 1, ts + FRAME
                next_send = max(next_send + 0.02, now - 0.1)
        self.sock.close()

    def audio_since(self, since: float) -> np.ndarray:
        payload = b"".join(p for t, p in self.received if t >= since)
        return ULAW[np.frombuffer(payload, dtype=np.uint8)]
