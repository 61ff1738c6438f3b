"""A consult transfer on the control plane (real writer on SQLite, the fake media engine):
the caller held with music, the two agents' microphones published and each subscribed
to the other's, then a handover to the colleague's new leg or a return to the asker."""

from __future__ import annotations

import asyncio

from hearthline.kernel.ids import AgentId, ContactId
from hearthline.routing import commands as cmd
from hearthline.routing.domain import LiveRouting
from hearthline.service.writer import Writer
from hearthline.telephony.consult import ConsultAudio
from hearthline.voice.domain import LiveVoice
from tests.voice.test_control import MARIA, NUMBER, SDP, Rig, _voice_events
from tests.voice.test_control import writer as writer  # the fixture

TOM = AgentId("a-tom")


async def _on_call(rig: Rig, call: str) -> ContactId:
    """Maria has the caller, bridged; Tom is ready and free."""
    await rig.control.on_signal({"event": "invite", "call": call, "to": NUMBER, "sdp": SDP})
    contact = ContactId(rig.control.calls[call].contact)
    await rig.control.writer.execute_async(cmd.SignIn(MARIA, ready=True))
    await rig.control.writer.execute_async(cmd.AcceptOffer(MARIA, contact))
    await rig.settle()
    assert await rig.control.browser_answer("a-maria", contact, SDP) is None
    await rig.control.writer.execute_async(cmd.SignIn(TOM, ready=True))
    return contact


def _audio(rig: Rig) -> ConsultAudio:
    audio = ConsultAudio(rig.media, rig.control.tell_agent)
    rig.control.consult_watchers.append(audio.follow)
    rig.control.leg_watchers.append(audio.leg_over)
    return audio


def _told(rig: Rig, kind: str, since: int = 0) -> list[tuple[str, dict[str, object]]]:
    return [(agent, m) for agent, m in rig.told[since:] if m["type"] == kind]


async def _talking(rig: Rig, audio: ConsultAudio, contact: ContactId) -> None:
    """Tom accepts; both pages publish their microphones and answer the offers to hear."""
    writer = rig.control.writer
    since, logged = len(rig.told), len(rig.media.log)
    await writer.execute_async(cmd.StartConsult(MARIA, contact, TOM))
    await rig.settle()
    assert rig.media.log[-1][0] == "play"  # the caller hears the hold music
    assert _told(rig, "voice-consult", since) == []  # nothing to hear while it rings
    await writer.execute_async(cmd.AcceptConsult(TOM, contact))
    await rig.settle()
    asks = _told(rig, "voice-consult", since)
    assert sorted((agent, m.get("with")) for agent, m in asks) == [
        ("a-maria", "a-tom"),
        ("a-tom", "a-maria"),
    ]
    for agent in ("a-maria", "a-tom"):
        refusal, answer = await audio.publish(agent, contact, SDP)
        assert refusal is None and "published" in answer
    refused, _ = await audio.publish("a-ann", contact, SDP)
    assert refused is not None and "no consult of yours" in refused
    offers = [(agent, m) for agent, m in _told(rig, "voice-consult", since) if "sdp" in m]
    assert [agent for agent, _ in offers] == ["a-tom", "a-maria"]
    # Each hears the other's microphone, never the caller: the subscriptions name the mics.
    subscribed = [e for e in rig.media.log[logged:] if e[0] == "subscribe"]
    assert [e[2] for e in subscribed] == [
        audio.consults[contact].mics["a-maria"],
        audio.consults[contact].mics["a-tom"],
    ]
    assert all("caller" not in e[2] for e in subscribed)
    for agent in ("a-maria", "a-tom"):
        assert await audio.answer(agent, contact, SDP) is None
    assert await audio.answer("a-maria", contact, "not sdp") == "the answer is not an audio SDP"
    # The caller's leg is untouched: no new leg offered, nothing answered on it.
    assert not [e for e in rig.media.log[logged:] if e[0] in ("offer_agent", "answer_agent")]


def test_a_handover_ends_the_consults_audio_and_rings_the_colleague_on_a_new_leg(
    writer: Writer,
) -> None:
    async def scenario() -> None:
        rig = Rig(writer)
        audio = _audio(rig)
        runner = await rig.start_control()
        contact = await _on_call(rig, "k1")
        await _talking(rig, audio, contact)

        before = len(rig.media.log)
        await writer.execute_async(cmd.HandOverContact(MARIA, contact))
        await rig.settle()
        released = rig.media.log[before:]
        assert sorted(e[0] for e in released[:4]) == [
            "unpublish",
            "unpublish",
            "unsubscribe",
            "unsubscribe",
        ]
        assert released[-1][0] == "offer_agent"  # Tom's own leg, no second ring
        assert audio.consults == {}
        assert ("a-maria", {"type": "voice-end", "contact": contact}) in rig.told
        ends = [agent for agent, _ in _told(rig, "voice-consult-end")]
        assert sorted(ends) == ["a-maria", "a-tom"]
        assert rig.told[-1][0] == "a-tom" and rig.told[-1][1]["type"] == "voice-offer"
        assert "k1" in rig.media.playing  # music until Tom's page answers
        assert await rig.control.browser_answer("a-maria", contact, SDP) is not None
        assert await rig.control.browser_answer("a-tom", contact, SDP) is None
        assert "k1" not in rig.media.playing
        await writer.execute_async(cmd.EndContact(TOM, contact))
        await rig.settle()
        assert rig.signals[-1] == {"do": "hangup", "call": "k1"}
        runner.cancel()

    asyncio.run(scenario())
    assert _voice_events(writer) == ["CallAnswered", "CallBridged", "CallBridged", "CallEnded"]
    assert writer.part(LiveVoice).switchboard.calls == {}


def test_a_return_resumes_the_caller_with_the_asker_and_a_caller_hang_up_ends_it_all(
    writer: Writer,
) -> None:
    async def scenario() -> None:
        rig = Rig(writer)
        w = rig.control.writer
        audio = _audio(rig)
        runner = await rig.start_control()
        contact = await _on_call(rig, "k2")
        await _talking(rig, audio, contact)

        await w.execute_async(cmd.EndConsult(TOM, contact))  # Tom hangs up the consult
        await rig.settle()
        assert audio.consults == {}
        assert rig.media.log[-1] == ("stop_play", "k2")  # the caller is back with Maria
        assert [agent for agent, _ in _told(rig, "voice-offer")] == ["a-maria"]  # same leg

        # Again, and the caller hangs up meanwhile: everything ends, no BYE to them.
        await _talking(rig, audio, contact)
        await rig.control.on_signal({"event": "hangup", "call": "k2"})
        await rig.settle()
        assert audio.consults == {}
        assert rig.media.log[-1] == ("end", "k2")
        assert [s["do"] for s in rig.signals] == ["answer"]
        runner.cancel()

    asyncio.run(scenario())
    router = writer.part(LiveRouting).router
    # Tom is free again, not in a wrap-up for a call never his; Maria wraps hers up.
    assert (str(router.agent(TOM).state), str(router.agent(MARIA).state)) == (
        "available",
        "wrap-up",
    )
