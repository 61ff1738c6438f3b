"""The control plane against a real writer on SQLite and the fake media engine: what it
asks of the media engine, the B2BUA and the agent's page, and what the log records."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from hearthline.kernel.ids import AgentId, CampaignId, ContactId, QueueId
from hearthline.routing import commands as cmd
from hearthline.routing.config import Overflow, OverflowKind, QueueConfig
from hearthline.routing.domain import LiveRouting
from hearthline.service.configuration import update_queue
from hearthline.service.writer import Writer
from hearthline.store import tables
from hearthline.telephony import voicemail
from hearthline.telephony.control import HEAD_OF_QUEUE, ControlPlane
from hearthline.telephony.media import FakeMedia
from hearthline.telephony.silence import SilenceWatch
from hearthline.voice.domain import LiveVoice
from tests.voice.rig import seeded_writer

NUMBER = "+15550100"
MARIA = AgentId("a-maria")
SDP = "v=0\r\nm=audio 4000 RTP/AVP 0\r\n"


@pytest.fixture
def writer(tmp_path: Path) -> Iterator[Writer]:
    with seeded_writer(tmp_path / "voice.sqlite3", seed=3) as writer:
        yield writer


class Rig:
    def __init__(self, writer: Writer) -> None:
        self.media = FakeMedia()
        self.signals: list[dict[str, object]] = []
        self.told: list[tuple[str, dict[str, object]]] = []

        async def find_number(number: str) -> tuple[str, str] | None:
            return ("returns", "acme") if number == NUMBER else None

        self.control = ControlPlane(
            writer=writer,
            media=self.media,
            find_number=find_number,
            signal=self.signals.append,
            tell_agent=lambda agent, message: self.told.append((agent, message)),
            prompt="/prompts/greeting.wav",
            music="/prompts/hold.wav",
            reconnect="/prompts/reconnect.wav",
        )

        # Counts the events being followed: the inbox is empty while the last one is.
        self.following = 0
        follow = self.control._follow

        async def counted(event: object) -> None:
            self.following += 1
            try:
                await follow(event)
            finally:
                self.following -= 1

        self.control._follow = counted  # type: ignore[method-assign]

    async def start_control(self) -> asyncio.Task[None]:
        """The control plane's loop, started and given its first turn (it is cancelled
        at the scenario's end)."""
        runner = asyncio.get_running_loop().create_task(self.control.run())
        await asyncio.sleep(0)
        return runner

    def _busy(self) -> bool:
        pending = any(not task.done() for task in self.control._tasks)
        return not self.control._inbox.empty() or self.following > 0 or pending

    async def settle(self) -> None:
        """Lets the control plane follow everything the writer has stored, and finish what
        that started. It waits on those conditions, not for a time a busy machine outlasts."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 30
        while True:
            # The writer publishes each batch before it answers a later request: once this
            # query is answered, every event stored so far is in the control's inbox.
            await asyncio.to_thread(self.control.writer.query, lambda _state: None)
            if not self._busy():
                return
            while self._busy():
                assert loop.time() < deadline, "the control plane did not settle"
                await asyncio.sleep(0.01)

    async def settle_until(self, done: Callable[[], bool]) -> None:
        """Waits until ``done`` (something the control plane does on its own time)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 30
        while not done():
            assert loop.time() < deadline, "the control plane did not get there"
            await asyncio.sleep(0.01)


def _voice_events(writer: Writer) -> list[str]:
    with writer.engine.connect() as conn:
        rows = conn.execute(
            select(tables.events.c.type).where(tables.events.c.type.like("Call%"))
        ).all()
    return [r[0] for r in rows]


