"""A recording's waveform as a few numbers: the loudest sample of each channel in each
of ``buckets`` equal slices of the file, for the player to draw.

The page could decode the file itself (Web Audio), but that fetches the whole file a
second time and decodes it at the browser's rate (48 kHz float: a ten-minute call is
about 230 MB of samples); a thousand peaks per channel are a few kilobytes of JSON.
The file is decoded a frame at a time, so a long call costs no more memory than a short
one: each 20 ms block keeps only its peak.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np
import numpy.typing as npt

from hearthline.telephony.recording_file import planar

MIN_BUCKETS, MAX_BUCKETS = 10, 4000
_BLOCK_S = 0.02
SCALE = 1000  # a peak of full scale


@dataclass(frozen=True, slots=True)
class Peaks:
    seconds: float
    caller: tuple[int, ...]  # 0..SCALE, one a bucket
    agent: tuple[int, ...]


def peaks(path: Path, buckets: int) -> Peaks:
    """The file's peaks (the same file and count: remembered, files are never rewritten
    in place)."""
    stat = path.stat()
    return _peaks(str(path), stat.st_mtime_ns, stat.st_size, buckets)


@functools.lru_cache(maxsize=64)
def _peaks(path: str, mtime_ns: int, size: int, buckets: int) -> Peaks:
    blocks: list[npt.NDArray[np.float32]] = []  # (2, n) peaks of 20 ms blocks
    carry = np.zeros((2, 0), dtype=np.float32)
    frames = 0
    with av.open(path) as container:
        stream = container.streams.audio[0]
        rate = stream.rate or 8000
        block = max(1, round(rate * _BLOCK_S))
        for frame in container.decode(stream):
            samples = _planar(frame.to_ndarray(), frame.layout.nb_channels)
            frames += samples.shape[1]
            joined = np.concatenate([carry, np.abs(samples)], axis=1)
            whole = joined.shape[1] - joined.shape[1] % block
            if whole:
                blocks.append(joined[:, :whole].reshape(2, -1, block).max(axis=2))
            carry = joined[:, whole:]
    if carry.shape[1]:
        blocks.append(carry.max(axis=1, keepdims=True))
    seconds = frames / rate
    if not blocks:
        empty = (0,) * buckets
        return Peaks(seconds, empty, empty)
    fine = np.concatenate(blocks, axis=1)
    # Bucket i takes the blocks from edges[i] to edges[i + 1] (at least one each).
    edges = np.minimum((np.arange(buckets) * fine.shape[1]) // buckets, fine.shape[1] - 1)
    wide = np.maximum.reduceat(fine, edges, axis=1)
    scaled = np.rint(np.clip(wide, 0.0, 1.0) * SCALE).astype(np.int64)
    return Peaks(seconds, tuple(scaled[0].tolist()), tuple(scaled[1].tolist()))


def _planar(samples: npt.NDArray[np.generic], channels: int) -> npt.NDArray[np.float32]:
    """A frame's samples as (2, n) floats in -1..1 (a mono file is both channels)."""
    values = planar(samples, channels)
    if values.shape[0] == 1:
        values = np.concatenate([values, values])
    return values[:2]
