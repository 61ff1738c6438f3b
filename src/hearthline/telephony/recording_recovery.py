"""Recordings a server did not finish: at the next start, the calls whose pcaps are still
in rtpengine's recording directory are assembled and indexed from what the log says.

A server killed mid-call (or while a file was being assembled) leaves its pcaps behind;
no call is live at start, so every pcap there is such a leftover. The log's
``RecordingStarted`` says whose call it was and how to tell its legs apart, its
``CallEnded`` (if the server lived that long) where the file stops; without an end, the
file runs to the last packet. A voicemail (the caller's message, ``kind="voicemail"`` in
the start) is assembled mono and filed under the contact its start names, as at the
call's end. A call already indexed (killed after the index row, before
the pcaps were deleted) only has its pcaps deleted. Assembled pcaps are deleted, so a
second start finds nothing left to do.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from hearthline.telephony.recording import Recorder, Stored, pcap_call
from hearthline.voice.events import CallEnded, RecordingStarted

log = logging.getLogger(__name__)
# The log is searched from this long before the oldest leftover was last written: a
# recording's first span starts at most this long (the file's bound) before its last.
LOOK_BACK_S = 4 * 3600 + 60.0

# A Call-ID and a kind ("call", "voicemail") -> whether that recording of it is indexed.
Indexed = Callable[[str, str], Awaitable[bool]]


@dataclass(frozen=True, slots=True)
class Unfinished:
    started: RecordingStarted
    ended_at: float | None


def leftovers(pcaps: Path) -> dict[str, list[Path]]:
    """The pcaps in rtpengine's directory by Call-ID (``<Call-ID>-<16 hex>.pcap``, the
    Call-ID percent-encoded), as ``Recorder`` names them."""
    found: dict[str, list[Path]] = {}
    if not pcaps.is_dir():
        return found
    for p in sorted(pcaps.iterdir()):
        call = pcap_call(p)
        if call is not None:
            found.setdefault(call, []).append(p)
    return found


def since(left: dict[str, list[Path]]) -> float:
    """How far back the log holds the leftovers' starts."""
    oldest = min((p.stat().st_mtime for paths in left.values() for p in paths), default=0.0)
    return oldest - LOOK_BACK_S


def unfinished(events: Iterable[object], left: dict[str, list[Path]]) -> list[Unfinished]:
    """The recordings among ``events`` (the log's, in order) whose pcaps are left."""
    started: dict[tuple[str, str], RecordingStarted] = {}
    ended: dict[str, float] = {}
    for e in events:
        if isinstance(e, RecordingStarted) and e.call in left:
            started.setdefault((e.call, e.kind), e)
        elif isinstance(e, CallEnded) and e.call in left:
            ended[e.call] = e.at
    return [Unfinished(s, ended.get(call)) for (call, _), s in started.items()]


async def recover(recorder: Recorder, found: list[Unfinished], indexed: Indexed) -> list[Stored]:
    """Assembles and indexes each unfinished recording (one at a time, off the event
    loop); what was stored."""
    stored: list[Stored] = []
    for u in found:
        s = u.started
        made = await recorder.recover(
            s.call, contact=s.filed_under or s.contact, client=s.client,
            caller_ports=s.caller_ports, sdps=s.sdps, started_at=s.started_at,
            ended_at=u.ended_at, indexed=await indexed(s.call, s.kind), kind=s.kind,
        )  # fmt: skip
        if made is not None:
            stored.append(made)
    if stored:
        log.info("recording: %d left by a stopped server assembled", len(stored))
    return stored