def test_a_call_is_parked_offered_bridged_and_ended_by_the_agent(writer: Writer) -> None:
    async def scenario() -> None:
        rig = Rig(writer)
        runner = await rig.start_control()
        await rig.control.on_signal(
            {"event": "invite", "call": "call-1", "from": "+441632960001", "to": NUMBER, "sdp": SDP}
        )
        assert rig.media.log[:2] == [
            ("park", "call-1"),
            ("play", "call-1", "/prompts/greeting.wav"),
        ]
        assert rig.signals[0]["do"] == "answer"
        contact = rig.control.calls["call-1"].contact

        await writer.execute_async(cmd.SignIn(MARIA, ready=True))
        await writer.execute_async(cmd.AcceptOffer(MARIA, ContactId(contact)))
        await rig.settle()
        assert rig.told[0][0] == "a-maria" and rig.told[0][1]["type"] == "voice-offer"

        refused = await rig.control.browser_answer("a-tom", contact, SDP)
        assert refused is not None and "no call of yours" in refused
        assert await rig.control.browser_answer("a-maria", contact, "not sdp") is not None
        assert await rig.control.browser_answer("a-maria", contact, SDP) is None
        assert ("stop_play", "call-1") in rig.media.log
        assert "call-1" not in rig.media.playing
        assert await rig.control.browser_answer("a-maria", contact, SDP) == (
            "this call is connected already"
        )

        await writer.execute_async(cmd.EndContact(MARIA, ContactId(contact)))
        await rig.settle()
        assert rig.media.log[-1] == ("end", "call-1")
        assert rig.signals[-1] == {"do": "hangup", "call": "call-1"}
        assert rig.told[-1] == ("a-maria", {"type": "voice-end", "contact": contact})
        assert rig.control.calls == {}
        runner.cancel()

    asyncio.run(scenario())
    assert _voice_events(writer) == ["CallAnswered", "CallBridged", "CallEnded"]
    assert writer.part(LiveVoice).switchboard.calls == {}


def test_a_caller_who_hangs_up_while_queued_abandons_and_gets_no_bye(writer: Writer) -> None:
    async def scenario() -> None:
        rig = Rig(writer)
        runner = await rig.start_control()
        await rig.control.on_signal({"event": "invite", "call": "c2", "to": NUMBER, "sdp": SDP})
        await rig.control.on_signal({"event": "hangup", "call": "c2"})
        await rig.settle()
        assert rig.media.log[-1] == ("end", "c2")
        assert [s["do"] for s in rig.signals] == ["answer"]  # no BYE to a caller who left
        assert rig.told == []
        runner.cancel()

    asyncio.run(scenario())
    assert _voice_events(writer) == ["CallAnswered", "CallEnded"]


@pytest.mark.parametrize(
    ("message", "code"),
    [
        ({"event": "invite", "call": "c3", "to": "+19990000", "sdp": SDP}, 404),
        ({"event": "invite", "call": "c3", "to": NUMBER, "sdp": "v=0\r\n"}, 488),
        ({"event": "invite", "call": "c3", "to": NUMBER, "sdp": "m=audio " + "x" * 9000}, 488),
    ],
)
def test_a_call_the_center_cannot_take_is_refused_with_its_sip_code(
    writer: Writer, message: dict[str, object], code: int
) -> None:
    rig = Rig(writer)
    asyncio.run(rig.control.on_signal(message))
    assert rig.signals == [
        {"do": "reject", "call": "c3", "code": code, "reason": rig.signals[0]["reason"]}
    ]
    assert rig.media.log == []
    assert _voice_events(writer) == []


def test_signals_that_are_not_ours_are_ignored(writer: Writer) -> None:
    rig = Rig(writer)
    for message in ({"event": "invite"}, {"event": "hangup", "call": "never"}, {"call": 5}):
        asyncio.run(rig.control.on_signal(message))
    assert rig.signals == [] and rig.media.log == []


