"""Recording real calls: whether a call is recorded, rtpengine's recording switched on and
off as the call goes, and the one stereo file assembled once the call is over.

    invite   -> decide (the campaign's policy: all, a share drawn per contact, none);
                a recorded caller hears the consent prompt before anyone answers
    bridged  -> ``start recording``; the first time, ``RecordingStarted`` in the log (what
                a next start needs to assemble the file if this server dies first:
                ``recording_recovery``)
    held, paused by the agent -> ``stop recording`` (rtpengine 10.5 has no ``pause
                recording``: a stop closes the span's pcap, the next start opens another,
                and the gap between them is silence in the file)
    resumed  -> ``start recording`` again (unless still held or paused)
    ended    -> the pcaps are assembled off the event loop (a worker thread) into
                ``<data_dir>/recordings/<client>/<contact>.ogg`` and indexed

A voicemail (a menu's ``voicemail`` leaf, a queue's overflow to voicemail) goes the same
way from ``voicemail`` on, whatever the policy: the caller alone, mono, filed under the
callback a leaf owes or the contact the queue sent to voicemail.

An agent's pause and resume go in the contact's log (voice events); the control plane
calls the hooks here, and holds what is live in memory only.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import unquote

from hearthline.kernel.clock import Clock, WallClock
from hearthline.service.writer import Writer
from hearthline.telephony.ng import NgError
from hearthline.telephony.recording_file import (
    Assembled,
    assemble,
    audio_address,
    audio_lines,
    audio_port,
    codecs_of,
)
from hearthline.voice.commands import PauseRecording, ResumeRecording, StartRecording
from hearthline.voice.errors import VoiceError

log = logging.getLogger(__name__)
# rtpengine stamps its pcaps with the wall clock: the file's time 0 is on the same clock.
_WALL = WallClock()


class Ng(Protocol):
    """What the recorder asks of rtpengine (``NgClient``)."""

    async def request(self, command: str, **fields: Any) -> dict[str, Any]: ...


# A queue -> the share of its calls to record, in percent (0: none, 100: all).
FindShare = Callable[[str], Awaitable[int]]


@dataclass(frozen=True, slots=True)
class Stored:
    """What the index keeps of one recording."""

    contact: str
    client: str
    call: str
    file: str  # relative to the recordings directory
    seconds: float
    started_at: float
    kind: str = "call"  # or "voicemail"


SaveRecording = Callable[[Stored], Awaitable[None]]
_SAFE = re.compile(r"[^A-Za-z0-9_.-]")
# A pcap last written this long before a recording's start is not part of it (see recover).
_SLACK_S = 1.0


def drawn(contact: str, share: int) -> bool:
    """Whether ``contact`` is among the ``share`` percent recorded: a fixed draw per
    contact (the same answer on every ask), uniform over contacts."""
    if share >= 100:
        return True
    if share <= 0:
        return False
    digest = hashlib.sha256(contact.encode()).digest()
    return int.from_bytes(digest[:4], "big") % 100 < share


def safe_name(text: str) -> str:
    """``text`` as one path component (ids are mostly safe already; this makes sure)."""
    cleaned = _SAFE.sub("_", text)[:120]
    return cleaned if cleaned.strip(".") else "_"


@dataclass
class _Call:
    call: str
    contact: str
    client: str
    caller_ports: set[int] = field(default_factory=set)
    sdps: list[str] = field(default_factory=list)
    started_at: float | None = None
    recording: bool = False
    held: bool = False
    paused_by: str | None = None
    # The pcaps of this call already in the directory before it was recorded (none,
    # unless a voicemail on the same Call-ID): not part of the file.
    before: frozenset[Path] = frozenset()
    kind: str = "call"  # or "voicemail"
    # When the call ended, where the log says (a recording assembled at the next start).
    ends_at: float | None = None


def pcap_call(path: Path) -> str | None:
    """The Call-ID of one of rtpengine's pcaps, named "<Call-ID>-<16 hex>.pcap" with the
    Call-ID percent-encoded (None for any other file)."""
    return unquote(path.stem).rpartition("-")[0] if path.suffix == ".pcap" else None


class Recorder:
    def __init__(
        self,
        *,
        ng: Ng,
        writer: Writer,
        pcaps: Path,
        store: Path,
        find_share: FindShare,
        save: SaveRecording,
        consent: str = "",
        clock: Clock = _WALL,
    ) -> None:
        self.ng = ng
        self.writer = writer
        self.pcaps = pcaps  # rtpengine's recording-dir/pcaps
        self.store = store  # <data_dir>/recordings
        self.find_share = find_share
        self.save = save
        self.consent = consent
        self.clock = clock
        self.calls: dict[str, _Call] = {}  # by Call-ID
        self.by_contact: dict[str, _Call] = {}
        self._work: set[asyncio.Task[None]] = set()
        # Recordings assembled, in order (the server's log says the same).
        self.done: list[Stored] = []

    # The control plane's hooks ---------------------------------------------------------

    async def decide(self, call: str, contact: str, queue: str, client: str) -> bool:
        """Whether the call will be recorded (then the caller hears the consent first)."""
        try:
            share = await self.find_share(queue)
        except Exception:  # the policy could not be read: not recorded, the call goes on
            log.exception("recording: the policy of %s could not be read", queue)
            return False
        if not drawn(contact, share):
            return False
        entry = _Call(call, contact, client)
        self.calls[call] = entry
        self.by_contact[contact] = entry
        return True

    def parked(self, call: str, caller_sdp: str, answer_sdp: str) -> None:
        """The caller's leg: what rtpengine told the caller to send to marks its packets."""
        entry = self.calls.get(call)
        if entry is None:
            return
        port = audio_port(answer_sdp)
        if port is not None:
            entry.caller_ports.add(port)
        entry.sdps.append(caller_sdp)

    def voicemail(
        self, call: str, *, contact: str, client: str, caller_sdp: str, answer_sdp: str
    ) -> None:
        """rtpengine records the caller's message from now on: once the call ends it is
        assembled (mono, the caller alone) and indexed under ``contact`` (the callback a
        menu's leaf owes, so whoever calls back finds it there; the contact a queue sent
        to voicemail)."""
        self._drop(call)  # recorded by the policy, never bridged
        entry = _Call(call, contact, client, kind="voicemail", sdps=[caller_sdp])
        port = audio_port(answer_sdp)
        if port is not None:
            entry.caller_ports.add(port)
        entry.started_at = self.clock.now()
        entry.before = frozenset(self._pcaps_of(call))
        self.calls[call] = entry

    async def voicemail_started(self, call: str) -> None:
        """rtpengine records the message: its start goes in the log, so that a server
        killed before the call's end assembles it at its next start."""
        entry = self.calls.get(call)
        if entry is not None and entry.kind == "voicemail":
            await self._log_start(entry)

    def renamed(self, call: str, contact: str) -> None:
        """The caller waits again as a new contact (the agent's leg dropped): the one file
        is filed under the first contact, and the new one finds it too."""
        entry = self.calls.get(call)
        if entry is not None:
            self.by_contact[contact] = entry

    async def bridged(self, call: str, agent_sdp: str) -> None:
        entry = self.calls.get(call)
        if entry is None:
            return
        entry.sdps.append(agent_sdp)
        if entry.started_at is None:
            entry.started_at = self.clock.now()
            entry.before = frozenset(self._pcaps_of(call))
            await self._log_start(entry)
        entry.held = False
        await self._apply(entry)

    async def held(self, call: str, held: bool) -> None:
        entry = self.calls.get(call)
        if entry is not None and entry.started_at is not None:
            entry.held = held
            await self._apply(entry)

    async def pause(self, contact: str, agent: str, paused: bool) -> str | None:
        """The agent pauses (or resumes) the recording; the reason it cannot, or None."""
        entry = self.by_contact.get(contact)
        if entry is None or entry.started_at is None:
            return f"contact {contact!r} is not being recorded"
        if paused == (entry.paused_by is not None):
            return "the recording is paused already" if paused else "the recording is not paused"
        command = (PauseRecording if paused else ResumeRecording)(entry.call, agent=agent)
        try:
            await self.writer.execute_async(command)
        except VoiceError as exc:
            return str(exc)
        entry.paused_by = agent if paused else None
        await self._apply(entry)
        return None

    def paused(self, contact: str) -> bool | None:
        """None: not recorded; else whether paused now."""
        entry = self.by_contact.get(contact)
        if entry is None or entry.started_at is None:
            return None
        return entry.paused_by is not None

    async def ended(self, call: str) -> None:
        """The call is over (rtpengine's call deleted, its pcaps closed): assembled in a
        worker thread, then indexed."""
        entry = self._drop(call)
        if entry is None:
            return
        if entry.started_at is None:
            return  # never bridged (nor a voicemail): nothing to keep
        task = asyncio.get_running_loop().create_task(self._assembled(entry))
        self._work.add(task)
        task.add_done_callback(self._work.discard)

    async def drain(self) -> None:
        """Waits for the files being assembled (on shutdown)."""
        while self._work:
            await asyncio.gather(*list(self._work), return_exceptions=True)

    async def recover(
        self,
        call: str,
        *,
        contact: str,
        client: str,
        caller_ports: tuple[int, ...],
        sdps: tuple[str, ...],
        started_at: float,
        ended_at: float | None,
        indexed: bool = False,
        kind: str = "call",
    ) -> Stored | None:
        """A call a stopped server recorded, from what its log says (``RecordingStarted``,
        ``CallEnded``): its pcaps still in the directory assembled into the file (to
        ``ended_at``, else the last packet) and indexed, as at the call's end; what was
        stored. A call ``indexed`` already only has its pcaps deleted. The caller waits
        (the work is in a worker thread): start-up recovers one call at a time. A
        voicemail (``kind``) is mono, filed under ``contact`` as ``voicemail`` files it."""
        pcaps = self._pcaps_of(call)
        if indexed:
            self._forget(pcaps)
            return None
        # A pcap closed before the recording started is not the call's (a voicemail's on
        # the same Call-ID); a second of slack for the clocks' rounding.
        before = frozenset(p for p in pcaps if p.stat().st_mtime < started_at - _SLACK_S)
        entry = _Call(
            call, contact, client, kind=kind, caller_ports=set(caller_ports), sdps=list(sdps),
            started_at=started_at, ends_at=ended_at, before=before,
        )  # fmt: skip
        return await self._assemble(entry)

    # Inside -----------------------------------------------------------------------------

    async def _assembled(self, entry: _Call) -> None:
        await self._assemble(entry)  # a task's result nobody reads

    async def _apply(self, entry: _Call) -> None:
        want = entry.paused_by is None and not entry.held
        if want == entry.recording:
            return
        try:
            await self.ng.request(
                "start recording" if want else "stop recording", call_id=entry.call
            )
            entry.recording = want
        except NgError:
            log.exception("recording: rtpengine refused for %s", entry.call)

    async def _log_start(self, entry: _Call) -> None:
        """In the log, what the file is made from: a server killed before the call's end
        assembles it at its next start (``recording_recovery``)."""
        assert entry.started_at is not None
        started = StartRecording(
            entry.call,
            started_at=entry.started_at,
            caller_ports=tuple(sorted(entry.caller_ports)),
            sdps=tuple(audio_lines(sdp) for sdp in entry.sdps),
            kind=entry.kind,
            filed_under=entry.contact if entry.kind == "voicemail" else "",
        )
        try:
            await self.writer.execute_async(started)
        except Exception:  # the call is still recorded; only a killed server would miss it
            log.exception("recording: the start of %s is not in the log", entry.call)

    def _drop(self, call: str) -> _Call | None:
        """Forgets the call and the contacts filed under it; what it was."""
        entry = self.calls.pop(call, None)
        if entry is not None:
            for contact in [c for c, e in self.by_contact.items() if e is entry]:
                del self.by_contact[contact]
        return entry

    def _pcaps_of(self, call: str) -> list[Path]:
        if not self.pcaps.is_dir():
            return []
        return [p for p in self.pcaps.iterdir() if pcap_call(p) == call]

    def _forget(self, pcaps: list[Path]) -> None:
        """The span files and rtpengine's notes on them, once the recording holds them."""
        notes = self.pcaps.parent / "metadata"
        for pcap in pcaps:
            for done in (pcap, notes / f"rtpengine-meta-{pcap.stem}.txt"):
                with contextlib.suppress(OSError):
                    done.unlink()

    async def _assemble(self, entry: _Call) -> Stored | None:
        pcaps = [p for p in self._pcaps_of(entry.call) if p not in entry.before]
        if not pcaps:
            log.warning("recording: no pcap for %s", entry.call)
            return None
        relative = f"{safe_name(entry.client)}/{safe_name(entry.contact)}.ogg"
        started_at = entry.started_at
        try:
            made: Assembled = await asyncio.to_thread(
                assemble,
                pcaps,
                self.store / relative,
                caller_ports=frozenset(entry.caller_ports),
                caller_from=audio_address(entry.sdps[0]) if entry.sdps else None,
                codecs=codecs_of(*entry.sdps[:1]),  # the caller's SDP comes first
                agent_codecs=codecs_of(*entry.sdps[1:]),
                started_at=started_at,
                mono=entry.kind == "voicemail",
                until=entry.ends_at,
            )
        except Exception:
            log.exception("recording: could not assemble %s", entry.call)
            return None
        stored = Stored(
            entry.contact, entry.client, entry.call, relative, made.seconds, made.started_at,
            entry.kind,
        )  # fmt: skip
        await self.save(stored)
        self.done.append(stored)
        self._forget(pcaps)
        log.info("recording: %s stored (%.1f s)", relative, made.seconds)
        return stored
