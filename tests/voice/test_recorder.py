"""The recorder on the control plane, against a real writer on SQLite and the fake media
engine: the consent prompt first for a recorded call, and rtpengine's recording started
on the bridge, stopped while held or paused, started again only when neither holds; the
agent's pause in the log; a call the policy leaves out is never recorded."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from sqlalchemy import select

from hearthline.kernel.ids import ContactId
from hearthline.routing import commands as cmd
from hearthline.service.writer import Writer
from hearthline.store import tables
from hearthline.telephony.menu_calls import PromptCache
from hearthline.telephony.recording import Recorder, Stored
from tests.voice.test_control import MARIA, NUMBER, SDP, Rig, writer

__all__ = ["writer"]  # the fixture, shared with the control plane's tests

CONSENT = "/prompts/consent.wav"


class FakeNg:
    """Answers ``ok`` to the recording commands and keeps them."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    async def request(self, command: str, **fields: Any) -> dict[str, Any]:
        self.asked.append(command)
        return {"result": "ok"}


def _rig(writer: Writer, tmp_path: Path, share: int) -> tuple[Rig, FakeNg, Recorder]:
    rig = Rig(writer)
    rig.control.files = PromptCache(tmp_path / "joined")
    ng = FakeNg()
    saved: list[Stored] = []

    async def find_share(queue: str) -> int:
        assert queue == "returns"
        return share

    async def save(stored: Stored) -> None:
        saved.append(stored)

    recorder = Recorder(
        ng=ng, writer=writer, pcaps=tmp_path / "pcaps", store=tmp_path / "recordings",
        find_share=find_share, save=save, consent=CONSENT,
    )  # fmt: skip
    rig.control.recorder = recorder
    return rig, ng, recorder


def test_recording_follows_the_bridge_hold_and_the_agents_pause(
    writer: Writer, tmp_path: Path
) -> None:
    rig, ng, recorder = _rig(writer, tmp_path, share=100)

    async def scenario() -> str:
        runner = await rig.start_control()
        await rig.control.on_signal(
            {"event": "invite", "call": "r1", "from": "+1", "to": NUMBER, "sdp": SDP}
        )
        await rig.settle()
        assert ("play_once", "r1", CONSENT) in rig.media.log, "the consent prompt first"
        contact = rig.control.calls["r1"].contact
        await writer.execute_async(cmd.SignIn(MARIA, ready=True))
        await writer.execute_async(cmd.AcceptOffer(MARIA, ContactId(contact)))
        await rig.settle()
        assert ng.asked == []  # nothing recorded before the agent is on the line
        assert await rig.control.browser_answer("a-maria", contact, SDP) is None
        assert ng.asked == ["start recording"]

        await writer.execute_async(cmd.HoldContact(MARIA, ContactId(contact)))
        await rig.settle()
        assert ng.asked[-1] == "stop recording"
        assert await recorder.pause(contact, "a-maria", True) is None  # paused while held
        assert await recorder.pause(contact, "a-maria", True) == "the recording is paused already"
        await writer.execute_async(cmd.ResumeContact(MARIA, ContactId(contact)))
        await rig.settle()
        assert ng.asked == ["start recording", "stop recording"], "still paused: not started"
        assert await recorder.pause(contact, "a-maria", False) is None
        assert ng.asked[-1] == "start recording"
        assert recorder.paused(contact) is False

        await writer.execute_async(cmd.EndContact(MARIA, ContactId(contact)))
        await rig.settle()
        await recorder.drain()
        assert recorder.calls == {} and recorder.by_contact == {}
        runner.cancel()
        return contact

    contact = asyncio.run(scenario())
    with writer.engine.connect() as conn:
        marks = conn.execute(
            select(tables.events.c.type, tables.events.c.agent_id).where(
                tables.events.c.contact_id == contact,
                tables.events.c.type.like("Recording%"),
            )
        ).all()
    assert [tuple(m) for m in marks] == [
        ("RecordingStarted", "a-maria"),
        ("RecordingPaused", "a-maria"),
        ("RecordingResumed", "a-maria"),
    ]
    # What a next start needs to assemble the call had the server died: in the log.
    with writer.engine.connect() as conn:
        started = conn.execute(
            select(tables.events.c.payload).where(tables.events.c.type == "RecordingStarted")
        ).scalar_one()
    assert '"caller_ports":[' in started and "m=audio" in started


def test_a_call_the_policy_leaves_out_hears_no_consent_and_is_not_recorded(
    writer: Writer, tmp_path: Path
) -> None:
    rig, ng, recorder = _rig(writer, tmp_path, share=0)

    async def scenario() -> None:
        runner = await rig.start_control()
        await rig.control.on_signal(
            {"event": "invite", "call": "r2", "from": "+1", "to": NUMBER, "sdp": SDP}
        )
        await rig.settle()
        contact = rig.control.calls["r2"].contact
        await writer.execute_async(cmd.SignIn(MARIA, ready=True))
        await writer.execute_async(cmd.AcceptOffer(MARIA, ContactId(contact)))
        await rig.settle()
        assert await rig.control.browser_answer("a-maria", contact, SDP) is None
        refusal = await recorder.pause(contact, "a-maria", True)
        assert refusal == f"contact {contact!r} is not being recorded"
        runner.cancel()

    asyncio.run(scenario())
    assert not any(entry[0] == "play_once" for entry in rig.media.log)
    assert ng.asked == []