def test_hold_plays_music_and_a_blind_transfer_rings_the_next_agent_on_a_new_leg(
    writer: Writer,
) -> None:
    tom = AgentId("a-tom")

    async def scenario() -> None:
        rig = Rig(writer)
        runner = await rig.start_control()
        await rig.control.on_signal({"event": "invite", "call": "c4", "to": NUMBER, "sdp": SDP})
        contact = ContactId(rig.control.calls["c4"].contact)
        await writer.execute_async(cmd.SignIn(MARIA, ready=True))
        await writer.execute_async(cmd.AcceptOffer(MARIA, contact))
        await rig.settle()
        assert await rig.control.browser_answer("a-maria", contact, SDP) is None

        await writer.execute_async(cmd.HoldContact(MARIA, contact))
        await rig.settle()
        assert rig.media.log[-1] == ("play", "c4", "/prompts/hold.wav")
        await writer.execute_async(cmd.ResumeContact(MARIA, contact))
        await rig.settle()
        assert rig.media.log[-1] == ("stop_play", "c4")

        await writer.execute_async(cmd.SignIn(tom, ready=True))
        await writer.execute_async(cmd.TransferContact(MARIA, contact, to_queue=QueueId("returns")))
        await rig.settle()
        assert rig.told[-1] == ("a-maria", {"type": "voice-end", "contact": contact})
        assert rig.media.log[-1] == ("play", "c4", "/prompts/hold.wav")
        await writer.execute_async(cmd.AcceptOffer(tom, contact))
        await rig.settle()
        assert rig.told[-1][0] == "a-tom" and rig.told[-1][1]["type"] == "voice-offer"
        offers = [entry for entry in rig.media.log if entry[0] == "offer_agent"]
        assert len(offers) == 2 and offers[0][2] != offers[1][2]  # a new tag for the new leg
        assert (await rig.control.browser_answer("a-maria", contact, SDP)) is not None
        assert await rig.control.browser_answer("a-tom", contact, SDP) is None
        await writer.execute_async(cmd.EndContact(tom, contact))
        await rig.settle()
        assert rig.signals[-1] == {"do": "hangup", "call": "c4"}
        runner.cancel()

    asyncio.run(scenario())
    assert _voice_events(writer) == ["CallAnswered", "CallBridged", "CallBridged", "CallEnded"]


def test_a_dropped_agent_leg_puts_the_caller_first_in_the_queue_for_the_next_agent(
    writer: Writer,
) -> None:
    tom = AgentId("a-tom")

    async def scenario() -> str:
        rig = Rig(writer)
        runner = await rig.start_control()
        await rig.control.on_signal(
            {"event": "invite", "call": "c5", "from": "+441632960009", "to": NUMBER, "sdp": SDP}
        )
        first = ContactId(rig.control.calls["c5"].contact)
        await writer.execute_async(cmd.SignIn(MARIA, ready=True))
        await writer.execute_async(cmd.AcceptOffer(MARIA, first))
        await rig.settle()
        assert await rig.control.browser_answer("a-maria", first, SDP) is None

        # The page reports its media failed: a lost connection, not yet a drop.
        await rig.control.agent_leg_lost("a-tom", first)  # not Tom's call: nothing
        await rig.control.agent_leg_lost("a-maria", first)
        # Past the grace period the core drops the contact on the agent's side.
        await writer.execute_async(cmd.DropContact(first, side="agent"))
        await rig.settle()
        live = rig.control.calls["c5"]
        second = ContactId(live.contact)
        assert second != first and live.caller == "+441632960009"
        assert rig.media.log[-1] == ("play", "c5", "/prompts/reconnect.wav")
        assert ("a-maria", {"type": "voice-end", "contact": first}) in rig.told
        assert not any(s["do"] == "hangup" for s in rig.signals)  # the caller kept the line

        await writer.execute_async(cmd.SignIn(tom, ready=True))
        await rig.settle()
        detail = await asyncio.to_thread(
            writer.query, lambda s: s.part(LiveRouting).router.contact(second)
        )
        assert detail.priority == HEAD_OF_QUEUE
        await writer.execute_async(cmd.AcceptOffer(tom, second))
        await rig.settle()
        assert rig.told[-1][0] == "a-tom" and rig.told[-1][1]["contact"] == second
        runner.cancel()
        return first

    first = asyncio.run(scenario())
    assert _voice_events(writer) == ["CallAnswered", "CallBridged", "CallRequeued"]
    with writer.engine.connect() as conn:
        kinds = [r[0] for r in conn.execute(select(tables.events.c.type)).all()]
    assert "AgentConnectionLost" in kinds
    # The core owed a callback for the drop; the caller was served on the line instead.
    with writer.engine.connect() as conn:
        owed = conn.execute(
            select(tables.events.c.contact_id).where(tables.events.c.type == "ContactAbandoned")
        ).all()
    assert [r[0] for r in owed] == [f"{first}~cb"]


