"""A server killed before a recorded call's file was written: at its next start, the pcaps
it left are assembled and indexed from what the log says of the call, once.

The app is real (SQLite and PostgreSQL, its writer and its log); the calls reach the log
through the voice domain's commands as the control plane sends them, and the pcaps are
written as rtpengine writes them (tests/voice/test_recording_file.py). Start-up is the
step ``api/voice.py`` runs when voice starts, given the directory's leftovers."""

from __future__ import annotations

import asyncio
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
from sqlalchemy import select

from hearthline.api import voice
from hearthline.kernel.clock import ManualClock, WallClock
from hearthline.store import tables as t
from hearthline.store.queries import recordings as recordings_q
from hearthline.telephony import recording_recovery
from hearthline.telephony.recording_file import audio_lines, decode
from hearthline.voice.commands import AnswerCall, BridgeCall, EndCall, StartRecording
from tests.api.conftest import pg_url, sqlite_url
from tests.api.support import Served, reopen, serve
from tests.ports import voice_settings
from tests.voice.rtp import peak_hz
from tests.voice.test_recording_file import AGENT_SDP, CALLER_PORT, CALLER_SDP, _pcap, _span

__all__ = ["pg_url", "sqlite_url"]  # the databases, as the server tests have them

T = WallClock().now() - 600  # the calls were ten minutes ago


class FakeNg:
    async def request(self, command: str, **fields: Any) -> dict[str, Any]:
        return {"result": "ok"}


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def app(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Served, ManualClock]]:
    url = request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "pg_url")
    clock = ManualClock(T - 60)
    served = serve(url, clock=clock, data_dir=str(tmp_path))
    yield served, clock
    served.stop()


def _recorded_call(app: Served, clock: ManualClock, call: str, contact: str) -> None:
    """The log of a call answered, bridged and recorded from ``T``."""
    w = app.writer
    clock.set(max(clock.now(), T - 5))
    w.execute(AnswerCall(call, contact=contact, client="acme", number="+15550100"))
    clock.set(max(clock.now(), T))
    w.execute(BridgeCall(call, agent="a000"))
    sdps = (audio_lines(CALLER_SDP), audio_lines(AGENT_SDP))
    w.execute(StartRecording(call, started_at=T, caller_ports=(CALLER_PORT,), sdps=sdps))


def _rows(app: Served) -> list[tuple[str, str, float]]:
    r = t.recordings
    with app.writer.engine.connect() as conn:
        found = conn.execute(select(r.c.call_id, r.c.file, r.c.seconds).order_by(r.c.id)).all()
    return [(c, f, s) for c, f, s in found]


