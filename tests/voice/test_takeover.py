"""Taking live calls over after a restart, on a real writer (SQLite) started again with
``keep_calls`` and the fake media engine: what the B2BUA's dialogs and their notes, the
log and the core make of each call (docs/voice.md, "Restarts")."""

from __future__ import annotations

import asyncio
import random
from pathlib import Path
from typing import Any

from hearthline.kernel.clock import WallClock
from hearthline.kernel.ids import ContactId, QueueId
from hearthline.routing import commands as cmd
from hearthline.routing.domain import LiveRouting
from hearthline.routing.states import ContactState
from hearthline.service.domains import CODEC
from hearthline.service.writer import Writer
from hearthline.store.engine import create_store_engine
from hearthline.store.log import read_events
from hearthline.store.migrate import upgrade
from hearthline.telephony.engines import EnginePool
from hearthline.telephony.media import RtpEngine
from hearthline.telephony.takeover import take_over
from hearthline.voice.domain import LiveVoice
from hearthline.voice.events import CallEnded
from tests.voice.test_control import MARIA, NUMBER, SDP, Rig
from tests.web.server import seed_firm


def _writer(url: str, *, keep_calls: bool) -> Writer:
    writer = Writer(
        engine=create_store_engine(url),
        clock=WallClock(),
        rng=random.Random(3),
        own_engine=True,
        keep_calls=keep_calls,
    )
    writer.start()
    return writer


def _invite(call: str) -> dict[str, object]:
    return {"event": "invite", "call": call, "from": "+441632960001", "to": NUMBER, "sdp": SDP}


def _ringing(call: str) -> dict[str, object]:
    return {"call": call, "answered": False, "from": "+1", "to": NUMBER, "sdp": SDP, "note": None}


def test_a_restarted_server_takes_over_what_goes_on_and_ends_what_does_not(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'voice.sqlite3'}"
    engine = create_store_engine(url)
    upgrade(engine)
    seed_firm(engine)
    engine.dispose()
    notes: dict[str, dict[str, object]] = {}

    async def before() -> dict[str, str]:
        """Maria talks on call-1; call-2 and call-3 wait; the B2BUA holds their notes."""
        writer = _writer(url, keep_calls=True)
        try:
            rig = Rig(writer)
            rig.control.keep = lambda call, note: notes.__setitem__(call, note)
            runner = await rig.start_control()
            for call in ("call-1", "call-2", "call-3"):
                await rig.control.on_signal(_invite(call))
            contacts = {call: live.contact for call, live in rig.control.calls.items()}
            await writer.execute_async(cmd.SignIn(MARIA, ready=True))
            offered = writer.part(LiveRouting).router.agent(MARIA).contact
            assert offered is not None
            await writer.execute_async(cmd.AcceptOffer(MARIA, offered))
            await rig.settle()
            talking = next(c for c, live in rig.control.calls.items() if live.agent)
            assert await rig.control.browser_answer(MARIA, contacts[talking], SDP) is None
            await rig.settle()
            assert notes[talking]["bridged"] is True and notes[talking]["agent"] == MARIA
            runner.cancel()
            return {"talking": talking, **contacts}
        finally:
            writer.stop()  # a crash would not stop it; the log is the same either way

    async def after(seen: dict[str, str]) -> None:
        writer = _writer(url, keep_calls=True)
        try:
            talking = seen["talking"]
            waiting, gone = sorted({"call-1", "call-2", "call-3"} - {talking})
            router = writer.part(LiveRouting).router
            # The core kept them all through its restart record.
            assert router.contact(seen[talking]).state is ContactState.CONNECTED
            assert router.contact(seen[waiting]).state is ContactState.QUEUED
            rig = Rig(writer)
            rig.control.keep = lambda call, note: notes.__setitem__(call, note)
            runner = await rig.start_control()
            rig.control.attach()
            dialogs: list[Any] = [
                {"call": c, "answered": True, "from": "", "to": NUMBER, "sdp": SDP,
                 "note": notes[c]}
                for c in (talking, waiting)
            ]  # fmt: skip
            # One the log never heard of, answered; one still ringing; the third caller
            # hung up while no server was there (the B2BUA has no dialog for it).
            dialogs += [{**_ringing("stray"), "answered": True}, _ringing("new-1")]

            async def has_media(call: str) -> bool:
                return True

            new = await take_over(rig.control, dialogs, has_media=has_media, b2bua_kept=True)
            await rig.settle()
            assert [m["call"] for m in new] == ["new-1"] and new[0]["event"] == "invite"
            assert {"do": "hangup", "call": "stray"} in rig.signals
            assert set(rig.control.calls) == {talking, waiting}
            live = rig.control.calls[talking]
            assert (live.agent, live.bridged, live.caller_sdp) == (MARIA, True, SDP)
            assert rig.control.calls[waiting].agent is None
            ended = [e.event for e in read_events(writer.engine, CODEC)]
            ended_calls = [(e.call, e.by) for e in ended if isinstance(e, CallEnded)]
            assert ended_calls == [(gone, "caller")]
            assert set(writer.part(LiveVoice).switchboard.calls) == {talking, waiting}

            # The desk drives the call taken over: hold plays the music; a blind transfer
            # ends Maria's leg and the caller waits with music; their hang-up ends it.
            contact = ContactId(seen[talking])
            await writer.execute_async(cmd.HoldContact(MARIA, contact))
            await rig.settle()
            assert rig.media.log[-1] == ("play", talking, "/prompts/hold.wav")
            await writer.execute_async(cmd.ResumeContact(MARIA, contact))
            await writer.execute_async(
                cmd.TransferContact(MARIA, contact, to_queue=QueueId("returns"))
            )
            await rig.settle()
            assert ("a-maria", {"type": "voice-end", "contact": seen[talking]}) in rig.told
            assert rig.control.calls[talking].agent is None
            assert rig.media.log[-1] == ("play", talking, "/prompts/hold.wav")
            await rig.control.on_signal({"event": "hangup", "call": talking})
            await rig.settle()
            assert talking not in rig.control.calls
            # The waiting caller is hung up by the center: a BYE.
            await writer.execute_async(cmd.DropContact(ContactId(seen[waiting]), side="system"))
            await rig.settle()
            assert {"do": "hangup", "call": waiting} in rig.signals
            runner.cancel()
        finally:
            writer.stop()

    seen = asyncio.run(before())
    asyncio.run(after(seen))