@pytest.mark.parametrize("hangs_up", [False, True])
def test_a_caller_a_full_queue_sends_to_voicemail_hears_the_prompt_and_is_recorded(
    writer: Writer, monkeypatch: pytest.MonkeyPatch, hangs_up: bool
) -> None:
    # The message's longest time, short here: the center's BYE ends it.
    monkeypatch.setattr(voicemail, "VOICEMAIL_S", 0.3)
    update_queue(writer, QueueConfig(QueueId("full"), CampaignId("acme-returns"), max_length=0))

    async def scenario() -> None:
        rig = Rig(writer)
        rig.control.voicemail_prompt = "/prompts/voicemail.wav"

        async def full(number: str) -> tuple[str, str] | None:
            return ("full", "acme")

        rig.control.find_number = full
        runner = await rig.start_control()
        await rig.control.on_signal({"event": "invite", "call": "c9", "to": NUMBER, "sdp": SDP})
        if hangs_up:
            await rig.settle_until(lambda: ("record", "c9") in rig.media.log)
            await rig.control.on_signal({"event": "hangup", "call": "c9"})
        await rig.settle()
        assert rig.media.log == [
            ("park", "c9"),
            ("play", "c9", "/prompts/greeting.wav"),
            ("play_once", "c9", "/prompts/voicemail.wav"),
            ("record", "c9"),
            ("end", "c9"),
        ]
        # The center hangs up once the message's time is over; a caller who left first
        # gets no BYE.
        assert [s["do"] for s in rig.signals] == ["answer"] + ([] if hangs_up else ["hangup"])
        assert rig.control.calls == {}
        runner.cancel()

    asyncio.run(scenario())
    with writer.engine.connect() as conn:
        types = conn.execute(select(tables.events.c.type)).scalars().all()
    assert "ContactOverflowed" in types and "ContactConvertedToCallback" not in types
    assert _voice_events(writer)[-1] == "CallEnded"


class _Lengths:
    """Prompt files of a known length, none on disk."""

    def __init__(self, seconds: float) -> None:
        self.length = seconds

    def joined(self, files: list[str]) -> str:
        return "+".join(files)

    def seconds(self, file: str) -> float:
        return self.length


@pytest.mark.parametrize("hangs_up", [False, True])
def test_a_caller_a_full_queue_turns_into_a_callback_hears_so_and_the_center_hangs_up(
    writer: Writer, hangs_up: bool
) -> None:
    update_queue(
        writer,
        QueueConfig(
            QueueId("full"), CampaignId("acme-returns"), max_length=0,
            on_full=Overflow(OverflowKind.CALLBACK),
        ),
    )  # fmt: skip

    async def scenario() -> None:
        rig = Rig(writer)
        rig.control.callback_prompt = "/prompts/callback.wav"
        # The BYE waits for the prompt's end: long enough that a hang-up comes first.
        rig.control.files = _Lengths(3.0 if hangs_up else 0.2)

        async def full(number: str) -> tuple[str, str] | None:
            return ("full", "acme")

        rig.control.find_number = full
        runner = await rig.start_control()
        await rig.control.on_signal(
            {"event": "invite", "call": "c7", "from": "+441632960007", "to": NUMBER, "sdp": SDP}
        )
        await rig.settle_until(
            lambda: ("play_once", "c7", "/prompts/callback.wav") in rig.media.log
        )
        if hangs_up:
            await rig.control.on_signal({"event": "hangup", "call": "c7"})
        await rig.settle()
        assert rig.media.log == [
            ("park", "c7"),
            ("play", "c7", "/prompts/greeting.wav"),
            ("play_once", "c7", "/prompts/callback.wav"),
            ("end", "c7"),
        ]
        # The center's BYE once the prompt has played; none to a caller who left first.
        assert [s["do"] for s in rig.signals] == ["answer"] + ([] if hangs_up else ["hangup"])
        assert rig.control.calls == {} and rig.control.by_contact == {}
        runner.cancel()

    asyncio.run(scenario())
    with writer.engine.connect() as conn:
        rows = conn.execute(
            select(tables.events.c.type, tables.events.c.contact_id).order_by(tables.events.c.id)
        ).all()
    types = [r[0] for r in rows]
    assert "ContactOverflowed" in types and "ContactConvertedToCallback" in types
    assert "ContactAbandoned" not in types  # the caller's hang-up cancels no callback
    assert _voice_events(writer)[-1] == "CallEnded"
    # The callback the core keeps is to the caller's number, waiting in the queue.
    callbacks = writer.query(
        lambda s: [c for c in s.part(LiveRouting).router.live_contacts() if c.origin is not None]
    )
    assert [(c.caller, c.state.value, c.queue) for c in callbacks] == [
        ("+441632960007", "queued", "full")
    ]


