"""Each pytest-xdist worker's own RTP port ranges (single ports come from
``tests.serving.free_port``).

rtpengine needs a range of ports rather than one, so it cannot take a free port from the
kernel. Every range a test gives it comes from here: a block of ``BLOCK`` ports per xdist
worker (gw0, gw1, ...), and within the block a fixed slot per test module, so no two tests
that run at the same time ever share a port.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from tests.serving import free_port

# Below the kernel's ephemeral ports (32768-60999 here): any outgoing socket of any
# process (a browser, a database client, ``free_port``) may be handed a port in that
# range, and sipp or rtpengine then cannot bind it.
BASE = 18300
EPHEMERAL = 32768
BLOCK = 1800
# Slots inside a worker's block: (offset, size). A new user of real media takes a new slot.
SLOTS: dict[str, tuple[int, int]] = {
    "processes": (0, 200),
    "real_call": (200, 200),
    "serve": (400, 100),
    "real_menu": (500, 200),
    # sipp's own media ports (``sipp_media_port``).
    "sipp": (700, 100),
    "real_wait": (800, 100),
    "sip_flood": (900, 100),
    "real_listen": (1000, 100),
    "recording": (1100, 100),
    "call_page": (1200, 100),
    "demo_caller": (1300, 100),
    "dialout": (1400, 100),
    # Two rtpengines of one pool (``test_real_engines.py``): half each.
    "engines": (1500, 100),
    "restart": (1600, 100),
    "real_consult": (1700, 100),
}
# sipp binds its audio port and the video port two above it (with RTCP beside each).
_SIPP_STEP = 4
# The blocks end below the ephemeral ports: room for this many workers.
MAX_WORKERS = (EPHEMERAL - BASE) // BLOCK


def worker_index() -> int:
    """0 for a serial run or xdist's ``gw0``, N for ``gwN``."""
    found = re.fullmatch(r"gw(\d+)", os.environ.get("PYTEST_XDIST_WORKER", ""))
    index = int(found.group(1)) if found else 0
    if index >= MAX_WORKERS:
        raise RuntimeError(f"RTP ranges run out beyond {MAX_WORKERS} xdist workers")
    return index


def rtp_range(slot: str) -> tuple[int, int]:
    """This worker's RTP ports for ``slot`` (see ``SLOTS``), first and last inclusive."""
    offset, size = SLOTS[slot]
    first = BASE + worker_index() * BLOCK + offset
    return first, first + size - 1


_sipp_calls = 0


def sipp_media_port() -> int:
    """A media port for one sipp caller (its ``-mp``), from this worker's sipp slot: a
    free port from the kernel says nothing of the video port sipp also binds two above."""
    global _sipp_calls
    first, last = rtp_range("sipp")
    count = (last - first + 1) // _SIPP_STEP
    port = first + (_sipp_calls % count) * _SIPP_STEP
    _sipp_calls += 1
    return port


def voice_settings(root: Path, slot: str) -> dict[str, object]:
    """The server settings for real calls in a test: its own data directory, free SIP and
    ng ports, and this worker's RTP range for ``slot``."""
    rtp_min, rtp_max = rtp_range(slot)
    return {
        "voice": True,
        "data_dir": str(root),
        "voice_sip_port": free_port(),
        "voice_ng_port": free_port(),
        "voice_rtp_min": rtp_min,
        "voice_rtp_max": rtp_max,
    }