def test_without_keep_calls_a_restart_drops_them_as_before(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'voice.sqlite3'}"
    engine = create_store_engine(url)
    upgrade(engine)
    seed_firm(engine)
    engine.dispose()

    async def before() -> str:
        writer = _writer(url, keep_calls=False)
        try:
            rig = Rig(writer)
            await rig.control.on_signal(_invite("call-1"))
            return rig.control.calls["call-1"].contact
        finally:
            writer.stop()

    contact = asyncio.run(before())
    writer = _writer(url, keep_calls=False)
    try:
        router = writer.part(LiveRouting).router
        assert ContactId(contact) not in {c.id for c in router.live_contacts()}
    finally:
        writer.stop()


def test_a_pool_that_knows_no_engine_for_a_call_ends_it_and_takes_over_the_rest(
    tmp_path: Path,
) -> None:
    """``voice_keep_calls`` with ``voice_rtpengines``: the new server's pool holds no
    engine for a call from before, so asking whether its media is there raises. That call
    is ended as one whose media is gone (a BYE, dropped by the system); the others are
    still taken over, rather than the takeover stopping at the first."""
    url = f"sqlite:///{tmp_path / 'voice.sqlite3'}"
    engine = create_store_engine(url)
    upgrade(engine)
    seed_firm(engine)
    engine.dispose()
    notes: dict[str, dict[str, object]] = {}

    async def before() -> dict[str, str]:
        writer = _writer(url, keep_calls=True)
        try:
            rig = Rig(writer)
            rig.control.keep = lambda call, note: notes.__setitem__(call, note)
            for call in ("call-1", "call-2"):
                await rig.control.on_signal(_invite(call))
            return {call: live.contact for call, live in rig.control.calls.items()}
        finally:
            writer.stop()

    async def after(contacts: dict[str, str]) -> None:
        writer = _writer(url, keep_calls=True)
        pool = EnginePool([("127.0.0.1", 9)])  # never asked: it holds no call
        try:
            rig = Rig(writer)
            runner = await rig.start_control()
            rig.control.attach()
            dialogs: list[Any] = [
                {"call": c, "answered": True, "from": "", "to": NUMBER, "sdp": SDP,
                 "note": notes[c]}
                for c in ("call-1", "call-2")
            ]  # fmt: skip
            pooled = RtpEngine(pool)

            async def has_media(call: str) -> bool:
                if call == "call-1":  # as the stack asks it, of the pool
                    return await pooled.received(call, "caller") is not None
                return True

            new = await take_over(rig.control, dialogs, has_media=has_media, b2bua_kept=True)
            await rig.settle()
            assert new == []
            assert set(rig.control.calls) == {"call-2"}
            assert {"do": "hangup", "call": "call-1"} in rig.signals
            ended = [e.event for e in read_events(writer.engine, CODEC)]
            assert [(e.call, e.by) for e in ended if isinstance(e, CallEnded)] == [
                ("call-1", "system")
            ]
            router = writer.part(LiveRouting).router
            live = {c.id for c in router.live_contacts()}
            assert ContactId(contacts["call-1"]) not in live
            assert router.contact(ContactId(contacts["call-2"])).state is ContactState.QUEUED
            runner.cancel()
        finally:
            pool.close()
            writer.stop()

    asyncio.run(after(asyncio.run(before())))