def test_a_clients_own_callback_prompt_replaces_the_default(writer: Writer) -> None:
    update_queue(
        writer,
        QueueConfig(
            QueueId("full"), CampaignId("acme-returns"), max_length=0,
            on_full=Overflow(OverflowKind.CALLBACK),
        ),
    )  # fmt: skip

    async def scenario() -> None:
        rig = Rig(writer)
        rig.control.callback_prompt = "/prompts/callback.wav"
        asked: list[tuple[str, str]] = []

        async def find_prompt(client: str, name: str) -> str | None:
            asked.append((client, name))
            return f"/clients/{client}/{name}.wav" if client == "acme" else None

        async def full(number: str) -> tuple[str, str] | None:
            return ("full", "acme")

        rig.control.find_prompt = find_prompt
        rig.control.find_number = full
        runner = await rig.start_control()
        await rig.control.on_signal(
            {"event": "invite", "call": "c8", "from": "+441632960008", "to": NUMBER, "sdp": SDP}
        )
        await rig.settle()
        assert ("play_once", "c8", "/clients/acme/callback.wav") in rig.media.log
        assert asked == [("acme", "callback")]
        assert rig.signals[-1] == {"do": "hangup", "call": "c8"}
        runner.cancel()

    asyncio.run(scenario())


def test_a_full_queue_overflowing_to_another_keeps_the_caller_on_and_queued_there(
    writer: Writer,
) -> None:
    update_queue(
        writer,
        QueueConfig(
            QueueId("full"), CampaignId("acme-returns"), max_length=0,
            on_full=Overflow(OverflowKind.QUEUE, QueueId("returns")),
        ),
    )  # fmt: skip

    async def scenario() -> None:
        rig = Rig(writer)

        async def full(number: str) -> tuple[str, str] | None:
            return ("full", "acme")

        rig.control.find_number = full
        runner = await rig.start_control()
        await rig.control.on_signal(
            {"event": "invite", "call": "c6", "from": "+441632960006", "to": NUMBER, "sdp": SDP}
        )
        await rig.settle()
        live = rig.control.calls["c6"]
        # Still parked with the greeting, no prompt of leaving, no BYE; in its new queue.
        assert rig.media.log == [("park", "c6"), ("play", "c6", "/prompts/greeting.wav")]
        assert [s["do"] for s in rig.signals] == ["answer"]
        assert live.queue == "returns" and not live.overflowed

        # An agent of that queue takes it: the call rings on their page as any other.
        await writer.execute_async(cmd.SignIn(MARIA, ready=True))
        await writer.execute_async(cmd.AcceptOffer(MARIA, ContactId(live.contact)))
        await rig.settle()
        assert rig.told[0][0] == "a-maria" and rig.told[0][1]["type"] == "voice-offer"
        assert rig.told[0][1]["contact"] == live.contact
        runner.cancel()

    asyncio.run(scenario())
    with writer.engine.connect() as conn:
        types = conn.execute(select(tables.events.c.type)).scalars().all()
    assert "ContactOverflowed" in types and "ContactConvertedToCallback" not in types


# The server's watch on agent legs' media (telephony/silence.py): packet counts and the
# clock are the test's own; a real agent leg that dies is in test_real_call.py.


class Counts:
    """What the engine would say each leg has received; None for a leg it does not know."""

    def __init__(self) -> None:
        self.packets: dict[tuple[str, str], int | None] = {}
        self.asked: list[tuple[str, str]] = []
        self.failing = False

    async def __call__(self, call: str, tag: str) -> int | None:
        self.asked.append((call, tag))
        if self.failing:
            raise OSError("rtpengine did not answer")
        return self.packets.get((call, tag))


def _agent_events(writer: Writer) -> list[str]:
    with writer.engine.connect() as conn:
        rows = conn.execute(
            select(tables.events.c.type)
            .where(tables.events.c.type.like("AgentRe%"))
            .union_all(
                select(tables.events.c.type).where(tables.events.c.type == "AgentConnectionLost")
            )
        ).all()
    return sorted(r[0] for r in rows)