def test_a_stopped_servers_calls_are_assembled_and_indexed_once_at_start(
    app: tuple[Served, ManualClock], tmp_path: Path
) -> None:
    served, clock = app
    ctx = served.app.state.app_context
    pcaps = tmp_path / "voice" / "rtpengine" / "recordings" / "pcaps"
    pcaps.mkdir(parents=True)
    # 1. Killed mid-call: the log has no end; two spans (a pause between) run to 5.5 s.
    _recorded_call(served, clock, "cut@trunk", "k-cut")
    _pcap(pcaps / "cut%40trunk-00000000000000a1.pcap", _span(T, 2.0, caller_hz=600, agent_hz=1000))
    _pcap(
        pcaps / "cut%40trunk-00000000000000a2.pcap",
        _span(T + 3.5, 2.0, caller_hz=600, agent_hz=1000),
    )
    # 2. Killed while assembling: the log has the call's end at 3 s, the pcap runs on.
    _recorded_call(served, clock, "ended@trunk", "k-ended")
    clock.set(T + 3.0)
    served.writer.execute(EndCall("ended@trunk", by="caller"))
    _pcap(pcaps / "ended%40trunk-00000000000000b1.pcap", _span(T, 5.0, caller_hz=500, agent_hz=900))
    # 3. Killed after indexing, before the pcaps were deleted: indexed once already.
    _recorded_call(served, clock, "done@trunk", "k-done")
    with served.writer.engine.begin() as conn:
        conn.execute(
            t.recordings.insert().values(
                contact_id="k-done", client_id="acme", call_id="done@trunk",
                file="acme/k-done.ogg", seconds=2.0, started_at=T, created_at=T + 3,
            )
        )  # fmt: skip
    _pcap(pcaps / "done%40trunk-00000000000000c1.pcap", _span(T, 2.0, caller_hz=600, agent_hz=1000))
    # 4. A pcap the log knows nothing of (another system's): left alone.
    stray = _pcap(pcaps / "stray-00000000000000d1.pcap", _span(T, 1.0, caller_hz=600, agent_hz=800))

    recorder = voice._recorder(
        ctx, SimpleNamespace(ng=FakeNg()), SimpleNamespace(scratch=tmp_path / "voice")
    )  # type: ignore[arg-type]

    def start() -> list[str]:
        left = recording_recovery.leftovers(pcaps)
        return [s.contact for s in asyncio.run(voice.recover_recordings(ctx, recorder, left))]

    assert sorted(start()) == ["k-cut", "k-ended"]
    rows = _rows(served)
    assert [(c, f) for c, f, _ in rows] == [
        ("done@trunk", "acme/k-done.ogg"),
        ("cut@trunk", "acme/k-cut.ogg"),
        ("ended@trunk", "acme/k-ended.ogg"),
    ]
    seconds = {c: s for c, _, s in rows}
    assert 5.4 < seconds["cut@trunk"] < 5.7, "to the last packet"
    assert abs(seconds["ended@trunk"] - 3.0) < 0.01, "to the end the log says"
    # The file of the call cut short: each side on its channel, the pause silent.
    rate, audio = decode(tmp_path / "recordings" / "acme" / "k-cut.ogg")
    left, right = audio[:, int(0.2 * rate) : int(1.8 * rate)]
    assert abs(peak_hz(left, rate) - 600) < 15 and abs(peak_hz(right, rate) - 1000) < 15
    gap = audio[:, int(2.2 * rate) : int(3.3 * rate)]
    assert float(np.abs(gap).max()) < 1e-2
    assert sorted(p.name for p in pcaps.iterdir()) == [stray.name]

    # The log's start is in the contact's story, without the lines kept for the file.
    story = served.login("admin").get("/api/contacts/k-cut").json()
    started = [e for e in story["events"] if e["type"] == "RecordingStarted"]
    assert len(started) == 1 and started[0]["started_at"] == T
    assert "sdps" not in started[0] and "caller_ports" not in started[0]

    # Nor in the stream's copy of it.
    streamed = [e.text for e in ctx.hub.buffer if '"RecordingStarted"' in e.text]
    assert len(streamed) == 3 and not any("sdps" in text for text in streamed)

    # A second start: nothing is assembled or indexed again.
    assert start() == []
    assert _rows(served) == rows
    assert [p.name for p in pcaps.iterdir()] == [stray.name]


def test_a_stopped_servers_voicemails_are_assembled_mono_under_their_contacts_at_start(
    app: tuple[Served, ManualClock], tmp_path: Path
) -> None:
    """A voicemail's start is in the log (``RecordingStarted``, kind voicemail, the contact
    its file goes under): a server killed while the caller spoke, or before the file was
    written, leaves its pcap, and the next start files the caller's side as the live
    recorder would have."""
    served, clock = app
    ctx = served.app.state.app_context
    pcaps = tmp_path / "voice" / "rtpengine" / "recordings" / "pcaps"
    pcaps.mkdir(parents=True)
    w = served.writer
    caller_only = (audio_lines(CALLER_SDP),)

    def message(call: str, contact: str, filed_under: str) -> None:
        clock.set(max(clock.now(), T - 5))
        w.execute(AnswerCall(call, contact=contact, client="acme", number="+15550100"))
        clock.set(max(clock.now(), T))
        w.execute(
            StartRecording(call, started_at=T, caller_ports=(CALLER_PORT,), sdps=caller_only,
                           kind="voicemail", filed_under=filed_under)
        )  # fmt: skip

    # 1. A queue's overflow: killed while the caller spoke, 2.5 s to the last packet.
    message("vm-cut@trunk", "k-vm", "k-vm")
    _pcap(
        pcaps / "vm-cut%40trunk-00000000000000f1.pcap", _span(T, 2.5, caller_hz=450, agent_hz=1000)
    )
    # 2. A menu leaf's, filed under the callback it owes: the caller hung up at 2 s.
    message("vm-leaf@trunk", "k-leaf", "k-leaf~cb")
    clock.set(T + 2.0)
    w.execute(EndCall("vm-leaf@trunk", by="caller"))
    _pcap(
        pcaps / "vm-leaf%40trunk-00000000000000f2.pcap", _span(T, 4.0, caller_hz=650, agent_hz=900)
    )
    # 3. Indexed already (killed before the pcap was deleted): the pcap goes, nothing more.
    message("vm-done@trunk", "k-vdone", "k-vdone")
    recordings_q.add(
        w.engine, contact="k-vdone", client="acme", call="vm-done@trunk",
        file="acme/k-vdone.ogg", seconds=1.0, started_at=T, created_at=T + 2, kind="voicemail",
    )  # fmt: skip
    _pcap(
        pcaps / "vm-done%40trunk-00000000000000f3.pcap", _span(T, 1.0, caller_hz=450, agent_hz=900)
    )

    recorder = voice._recorder(
        ctx, SimpleNamespace(ng=FakeNg()), SimpleNamespace(scratch=tmp_path / "voice")
    )  # type: ignore[arg-type]

    def start() -> list[str]:
        left = recording_recovery.leftovers(pcaps)
        return [s.contact for s in asyncio.run(voice.recover_recordings(ctx, recorder, left))]

    assert sorted(start()) == ["k-leaf~cb", "k-vm"]
    r = t.recordings
    with w.engine.connect() as conn:
        rows = conn.execute(
            select(r.c.call_id, r.c.contact_id, r.c.kind, r.c.file, r.c.seconds).order_by(r.c.id)
        ).all()
    assert [tuple(x)[:4] for x in rows] == [
        ("vm-done@trunk", "k-vdone", "voicemail", "acme/k-vdone.ogg"),
        ("vm-cut@trunk", "k-vm", "voicemail", "acme/k-vm.ogg"),
        ("vm-leaf@trunk", "k-leaf~cb", "voicemail", "acme/k-leaf_cb.ogg"),
    ]
    seconds = {x.call_id: x.seconds for x in rows}
    assert 2.4 < seconds["vm-cut@trunk"] < 2.6, "to the last packet"
    assert abs(seconds["vm-leaf@trunk"] - 2.0) < 0.01, "to the end the log says"
    # Mono, the caller alone, at the caller's pitch (the agent's 1000 Hz is not in it).
    for name, hz in (("k-vm.ogg", 450), ("k-leaf_cb.ogg", 650)):
        rate, audio = decode(tmp_path / "recordings" / "acme" / name)
        assert audio.shape[0] == 1, name
        assert abs(peak_hz(audio[0, int(0.2 * rate) : int(1.8 * rate)], rate) - hz) < 15, name
    assert list(pcaps.iterdir()) == []
    # The new voicemails are the client's to follow up, as any other.
    listed = served.login("sup-acme").get("/api/recordings/voicemails").json()
    assert sorted(v["contact_id"] for v in listed) == ["k-leaf~cb", "k-vdone", "k-vm"]

    # A second start: nothing is left to do.
    assert start() == []


