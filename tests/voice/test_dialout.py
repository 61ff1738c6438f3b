"""Callbacks dialled out, on the control plane: a real writer on SQLite, the fake media
engine, the B2BUA's signals played by the test. What is asked of the media engine and the
B2BUA, what the agent's desk is told, and what the log records for each outcome."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from hearthline.kernel.ids import AgentId, ContactId, QueueId
from hearthline.routing import commands as cmd
from hearthline.service.writer import Writer
from hearthline.telephony.dialout import DialOut, dialable
from hearthline.telephony.trunks import Trunk, TrunkError, trunk_from_dict
from hearthline.voice.domain import LiveVoice
from tests.voice.test_control import MARIA, NUMBER, SDP, Rig, _voice_events, writer
from tests.voice.test_recorder import CONSENT
from tests.voice.test_recorder import _rig as recorder_rig

__all__ = ["writer"]  # the fixture, shared with the inbound calls' tests

CUSTOMER = "+44 1632 960001"
TRUNK = trunk_from_dict(
    {"name": "carrier", "networks": ["127.0.0.1"], "outbound": "127.0.0.1:5099"}
)


def _rig(writer: Writer, *, trunk: Trunk | None = TRUNK, timeout_s: float = 30.0) -> Rig:
    rig = Rig(writer)

    async def find_line(queue: str) -> tuple[str, str] | None:
        return (NUMBER, "acme") if queue == "returns" else None

    rig.control.dialout = DialOut(rig.control, trunk=trunk, timeout_s=timeout_s,
                                  find_line=find_line)  # fmt: skip
    return rig


async def _accepted_callback(rig: Rig, writer: Writer, caller: str, ident: str) -> str:
    await writer.execute_async(
        cmd.ScheduleCallback(ContactId(ident), QueueId("returns"), 0.0, caller)
    )
    await writer.execute_async(cmd.SignIn(MARIA, ready=True))
    await writer.execute_async(cmd.AcceptOffer(MARIA, ContactId(ident)))
    await rig.settle()
    return ident


def _dial_states(rig: Rig) -> list[str]:
    return [str(m["state"]) for _, m in rig.told if m["type"] == "voice-dial"]


def _outcomes(writer: Writer) -> list[tuple[str, int]]:
    from sqlalchemy import select

    from hearthline.store import tables

    with writer.engine.connect() as conn:
        rows = conn.execute(
            select(tables.events.c.payload)
            .where(tables.events.c.type == "CallDialOutcome")
            .order_by(tables.events.c.id)
        ).all()
    import json

    return [(json.loads(r[0])["outcome"], json.loads(r[0])["code"]) for r in rows]


def test_an_accepted_callback_dials_the_customer_and_joins_them_to_the_agent(
    writer: Writer,
) -> None:
    async def scenario() -> None:
        rig = _rig(writer)
        runner = await rig.start_control()
        contact = await _accepted_callback(rig, writer, CUSTOMER, "cb-1")

        dial = rig.signals[-1]
        assert dial["do"] == "dial" and dial["trunk"] == "carrier"
        assert dial["to"] == "+441632960001", "spaces are not dialled"
        assert dial["from"] == NUMBER, "the center's number is presented"
        call = str(dial["call"])
        assert ("dial", call) in rig.media.log
        assert _dial_states(rig) == ["dialling"]

        await rig.control.on_signal({"event": "ringing", "call": call})
        assert _dial_states(rig) == ["dialling", "ringing"]
        await rig.control.on_signal({"event": "answered", "call": call, "sdp": SDP})
        assert ("dialled", call) in rig.media.log
        offer = rig.told[-1]
        assert offer[0] == "a-maria" and offer[1]["type"] == "voice-offer"
        assert offer[1]["contact"] == contact

        # The agent's browser answers as for an inbound call: bridged; hold plays music.
        assert await rig.control.browser_answer("a-maria", contact, SDP) is None
        assert ("stop_play", call) not in rig.media.log, "nothing played to stop"
        await writer.execute_async(cmd.HoldContact(MARIA, ContactId(contact)))
        await rig.settle()
        assert rig.media.log[-1] == ("play", call, "/prompts/hold.wav")
        await writer.execute_async(cmd.ResumeContact(MARIA, ContactId(contact)))
        await rig.settle()

        # The customer hangs up: the contact ends, the agent's leg with it.
        await rig.control.on_signal({"event": "hangup", "call": call})
        await rig.settle()
        assert rig.media.log[-1] == ("end", call)
        assert rig.told[-1] == ("a-maria", {"type": "voice-end", "contact": contact})
        assert rig.control.calls == {}
        runner.cancel()

    asyncio.run(scenario())
    assert _voice_events(writer) == ["CallDialled", "CallDialOutcome", "CallBridged", "CallEnded"]
    assert _outcomes(writer) == [("answered", 200)]
    assert writer.part(LiveVoice).switchboard.calls == {}


def test_busy_failed_and_no_answer_are_recorded_and_the_agent_dials_again(
    writer: Writer,
) -> None:
    async def scenario() -> None:
        rig = _rig(writer, timeout_s=0.2)
        runner = await rig.start_control()
        contact = await _accepted_callback(rig, writer, CUSTOMER, "cb-2")
        first = str(rig.signals[-1]["call"])

        await rig.control.on_signal({"event": "failed", "call": first, "code": 486})
        assert rig.told[-1][1]["state"] == "busy" and rig.told[-1][1]["code"] == 486
        assert rig.media.log[-1] == ("end", first)
        assert rig.control.calls == {}

        # Another agent's redial, or one for a contact that is not a callback: refused.
        assert await rig.control.dialout.redial("a-tom", contact) == (
            404, f"no callback of yours is open as contact {contact!r}",
        )  # fmt: skip
        assert await rig.control.dialout.redial("a-maria", contact) is None
        second = str(rig.signals[-1]["call"])
        assert second != first
        refused = await rig.control.dialout.redial("a-maria", contact)
        assert refused is not None and refused[0] == 409, "one call at a time"
        await rig.control.on_signal({"event": "failed", "call": second, "code": 0})
        assert rig.told[-1][1]["state"] == "failed"

        # No answer: the timer cancels it (a hang-up to the B2BUA is its CANCEL).
        assert await rig.control.dialout.redial("a-maria", contact) is None
        third = str(rig.signals[-1]["call"])
        started = time.monotonic()
        # The call is forgotten first, and the desk told once the outcome is in the log.
        while rig.told[-1][1]["state"] != "no-answer" and time.monotonic() - started < 10:
            await asyncio.sleep(0.02)
        assert rig.control.calls == {}
        assert rig.signals[-1] == {"do": "hangup", "call": third}
        assert rig.told[-1][1]["state"] == "no-answer"
        # A late answer of the cancelled call changes nothing.
        await rig.control.on_signal({"event": "answered", "call": third, "sdp": SDP})
        assert rig.told[-1][1]["state"] == "no-answer"

        # The agent finishes the contact as for any other: hang up, then the wrap-up.
        await writer.execute_async(cmd.EndContact(MARIA, ContactId(contact)))
        await rig.settle()
        refused = await rig.control.dialout.redial("a-maria", contact)
        assert refused is not None and refused[0] == 404
        runner.cancel()

    asyncio.run(scenario())
    assert _outcomes(writer) == [("busy", 486), ("failed", 0), ("no-answer", 0)]
    assert _voice_events(writer).count("CallDialled") == 3
    assert writer.part(LiveVoice).switchboard.calls == {}


def test_the_agent_hanging_up_while_it_rings_cancels_the_call(writer: Writer) -> None:
    async def scenario() -> None:
        rig = _rig(writer)
        runner = await rig.start_control()
        contact = await _accepted_callback(rig, writer, CUSTOMER, "cb-3")
        call = str(rig.signals[-1]["call"])
        await rig.control.on_signal({"event": "ringing", "call": call})
        await writer.execute_async(cmd.EndContact(MARIA, ContactId(contact)))
        await rig.settle()
        assert rig.signals[-1] == {"do": "hangup", "call": call}
        assert _dial_states(rig)[-1] == "cancelled"
        runner.cancel()

    asyncio.run(scenario())
    assert _voice_events(writer) == ["CallDialled", "CallEnded"]


def test_a_transfer_while_it_rings_cancels_it_and_the_next_agent_dials_again(
    writer: Writer,
) -> None:
    async def scenario() -> None:
        rig = _rig(writer)
        runner = await rig.start_control()
        contact = await _accepted_callback(rig, writer, CUSTOMER, "cb-8")
        first = str(rig.signals[-1]["call"])
        await writer.execute_async(cmd.HoldContact(MARIA, ContactId(contact)))
        await rig.settle()
        assert not any(e[0] == "play" for e in rig.media.log), "no music before an answer"
        await writer.execute_async(cmd.ResumeContact(MARIA, ContactId(contact)))
        await writer.execute_async(
            cmd.TransferContact(MARIA, ContactId(contact), to_queue=QueueId("returns"))
        )
        await rig.settle()
        assert rig.signals[-1] == {"do": "hangup", "call": first}
        assert ("end", first) in rig.media.log and rig.control.calls == {}
        tom = AgentId("a-tom")
        await writer.execute_async(cmd.SignIn(tom, ready=True))
        await writer.execute_async(cmd.AcceptOffer(tom, ContactId(contact)))
        await rig.settle()
        second = rig.signals[-1]
        assert second["do"] == "dial" and second["call"] != first
        assert rig.control.calls[str(second["call"])].dialled_for == "a-tom"
        runner.cancel()

    asyncio.run(scenario())
    assert _voice_events(writer) == ["CallDialled", "CallEnded", "CallDialled"]


@pytest.mark.parametrize("caller", ["anonymous", "sip:someone", "12", "+1 (555) 01x"])
def test_a_callback_without_a_number_to_dial_is_not_dialled_and_the_desk_says_so(
    writer: Writer, caller: str
) -> None:
    async def scenario() -> None:
        rig = _rig(writer)
        runner = await rig.start_control()
        contact = await _accepted_callback(rig, writer, caller, "cb-4")
        assert not any(s["do"] == "dial" for s in rig.signals)
        said = rig.told[-1][1]
        assert said["state"] == "not-dialled" and "no number to dial" in str(said["text"])
        refused = await rig.control.dialout.redial("a-maria", contact)
        assert refused is not None and refused[0] == 409 and "no number" in refused[1]
        runner.cancel()

    asyncio.run(scenario())
    assert _voice_events(writer) == []


def test_without_a_trunk_that_dials_out_nothing_is_dialled(writer: Writer) -> None:
    async def scenario() -> None:
        rig = _rig(writer, trunk=None)
        runner = await rig.start_control()
        await _accepted_callback(rig, writer, CUSTOMER, "cb-5")
        assert rig.media.log == [] and rig.signals == []
        assert "no trunk dials out" in str(rig.told[-1][1]["text"])
        runner.cancel()

    asyncio.run(scenario())


def test_a_callers_callback_presents_the_number_they_called(writer: Writer) -> None:
    async def scenario() -> None:
        rig = _rig(writer)
        rig.control.dialout.find_line = None  # the number comes from the caller's call
        runner = await rig.start_control()
        await rig.control.on_signal(
            {"event": "invite", "call": "in-1", "from": "+441632960009", "to": NUMBER,
             "sdp": SDP}
        )  # fmt: skip
        contact = rig.control.calls["in-1"].contact
        await writer.execute_async(cmd.RequestCallback(ContactId(contact)))
        await rig.settle()
        await rig.control.on_signal({"event": "hangup", "call": "in-1"})
        await writer.execute_async(cmd.SignIn(MARIA, ready=True))
        await writer.execute_async(cmd.AcceptOffer(MARIA, ContactId(f"{contact}~cb")))
        await rig.settle()
        dial = rig.signals[-1]
        assert dial["do"] == "dial" and dial["to"] == "+441632960009"
        assert dial["from"] == NUMBER
        runner.cancel()

    asyncio.run(scenario())


def test_a_callback_made_before_a_restart_is_read_from_the_core_when_accepted(
    writer: Writer,
) -> None:
    async def scenario() -> None:
        rig = _rig(writer)
        runner = await rig.start_control()
        await writer.execute_async(
            cmd.ScheduleCallback(ContactId("cb-6"), QueueId("returns"), 0.0, CUSTOMER)
        )
        await rig.settle()
        rig.control.dialout.owed.clear()  # as a server started after it arrived
        await writer.execute_async(cmd.SignIn(MARIA, ready=True))
        await writer.execute_async(cmd.AcceptOffer(MARIA, ContactId("cb-6")))
        await rig.settle()
        dial = rig.signals[-1]
        assert (dial["do"], dial["to"], dial["from"]) == ("dial", "+441632960001", NUMBER)
        await rig.control.on_signal({"event": "failed", "call": dial["call"], "code": 486})
        # Restarted again while the agent holds it: Dial again finds it in the core too,
        # for its agent only.
        rig.control.dialout.owed.clear()
        assert (await rig.control.dialout.redial("a-tom", "cb-6") or (0,))[0] == 404
        assert await rig.control.dialout.redial("a-maria", "cb-6") is None
        assert rig.signals[-1]["do"] == "dial" and rig.signals[-1]["call"] != dial["call"]
        runner.cancel()

    asyncio.run(scenario())


def test_a_dialled_callback_is_recorded_as_the_campaigns_policy_says(
    writer: Writer, tmp_path: Path
) -> None:
    rig, ng, recorder = recorder_rig(writer, tmp_path, share=100)

    async def find_line(queue: str) -> tuple[str, str] | None:
        return (NUMBER, "acme")

    rig.control.dialout = DialOut(rig.control, trunk=TRUNK, timeout_s=30, find_line=find_line)

    async def scenario() -> None:
        runner = await rig.start_control()
        contact = await _accepted_callback(rig, writer, CUSTOMER, "cb-7")
        call = str(rig.signals[-1]["call"])
        await rig.control.on_signal({"event": "answered", "call": call, "sdp": SDP})
        await rig.settle()
        # The consent prompt first, then the agent's leg; recorded once bridged.
        played = rig.media.log.index(("play_once", call, CONSENT))
        offered = next(i for i, e in enumerate(rig.media.log) if e[0] == "offer_agent")
        assert played < offered
        assert await rig.control.browser_answer("a-maria", contact, SDP) is None
        assert ng.asked == ["start recording"]
        await writer.execute_async(cmd.EndContact(MARIA, ContactId(contact)))
        await rig.settle()
        await recorder.drain()
        runner.cancel()

    asyncio.run(scenario())
    assert _recordings(writer) == 1


def _recordings(writer: Writer) -> int:
    from sqlalchemy import func, select

    from hearthline.store import tables

    with writer.engine.connect() as conn:
        query = select(func.count()).where(tables.events.c.type == "RecordingStarted")
        return int(conn.execute(query).scalar_one())


def test_numbers_to_dial_and_outbound_trunk_settings() -> None:
    assert dialable("+1 (555) 010-0200") == "+15550100200"
    assert dialable("0161 496 0000") == "01614960000"
    assert dialable("anonymous") is None and dialable("") is None
    trunk = trunk_from_dict(
        {"name": "p", "networks": ["10.0.0.0/8"], "outbound": "sip.example:5080",
         "outbound_username": "acct", "outbound_password": "s3cret"}
    )  # fmt: skip
    assert (trunk.outbound, trunk.outbound_username) == ("sip.example:5080", "acct")
    assert "s3cret" not in repr(trunk)
    for raw, says in [
        ({"outbound": "host:99999"}, "is not host or host:port"),
        ({"outbound": "a b"}, "is not host or host:port"),
        ({"outbound": ""}, "outbound must be host"),
        ({"outbound": "h", "outbound_username": "u"}, "needs a password"),
        ({"outbound_username": "u", "outbound_password": "p"}, "need an outbound target"),
    ]:
        with pytest.raises(TrunkError, match=says):
            trunk_from_dict({"name": "bad", "networks": ["10.0.0.0/8"], **raw})


def test_a_callback_handed_over_while_it_rings_joins_the_customer_to_the_colleague(
    writer: Writer,
) -> None:
    """Maria consults Tom while the customer's phone still rings, and hands the callback
    over: nobody has a leg yet, so Tom is rung only once the customer answers, and told
    how the dialling goes from then on; Maria, in her wrap-up, is not rung at all."""

    async def scenario() -> None:
        rig = _rig(writer)
        runner = await rig.start_control()
        contact = ContactId(await _accepted_callback(rig, writer, CUSTOMER, "cb-11"))
        call = str(rig.signals[-1]["call"])
        tom = AgentId("a-tom")
        await writer.execute_async(cmd.SignIn(tom, ready=True))
        await writer.execute_async(cmd.StartConsult(MARIA, contact, tom))
        await writer.execute_async(cmd.AcceptConsult(tom, contact))
        await writer.execute_async(cmd.HandOverContact(MARIA, contact))
        await rig.settle()
        assert not [m for _, m in rig.told if m["type"] == "voice-offer"], "nobody to join yet"
        assert not any(e[0] == "offer_agent" for e in rig.media.log)

        await rig.control.on_signal({"event": "ringing", "call": call})
        agent, told = rig.told[-1]
        assert (agent, told["type"], told["state"]) == ("a-tom", "voice-dial", "ringing")
        await rig.control.on_signal({"event": "answered", "call": call, "sdp": SDP})
        await rig.settle()
        offers = [(agent, m["contact"]) for agent, m in rig.told if m["type"] == "voice-offer"]
        assert offers == [("a-tom", contact)]
        assert await rig.control.browser_answer("a-tom", contact, SDP) is None
        assert rig.control.calls[call].bridged
        runner.cancel()

    asyncio.run(scenario())
    assert _voice_events(writer) == ["CallDialled", "CallDialOutcome", "CallBridged"]