def test_a_bridged_leg_silent_past_the_setting_is_a_lost_connection_and_back_when_heard(
    writer: Writer,
) -> None:
    now = [100.0]
    counts = Counts()

    async def scenario() -> None:
        rig = Rig(writer)
        watch = SilenceWatch(rig.control, counts, silent_s=5.0, clock=lambda: now[0])
        assert watch.period == 1.0
        runner = await rig.start_control()
        await rig.control.on_signal({"event": "invite", "call": "c1", "to": NUMBER, "sdp": SDP})
        contact = ContactId(rig.control.calls["c1"].contact)
        # Queued, then ringing: nothing to watch, nothing asked.
        assert await watch.check() == [] and counts.asked == []
        await writer.execute_async(cmd.SignIn(MARIA, ready=True))
        await writer.execute_async(cmd.AcceptOffer(MARIA, contact))
        await rig.settle()
        assert await watch.check() == [] and counts.asked == []

        assert await rig.control.browser_answer("a-maria", contact, SDP) is None
        tag = rig.control.calls["c1"].agent_tag
        assert tag is not None
        leg = ("c1", tag)
        counts.packets[leg] = 0
        assert await watch.check() == []  # first read: the clock starts
        now[0] += 4.9
        assert await watch.check() == []  # not yet silent long enough
        counts.packets[leg] = 250
        now[0] += 4.9
        assert await watch.check() == []  # moved: the clock starts again
        now[0] += 4.9
        assert await watch.check() == []
        assert counts.asked == [leg] * 4  # one query a leg a check

        # The engine fails to answer, or no longer knows the leg: no evidence of silence.
        counts.failing = True
        now[0] += 10
        assert await watch.check() == []
        counts.failing = False
        counts.packets[leg] = None
        assert await watch.check() == []

        counts.packets[leg] = 250
        assert await watch.check() == [contact]  # silent since its last move
        assert await watch.check() == []  # reported once
        await rig.settle()
        assert _agent_events(writer) == ["AgentConnectionLost"]

        # Heard again within the grace period: the agent is back, the call goes on.
        counts.packets[leg] = 260
        now[0] += 1
        assert await watch.check() == []
        await rig.settle()
        assert _agent_events(writer) == ["AgentConnectionLost", "AgentReconnected"]

        # The call ends: the leg is no longer watched nor asked about.
        await writer.execute_async(cmd.EndContact(MARIA, contact))
        await rig.settle()
        asked = len(counts.asked)
        assert await watch.check() == [] and len(counts.asked) == asked
        assert watch.heard == {}
        runner.cancel()

    asyncio.run(scenario())


def test_the_watch_switched_off_asks_nothing(writer: Writer) -> None:
    counts = Counts()

    async def scenario() -> None:
        watch = SilenceWatch(Rig(writer).control, counts, silent_s=0)
        await asyncio.wait_for(watch.run(), 1.0)  # returns at once

    asyncio.run(scenario())
    assert counts.asked == []


def test_an_ice_restart_is_a_fresh_offer_for_the_same_leg_answered_in_place(
    writer: Writer,
) -> None:
    async def scenario() -> None:
        rig = Rig(writer)
        runner = await rig.start_control()
        await rig.control.on_signal({"event": "invite", "call": "c7", "to": NUMBER, "sdp": SDP})
        contact = ContactId(rig.control.calls["c7"].contact)
        await writer.execute_async(cmd.SignIn(MARIA, ready=True))
        await writer.execute_async(cmd.AcceptOffer(MARIA, contact))
        await rig.settle()
        refused = await rig.control.restart_agent_leg("a-maria", contact)
        assert refused == f"no call of yours is connected for contact {contact!r}"  # ringing
        assert await rig.control.browser_answer("a-maria", contact, SDP) is None
        tag = rig.control.calls["c7"].agent_tag

        assert await rig.control.restart_agent_leg("a-tom", contact) is not None
        assert await rig.control.restart_agent_leg("a-maria", contact) is None
        assert rig.media.log[-1] == ("restart_agent", "c7", tag)
        assert rig.told[-1] == (
            "a-maria",
            {"type": "voice-offer", "contact": contact, "sdp": "v=0\r\ns=restart c7 "
             f"{tag}\r\n", "restart": True},
        )  # fmt: skip
        # The page's answer goes to the same leg; the call is not bridged a second time.
        assert await rig.control.browser_answer("a-maria", contact, SDP) is None
        assert rig.media.log[-1] == ("answer_agent", "c7", tag)
        again = await rig.control.browser_answer("a-maria", contact, SDP)
        assert again == "this call is connected already"
        runner.cancel()

    asyncio.run(scenario())
    assert _voice_events(writer) == ["CallAnswered", "CallBridged"]