def _voice_up(app: Served) -> None:
    deadline = time.monotonic() + 30  # voice comes up beside the server
    while app.app.state.app_context.voice is None:
        assert time.monotonic() < deadline, "voice did not start"
        time.sleep(0.05)


@pytest.mark.voice
@pytest.mark.slow
@pytest.mark.skipif(shutil.which("rtpengine") is None, reason="needs rtpengine (`make voice`)")
def test_the_server_started_again_with_voice_assembles_what_the_last_one_left(
    sqlite_url: str, tmp_path: Path
) -> None:
    """The whole start: ``hearthline serve`` with voice (rtpengine and the B2BUA), over a
    log where a call was recorded and never ended and its pcap left behind."""
    settings = voice_settings(tmp_path, "recording")
    first = serve(sqlite_url, **settings)
    try:
        _voice_up(first)
        at = WallClock().now() - 30
        w = first.writer
        w.execute(AnswerCall("kill@trunk", contact="k-kill", client="acme", number="+15550100"))
        w.execute(BridgeCall("kill@trunk", agent="a000"))
        sdps = (audio_lines(CALLER_SDP), audio_lines(AGENT_SDP))
        w.execute(
            StartRecording("kill@trunk", started_at=at, caller_ports=(CALLER_PORT,), sdps=sdps)
        )
    finally:
        first.stop()  # the call is unknown to its recorder: nothing is assembled on the way out
    pcaps = tmp_path / "voice" / "rtpengine" / "recordings" / "pcaps"
    pcaps.mkdir(parents=True, exist_ok=True)
    _pcap(
        pcaps / "kill%40trunk-00000000000000e1.pcap", _span(at, 2.0, caller_hz=600, agent_hz=1000)
    )

    for start in (1, 2):
        again = reopen(sqlite_url, first.channel_token, **settings)
        try:
            _voice_up(again)
            deadline = time.monotonic() + 30
            while not _rows(again) and time.monotonic() < deadline:
                time.sleep(0.1)
            time.sleep(0.5 if start == 2 else 0)  # a second start has nothing to do
            rows = _rows(again)
        finally:
            again.stop()
        assert [(c, f) for c, f, _ in rows] == [("kill@trunk", "acme/k-kill.ogg")], start
        assert 1.9 < rows[0][2] < 2.2
        assert list(pcaps.iterdir()) == []
    assert (tmp_path / "recordings" / "acme" / "k-kill.ogg").stat().st_size > 1000
